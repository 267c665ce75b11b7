"""The event store: append with an expected version, read a stream, tail everything in a safe order.

Ordering. Readers tail the store in (tx_id, position) order and only read rows whose transaction is older
than the oldest transaction still in flight (`pg_snapshot_xmin`). A row that commits later therefore always
sorts after everything a reader has already seen, so no reader skips it. We chose this over one global lock
held until commit because that lock also serializes every commit's WAL flush: measured here, it capped four
writers at 0.27x of pgbench's one-row inserts (see bench/RESULTS.md). Per-stream order is kept by the
append function, which refuses (YZ002, retried below) a writer whose transaction id is older than the
stream's last writer's.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from contracts.envelope import Actor, EventEnvelope
from contracts.registry import REGISTRY, DomainEvent, EventRegistry
from eventstore.append_result import AppendResult as AppendResult
from eventstore.append_result import Checkpoint as Checkpoint
from eventstore.db import connection, quote_ident
from eventstore.errors import ConcurrencyError, TransactionOrderConflict
from eventstore.group_commit import GroupCommit
from eventstore.idempotent_request import IdempotentRequest
from eventstore.stream_cache import StreamCache


@dataclass(frozen=True)
class CommandContext:
    """Who asks, for which committee, and why: copied into the metadata of every event a command causes."""

    actor: Actor
    committee_id: str
    correlation_id: UUID = field(default_factory=uuid4)
    causation_id: UUID | None = None
    # Fixed by callers that replay a scripted history (the demo county); otherwise the wall clock.
    occurred_at: datetime | None = None
    # Sent with an idempotency key: the unit of work records the key and answer in the command's transaction.
    idempotency: IdempotentRequest | None = None

    def caused_by(self, event: EventEnvelope) -> CommandContext:
        """The context for work done in reaction to `event`: same correlation, caused by that event."""
        return CommandContext(actor=self.actor, committee_id=event.committee_id,
                              correlation_id=event.correlation_id, causation_id=event.event_id)


@dataclass(frozen=True)
class StoredEvent:
    envelope: EventEnvelope
    event: DomainEvent
    checkpoint: Checkpoint


_COLUMNS = ("position, tx_id, event_id, stream_id, stream_version, type, schema_version, committee_id, "
            "data, metadata, occurred_at, recorded_at")


# The envelope as `_envelope_dict` builds it, rendered by the server (no jsonb decoding and re-encoding in
# Python), with the CloudEvents attributes as the bytes the Kafka headers carry (eventstore.cloudevents).
_PUBLISH_COLUMNS = """tx_id, position, convert_to(stream_id, 'UTF8') AS key,
    convert_to(event_id::text, 'UTF8') AS ce_id,
    convert_to(type || '.v' || schema_version, 'UTF8') AS ce_type,
    convert_to('/yizheng/' || coalesce(metadata->>'source', $4), 'UTF8') AS ce_source,
    convert_to(to_json(occurred_at) #>> '{}', 'UTF8') AS ce_time,
    convert_to(committee_id, 'UTF8') AS ce_committee,
    convert_to(json_build_object('event_id', event_id, 'type', type, 'schema_version', schema_version,
        'stream_id', stream_id, 'stream_version', stream_version, 'position', position,
        'occurred_at', occurred_at, 'recorded_at', recorded_at, 'actor', metadata->'actor',
        'committee_id', committee_id, 'correlation_id', metadata->'correlation_id',
        'causation_id', metadata->'causation_id', 'source', coalesce(metadata->>'source', $4),
        'data', data)::text, 'UTF8') AS body"""


@functools.lru_cache(maxsize=256)
def _metadata_json(ctx: CommandContext, source: str) -> str:
    """The metadata every event of one command carries (the same context usually writes several)."""
    return json.dumps({
        "actor": ctx.actor.model_dump(mode="json"),
        "correlation_id": str(ctx.correlation_id),
        "causation_id": str(ctx.causation_id) if ctx.causation_id else None,
        "source": source,
    }, ensure_ascii=False)


def _json(value: Any) -> Any:
    # Pools made by `eventstore.db.create_pool` decode jsonb; a plain asyncpg pool hands back text.
    return json.loads(value) if isinstance(value, str) else value


class EventStore:
    """One service's store, in its own PostgreSQL schema."""

    # An append refused only because of transaction-id order is retried this many times.
    ORDER_RETRIES = 5
    # At most one NOTIFY per this many seconds, however many appends commit (readers lag by at most this).
    NOTIFY_INTERVAL = 0.005

    def __init__(self, pool: asyncpg.Pool, schema: str, source: str, registry: EventRegistry = REGISTRY) -> None:
        self.pool = pool
        self.schema = quote_ident(schema)
        self.source = source
        self.registry = registry
        self.channel = f"{self.schema}_events"
        self._wake = asyncio.Event()
        self._notifier: asyncio.Task[None] | None = None
        self._group = GroupCommit(self)
        self._streams: StreamCache[StoredEvent] = StreamCache()

    # ---- writing -------------------------------------------------------------------------------------

    async def append(self, stream_id: str, expected_version: int, events: Sequence[DomainEvent],
                     ctx: CommandContext, *, conn: asyncpg.Connection | None = None) -> AppendResult:
        """Append `events` to `stream_id` if it is at `expected_version` (0: the stream must not exist).

        With `conn`, the append joins the caller's transaction (use `transaction()` so readers are woken
        after it commits); without, it is its own transaction. Raises ConcurrencyError and writes nothing
        when another writer got there first."""
        ids, payload = self._payload(events, ctx)
        if conn is not None:
            return await self._append(conn, stream_id, expected_version, ids, payload)
        return await self._group.append(stream_id, expected_version, ids, payload)

    def _payload(self, events: Sequence[DomainEvent], ctx: CommandContext) -> tuple[list[UUID], str]:
        # Built as text: pydantic serializes each payload once, and nothing is parsed back.
        occurred = json.dumps((ctx.occurred_at or datetime.now(UTC)).isoformat())
        committee = json.dumps(ctx.committee_id, ensure_ascii=False)
        metadata = _metadata_json(ctx, self.source)
        ids: list[UUID] = []
        rows = []
        for event in events:
            name, version, data = self.registry.validate_new(event)
            ids.append(uuid4())
            rows.append(f'{{"event_id":"{ids[-1]}","type":{json.dumps(name)},"schema_version":{version},'
                        f'"committee_id":{committee},"data":{data},"metadata":{metadata},"occurred_at":{occurred}}}')
        return ids, f"[{','.join(rows)}]"

    async def _append(self, conn: asyncpg.Connection, stream_id: str, expected: int, ids: list[UUID],
                      payload: str) -> AppendResult:
        try:
            rows = await conn.fetch(
                f"SELECT out_position, out_version, out_tx FROM {self.schema}.append_events($1, $2, $3::text::jsonb)",
                stream_id, expected, payload)
        except asyncpg.UniqueViolationError as err:
            raise ConcurrencyError(stream_id, expected, "another writer appended first") from err
        except asyncpg.PostgresError as err:
            if err.sqlstate == "YZ001":
                actual = getattr(err, "detail", "?")
                raise ConcurrencyError(stream_id, expected, f"the stream is at version {actual}") from err
            if err.sqlstate == "YZ002":
                raise TransactionOrderConflict(stream_id, expected, str(err)) from err
            raise
        if not rows:
            return AppendResult(stream_id, expected, [], [], Checkpoint.zero())
        last = rows[-1]
        return AppendResult(stream_id, last["out_version"], ids, [r["out_position"] for r in rows],
                            Checkpoint(last["out_tx"], last["out_position"]))

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """A transaction for appends together with other writes (a consumer's inbox row, a read model);
        readers are woken once it has committed. On ConcurrencyError the caller retries the whole transaction."""
        async with self.pool.acquire() as conn:
            async with conn.transaction():
                yield conn
        self.wake_readers()

    def wake_readers(self) -> None:
        """Tell tailing readers (the relay) that something committed. Coalesced: a burst of appends sends
        one NOTIFY. Sent after commit, because a NOTIFY inside the writing transaction would serialize
        every commit behind PostgreSQL's notification-queue lock."""
        self._wake.set()
        if self._notifier is None or self._notifier.done():
            self._notifier = asyncio.get_running_loop().create_task(self._notify_loop())

    async def _notify_loop(self) -> None:
        while self._wake.is_set():
            self._wake.clear()
            with contextlib.suppress(asyncpg.PostgresError, OSError, asyncpg.InterfaceError):
                async with self.pool.acquire() as conn:
                    await conn.execute("SELECT pg_notify($1, '')", self.channel)
            # Appends committing meanwhile set _wake again and share the next NOTIFY.
            await asyncio.sleep(self.NOTIFY_INTERVAL)

    async def close(self) -> None:
        if self._notifier is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._notifier, 2)

    # ---- reading -------------------------------------------------------------------------------------

    async def read_stream(self, stream_id: str, *, after_version: int = 0,
                          conn: asyncpg.Connection | None = None) -> list[StoredEvent]:
        """The stream's events after `after_version`, in order. A whole stream is read from what this store
        kept of it (`eventstore.stream_cache`) plus what was appended since."""
        if after_version:
            async with connection(conn or self.pool) as c:
                rows = await c.fetch(
                    f"SELECT {_COLUMNS} FROM {self.schema}.events WHERE stream_id = $1 AND stream_version > $2 "
                    "ORDER BY stream_version", stream_id, after_version)
            return [self._parse(r) for r in rows]
        kept, last_hash = self._streams.kept(stream_id)
        query = (f"SELECT {_COLUMNS}, hash, tx_id < pg_snapshot_xmin(pg_current_snapshot()) AS settled "
                 f"FROM {self.schema}.events WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version")
        async with connection(conn or self.pool) as c:
            # From the last kept event on, to check it is still the one kept.
            rows = await c.fetch(query, stream_id, len(kept))
            if kept and (not rows or rows[0]["hash"] != last_hash):
                self._streams.forget(stream_id)
                kept = ()
                rows = await c.fetch(query, stream_id, 0)
        fresh = rows[1:] if kept else rows
        if kept:
            self._streams.hits += 1
        events = [*kept, *(self._parse(r) for r in fresh)]
        settled = next((i for i, r in enumerate(fresh) if not r["settled"]), len(fresh))
        if settled:
            self._streams.keep(stream_id, events[:len(kept) + settled], fresh[settled - 1]["hash"])
        return events

    async def stream_version(self, stream_id: str, *, conn: asyncpg.Connection | None = None) -> int:
        async with connection(conn or self.pool) as c:
            v = await c.fetchval(
                f"SELECT max(stream_version) FROM {self.schema}.events WHERE stream_id = $1", stream_id)
        return int(v or 0)

    async def read_all(self, after: Checkpoint, limit: int = 500, *,
                       conn: asyncpg.Connection | None = None) -> list[StoredEvent]:
        """Events after `after` in reading order, parsed and upcast to their current contract."""
        return [self._parse(r) for r in await self._fetch_after(after, limit, conn)]

    async def read_for_publishing(self, after: Checkpoint, limit: int = 500, *,
                                  conn: asyncpg.Connection | None = None) -> list[asyncpg.Record]:
        """Events after `after` rendered by PostgreSQL for publishing, as bytes: `body` (the envelope as JSON,
        the envelope's fields), `key` (the stream id) and the CloudEvents attributes
        (`ce_*`); and `tx_id` and `position`."""
        async with connection(conn or self.pool) as c:
            rows: list[asyncpg.Record] = await c.fetch(
                f"SELECT {_PUBLISH_COLUMNS} FROM {self.schema}.events "
                "WHERE (tx_id, position) > ($1::xid8, $2::bigint) "
                "AND tx_id < pg_snapshot_xmin(pg_current_snapshot()) "
                "ORDER BY tx_id, position LIMIT $3", after.tx_id, after.position, limit, self.source)
        return rows

    async def _fetch_after(self, after: Checkpoint, limit: int,
                           conn: asyncpg.Connection | None) -> list[asyncpg.Record]:
        async with connection(conn or self.pool) as c:
            rows: list[asyncpg.Record] = await c.fetch(
                f"SELECT {_COLUMNS} FROM {self.schema}.events "
                "WHERE (tx_id, position) > ($1::xid8, $2::bigint) "
                "AND tx_id < pg_snapshot_xmin(pg_current_snapshot()) "
                "ORDER BY tx_id, position LIMIT $3", after.tx_id, after.position, limit)
        return rows

    def _envelope_dict(self, r: asyncpg.Record) -> dict[str, Any]:
        meta = _json(r["metadata"])
        return {
            "event_id": str(r["event_id"]), "type": r["type"], "schema_version": r["schema_version"],
            "stream_id": r["stream_id"], "stream_version": r["stream_version"], "position": r["position"],
            "occurred_at": r["occurred_at"].isoformat(), "recorded_at": r["recorded_at"].isoformat(),
            "actor": meta["actor"], "committee_id": r["committee_id"],
            "correlation_id": meta["correlation_id"], "causation_id": meta.get("causation_id"),
            "source": meta.get("source", self.source), "data": _json(r["data"]),
        }

    def _parse(self, r: asyncpg.Record) -> StoredEvent:
        envelope = EventEnvelope.model_validate(self._envelope_dict(r))
        event = self.registry.parse(envelope.type, envelope.schema_version, envelope.data)
        return StoredEvent(envelope, event, Checkpoint(r["tx_id"], r["position"]))

    # ---- checkpoints -----------------------------------------------------------------------------------

    async def load_checkpoint(self, name: str, *, conn: asyncpg.Connection | None = None) -> Checkpoint:
        async with connection(conn or self.pool) as c:
            row = await c.fetchrow(f"SELECT tx_id, position FROM {self.schema}.checkpoints WHERE name = $1", name)
        return Checkpoint(row["tx_id"], row["position"]) if row else Checkpoint.zero()

    async def save_checkpoint(self, name: str, checkpoint: Checkpoint, *,
                              conn: asyncpg.Connection | None = None) -> None:
        async with connection(conn or self.pool) as c:
            await c.execute(
                f"INSERT INTO {self.schema}.checkpoints (name, tx_id, position) VALUES ($1, $2::xid8, $3) "
                "ON CONFLICT (name) DO UPDATE SET tx_id = excluded.tx_id, position = excluded.position, "
                "updated_at = now() "
                # never backwards: a late writer (a deposed relay) must not make readers repeat work
                f"WHERE ({self.schema}.checkpoints.tx_id, {self.schema}.checkpoints.position) "
                "< (excluded.tx_id, excluded.position)", name, checkpoint.tx_id, checkpoint.position)
