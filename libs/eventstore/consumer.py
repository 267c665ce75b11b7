"""The idempotent consumer of other services' events.

Messages arrive in batches (what Kafka has ready, at most MAX_BATCH; a lone message is not held back). A
batch is applied in transactions of about MAX_BATCH_SECONDS each, sized by the recent pace; each holds an
inbox row (consumer, event_id) per message and the handler's writes for each message whose row is new (a
duplicate, its row already there, is skipped). When a transaction fails it is rolled back and each half is
applied in turn, down to single messages, so one bad message fails alone: it is retried with backoff a
bounded number of times, then goes to `<topic>.dlq` with the error and its origin in headers, and the
partition moves on. While the database cannot be reached, the same transaction is tried again, with a capped
backoff, for as long as it takes: no attempt is used up and nothing is dead-lettered. A message that cannot be
parsed (unknown type or version, invalid payload) is not retried: it goes straight to the DLQ, naming the type
and field, and nothing is written. Kafka offsets are committed only after the transactions: every COMMIT_EVERY
messages, COMMIT_IDLE_SECONDS after the last one, and on stop (a commit is a broker round trip; a message
delivered again after a crash finds its inbox row and is skipped).

Subclasses that apply one message to several inboxes (the gateway's views) override `inbox_names`, `handle`
and `committed`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, Protocol

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
from eventstore.database_unavailable import UNAVAILABLE
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


# A message of a batch, with the record it came in (for the dead-letter topic).
Pending = tuple["ConsumerRecord[bytes, bytes]", ReceivedEvent]


class PoisonMessage(Exception):
    """The message can never be handled as it is (it does not match any contract)."""


def decode(record_value: bytes, registry: EventRegistry = REGISTRY) -> tuple[EventEnvelope, DomainEvent]:
    try:
        # pydantic's own JSON parser: one pass from bytes, where json.loads and then validating the dict took two.
        envelope = EventEnvelope.model_validate_json(record_value)
    except ValidationError:
        envelope = _refused_envelope(record_value)
    try:
        event = registry.parse(envelope.type, envelope.schema_version, envelope.data)
    except ContractError as err:
        raise PoisonMessage(str(err)) from None
    return envelope, event


def _refused_envelope(record_value: bytes) -> NoReturn:
    """Why a body is not an envelope, in the words a dead-letter report carries (the slow path, parsed again)."""
    try:
        raw = json.loads(record_value)
    except (ValueError, TypeError) as err:
        raise PoisonMessage(f"body is not JSON: {err}") from None
    try:
        EventEnvelope.model_validate(raw)
    except ValidationError as err:
        fields = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors())
        kind = raw.get("type", "?") if isinstance(raw, dict) else "?"
        raise PoisonMessage(f"invalid envelope of {kind!r}: {fields}") from None
    raise PoisonMessage("the body is valid as a Python value but not as JSON of an envelope")


async def _the_message(msg: KafkaMessage) -> KafkaMessage:
    # The handler gets the message itself as its "body": it decodes (and reports) bodies itself, so a
    # malformed one reaches it instead of failing inside the framework, and it needs no context injection
    # (FastStream runs that in a worker thread, one thread hop per message).
    return msg


class IdempotentConsumer:
    COMMIT_EVERY = 100
    COMMIT_IDLE_SECONDS = 0.5
    # At most this many messages a batch, and a transaction of about this long: store readers (relays,
    # projections) see nothing newer than the oldest transaction in flight in the database, so a long one
    # holds every service's publishing back. A batch is cut into transactions sized by the recent pace.
    MAX_BATCH = 200
    MAX_BATCH_SECONDS = 0.1
    # How long Kafka may wait for a batch to fill when nothing is ready yet.
    BATCH_WAIT_MS = 10
    # The longest wait between tries while the database cannot be reached.
    UNAVAILABLE_BACKOFF_CAP_SECONDS = 2.0

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
                               auto_offset_reset="earliest", title=name, decoder=_the_message, batch=True,
                               max_records=self.MAX_BATCH, batch_timeout_ms=self.BATCH_WAIT_MS)(self._on_batch)
        self._started = False
        # Next offset per partition whose message is done (applied, skipped or dead-lettered), not yet committed.
        self._done: dict[TopicPartition, int] = {}
        self._uncommitted = 0
        self._kafka: AIOKafkaConsumer | None = None
        self._commit_lock = asyncio.Lock()
        self._idle_flush: asyncio.TimerHandle | None = None
        self._flushes: set[asyncio.Task[None]] = set()
        self._seconds_per_message: float | None = None  # recent pace, for sizing a transaction

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

    async def _finished(self, msg: KafkaMessage, records: Iterable[ConsumerRecord[bytes, bytes]]) -> None:
        """These messages are done with: their offsets may be committed."""
        self._kafka = msg.consumer  # type: ignore[assignment]
        for record in records:
            partition = TopicPartition(record.topic, record.partition)
            self._done[partition] = max(self._done.get(partition, 0), record.offset + 1)
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

    async def _on_batch(self, message: Any) -> None:
        msg: KafkaMessage = message  # what `_the_message` hands over
        raw = msg.raw_message
        records: tuple[ConsumerRecord[bytes, bytes], ...] = (
            raw if isinstance(raw, tuple) else (raw,))  # type: ignore[assignment]
        pending: list[Pending] = []
        for record in records:
            try:
                envelope, event = decode(record.value or b"", self.registry)
            except PoisonMessage as err:
                await self._dead_letter_or_rewind(msg, record, err, attempts=1)
                continue
            if self.types is None or envelope.type in self.types:
                pending.append((record, ReceivedEvent(envelope, event, record.topic, record.partition, record.offset)))
        for record, _, error in await self.apply_pending(pending, self.max_attempts):
            await self._dead_letter_or_rewind(msg, record, error, attempts=self.max_attempts)
        await self._finished(msg, records)

    async def apply_pending(self, pending: Sequence[Pending],
                            attempts: int) -> list[tuple[ConsumerRecord[bytes, bytes], ReceivedEvent, BaseException]]:
        """Apply a batch in one transaction; when that fails, each half of it in turn, down to single messages,
        which are tried up to `attempts` times with backoff. Returns the messages that still failed, with
        their last error, in order."""
        if len(pending) == 1:
            return await self._apply_alone(pending[0], attempts)
        if not pending:
            return []
        size = self._transaction_size()
        if len(pending) > size:
            failed = []
            for start in range(0, len(pending), size):
                failed += await self.apply_pending(pending[start:start + size], attempts)
            return failed
        try:
            await self._while_database_unavailable(lambda: self.apply_batch([received for _, received in pending]))
            return []
        except Exception as err:  # rolled back: find which message it was (or ride out a lock conflict)
            log.warning("%s: a batch of %d failed (%s); applying each half", self.name, len(pending), err)
        half = len(pending) // 2
        first = await self.apply_pending(pending[:half], attempts)
        return [*first, *await self.apply_pending(pending[half:], attempts)]

    def _transaction_size(self) -> int:
        if self._seconds_per_message is None:
            return 16  # no pace yet: a modest first transaction
        return max(1, min(self.MAX_BATCH, int(self.MAX_BATCH_SECONDS / max(self._seconds_per_message, 1e-6))))

    async def _apply_alone(self, pending: Pending,
                           attempts: int) -> list[tuple[ConsumerRecord[bytes, bytes], ReceivedEvent, BaseException]]:
        record, received = pending
        for attempt in range(1, attempts + 1):
            try:
                await self._while_database_unavailable(lambda: self.apply(received))
                return []
            except Exception as err:  # any failure of the handler is retried, then reported
                if attempt == attempts:
                    return [(record, received, err)]
                log.warning("%s: %s failed (attempt %d): %s", self.name, received.envelope.type, attempt, err)
                await asyncio.sleep(self.backoff_seconds * 2 ** (attempt - 1))
        return []

    async def _while_database_unavailable(self, work: Callable[[], Awaitable[Any]]) -> None:
        """Run `work` again and again while PostgreSQL cannot be reached (restarting, failing over, out of
        connections): that is no fault of the messages, so it neither uses up their attempts nor sends them to
        the DLQ, where a view would miss them for good. The partition waits; stopping cancels the wait."""
        delay = self.backoff_seconds
        while True:
            try:
                await work()
                return
            except UNAVAILABLE as err:
                log.warning("%s: the database cannot be reached (%s: %s); retrying in %.2f s",
                            self.name, type(err).__name__, err, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.UNAVAILABLE_BACKOFF_CAP_SECONDS)

    async def apply(self, received: ReceivedEvent) -> bool:
        """Apply one event exactly once; returns False when it had already been applied."""
        return (await self.apply_batch([received]))[0]

    async def apply_batch(self, batch: Sequence[ReceivedEvent]) -> list[bool]:
        """Apply events exactly once, in order, in one transaction; for each, False when it had already been
        applied. Inbox rows go in sorted, so two transactions over the same events lock them in one order."""
        names = list(self.inbox_names())
        results: list[bool] = []
        outcomes: list[tuple[ReceivedEvent, Any]] = []
        started = time.perf_counter()
        async with self.pool.acquire() as conn, conn.transaction():
            # A row per event (the inboxes it is new to), not per (inbox, event): a consumer applying to a dozen
            # views would otherwise receive and sort a dozen rows per event.
            rows = await conn.fetch(
                f"WITH added AS (INSERT INTO {self.schema}.inbox (consumer, event_id, topic) "
                "SELECT n.consumer, e.event_id, e.topic FROM unnest($2::uuid[], $3::text[]) AS e(event_id, topic) "
                "CROSS JOIN unnest($1::text[]) AS n(consumer) ORDER BY 1, 2 "
                "ON CONFLICT DO NOTHING RETURNING consumer, event_id) "
                "SELECT event_id, array_agg(consumer) AS consumers FROM added GROUP BY event_id", names,
                [r.envelope.event_id for r in batch], [r.topic for r in batch])
            new = {row["event_id"]: frozenset(row["consumers"]) for row in rows}
            self.begin_batch()
            for received in batch:
                fresh = new.pop(received.envelope.event_id, frozenset())  # the same event twice in a batch: once
                results.append(bool(fresh))
                if fresh:
                    outcomes.append((received, await self.handle(conn, received, fresh)))
            await self.end_batch(conn)
        pace = (time.perf_counter() - started) / len(batch)
        self._seconds_per_message = pace if self._seconds_per_message is None else (
            0.7 * self._seconds_per_message + 0.3 * pace)
        self.handled += len(outcomes)
        self.duplicates += len(batch) - len(outcomes)
        if outcomes:
            await self.committed(outcomes)
        return results

    def inbox_names(self) -> Sequence[str]:
        """The inboxes one message is recorded in."""
        return (self.name,)

    async def handle(self, conn: asyncpg.Connection, received: ReceivedEvent, fresh: frozenset[str]) -> Any:
        """Apply one new message inside the batch's transaction; `fresh`: the inboxes it is new to. What it
        returns is handed to `committed`."""
        await self.handler(conn, received)
        return None

    def begin_batch(self) -> None:
        """A batch's transaction began (an earlier attempt at it may have failed: start afresh)."""

    async def end_batch(self, conn: asyncpg.Connection) -> None:
        """Every message of the batch was handled; its transaction commits after this (writes a subclass held
        back while handling go here)."""

    async def committed(self, outcomes: Sequence[tuple[ReceivedEvent, Any]]) -> None:
        """After the batch's transaction committed: what `handle` returned for each applied message."""

    async def _dead_letter_or_rewind(self, msg: KafkaMessage, record: ConsumerRecord[bytes, bytes],
                                     err: BaseException, attempts: int) -> None:
        try:
            await self._dead_letter(record, err, attempts)
        except Exception:
            # Not in the DLQ: rewind the batch so it is read again (what it applied is then skipped by the
            # inbox) rather than committed past.
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
