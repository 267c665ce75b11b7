"""The command API's idempotency keys: a retried command acts once, and concurrent requests never exhaust
the connection pool (the key is recorded with the answer in the command's own transaction)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest_asyncio
from pydantic import BaseModel

from contracts.bounded import ShortText
from eventstore.body_limit import COMMAND_BODY_LIMIT
from eventstore.command_api import CommandAPI, CommandSpec
from eventstore.db import create_pool
from eventstore.install import install
from eventstore.store import EventStore
from runtime.auth import bearer, issue_token
from tests.integration.kernel.sample_events import SAMPLES, note_handler


class Note(BaseModel):
    stream: ShortText  # bounded in the contract, as every command field is
    n: int


@pytest_asyncio.fixture(loop_scope="session")
async def api(database_url: str, fresh_schema: str) -> AsyncIterator[tuple[httpx.AsyncClient, EventStore]]:
    pool = await create_pool(database_url, max_size=3)  # fewer connections than concurrent requests below
    await install(pool, fresh_schema)
    store = EventStore(pool, fresh_schema, "samples", registry=SAMPLES)

    async def hold() -> None:
        await asyncio.sleep(0.01)  # hold the request open while others arrive

    app = CommandAPI("samples", store, [CommandSpec("note", Note, note_handler(store, before=hold))],
                     authenticate=bearer).app()
    headers = {"Authorization": f"Bearer {issue_token('office_staff', 'county-a', subject='office-1')}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://samples",
                                 headers=headers) as client:
        yield client, store
    await store.close()
    await pool.close()


async def test_concurrent_retries_with_one_key_act_once(api: tuple[httpx.AsyncClient, EventStore]) -> None:
    client, store = api
    answers = await asyncio.wait_for(asyncio.gather(*(
        client.post("/commands/note", json={"stream": "proposal-1", "n": 1}, headers={"Idempotency-Key": "k-1"})
        for _ in range(8))), 30)
    assert [a.status_code for a in answers] == [200] * 8
    assert len({tuple(a.json()["event_ids"]) for a in answers}) == 1, "every retry sees the first answer"
    assert len(await store.read_stream("proposal-1")) == 1


async def test_more_concurrent_keyed_requests_than_connections_all_complete(
        api: tuple[httpx.AsyncClient, EventStore]) -> None:
    client, _ = api
    answers = await asyncio.wait_for(asyncio.gather(*(
        client.post("/commands/note", json={"stream": f"report-{i}", "n": i}, headers={"Idempotency-Key": f"r-{i}"})
        for i in range(12))), 30)
    assert [a.status_code for a in answers] == [200] * 12


async def test_a_key_reused_for_another_request_is_refused(api: tuple[httpx.AsyncClient, EventStore]) -> None:
    client, _ = api
    first = await client.post("/commands/note", json={"stream": "s", "n": 1}, headers={"Idempotency-Key": "x"})
    other = await client.post("/commands/note", json={"stream": "s", "n": 2}, headers={"Idempotency-Key": "x"})
    assert first.status_code == 200
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"


async def test_a_command_carrying_a_nul_character_is_refused_naming_the_field(
        api: tuple[httpx.AsyncClient, EventStore]) -> None:
    client, store = api
    response = await client.post("/commands/note", content=b'{"stream": "s-\\u0000-1", "n": 1}')
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_command" and error["fields"] == ["stream"]
    assert "stream: text contains a NUL character" in error["message"]
    # An escaped backslash before "u0000" is ordinary text.
    assert (await client.post("/commands/note", content=b'{"stream": "s-\\\\u0000", "n": 1}')).status_code == 200
    assert await store.pool.fetchval(f"SELECT array_agg(stream_id) FROM {store.schema}.events") == ["s-\\u0000"]


async def test_a_body_over_the_limit_is_refused_before_it_is_read_whole(
        api: tuple[httpx.AsyncClient, EventStore]) -> None:
    client, store = api
    too_large = b'{"stream": "s-big", "n": 1, "pad": "' + b"x" * COMMAND_BODY_LIMIT + b'"}'
    declared = await client.post("/commands/note", content=too_large)

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        for start in range(0, len(too_large), 1 << 20):
            yield too_large[start:start + (1 << 20)]

    streamed = await client.post("/commands/note", content=chunks())
    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.json()["error"] == {"code": "request_too_large",
                                             "message": f"the request body is over {COMMAND_BODY_LIMIT:,} bytes"}
    assert await store.stream_version("s-big") == 0
    assert (await client.post("/commands/note", json={"stream": "s-small", "n": 1})).status_code == 200


async def test_a_command_whose_database_connection_is_ended_under_it_is_told_to_retry_and_then_acts_once(
        database_url: str, fresh_schema: str, pg_pool: asyncpg.Pool) -> None:
    pool = await create_pool(database_url, max_size=2)
    await install(pool, fresh_schema)
    store = EventStore(pool, fresh_schema, "samples", registry=SAMPLES)
    attempts = 0

    async def first_attempt_loses_its_connection() -> None:
        nonlocal attempts
        attempts += 1
        if attempts == 1:  # what a PostgreSQL restart does: the server ends the session mid-command
            async with pool.acquire() as conn:
                await pg_pool.execute("SELECT pg_terminate_backend($1)", await conn.fetchval("SELECT pg_backend_pid()"))
                await conn.fetchval("SELECT 1")

    spec = CommandSpec("note", Note, note_handler(store, before=first_attempt_loses_its_connection))
    app = CommandAPI("samples", store, [spec], authenticate=bearer).app()
    headers = {"Authorization": f"Bearer {issue_token('office_staff', 'county-a', subject='office-1')}",
               "Idempotency-Key": "k-drop"}
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://samples",
                                     headers=headers) as client:
            dropped = await client.post("/commands/note", json={"stream": "proposal-3", "n": 2})
            assert dropped.status_code == 503, dropped.text
            assert dropped.headers["retry-after"] == "1"
            assert dropped.json()["error"]["code"] == "unavailable"
            retried = await client.post("/commands/note", json={"stream": "proposal-3", "n": 2})
            assert retried.status_code == 200, retried.text
        assert [e.event.n for e in await store.read_stream("proposal-3")] == [2]  # type: ignore[attr-defined]
    finally:
        await store.close()
        await pool.close()
