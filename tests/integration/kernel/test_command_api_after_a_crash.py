"""A command's idempotency key is recorded with its answer in the transaction that writes its events, so a crash
leaves both or neither: the retry replays the answer or acts for the first time. A claim left with no answer by
an attempt from before this (a process of the previous release, killed mid-command) is still honoured: once it
counts as abandoned, the retry answers from the events that attempt committed, or acts if it committed none."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest_asyncio
from pydantic import BaseModel

from contracts.bounded import ShortText
from eventstore.command_api import CommandAPI, CommandSpec
from eventstore.db import create_pool
from eventstore.install import install
from eventstore.store import EventStore
from runtime.auth import bearer, issue_token
from tests.integration.kernel.sample_events import SAMPLES, note_handler


class Note(BaseModel):
    stream: ShortText
    n: int


@pytest_asyncio.fixture(loop_scope="session")
async def api(database_url: str, fresh_schema: str) -> AsyncIterator[tuple[httpx.AsyncClient, EventStore]]:
    pool = await create_pool(database_url, max_size=3)
    await install(pool, fresh_schema)
    store = EventStore(pool, fresh_schema, "samples", registry=SAMPLES)
    app = CommandAPI("samples", store, [CommandSpec("note", Note, note_handler(store))], authenticate=bearer).app()
    headers = {"Authorization": f"Bearer {issue_token('office_staff', 'county-a', subject='office-1')}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://samples",
                                 headers=headers) as client:
        yield client, store
    await store.close()
    await store.pool.close()


async def _note(client: httpx.AsyncClient, n: int, key: str) -> httpx.Response:
    """Note `n` on the stream `proposal-<n>` with an idempotency key."""
    return await client.post("/commands/note", json={"stream": f"proposal-{n}", "n": n},
                             headers={"Idempotency-Key": key})


async def test_the_answer_is_recorded_in_the_transaction_that_wrote_the_events(
        api: tuple[httpx.AsyncClient, EventStore]) -> None:
    client, store = api
    answer = await _note(client, 6, "k-atomic")
    assert answer.status_code == 200
    row = await store.pool.fetchrow(
        f"SELECT i.xmin::text AS answer_tx, i.response::text AS response, "
        f"(SELECT (tx_id::text::bigint % 4294967296)::text FROM {store.schema}.events WHERE stream_id = 'proposal-6') "
        f"AS events_tx FROM {store.schema}.idempotency i WHERE i.key LIKE '%:k-atomic'")
    assert row is not None and row["answer_tx"] == row["events_tx"], "one transaction holds the events and answer"
    assert answer.json()["event_ids"][0] in row["response"]


async def _as_if_an_earlier_release_died(store: EventStore, key: str, *, committed: bool) -> None:
    """What a SIGKILLed attempt of the previous release leaves: its claim with no answer, older than the
    abandonment age (with `committed`, over the events it wrote)."""
    table = f"{store.schema}.idempotency"
    if not committed:
        await store.pool.execute(f"INSERT INTO {table} (key, command, request) SELECT replace(key, 'k-done', $1), "
                                 f"command, request FROM {table} WHERE key LIKE '%:k-done'", key)
    await store.pool.execute(f"UPDATE {table} SET response = NULL, created_at = now() - interval '10 minutes' "
                             "WHERE key LIKE '%:' || $1", key)


async def test_a_retry_after_an_earlier_release_committed_and_died_answers_from_its_events(
        api: tuple[httpx.AsyncClient, EventStore]) -> None:
    client, store = api
    first = await _note(client, 7, "k-crash")
    assert first.status_code == 200
    await _as_if_an_earlier_release_died(store, "k-crash", committed=True)

    retry = await _note(client, 7, "k-crash")
    assert retry.status_code == 200 and retry.headers["idempotent-replay"] == "true"
    assert retry.json()["event_ids"] == first.json()["event_ids"]
    assert len(await store.read_stream("proposal-7")) == 1, "the command acted once"
    again = await _note(client, 7, "k-crash")
    assert again.json()["event_ids"] == first.json()["event_ids"], "the recovered answer is recorded"


async def test_a_retry_after_an_earlier_release_died_before_committing_acts(
        api: tuple[httpx.AsyncClient, EventStore]) -> None:
    client, store = api
    done = await _note(client, 8, "k-done")
    assert done.status_code == 200
    # the same request under another key, claimed by an attempt that died before writing anything
    await _as_if_an_earlier_release_died(store, "k-lost", committed=False)
    retry = await _note(client, 8, "k-lost")
    assert retry.status_code == 200 and "idempotent-replay" not in retry.headers
    assert len(await store.read_stream("proposal-8")) == 2
