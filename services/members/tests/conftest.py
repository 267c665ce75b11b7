"""The members service running for real: its own schema, prefixed Kafka topics, relay, consumer,
projections and scorer started; commands sent over HTTP through the command API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest_asyncio

from contracts.envelope import Role
from eventstore.db import create_pool
from members.app import MembersApp, MembersConfig, build
from yizheng.auth import issue_token
from yizheng.infra import Endpoints

COMMITTEE = "county-a"
# The service's clock in these tests: late in the scored year, so every 2025 record is in the past.
NOW = datetime(2025, 12, 20, 2, 0, tzinfo=UTC)


def token(role: Role | str, committee: str = COMMITTEE, **claims: Any) -> dict[str, str]:
    return {"authorization": f"Bearer {issue_token(role, committee, **claims)}"}


OFFICE = token(Role.office_staff, subject="office-zhang")


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


@pytest_asyncio.fixture(loop_scope="session")
async def pool(infra: Endpoints) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(infra.database_url, max_size=12)
    try:
        yield pool
    finally:
        await pool.close()


@pytest_asyncio.fixture(loop_scope="session")
async def service(pool: asyncpg.Pool, fresh_schema: str, topic_prefix: str,
                  kafka_bootstrap: str) -> AsyncIterator[MembersApp]:
    config = MembersConfig(dsn="", kafka_bootstrap=kafka_bootstrap, schema=fresh_schema).with_topic_prefix(topic_prefix)
    app = await build(config, pool=pool, clock=lambda: NOW)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def client(service: MembersApp) -> AsyncIterator[Client]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=service.app), base_url="http://members") as http:
        yield Client(http)


def member_body(member_id: str, name: str, sector: str = "education", **extra: Any) -> dict[str, Any]:
    return {"member_id": member_id, "name": name, "sector": sector, "term": 16, "joined_on": "2022-01-10", **extra}
