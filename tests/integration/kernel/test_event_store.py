"""The event store against the real PostgreSQL: concurrency, order, refusals, upcasting."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable

import asyncpg
import pytest

from contracts.errors import InvalidEventPayload, UnknownSchemaVersion
from eventstore.errors import ConcurrencyError
from eventstore.store import Checkpoint, EventStore
from tests.integration.kernel.sample_events import SampleNoted, VisitSampled, ctx
from tests.integration.kernel.tampering import as_maintenance
from yizheng.testing.wait import WaitUntil


async def test_two_concurrent_appends_at_the_same_version_exactly_one_wins(store: EventStore) -> None:
    for round_ in range(25):
        stream = f"race-{round_}"
        await store.append(stream, 0, [SampleNoted(n=0)], ctx())
        results = await asyncio.gather(
            store.append(stream, 1, [SampleNoted(n=1, text="a")], ctx()),
            store.append(stream, 1, [SampleNoted(n=1, text="b"), SampleNoted(n=2, text="b")], ctx()),
            return_exceptions=True,
        )
        winners = [r for r in results if not isinstance(r, BaseException)]
        losers = [r for r in results if isinstance(r, BaseException)]
        assert len(winners) == 1 and len(losers) == 1, results
        assert isinstance(losers[0], ConcurrencyError)
        events = await store.read_stream(stream)
        # The loser wrote nothing: the stream holds the first event and exactly the winner's events.
        texts = {e.event.text for e in events[1:]}  # type: ignore[attr-defined]
        assert len(texts) == 1
        assert len(events) == 1 + len(winners[0].event_ids)


async def test_a_refused_append_writes_nothing(store: EventStore, pg_pool: asyncpg.Pool) -> None:
    await store.append("s", 0, [SampleNoted(n=1)], ctx())
    before = await pg_pool.fetchval(f"SELECT count(*) FROM {store.schema}.events")
    refusal = "stream 's' was expected at version 0 but the stream is at version 1; nothing was written"
    with pytest.raises(ConcurrencyError, match=refusal):
        await store.append("s", 0, [SampleNoted(n=2), SampleNoted(n=3)], ctx())
    assert await pg_pool.fetchval(f"SELECT count(*) FROM {store.schema}.events") == before


async def _has_both(pending: Awaitable[list[str]]) -> bool:
    return len(await pending) >= 2


async def test_a_tailing_reader_never_skips_a_transaction_still_in_flight(
        store: EventStore, pg_pool: asyncpg.Pool, wait_until: WaitUntil) -> None:
    seen: list[str] = []
    checkpoint = Checkpoint.zero()

    async def read() -> list[str]:
        nonlocal checkpoint
        for e in await store.read_all(checkpoint):
            seen.append(e.envelope.stream_id)
            checkpoint = e.checkpoint
        return seen

    async with pg_pool.acquire() as slow:
        tx = slow.transaction()
        await tx.start()
        # The slow writer takes its position first but commits last.
        await store.append("slow", 0, [SampleNoted(n=1)], ctx(), conn=slow)
        await store.append("fast", 0, [SampleNoted(n=2)], ctx())
        await read()
        assert seen == [], "the reader went past a transaction that had not committed"
        await tx.commit()
    # Other sessions' transactions on the server may hold readers back a moment longer.
    await wait_until(lambda: _has_both(read()), message="both events readable after the commit")
    assert seen == ["slow", "fast"]
    await read()
    assert seen == ["slow", "fast"]


async def test_concurrent_writers_and_a_tailing_reader_see_every_event_once_in_stream_order(
        store: EventStore) -> None:
    writers, per_writer = 8, 40
    seen: list[tuple[str, int]] = []
    done = asyncio.Event()

    async def write(w: int) -> None:
        for i in range(per_writer):
            stream = f"w{w}-s{i % 5}"
            version = await store.stream_version(stream)
            await store.append(stream, version, [SampleNoted(n=i)], ctx())

    async def tail() -> None:
        checkpoint = Checkpoint.zero()
        while True:
            finished = done.is_set()
            for e in await store.read_all(checkpoint, limit=37):
                seen.append((e.envelope.stream_id, e.envelope.stream_version))
                checkpoint = e.checkpoint
            if finished and len(seen) >= writers * per_writer:
                return
            await asyncio.sleep(0)

    reader = asyncio.create_task(tail())
    await asyncio.gather(*(write(w) for w in range(writers)))
    done.set()
    await asyncio.wait_for(reader, 30)
    assert len(seen) == len(set(seen)) == writers * per_writer
    by_stream: dict[str, list[int]] = {}
    for stream, version in seen:
        by_stream.setdefault(stream, []).append(version)
    assert all(v == list(range(1, len(v) + 1)) for v in by_stream.values())


async def test_an_event_stored_as_version_1_reads_back_as_the_current_version(
        store: EventStore, pg_pool: asyncpg.Pool) -> None:
    v1 = [{"event_id": "7d6c1f3e-2b0a-4c1e-9d5f-0a1b2c3d4e5f", "type": "visit-sampled", "schema_version": 1,
           "committee_id": "county-a", "data": {"visitor_id": "m-7", "roles": "investigator, explainer"},
           "metadata": {"actor": {"id": "office-1", "role": "office_staff"},
                        "correlation_id": "7d6c1f3e-2b0a-4c1e-9d5f-0a1b2c3d4e50", "causation_id": None,
                        "source": "samples"},
           "occurred_at": "2020-05-04T09:00:00+08:00"}]
    await pg_pool.execute(f"SELECT * FROM {store.schema}.append_events('visit-1', 0, $1::jsonb)", json.dumps(v1))
    [stored] = await store.read_stream("visit-1")
    assert stored.envelope.schema_version == 1
    assert stored.event == VisitSampled(visitor_id="m-7", roles=["investigator", "explainer"], township_id=None)


async def test_a_stored_event_of_an_unknown_version_is_refused_by_name(
        store: EventStore, pg_pool: asyncpg.Pool) -> None:
    await store.append("visit-2", 0, [VisitSampled(visitor_id="m-1", roles=["explainer"])], ctx())
    await as_maintenance(pg_pool, f"UPDATE {store.schema}.events SET schema_version = 9 WHERE stream_id = 'visit-2'")
    with pytest.raises(UnknownSchemaVersion, match="'visit-sampled' has no schema version 9"):
        await store.read_stream("visit-2")


async def test_a_malformed_stored_payload_names_the_type_and_field(store: EventStore, pg_pool: asyncpg.Pool) -> None:
    await store.append("visit-3", 0, [VisitSampled(visitor_id="m-1", roles=["explainer"])], ctx())
    await as_maintenance(
        pg_pool, f"UPDATE {store.schema}.events SET data = data - 'visitor_id' WHERE stream_id = 'visit-3'")
    with pytest.raises(InvalidEventPayload) as err:
        await store.read_stream("visit-3")
    assert err.value.event_type == "visit-sampled" and err.value.fields == ["visitor_id"]


async def test_concurrent_appends_commit_together_and_a_conflict_is_refused_alone(store: EventStore) -> None:
    await store.append("contested", 0, [SampleNoted(n=0)], ctx())
    appends = [store.append(f"visit-{i}", 0, [SampleNoted(n=i)], ctx()) for i in range(18)]
    appends += [store.append("contested", 1, [SampleNoted(n=100 + i)], ctx()) for i in range(2)]
    results = await asyncio.gather(*appends, return_exceptions=True)
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 1 and isinstance(refused[0], ConcurrencyError), refused
    assert "'contested' was expected at version 1 but the stream is at version 2" in str(refused[0])
    assert store._group.shared_commits > 0, "no appends shared a transaction"
    assert [len(await store.read_stream(f"visit-{i}")) for i in range(18)] == [1] * 18
    assert len(await store.read_stream("contested")) == 2


async def test_a_batch_that_meets_another_writers_claim_refuses_only_that_append(
        store: EventStore, pg_pool: asyncpg.Pool, wait_until: WaitUntil) -> None:
    """Another replica has claimed 'contested' version 2 but not yet committed. Our batch carries an append
    claiming the same version among appends to other streams: only that one may be refused."""
    await store.append("contested", 0, [SampleNoted(n=0)], ctx())
    async with pg_pool.acquire() as other:
        tx = other.transaction()
        await tx.start()
        await store.append("contested", 1, [SampleNoted(n=1, text="other replica")], ctx(), conn=other)
        appends = [store.append(f"quiet-{i}", 0, [SampleNoted(n=i)], ctx()) for i in range(3)]
        appends.append(store.append("contested", 1, [SampleNoted(n=1, text="ours")], ctx()))
        appends += [store.append(f"quiet-{i}", 0, [SampleNoted(n=i)], ctx()) for i in range(3, 6)]
        pending = asyncio.gather(*appends, return_exceptions=True)
        await wait_until(lambda: other.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"),
            message="our batch waiting on the other replica's row")
        await tx.commit()
        results = await pending
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 1 and isinstance(refused[0], ConcurrencyError), refused
    assert "'contested' was expected at version 1" in str(refused[0])
    assert [e.event.text for e in await store.read_stream("contested")][1:] == ["other replica"]  # type: ignore[attr-defined]
    assert [len(await store.read_stream(f"quiet-{i}")) for i in range(6)] == [1] * 6
    assert store._group.resent_alone > 0, "the batch never met the other replica's claim"


async def test_a_writer_cancelled_while_its_batch_is_written_leaves_the_others_answered(store: EventStore) -> None:
    appends = [asyncio.ensure_future(store.append(f"batch-{i}", 0, [SampleNoted(n=i)], ctx())) for i in range(6)]
    await asyncio.sleep(0)  # all six are queued and the first batch is on its way
    appends[2].cancel()
    results = await asyncio.gather(*appends, return_exceptions=True)
    assert isinstance(results[2], asyncio.CancelledError)
    assert all(r.stream_version == 1 for i, r in enumerate(results) if i != 2), results  # type: ignore[union-attr]
    assert [len(await store.read_stream(f"batch-{i}")) for i in range(6) if i != 2] == [1] * 5
    # The group commit is still writing: a later append goes through.
    assert (await store.append("after", 0, [SampleNoted(n=9)], ctx())).stream_version == 1


async def test_an_event_carrying_a_nul_character_is_refused_naming_the_field(
        store: EventStore, pg_pool: asyncpg.Pool) -> None:
    with pytest.raises(InvalidEventPayload) as err:
        await store.append("nul", 0, [SampleNoted(n=1, text="a\x00b")], ctx())
    assert err.value.fields == ["text"] and "cannot be stored" in str(err.value)
    assert await pg_pool.fetchval(f"SELECT count(*) FROM {store.schema}.events") == 0


async def test_an_append_the_database_refuses_fails_alone_not_its_batch(store: EventStore) -> None:
    appends = [store.append("fine-1", 0, [SampleNoted(n=1)], ctx()),
               store.append("refused-\x00", 0, [SampleNoted(n=2)], ctx()),  # PostgreSQL stores no NUL
               store.append("fine-2", 0, [SampleNoted(n=3)], ctx())]
    fine_1, refused, fine_2 = await asyncio.gather(*appends, return_exceptions=True)
    assert isinstance(refused, asyncpg.DataError), refused
    assert [getattr(r, "stream_version", r) for r in (fine_1, fine_2)] == [1, 1]
    assert store._group.resent_alone == 3, "the three appends should have shared one batch"


async def test_a_stream_read_again_is_the_same_and_only_what_was_appended_since_is_parsed(store: EventStore) -> None:
    await store.append("kept-1", 0, [SampleNoted(n=1), SampleNoted(n=2)], ctx())
    first = await store.read_stream("kept-1")
    await store.append("kept-1", 2, [SampleNoted(n=3)], ctx())
    hits = store._streams.hits
    again = await store.read_stream("kept-1")
    assert store._streams.hits == hits + 1
    assert again[:2] == first
    assert [e.event.n for e in again] == [1, 2, 3]  # type: ignore[attr-defined]
    assert [e.envelope.stream_version for e in again] == [1, 2, 3]


async def test_an_append_read_back_in_a_transaction_that_rolls_back_is_not_kept(store: EventStore) -> None:
    await store.append("kept-2", 0, [SampleNoted(n=1)], ctx())
    await store.read_stream("kept-2")

    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack):
        async with store.transaction() as conn:
            await store.append("kept-2", 1, [SampleNoted(n=99)], ctx(), conn=conn)
            assert [e.event.n for e in await store.read_stream("kept-2", conn=conn)] == [1, 99]  # type: ignore[attr-defined]
            raise RolledBack
    await store.append("kept-2", 1, [SampleNoted(n=2)], ctx())
    assert [e.event.n for e in await store.read_stream("kept-2")] == [1, 2]  # type: ignore[attr-defined]


async def test_a_stream_removed_and_written_anew_behind_the_store_is_read_afresh(
        store: EventStore, pg_pool: asyncpg.Pool) -> None:
    await store.append("kept-3", 0, [SampleNoted(n=1), SampleNoted(n=2)], ctx())
    assert len(await store.read_stream("kept-3")) == 2
    await as_maintenance(pg_pool, f"DELETE FROM {store.schema}.events WHERE stream_id = 'kept-3'")
    await store.append("kept-3", 0, [SampleNoted(n=7), SampleNoted(n=8), SampleNoted(n=9)], ctx())
    assert [e.event.n for e in await store.read_stream("kept-3")] == [7, 8, 9]  # type: ignore[attr-defined]
    await as_maintenance(pg_pool, f"DELETE FROM {store.schema}.events WHERE stream_id = 'kept-3'")
    assert await store.read_stream("kept-3") == []
