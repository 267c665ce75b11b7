"""The idempotent consumer against the real PostgreSQL and Kafka: duplicates, poison messages, DLQ."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable

import asyncpg
import pytest_asyncio
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from eventstore.consumer import IdempotentConsumer, ReceivedEvent
from eventstore.install import install
from eventstore.kafka_access import KafkaAccess
from tests.integration.kernel.sample_events import SAMPLES
from yizheng.testing.topic_reader import TopicReader
from yizheng.testing.wait import WaitUntil


def envelope(n: int, *, event_id: str | None = None, data: dict[str, object] | None = None,
             type_: str = "sample-noted", version: int = 1) -> bytes:
    return json.dumps({
        "event_id": event_id or str(uuid.uuid4()), "type": type_, "schema_version": version,
        "stream_id": f"s-{n}", "stream_version": 1, "position": n, "occurred_at": "2026-05-01T08:00:00+00:00",
        "actor": {"id": "m-1", "role": "member", "member_id": "m-1"}, "committee_id": "county-a",
        "correlation_id": str(uuid.uuid4()), "causation_id": None, "source": "samples",
        "data": {"n": n} if data is None else data,
    }).encode()


@pytest_asyncio.fixture(loop_scope="session")
async def producer(kafka_bootstrap: KafkaAccess) -> AsyncIterator[AIOKafkaProducer]:
    p = AIOKafkaProducer(**kafka_bootstrap.client_kwargs(), acks="all", enable_idempotence=True)
    await p.start()
    yield p
    await p.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def applied_table(pg_pool: asyncpg.Pool, fresh_schema: str) -> str:
    await install(pg_pool, fresh_schema)
    await pg_pool.execute(f"CREATE TABLE {fresh_schema}.applied (n int, event_id uuid)")
    return f"{fresh_schema}.applied"


def consumer_for(pg_pool: asyncpg.Pool, schema: str, table: str, topic: str, bootstrap: KafkaAccess,
                 fail_on: set[int] | None = None, unreachable_for: int = 0) -> IdempotentConsumer:
    """`unreachable_for`: the first so many tries of the handler find the database gone (as while PostgreSQL
    restarts)."""
    tries = 0

    async def handle(conn: asyncpg.Connection, received: ReceivedEvent) -> None:
        nonlocal tries
        tries += 1
        if tries <= unreachable_for:
            raise asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation")
        n = received.event.n  # type: ignore[attr-defined]
        await conn.execute(f"INSERT INTO {table} (n, event_id) VALUES ($1, $2)", n, received.envelope.event_id)
        if fail_on and n in fail_on:
            raise RuntimeError(f"handler cannot take n={n}")

    return IdempotentConsumer("applier", pg_pool, schema, handle, topics=[topic], bootstrap=bootstrap,
                              group_id=f"{topic}.applier", registry=SAMPLES, backoff_seconds=0.01, max_attempts=3)


async def test_the_same_event_delivered_twice_is_applied_once(
        pg_pool: asyncpg.Pool, fresh_schema: str, applied_table: str, kafka_bootstrap: KafkaAccess, topic_prefix: str,
        producer: AIOKafkaProducer, wait_until: WaitUntil) -> None:
    topic = f"{topic_prefix}samples.events"
    event_id = str(uuid.uuid4())
    await producer.send_and_wait(topic, envelope(1, event_id=event_id), key=b"s-1")
    await producer.send_and_wait(topic, envelope(1, event_id=event_id), key=b"s-1")
    consumer = consumer_for(pg_pool, fresh_schema, applied_table, topic, kafka_bootstrap)
    await consumer.start()
    try:
        await wait_until(lambda: consumer.handled + consumer.duplicates == 2, message="both deliveries seen")
    finally:
        await consumer.stop()
    assert await pg_pool.fetchval(f"SELECT count(*) FROM {applied_table}") == 1
    assert consumer.duplicates == 1


async def test_a_poison_message_lands_in_the_dlq_and_the_partition_moves_on(
        pg_pool: asyncpg.Pool, fresh_schema: str, applied_table: str, kafka_bootstrap: KafkaAccess, topic_prefix: str,
        producer: AIOKafkaProducer, wait_until: WaitUntil) -> None:
    topic = f"{topic_prefix}samples.events"
    # Same key, so the same partition: the good message waits behind the poison ones.
    await producer.send_and_wait(topic, b"{not json", key=b"k")
    await producer.send_and_wait(topic, envelope(2, data={"n": "two"}), key=b"k")
    await producer.send_and_wait(topic, envelope(3, type_="sample-unheard-of"), key=b"k")
    await producer.send_and_wait(topic, envelope(4, version=7), key=b"k")
    await producer.send_and_wait(topic, envelope(5), key=b"k")
    consumer = consumer_for(pg_pool, fresh_schema, applied_table, topic, kafka_bootstrap)
    async with TopicReader(kafka_bootstrap, f"{topic}.dlq") as dlq:
        await consumer.start()
        try:
            await wait_until(lambda: consumer.handled == 1, message="the good message behind the poison applied")
            records = await dlq.until(lambda rs: len(rs) >= 4)
        finally:
            await consumer.stop()
    assert [r[0] for r in await pg_pool.fetch(f"SELECT n FROM {applied_table}")] == [5]
    errors = [dlq.headers(r)["dlq_error"] for r in records]
    assert "body is not JSON" in errors[0]
    assert "'sample-noted'" in errors[1] and "n:" in errors[1], errors[1]
    assert "unknown event type 'sample-unheard-of'" in errors[2]
    assert "'sample-noted' has no schema version 7" in errors[3]
    first = dlq.headers(records[0])
    assert first["dlq_origin_topic"] == topic and first["dlq_consumer"] == "applier"
    assert first["dlq_origin_offset"] == "0"
    assert await pg_pool.fetchval(f"SELECT count(*) FROM {fresh_schema}.inbox") == 1


async def test_a_handler_that_keeps_failing_is_retried_then_dead_lettered_writing_nothing(
        pg_pool: asyncpg.Pool, fresh_schema: str, applied_table: str, kafka_bootstrap: KafkaAccess, topic_prefix: str,
        producer: AIOKafkaProducer, wait_until: WaitUntil) -> None:
    topic = f"{topic_prefix}samples.events"
    await producer.send_and_wait(topic, envelope(13), key=b"k")
    await producer.send_and_wait(topic, envelope(14), key=b"k")
    consumer = consumer_for(pg_pool, fresh_schema, applied_table, topic, kafka_bootstrap, fail_on={13})
    async with TopicReader(kafka_bootstrap, f"{topic}.dlq") as dlq:
        await consumer.start()
        try:
            await wait_until(lambda: consumer.handled == 1)
            [record] = await dlq.until(lambda rs: len(rs) >= 1)
        finally:
            await consumer.stop()
    headers = dlq.headers(record)
    assert headers["dlq_attempts"] == "3"
    assert "handler cannot take n=13" in headers["dlq_error"]
    # The failed attempts rolled back: neither its row nor its inbox entry stayed.
    assert [r[0] for r in await pg_pool.fetch(f"SELECT n FROM {applied_table}")] == [14]


async def test_while_the_database_cannot_be_reached_messages_wait_and_none_is_dead_lettered(
        pg_pool: asyncpg.Pool, fresh_schema: str, applied_table: str, kafka_bootstrap: KafkaAccess, topic_prefix: str,
        producer: AIOKafkaProducer, wait_until: WaitUntil) -> None:
    topic = f"{topic_prefix}samples.events"
    for n in (31, 32, 33):
        await producer.send_and_wait(topic, envelope(n), key=b"k")
    # Three times the consumer's attempts: a consumer counting these as the message's failures dead-letters it.
    consumer = consumer_for(pg_pool, fresh_schema, applied_table, topic, kafka_bootstrap, unreachable_for=9)
    await consumer.start()
    try:
        await wait_until(lambda: consumer.handled == 3, message="all three applied once the database is back")
    finally:
        await consumer.stop()
    assert consumer.dead_lettered == 0
    assert [r[0] for r in await pg_pool.fetch(f"SELECT n FROM {applied_table} ORDER BY n")] == [31, 32, 33]


@pytest_asyncio.fixture(loop_scope="session")
async def three_sent(producer: AIOKafkaProducer, topic_prefix: str) -> str:
    """A topic holding three sample events, on one partition."""
    topic = f"{topic_prefix}samples.events"
    for n in range(3):
        await producer.send_and_wait(topic, envelope(n), key=b"k")
    return topic


async def test_offsets_are_committed_so_a_restarted_consumer_does_not_reapply(
        pg_pool: asyncpg.Pool, fresh_schema: str, applied_table: str, kafka_bootstrap: KafkaAccess, three_sent: str,
        producer: AIOKafkaProducer, wait_until: WaitUntil) -> None:
    topic = three_sent
    first = consumer_for(pg_pool, fresh_schema, applied_table, topic, kafka_bootstrap)
    await first.start()
    try:
        await wait_until(lambda: first.handled == 3)
    finally:
        await first.stop()
    await producer.send_and_wait(topic, envelope(3), key=b"k")
    second = consumer_for(pg_pool, fresh_schema, applied_table, topic, kafka_bootstrap)
    await second.start()
    try:
        await wait_until(lambda: second.handled == 1)
    finally:
        await second.stop()
    assert second.duplicates == 0, "the restarted consumer re-read committed messages"
    assert await pg_pool.fetchval(f"SELECT count(*) FROM {applied_table}") == 4


async def test_offsets_are_committed_soon_after_the_last_message_even_while_running(
        pg_pool: asyncpg.Pool, fresh_schema: str, applied_table: str, kafka_bootstrap: KafkaAccess, three_sent: str,
        wait_until: WaitUntil) -> None:
    topic = three_sent
    consumer = consumer_for(pg_pool, fresh_schema, applied_table, topic, kafka_bootstrap)
    admin = AIOKafkaAdminClient(**kafka_bootstrap.client_kwargs())
    await admin.start()
    await consumer.start()

    async def committed() -> int:
        offsets = await admin.list_consumer_group_offsets(consumer.group_id)
        return sum(meta.offset for tp, meta in offsets.items() if tp.topic == topic)

    try:
        await wait_until(lambda: consumer.handled == 3)
        # Fewer than COMMIT_EVERY messages: committed once the consumer has been idle a moment.
        await wait_until(lambda: _equals(committed(), 3),
                         message="the three offsets committed while the consumer keeps running")
    finally:
        await consumer.stop()
        await admin.close()


async def _equals(pending: Awaitable[int], expected: int) -> bool:
    return await pending == expected


async def test_a_backlog_is_applied_in_batches_in_order_and_one_bad_message_fails_alone(
        pg_pool: asyncpg.Pool, fresh_schema: str, kafka_bootstrap: KafkaAccess, topic_prefix: str,
        producer: AIOKafkaProducer, wait_until: WaitUntil) -> None:
    topic = f"{topic_prefix}samples.events"
    table = f"{fresh_schema}.applied"
    await install(pg_pool, fresh_schema)
    await pg_pool.execute(f"CREATE TABLE {table} (n int, event_id uuid, tx bigint DEFAULT txid_current())")
    count = 2 * IdempotentConsumer.MAX_BATCH + 50
    sent = [await producer.send(topic, envelope(n), key=b"k") for n in range(count)]  # one partition: one order
    await asyncio.gather(*sent)
    consumer = consumer_for(pg_pool, fresh_schema, table, topic, kafka_bootstrap, fail_on={count // 2})
    async with TopicReader(kafka_bootstrap, f"{topic}.dlq") as dlq:
        await consumer.start()
        try:
            await wait_until(lambda: consumer.handled == count - 1, message="every good message of the backlog")
            [record] = await dlq.until(lambda rs: len(rs) >= 1)
        finally:
            await consumer.stop()
    assert f"handler cannot take n={count // 2}" in dlq.headers(record)["dlq_error"]
    rows = await pg_pool.fetch(f"SELECT n, tx FROM {table} ORDER BY tx, n")
    assert [r["n"] for r in rows] == [n for n in range(count) if n != count // 2], "each good message once, in order"
    transactions = len({r["tx"] for r in rows})
    assert transactions < count // 4, f"{transactions} transactions for {count} messages: not batched"
    assert await pg_pool.fetchval(f"SELECT count(*) FROM {fresh_schema}.inbox") == count - 1
