"""A command API over its in-flight limit sheds: the request beyond it is answered 503 with Retry-After at
once, health checks still answer, and requests under the limit go through (nothing queues without bound)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from pydantic import BaseModel

from contracts.bounded import ShortText
from eventstore.command_api import CommandAPI, CommandOutcome, CommandSpec
from eventstore.db import create_pool
from eventstore.install import install
from eventstore.store import CommandContext, EventStore
from runtime import settings
from runtime.auth import bearer, issue_token
from tests.integration.kernel.sample_events import SAMPLES, SampleNoted


class Note(BaseModel):
    stream: ShortText
    n: int


async def test_a_command_api_over_its_limit_answers_503_and_under_it_succeeds(
        database_url: str, fresh_schema: str) -> None:
    pool = await create_pool(database_url, max_size=3)
    await install(pool, fresh_schema)
    store = EventStore(pool, fresh_schema, "samples", registry=SAMPLES)
    entered, release = asyncio.Event(), asyncio.Event()
    holding: list[str] = []

    async def note(cmd: Note, ctx: CommandContext) -> CommandOutcome:
        if cmd.n == 0:  # a held command: in flight until the test lets it go
            holding.append(cmd.stream)
            if len(holding) == 2:
                entered.set()
            await release.wait()
        version = await store.stream_version(cmd.stream)
        return CommandOutcome(await store.append(cmd.stream, version, [SampleNoted(n=cmd.n)], ctx))

    app = CommandAPI("samples", store, [CommandSpec("note", Note, note)], authenticate=bearer).app(max_in_flight=2)
    headers = {"Authorization": f"Bearer {issue_token('office_staff', 'county-a', subject='office-1')}"}
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://samples",
                                     headers=headers) as client:
            held = [asyncio.create_task(client.post("/commands/note", json={"stream": f"s-{i}", "n": 0}))
                    for i in range(2)]
            await asyncio.wait_for(entered.wait(), 10)  # both held requests are inside the API
            shed = await client.post("/commands/note", json={"stream": "s-shed", "n": 1})
            assert shed.status_code == 503 and shed.headers["retry-after"] == "1", shed.text
            assert shed.json()["error"]["code"] == "overloaded"
            assert (await client.get("/healthz")).status_code == 200
            assert await store.read_stream("s-shed") == []  # shed before anything ran
            release.set()
            assert [r.status_code for r in await asyncio.wait_for(asyncio.gather(*held), 10)] == [200, 200]
            under = await client.post("/commands/note", json={"stream": "s-after", "n": 2})
            assert under.status_code == 200, under.text
            assert len(await store.read_stream("s-after")) == 1
    finally:
        await store.close()
        await pool.close()


def test_the_limit_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIZHENG_MAX_IN_FLIGHT", "7")
    assert settings.max_in_flight() == 7
    monkeypatch.setenv("YIZHENG_MAX_IN_FLIGHT", "0")
    with pytest.raises(ValueError, match="at least 1"):
        settings.max_in_flight()
