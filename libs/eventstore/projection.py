"""Read models kept by applying events, each with its own checkpoint, rebuildable from zero.

A projection over the service's own store is run by `StoreProjector` (the checkpoint advances in the same
transaction as the projection's writes, so a crash never applies an event twice). A projection over other
services' topics is run by an `IdempotentConsumer` whose inbox plays that role. `replay_*` rebuilds one."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from eventstore.consumer import Delivered, IdempotentConsumer, Pending, PoisonMessage, ReceivedEvent, decode
from eventstore.kafka_access import KafkaAccess
from eventstore.store import EventStore
from eventstore.tailing import StoreTailer


@dataclass(frozen=True)
class DeadLettered:
    """An event a replay could not apply, sent to its topic's dead-letter topic."""

    event_id: str
    type: str
    topic: str
    error: str


@dataclass
class ReplayReport:
    """What a replay from the topics did: how many events it applied, and which it dead-lettered."""

    applied: int = 0
    dead_lettered: list[DeadLettered] = field(default_factory=list)


class Projection(Protocol):
    name: str

    async def setup(self, conn: asyncpg.Connection) -> None:
        """Create the projection's tables if missing."""

    async def reset(self, conn: asyncpg.Connection) -> None:
        """Empty the projection's tables (for a replay from zero)."""

    async def apply(self, conn: asyncpg.Connection, delivered: Delivered) -> None:
        """Apply one event; runs inside the transaction that also records progress."""


def checkpoint_name(projection: Projection) -> str:
    return f"projection:{projection.name}"


class StoreProjector:
    """Keeps a projection up to date with the service's own store."""

    def __init__(self, store: EventStore, projection: Projection, *, batch_size: int = 500) -> None:
        self.store = store
        self.projection = projection
        self.batch_size = batch_size
        self._tailer = StoreTailer(store, self.catch_up, label=f"projection:{projection.name}")

    async def setup(self) -> None:
        async with self.store.pool.acquire() as conn:
            await self.projection.setup(conn)

    async def start(self, *, setup: bool = True) -> None:
        """`setup=False`: the tables are there already (installed by their owner; this process may not)."""
        if setup:
            await self.setup()
        await self._tailer.start()

    async def stop(self) -> None:
        await self._tailer.stop()

    async def catch_up(self) -> int:
        """Apply everything readable after the checkpoint; returns how many events were applied.

        Each batch holds a transaction lock on the projection, so concurrent passes (the tailer and an
        explicit call, or two replicas) take turns instead of applying the same batch twice."""
        name = checkpoint_name(self.projection)
        applied = 0
        while True:
            async with self.store.pool.acquire() as conn, conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                                   f"{self.store.schema}:{name}")
                checkpoint = await self.store.load_checkpoint(name, conn=conn)
                batch = await self.store.read_all(checkpoint, self.batch_size, conn=conn)
                for event in batch:
                    await self.projection.apply(conn, event)
                if batch:
                    await self.store.save_checkpoint(name, batch[-1].checkpoint, conn=conn)
            applied += len(batch)
            if len(batch) < self.batch_size:
                return applied


async def replay_from_store(store: EventStore, projection: Projection, *, wait_seconds: float = 30.0) -> int:
    """Rebuild a projection of the service's own store from the first event, up to every event committed
    when the replay began. (Readers see nothing newer than the oldest transaction in flight anywhere in
    the database, so a replay may have to wait, bounded, for such a transaction to end.)"""
    name = checkpoint_name(projection)
    async with store.pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"{store.schema}:{name}")
        await projection.setup(conn)
        await projection.reset(conn)
        await conn.execute(f"DELETE FROM {store.schema}.checkpoints WHERE name = $1", name)
        target = await conn.fetchval(f"SELECT coalesce(max(position), 0) FROM {store.schema}.events")
    projector = StoreProjector(store, projection)
    applied = await projector.catch_up()
    deadline = asyncio.get_running_loop().time() + wait_seconds
    while await _unread_up_to(store, name, target):
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"replay of {projection.name} could not read up to position {target} within "
                               f"{wait_seconds:.0f} s: a long transaction is holding readers back")
        await asyncio.sleep(0.05)  # waiting for another session's transaction to end, not for our own writes
        applied += await projector.catch_up()
    return applied


async def _unread_up_to(store: EventStore, name: str, target: int) -> bool:
    checkpoint = await store.load_checkpoint(name)
    return bool(await store.pool.fetchval(
        f"SELECT EXISTS (SELECT 1 FROM {store.schema}.events WHERE position <= $1 "
        "AND (tx_id, position) > ($2::xid8, $3::bigint))", target, checkpoint.tx_id, checkpoint.position))


async def replay_from_topics(consumer: IdempotentConsumer, projection: Projection,
                             topics: Sequence[str] | None = None, report: ReplayReport | None = None) -> int:
    """Rebuild a projection fed by internal topics: empty it and its inbox, then read every topic from its
    first offset to the end as it stands now. The live consumer may keep running: its inbox skips what
    the replay applied. An event the projection cannot apply goes to the dead-letter topic (the consumer's
    own mechanism) and the replay goes on; `report`, when given, records it. Returns how many were applied."""
    report = report if report is not None else ReplayReport()
    dead_before = len(report.dead_lettered)
    async with consumer.pool.acquire() as conn, conn.transaction():
        await projection.setup(conn)
        await projection.reset(conn)
        await conn.execute(f"DELETE FROM {consumer.schema}.inbox WHERE consumer = ANY($1::text[])",
                           list(consumer.inbox_names()))
    applied = 0
    try:
        batches = read_to_end(consumer.bootstrap, topics or consumer.topics, consumer.MAX_BATCH)
        async with contextlib.aclosing(batches):  # the reader stops when this ends, however it ends
            async for records in batches:
                pending: list[Pending] = []
                for record in records:
                    try:
                        envelope, event = decode(record.value or b"", consumer.registry)
                    except PoisonMessage:
                        continue  # the live consumer dead-lettered it already
                    if consumer.types is None or envelope.type in consumer.types:
                        pending.append((record, ReceivedEvent(envelope, event, record.topic, record.partition,
                                                              record.offset)))
                handled = consumer.handled
                # What the live consumer would dead-letter after its retries, it dead-letters at once.
                for record, received, err in await consumer.apply_pending(pending, attempts=1):
                    await consumer.dead_letter(record, err)
                    report.dead_lettered.append(DeadLettered(str(received.envelope.event_id), received.envelope.type,
                                                             record.topic, f"{type(err).__name__}: {err}"))
                applied += consumer.handled - handled
    finally:
        if len(report.dead_lettered) > dead_before and not consumer.started:
            await consumer.broker.stop()  # the producer `dead_letter` connected
    report.applied += applied
    return applied


async def read_to_end(bootstrap: KafkaAccess, topics: Sequence[str],
                      max_records: int) -> AsyncGenerator[list[ConsumerRecord[bytes, bytes]], None]:
    """Every record of these topics, from the first offset to the end as it stands when the read begins, in
    batches of at most `max_records` from one partition (in offset order within it)."""
    reader = AIOKafkaConsumer(**bootstrap.client_kwargs(), enable_auto_commit=False)
    await reader.start()
    try:
        partitions = [TopicPartition(t, p) for t in topics
                      for p in sorted(reader.partitions_for_topic(t) or await _partitions(reader, t))]
        if not partitions:
            return
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        ends = await reader.end_offsets(partitions)
        remaining = {tp for tp in partitions if ends[tp] > 0}
        while remaining:
            batches = await reader.getmany(*remaining, timeout_ms=1000, max_records=max_records)
            for tp, records in batches.items():
                yield [record for record in records if record.offset < ends[tp]]
            for tp in list(remaining):
                if await reader.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await reader.stop()


async def _partitions(reader: AIOKafkaConsumer, topic: str) -> set[int]:
    await reader._client.force_metadata_update()  # the reader has not seen this topic yet
    return reader.partitions_for_topic(topic) or set()
