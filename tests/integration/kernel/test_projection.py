"""Projections: checkpointed catch-up over the service's own store, and a rebuild from zero."""

from __future__ import annotations

import asyncio

import asyncpg

from eventstore.consumer import Delivered, IdempotentConsumer, ReceivedEvent
from eventstore.kafka_access import KafkaAccess
from eventstore.projection import StoreProjector, replay_from_store, replay_from_topics
from eventstore.relay import Relay
from eventstore.store import EventStore
from tests.integration.kernel.sample_events import SAMPLES, SampleNoted, ctx
from yizheng.testing.wait import WaitUntil


class NoteTotals:
    """Sum of `n` per stream: a read model small enough to check by hand."""

    name = "note-totals"

    def __init__(self, schema: str) -> None:
        self.table = f"{schema}.note_totals"

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (stream_id text PRIMARY KEY, total int)")

    async def reset(self, conn: asyncpg.Connection) -> None:
        await conn.execute(f"TRUNCATE {self.table}")

    async def apply(self, conn: asyncpg.Connection, delivered: Delivered) -> None:
        await conn.execute(
            f"INSERT INTO {self.table} VALUES ($1, $2) "
            "ON CONFLICT (stream_id) DO UPDATE SET total = note_totals.total + excluded.total",
            delivered.envelope.stream_id, delivered.event.n)  # type: ignore[attr-defined]

    async def totals(self, pool: asyncpg.Pool) -> dict[str, int]:
        return {r[0]: r[1] for r in await pool.fetch(f"SELECT stream_id, total FROM {self.table}")}


async def test_a_store_projection_catches_up_and_rebuilds_to_the_same_result(
        store: EventStore, pg_pool: asyncpg.Pool, wait_until: WaitUntil) -> None:
    projection = NoteTotals(store.schema)
    projector = StoreProjector(store, projection)
    await projector.start()
    try:
        await store.append("a", 0, [SampleNoted(n=1), SampleNoted(n=2)], ctx())
        await store.append("b", 0, [SampleNoted(n=10)], ctx())
        await wait_until(lambda: _equals(projection.totals(pg_pool), {"a": 3, "b": 10}),
                         message="projection caught up")
    finally:
        await projector.stop()
    # Corrupt the read model, then rebuild it from the events.
    await pg_pool.execute(f"UPDATE {projection.table} SET total = -1")
    assert await replay_from_store(store, projection) == 3  # waits, bounded, for readability
    assert await projection.totals(pg_pool) == {"a": 3, "b": 10}


async def test_a_projection_fed_by_topics_rebuilds_from_the_first_offset(
        store: EventStore, pg_pool: asyncpg.Pool, kafka_bootstrap: KafkaAccess, topic_prefix: str,
        wait_until: WaitUntil) -> None:
    topic = f"{topic_prefix}samples.events"
    for i in range(5):
        await store.append(f"s{i % 2}", await store.stream_version(f"s{i % 2}"), [SampleNoted(n=i)], ctx())
    relay = Relay(store, topic, kafka_bootstrap)
    published = 0

    async def all_out() -> bool:
        nonlocal published
        published += await relay.publish_pending()
        return published >= 5

    try:
        await wait_until(all_out)
    finally:
        await relay.stop()
    projection = NoteTotals(store.schema)
    async with pg_pool.acquire() as conn:
        await projection.setup(conn)

    async def apply(conn: asyncpg.Connection, received: ReceivedEvent) -> None:
        await projection.apply(conn, received)

    consumer = IdempotentConsumer(projection.name, pg_pool, store.schema, apply, topics=[topic],
                                  bootstrap=kafka_bootstrap, group_id=f"{topic}.totals", registry=SAMPLES)
    await consumer.start()
    try:
        await wait_until(lambda: consumer.handled == 5)
    finally:
        await consumer.stop()
    expected = {"s0": 0 + 2 + 4, "s1": 1 + 3}
    assert await projection.totals(pg_pool) == expected
    await pg_pool.execute(f"DELETE FROM {projection.table} WHERE stream_id = 's0'")
    assert await replay_from_topics(consumer, projection) == 5
    assert await projection.totals(pg_pool) == expected


async def _equals(awaitable: object, expected: dict[str, int]) -> bool:
    return await awaitable == expected  # type: ignore[misc]


async def test_concurrent_catch_ups_apply_each_event_once(
        store: EventStore, pg_pool: asyncpg.Pool, wait_until: WaitUntil) -> None:
    projection = NoteTotals(store.schema)
    for i in range(30):
        await store.append(f"s{i % 3}", await store.stream_version(f"s{i % 3}"), [SampleNoted(n=1)], ctx())
    replicas = [StoreProjector(store, projection, batch_size=4) for _ in range(3)]
    await replicas[0].setup()
    applied = 0

    async def caught_up() -> bool:
        nonlocal applied
        applied += sum(await asyncio.gather(*(r.catch_up() for r in replicas)))
        return applied >= 30

    await wait_until(caught_up, message="three replicas caught up together")
    assert applied == 30
    assert await projection.totals(pg_pool) == {"s0": 10, "s1": 10, "s2": 10}
