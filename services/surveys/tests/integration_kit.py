"""Driving the surveys service the way the gateway does: HTTP commands with bearer tokens, on a fake clock,
against the real PostgreSQL."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from contracts.clock import local_date
from contracts.envelope import Actor
from runtime.auth import issue_token
from runtime.service_host import ServiceHost
from surveys.parts import SurveysParts

from .kit import COMMITTEE, on

SurveysService = ServiceHost[SurveysParts]

OTHER_COMMITTEE = "cppcc-county-b"


@dataclass
class FakeClock:
    now: datetime = field(default_factory=lambda: on(date(2026, 3, 2)))

    def __call__(self) -> datetime:
        return self.now

    def set(self, day: date, hour: int = 10) -> None:
        self.now = on(day, hour)

    def advance(self, days: int) -> None:
        self.now += timedelta(days=days)

    @property
    def today(self) -> date:
        return local_date(self.now)


def token(actor: Actor, committee: str = COMMITTEE) -> str:
    return issue_token(actor.role, committee, subject=actor.id, member_id=actor.member_id, unit_id=actor.unit_id)


class Refused(AssertionError):
    pass


@dataclass
class Api:
    service: SurveysService
    http: httpx.AsyncClient

    @classmethod
    @contextlib.asynccontextmanager
    async def over(cls, service: SurveysService) -> AsyncIterator[Api]:
        transport = httpx.ASGITransport(app=service.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://surveys") as http:
            yield cls(service, http)

    async def post(self, command: str, body: dict[str, Any], actor: Actor,
                   committee: str = COMMITTEE) -> httpx.Response:
        return await self.http.post(f"/commands/{command}", json=body,
                                    headers={"Authorization": f"Bearer {token(actor, committee)}"})

    async def do(self, command: str, body: dict[str, Any], actor: Actor, committee: str = COMMITTEE) -> dict[str, Any]:
        """Run a command that must succeed; returns its result."""
        response = await self.post(command, body, actor, committee)
        if response.status_code != 200:
            raise Refused(f"{command} refused: {response.status_code} {response.text}")
        result: dict[str, Any] = response.json()["result"]
        return result

    async def refused(self, command: str, body: dict[str, Any], actor: Actor, rule: str,
                      committee: str = COMMITTEE) -> dict[str, Any]:
        """Run a command that must be refused by `rule`, and check that nothing was stored."""
        before = await count_events(self.service)
        response = await self.post(command, body, actor, committee)
        assert response.status_code in (400, 403, 422), f"{command}: expected refusal {rule}, got {response.text}"
        error: dict[str, Any] = response.json()["error"]
        assert error["code"] == rule, f"{command}: refused by {error['code']} ({error['message']}), expected {rule}"
        assert await count_events(self.service) == before, f"{command}: a refusal stored nothing"
        return error


async def event_types(service: SurveysService, stream_id: str) -> list[str]:
    return [e.envelope.type for e in await service.store.read_stream(stream_id)]


async def count_events(service: SurveysService) -> tuple[int, int]:
    async with service.pool.acquire() as conn:
        row = await conn.fetchrow(f"SELECT count(*) AS n, coalesce(max(position), 0) AS last "
                                  f"FROM {service.store.schema}.events")
    assert row is not None
    return int(row["n"]), int(row["last"])
