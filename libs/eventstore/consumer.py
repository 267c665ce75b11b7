"""The idempotent consumer of other services' public events.

For each message: parse and upcast it, then in ONE transaction write the inbox row (consumer, event_id)
and run the handler's writes; a duplicate (inbox row already there) is skipped. Kafka offsets are
committed only after those transactions: every COMMIT_EVERY messages, COMMIT_IDLE_SECONDS after the last
one, and on stop. (A commit is a broker round trip, ~6 ms here against ~1 ms for the transaction; a message
delivered again after a crash finds its inbox row and is skipped.) A message that keeps failing is retried
with backoff a bounded number of times, then goes to `<topic>.dlq` with the error and its origin in
headers, and the partition moves on. A message that cannot be parsed (unknown type or version, invalid
payload) is not retried: it goes straight to the DLQ, naming the type and field, and nothing is written."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import ConsumerStoppedError, KafkaError
from faststream import AckPolicy
from faststream.kafka import KafkaMessage
from pydantic import ValidationError

from contracts.envelope import EventEnvelope
from contracts.errors import ContractError
from contracts.registry import REGISTRY, DomainEvent, EventRegistry
from contracts.topics import dlq
from eventstore.db import quote_ident
from eventstore.kafka_access import KafkaAccess
from eventstore.kafka_clients import public_broker

log = logging.getLogger("eventstore.consumer")


class Delivered(Protocol):
    """What a handler receives, from Kafka or from a local store."""

    @property
    def envelope(self) -> EventEnvelope: ...

    @property
    def event(self) -> DomainEvent: ...


@dataclass(frozen=True)
class ReceivedEvent:
    envelope: EventEnvelope
    event: DomainEvent
    topic: str
    partition: int
    offset: int


Handler = Callable[[asyncpg.Connection, ReceivedEvent], Awaitable[None]]


class PoisonMessage(Exception):
    """The message can never be handled as it is (it does not match any contract)."""


def decode(record_value: bytes, registry: EventRegistry = REGISTRY) -> tuple[EventEnvelope, DomainEvent]:
    try:
        raw = json.loads(record_value)
    except (ValueError, TypeError) as err:
        raise PoisonMessage(f"body is not JSON: {err}") from None
    try:
        envelope = EventEnvelope.model_validate(raw)
    except ValidationError as err:
        fields = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors())
        kind = raw.get("type", "?") if isinstance(raw, dict) else "?"
        raise PoisonMessage(f"invalid envelope of {kind!r}: {fields}") from None
    try:
        event = registry.parse(envelope.type, envelope.schema_version, envelope.data)
    except ContractError as err:
        raise PoisonMessage(str(err)) from None
    return envelope, event


async def _the_message(msg: KafkaMessage) -> KafkaMessage:
    # The handler gets the message itself as its "body": it decodes (and reports) bodies itself, so a
    # malformed one reaches it instead of failing inside the framework, and it needs no context injection
    # (FastStream runs that in a worker thread, one thread hop per message).
    return msg


class IdempotentConsumer:
    COMMIT_EVERY = 100
    COMMIT_IDLE_SECONDS = 0.5

    def __init__(self, name: str, pool: asyncpg.Pool, schema: str, handler: Handler, *,
                 topics: Sequence[str], bootstrap: KafkaAccess, group_id: str | None = None,
                 max_attempts: int = 5, backoff_seconds: float = 0.05, registry: EventRegistry = REGISTRY,
                 types: set[str] | None = None) -> None:
        self.name = name
        self.pool = pool
        self.schema = quote_ident(schema)
        self.handler = handler
        self.topics = list(topics)
        self.group_id = group_id or name
        self.bootstrap = bootstrap
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.registry = registry
        # Types this consumer cares about; others are acknowledged without a transaction.
        self.types = types
        self.handled = 0
        self.duplicates = 0
        self.dead_lettered = 0
        self.broker = public_broker(bootstrap, client_id=name)
        self.broker.subscriber(*self.topics, group_id=self.group_id, ack_policy=AckPolicy.MANUAL,
                               auto_offset_reset="earliest", title=name, decoder=_the_message)(self._on_message)
        self._started = False
        # Next offset per partition whose message is done (applied, skipped or dead-lettered), not yet committed.
        self._done: dict[TopicPartition, int] = {}
        self._uncommitted = 0
        self._kafka: AIOKafkaConsumer | None = None
        self._commit_lock = asyncio.Lock()
        self._idle_flush: asyncio.TimerHandle | None = None
        self._flushes: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        await self.broker.start()
        self._started = True

    async def stop(self) -> None:
        if self._idle_flush is not None:
            self._idle_flush.cancel()
        await asyncio.gather(*self._flushes)
        if self._started:
            await self.commit_done()
            await self.broker.stop()
            self._started = False

    async def _finished(self, msg: KafkaMessage, record: ConsumerRecord[bytes, bytes]) -> None:
        """The message is done with: its offset may be committed."""
        self._kafka = msg.consumer  # type: ignore[assignment]
        self._done[TopicPartition(record.topic, record.partition)] = record.offset + 1
        self._uncommitted += 1
        if self._uncommitted >= self.COMMIT_EVERY:
            await self.commit_done()
            return
        if self._idle_flush is not None:
            self._idle_flush.cancel()
        self._idle_flush = asyncio.get_running_loop().call_later(self.COMMIT_IDLE_SECONDS, self._flush_later)

    def _flush_later(self) -> None:
        task = asyncio.get_running_loop().create_task(self.commit_done())
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)

    async def commit_done(self) -> None:
        """Commit the offsets of the messages done with. Explicit offsets, never the consumer's position, so
        a message still being handled is never committed past, whenever this runs."""
        async with self._commit_lock:
            if not self._done or self._kafka is None:
                return
            assigned = self._kafka.assignment()
            offsets = {tp: offset for tp, offset in self._done.items() if tp in assigned}
            self._done, self._uncommitted = {}, 0
            if not offsets:  # partitions taken away by a rebalance: their new reader dedups by inbox
                return
            try:
                await self._kafka.commit(offsets)
            except (KafkaError, ConsumerStoppedError) as err:
                log.warning("%s: committing offsets failed (%s); they will be read again and skipped", self.name, err)

    async def _on_message(self, message: Any) -> None:
        msg: KafkaMessage = message  # what `_the_message` hands over
        record: ConsumerRecord[bytes, bytes] = msg.raw_message  # type: ignore[assignment]
        try:
            envelope, event = decode(record.value or b"", self.registry)
        except PoisonMessage as err:
            await self._dead_letter_or_rewind(msg, record, err, attempts=1)
            await self._finished(msg, record)
            return
        if self.types is not None and envelope.type not in self.types:
            await self._finished(msg, record)
            return
        received = ReceivedEvent(envelope, event, record.topic, record.partition, record.offset)
        for attempt in range(1, self.max_attempts + 1):
            try:
                await self.apply(received)
                break
            except Exception as err:  # any failure of the handler is retried, then dead-lettered
                if attempt == self.max_attempts:
                    await self._dead_letter_or_rewind(msg, record, err, attempts=attempt)
                    break
                log.warning("%s: %s failed (attempt %d): %s", self.name, envelope.type, attempt, err)
                await asyncio.sleep(self.backoff_seconds * 2 ** (attempt - 1))
        await self._finished(msg, record)

    async def apply(self, received: ReceivedEvent) -> bool:
        """Apply one event exactly once; returns False when it had already been applied."""
        async with self.pool.acquire() as conn, conn.transaction():
            inserted = await conn.fetchval(
                f"INSERT INTO {self.schema}.inbox (consumer, event_id, topic) VALUES ($1, $2, $3) "
                "ON CONFLICT DO NOTHING RETURNING true", self.name, received.envelope.event_id, received.topic)
            if not inserted:
                self.duplicates += 1
                return False
            await self.handler(conn, received)
        self.handled += 1
        return True

    async def _dead_letter_or_rewind(self, msg: KafkaMessage, record: ConsumerRecord[bytes, bytes],
                                     err: BaseException, attempts: int) -> None:
        try:
            await self._dead_letter(record, err, attempts)
        except Exception:
            # Not in the DLQ: rewind so the message is read again rather than committed past.
            await msg.nack()
            raise

    @property
    def started(self) -> bool:
        return self._started

    async def dead_letter(self, record: ConsumerRecord[bytes, bytes], err: BaseException, attempts: int = 1) -> None:
        """Send a message this consumer cannot apply to its topic's dead-letter topic, as the live consumer
        does after its retries (a replay reading the topics itself uses this: the consumer is not started)."""
        await self.broker.connect()  # the producer only; no subscription starts
        await self._dead_letter(record, err, attempts)

    async def _dead_letter(self, record: ConsumerRecord[bytes, bytes], err: BaseException, attempts: int) -> None:
        headers = {k: v.decode(errors="replace") for k, v in (record.headers or [])}
        headers.update({
            "dlq_error": f"{type(err).__name__}: {err}"[:2000],
            "dlq_consumer": self.name,
            "dlq_origin_topic": record.topic,
            "dlq_origin_partition": str(record.partition),
            "dlq_origin_offset": str(record.offset),
            "dlq_attempts": str(attempts),
        })
        log.error("%s: dead-lettering %s[%d]@%d: %s", self.name, record.topic, record.partition, record.offset, err)
        await self.broker.publish(record.value or b"", dlq(record.topic), key=record.key, headers=headers)
        self.dead_lettered += 1


@contextlib.asynccontextmanager
async def running(consumer: IdempotentConsumer):  # type: ignore[no-untyped-def]
    await consumer.start()
    try:
        yield consumer
    finally:
        await consumer.stop()
