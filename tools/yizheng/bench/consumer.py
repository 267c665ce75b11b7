"""The consumer part of `yizheng bench kernel`: an `IdempotentConsumer` draining a topic, next to a
hand-written aiokafka + asyncpg loop doing the same work (decode and validate the envelope and payload, one
transaction per batch with its inbox rows and the handler's rows, offsets committed every 100 messages),
so the ratio shows what the kernel and FastStream add. No target: it guards against regressions."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from contracts.envelope import EventEnvelope
from eventstore.consumer import IdempotentConsumer, ReceivedEvent, decode
from eventstore.kafka_access import KafkaAccess
from yizheng.bench import cpu
from yizheng.bench.bench_events import BENCH_EVENTS, NOTE, SOURCE, BenchError
from yizheng.bench.drain import DrainComparison, DrainWindow

HANDLER_TABLE = "bench_applied"


def envelope(n: int) -> bytes:
    return EventEnvelope(
        event_id=uuid.uuid4(), type="bench-noted", schema_version=1, stream_id=f"s-{n % 100}",
        stream_version=n // 100 + 1, position=n + 1, occurred_at=datetime.now(UTC), recorded_at=datetime.now(UTC),
        actor={"id": "bench-office-1", "role": "office_staff"}, committee_id="county-bench",
        correlation_id=uuid.uuid4(), causation_id=None, source=SOURCE, data={"n": n, "note": NOTE},
    ).model_dump_json().encode()


async def produce(bootstrap: KafkaAccess, topic: str, count: int) -> None:
    producer = AIOKafkaProducer(**bootstrap.client_kwargs(), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        sends = [await producer.send(topic, envelope(n), key=f"s-{n % 100}".encode()) for n in range(count)]
        await asyncio.gather(*sends)
    finally:
        await producer.stop()


async def setup(pool: asyncpg.Pool, schema: str) -> None:
    await pool.execute(f"CREATE TABLE IF NOT EXISTS {schema}.{HANDLER_TABLE} (n integer, event_id uuid)")


def _insert(schema: str) -> str:
    return f"INSERT INTO {schema}.{HANDLER_TABLE} (n, event_id) VALUES ($1, $2)"


async def drain_with_consumer(pool: asyncpg.Pool, schema: str, topic: str, bootstrap: KafkaAccess, *, group: str,
                              count: int, timeout: float, groups: dict[str, list[int]]) -> DrainWindow:
    """Time an IdempotentConsumer from start() until it has handled `count` messages."""
    insert = _insert(schema)

    async def handle(conn: asyncpg.Connection, received: ReceivedEvent) -> None:
        await conn.execute(insert, received.event.n, received.envelope.event_id)  # type: ignore[attr-defined]

    consumer = IdempotentConsumer(group, pool, schema, handle, topics=[topic], bootstrap=bootstrap, group_id=group,
                                  registry=BENCH_EVENTS)
    first = cpu.sample(groups)
    await consumer.start()
    try:
        while consumer.handled < count:
            if time.perf_counter() - first.wall > timeout:
                raise BenchError(f"the consumer handled {consumer.handled} of {count} messages in {timeout:.0f} s")
            await asyncio.sleep(0.001)
        end = cpu.sample(groups)
    finally:
        await consumer.stop()
    return _window(count, first, end)


async def drain_by_hand(pool: asyncpg.Pool, schema: str, topic: str, bootstrap: KafkaAccess, *, group: str, count: int,
                        groups: dict[str, list[int]]) -> DrainWindow:
    """The same work without the kernel or FastStream, batched as the consumer batches: getmany, decode, one
    transaction per batch (its inbox rows in one statement, the handler's rows), offsets every 100."""
    insert = _insert(schema)
    inbox = (f"INSERT INTO {schema}.inbox (consumer, event_id, topic) SELECT $1, e, $3 FROM unnest($2::uuid[]) AS e "
             "ON CONFLICT DO NOTHING RETURNING event_id")
    reader = AIOKafkaConsumer(topic, **bootstrap.client_kwargs(), group_id=group, enable_auto_commit=False,
                              auto_offset_reset="earliest")
    first = cpu.sample(groups)
    await reader.start()
    try:
        done: dict[TopicPartition, int] = {}
        handled = uncommitted = 0
        while handled < count:
            batches = await reader.getmany(timeout_ms=IdempotentConsumer.BATCH_WAIT_MS,
                                           max_records=min(IdempotentConsumer.MAX_BATCH, count - handled))
            for tp, records in batches.items():
                decoded = [decode(record.value or b"", BENCH_EVENTS) for record in records]
                async with pool.acquire() as conn, conn.transaction():
                    fresh = {r["event_id"] for r in await conn.fetch(inbox, group, [e.event_id for e, _ in decoded],
                                                                      tp.topic)}
                    for envelope, event in decoded:
                        if envelope.event_id in fresh:
                            await conn.execute(insert, event.n, envelope.event_id)  # type: ignore[attr-defined]
                done[tp] = records[-1].offset + 1
                handled += len(records)
                uncommitted += len(records)
            if uncommitted >= 100 or handled >= count:
                await reader.commit(done)
                done, uncommitted = {}, 0
        end = cpu.sample(groups)
    finally:
        await reader.stop()
    return _window(count, first, end)


def _window(count: int, first: cpu.CpuSample, end: cpu.CpuSample) -> DrainWindow:
    elapsed = end.wall - first.wall
    return DrainWindow(events=count, seconds=round(elapsed, 3), events_per_s=count / elapsed,
                       batch_size=IdempotentConsumer.MAX_BATCH,
                       cpu=cpu.usage(first, end, count))


async def compare(pool: asyncpg.Pool, schema: str, bootstrap: KafkaAccess, *, topic: str, warm_topic: str, count: int,
                  rounds: int, groups: dict[str, list[int]], say: Callable[[str], None]) -> DrainComparison:
    """`rounds` alternating drains of the same `count` messages, each side in a consumer group of its own."""
    await setup(pool, schema)
    warm = min(count, 300)
    await produce(bootstrap, warm_topic, warm)
    await produce(bootstrap, topic, count)
    timeout = 60 + count / 50
    run = uuid.uuid4().hex[:6]
    await drain_with_consumer(pool, schema, warm_topic, bootstrap, group=f"bench-{run}-warm-k", count=warm,
                              timeout=timeout, groups={})
    await drain_by_hand(pool, schema, warm_topic, bootstrap, group=f"bench-{run}-warm-h", count=warm, groups={})
    say(f"consumer vs a hand-written loop: {rounds} x {count:,} messages each")
    kernel: list[DrainWindow] = []
    by_hand: list[DrainWindow] = []
    for r in range(rounds):
        kernel.append(await drain_with_consumer(pool, schema, topic, bootstrap, group=f"bench-{run}-k{r}",
                                                count=count, timeout=timeout, groups=groups))
        by_hand.append(await drain_by_hand(pool, schema, topic, bootstrap, group=f"bench-{run}-h{r}", count=count,
                                           groups=groups))
        say(f"  round {r + 1}/{rounds}: consumer {kernel[-1].events_per_s:,.0f} messages/s, "
            f"hand-written {by_hand[-1].events_per_s:,.0f} messages/s")
    return DrainComparison(kernel=kernel, baseline=by_hand)
