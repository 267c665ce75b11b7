"""Driving a service's command API the way the gateway does — HTTP commands with bearer tokens — for the
services' integration tests: the actors of a committee, a clock the test moves, and a client whose `do`
must succeed and whose `refused` must be refused by a named rule with nothing stored."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Self

import httpx

from contracts.clock import CHINA_TZ, local_date
from contracts.envelope import Actor, Role
from eventstore.store import Checkpoint
from runtime.auth import issue_token
from runtime.service_host import ServiceHost

COMMITTEE = "cppcc-county-a"
OTHER_COMMITTEE = "cppcc-county-b"
OFFICE = Actor(id="office-li", role=Role.office_staff)
LEADER = Actor(id="leader-wang", role=Role.leadership)
ADMIN = Actor(id="admin", role=Role.admin)


def member(member_id: str) -> Actor:
    return Actor(id=f"user-{member_id}", role=Role.member, member_id=member_id)


def unit(unit_id: str) -> Actor:
    return Actor(id=f"staff-{unit_id}", role=Role.unit_staff, unit_id=unit_id)


def on(day: date, hour: int = 10) -> datetime:
    """An instant on `day` in China (office hours)."""
    return datetime.combine(day, time(hour), CHINA_TZ).astimezone(UTC)


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


async def count_events(service: ServiceHost[Any]) -> tuple[int, int]:
    """(events stored, last position) of the service's store."""
    row = await service.pool.fetchrow(
        f"SELECT count(*) AS n, coalesce(max(position), 0) AS last FROM {service.store.schema}.events")
    assert row is not None
    return int(row["n"]), int(row["last"])


async def event_types(service: ServiceHost[Any], stream_id: str) -> list[str]:
    return [e.envelope.type for e in await service.store.read_stream(stream_id)]


@dataclass
class CommandClient:
    service: ServiceHost[Any]
    http: httpx.AsyncClient
    last_checkpoint: Checkpoint = field(default_factory=Checkpoint.zero)

    @classmethod
    @contextlib.asynccontextmanager
    async def over(cls, service: ServiceHost[Any]) -> AsyncIterator[Self]:
        transport = httpx.ASGITransport(app=service.app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{service.name}") as http:
            yield cls(service, http)

    async def post(self, command: str, body: dict[str, Any], actor: Actor,
                   committee: str = COMMITTEE) -> httpx.Response:
        return await self.http.post(f"/commands/{command}", json=body,
                                    headers={"Authorization": f"Bearer {token(actor, committee)}"})

    async def do(self, command: str, body: dict[str, Any], actor: Actor, committee: str = COMMITTEE) -> dict[str, Any]:
        """Run a command that must succeed; returns its result and remembers the checkpoint written."""
        response = await self.post(command, body, actor, committee)
        if response.status_code != 200:
            raise Refused(f"{command} refused: {response.status_code} {response.text}")
        answer: dict[str, Any] = response.json()
        if answer["checkpoint"]:
            written = Checkpoint(answer["checkpoint"]["tx_id"], answer["checkpoint"]["position"])
            self.last_checkpoint = max(self.last_checkpoint, written)
        result: dict[str, Any] = answer["result"]
        return result

    async def refused(self, command: str, body: dict[str, Any], actor: Actor, rule: str,
                      committee: str = COMMITTEE) -> dict[str, Any]:
        """Run a command that must be refused by `rule` (a 400, 403 or 422), and check nothing was stored."""
        before = await count_events(self.service)
        response = await self.post(command, body, actor, committee)
        assert response.status_code in (400, 403, 422), f"{command}: expected refusal {rule}, got {response.text}"
        error: dict[str, Any] = response.json()["error"]
        assert error["code"] == rule, f"{command}: refused by {error['code']} ({error['message']}), expected {rule}"
        assert await count_events(self.service) == before, f"{command}: a refusal stores nothing"
        return error
