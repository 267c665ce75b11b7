"""The members service running for real, as the runtime builds it from its declaration
(`members.service.DEFINITION`): its own schema, prefixed Kafka topics, relay, consumer, projections and
scorer started; commands sent over HTTP through the command API, or to the handlers directly."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest_asyncio

from contracts.envelope import Actor, Role
from eventstore.kafka_access import KafkaAccess
from eventstore.store import CommandContext
from members.parts import MembersParts
from members.service import DEFINITION
from runtime.auth import issue_token
from runtime.service_host import HostConfig, ServiceHost, build_service

COMMITTEE = "county-a"
# The service's clock in these tests: late in the scored year, so every 2025 record is in the past.
NOW = datetime(2025, 12, 20, 2, 0, tzinfo=UTC)

MembersHost = ServiceHost[MembersParts]


def token(role: Role | str, committee: str = COMMITTEE, **claims: Any) -> dict[str, str]:
    return {"authorization": f"Bearer {issue_token(role, committee, **claims)}"}


OFFICE = token(Role.office_staff, subject="office-zhang")


def context(role: Role = Role.office_staff, actor_id: str = "office-zhang", *, member_id: str | None = None,
            committee: str = COMMITTEE) -> CommandContext:
    """Who sends a command to a handler called directly (what the bearer token says over HTTP)."""
    return CommandContext(actor=Actor(id=actor_id, role=role, member_id=member_id), committee_id=committee)


class Client:
    """Commands and queries over HTTP, as the gateway sends them."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def command(self, name: str, body: dict[str, Any], headers: dict[str, str] | None = None,
                      expect: int = 200) -> dict[str, Any]:
        response = await self.http.post(f"/commands/{name}", content=json.dumps(body, ensure_ascii=False),
                                        headers=OFFICE if headers is None else headers)
        assert response.status_code == expect, f"{name}: {response.status_code} {response.text}"
        data: dict[str, Any] = response.json()
        return data

    async def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.http.get(path, headers=OFFICE if headers is None else headers)


def config(database_url: str, schema: str, *, kafka_bootstrap: KafkaAccess | None = None, topic_prefix: str = "",
           **extra: Any) -> HostConfig:
    return HostConfig(dsn=database_url, kafka_bootstrap=kafka_bootstrap, schema=schema, topic_prefix=topic_prefix,
                      clock=lambda: NOW, **extra)


@pytest_asyncio.fixture(loop_scope="session")
async def host(database_url: str, fresh_schema: str, topic_prefix: str,
               kafka_bootstrap: KafkaAccess) -> AsyncIterator[MembersHost]:
    """The whole service, started: relay, consumer, projections, scorer."""
    built = await build_service(DEFINITION, config(database_url, fresh_schema, kafka_bootstrap=kafka_bootstrap,
                                                   topic_prefix=topic_prefix))
    await built.start()
    try:
        yield built
    finally:
        await built.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def client(host: MembersHost) -> AsyncIterator[Client]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=host.app), base_url="http://members") as http:
        yield Client(http)


@pytest_asyncio.fixture(loop_scope="session")
async def parts(database_url: str, fresh_schema: str) -> AsyncIterator[MembersParts]:
    """The write side alone, installed but not started (no Kafka, no background parts): for handlers
    called directly."""
    built = await build_service(DEFINITION, config(database_url, fresh_schema, run_workers=False))
    await built.install()
    try:
        yield built.parts
    finally:
        await built.stop()


def member_body(member_id: str, name: str, sector: str = "education", **extra: Any) -> dict[str, Any]:
    return {"member_id": member_id, "name": name, "sector": sector, "term": 16, "joined_on": "2022-01-10", **extra}
