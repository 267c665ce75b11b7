"""A command whose process died after committing its events and before recording its answer: the retry with the
same idempotency key (once the claim counts as abandoned) answers from those events and does not act again; a
claim whose process died before committing anything is run by the retry."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest_asyncio
from pydantic import BaseModel

from contracts.bounded import ShortText
from eventstore.command_api import CommandAPI, CommandOutcome, CommandSpec
from eventstore.db import create_pool
from eventstore.install import install
from eventstore.store import CommandContext, EventStore
from runtime.auth import bearer, issue_token
from tests.integration.kernel.sample_events import SAMPLES, SampleNoted


class Note(BaseModel):
    stream: ShortText
    n: int


@pytest_asyncio.fixture(loop_scope="session")
async def api(database_url: str, fresh_schema: str) -> AsyncIterator[tuple[httpx.AsyncClient, EventStore]]:
    pool = await create_pool(database_url, max_size=3)
    await install(pool, fresh_schema)
    store = EventStore(pool, fresh_schema, "samples", registry=SAMPLES)

    async def note(cmd: Note, ctx: CommandContext) -> CommandOutcome:
        version = await store.stream_version(cmd.stream)
        return CommandOutcome(await store.append(cmd.stream, version, [SampleNoted(n=cmd.n)], ctx))

    app = CommandAPI("samples", store, [CommandSpec("note", Note, note)], authenticate=bearer).app()
    headers = {"Authorization": f"Bearer {issue_token('office_staff', 'county-a', subject='office-1')}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://samples",
                                 headers=headers) as client:
        yield client, store
    await store.close()
    await store.pool.close()


async def _as_if_its_process_died(store: EventStore, key: str, *, committed: bool) -> None:
    """What a SIGKILLed attempt leaves: its claim with no answer, older than the abandonment age."""
    table = f"{store.schema}.idempotency"
    if not committed:
        await store.pool.execute(f"INSERT INTO {table} (key, command, request) SELECT replace(key, 'k-done', $1), "
                                 f"command, request FROM {table} WHERE key LIKE '%:k-done'", key)
    await store.pool.execute(f"UPDATE {table} SET response = NULL, created_at = now() - interval '10 minutes' "
                             "WHERE key LIKE '%:' || $1", key)


async def test_a_retry_after_the_first_attempt_committed_and_died_answers_from_its_events(
        api: tuple[httpx.AsyncClient, EventStore]) -> None:
    client, store = api
    first = await client.post("/commands/note", json={"stream": "proposal-7", "n": 7},
                              headers={"Idempotency-Key": "k-crash"})
    assert first.status_code == 200
    await _as_if_its_process_died(store, "k-crash", committed=True)

    retry = await client.post("/commands/note", json={"stream": "proposal-7", "n": 7},
                              headers={"Idempotency-Key": "k-crash"})
    assert retry.status_code == 200 and retry.headers["idempotent-replay"] == "true"
    assert retry.json()["event_ids"] == first.json()["event_ids"]
    assert len(await store.read_stream("proposal-7")) == 1, "the command acted once"
    again = await client.post("/commands/note", json={"stream": "proposal-7", "n": 7},
                              headers={"Idempotency-Key": "k-crash"})
    assert again.json()["event_ids"] == first.json()["event_ids"], "the recovered answer is recorded"


async def test_a_retry_after_the_first_attempt_died_before_committing_acts(
        api: tuple[httpx.AsyncClient, EventStore]) -> None:
    client, store = api
    done = await client.post("/commands/note", json={"stream": "proposal-8", "n": 8},
                             headers={"Idempotency-Key": "k-done"})
    assert done.status_code == 200
    # the same request under another key, claimed by an attempt that died before writing anything
    await _as_if_its_process_died(store, "k-lost", committed=False)
    retry = await client.post("/commands/note", json={"stream": "proposal-8", "n": 8},
                              headers={"Idempotency-Key": "k-lost"})
    assert retry.status_code == 200 and "idempotent-replay" not in retry.headers
    assert len(await store.read_stream("proposal-8")) == 2
