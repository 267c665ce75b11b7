"""One command's transaction: load the streams it decides on, decide, append everything at the versions
read, all or nothing. A concurrent writer to any of the streams makes the whole transaction retry on the
newer state (where the command may now be refused); a refusal writes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Generic, TypeVar

import asyncpg

from contracts.registry import DomainEvent
from eventstore.decider import Decider
from eventstore.errors import ConcurrencyError, DomainError
from eventstore.store import AppendResult, CommandContext, EventStore, StoredEvent
from proposals.domain.issued import Issued
from proposals.workdays import WorkCalendar

S = TypeVar("S")
T = TypeVar("T")


@dataclass
class Loaded(Generic[S]):
    stream_id: str
    state: S
    version: int
    history: list[StoredEvent]


@dataclass
class Tx:
    store: EventStore
    conn: asyncpg.Connection
    ctx: CommandContext
    now: datetime
    calendar: WorkCalendar
    staged: list[tuple[str, int, Sequence[DomainEvent]]] = field(default_factory=list)
    written: list[AppendResult] = field(default_factory=list)

    async def load(self, stream_id: str, decider: Decider[S, Any]) -> Loaded[S]:
        history = await self.store.read_stream(stream_id, conn=self.conn)
        # Stream ids carry the committee; this guards against a stream written under another tenant anyway.
        if any(e.envelope.committee_id != self.ctx.committee_id for e in history):
            raise DomainError("not_found", "no such record in this committee")
        return Loaded(stream_id, decider.fold(e.event for e in history), len(history), history)

    async def lock(self, stream_id: str) -> None:
        """Queue behind other transactions on a hot stream (a committee's numbering) instead of racing them
        and retrying; held until this transaction ends."""
        key = f"{self.store.schema}:{stream_id}"
        await self.conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key)

    def issued(self, command: T) -> Issued[T]:
        return Issued(command, self.ctx.actor, self.now, self.calendar)

    def stage(self, loaded: Loaded[S], events: Sequence[DomainEvent]) -> None:
        if events:
            self.staged.append((loaded.stream_id, loaded.version, events))

    async def flush(self) -> None:
        # Streams in a fixed order, so two transactions touching the same two streams cannot deadlock.
        for stream_id, version, events in sorted(self.staged, key=lambda s: s[0]):
            self.written.append(await self.store.append(stream_id, version, events, self.ctx, conn=self.conn))


def combine(results: Sequence[AppendResult], main_stream: str | None = None) -> AppendResult | None:
    """One answer for a command that wrote several streams: the main stream's id and version, every event
    id and position, and the latest checkpoint (a reader that reached it has seen all of them)."""
    if not results:
        return None
    main = next((r for r in results if r.stream_id == main_stream), results[-1])
    return AppendResult(main.stream_id, main.stream_version, [i for r in results for i in r.event_ids],
                        sorted(p for r in results for p in r.positions), max(r.checkpoint for r in results))


async def transact(store: EventStore, ctx: CommandContext, now: datetime,
                   calendar: Callable[[asyncpg.Connection], Awaitable[WorkCalendar]],
                   work: Callable[[Tx], Awaitable[T]], *, attempts: int = 5) -> tuple[T, list[AppendResult]]:
    ctx = replace(ctx, occurred_at=now)
    for attempt in range(attempts):
        try:
            async with store.transaction() as conn:
                tx = Tx(store, conn, ctx, now, await calendar(conn))
                result = await work(tx)
                await tx.flush()
            return result, tx.written
        except (ConcurrencyError, asyncpg.DeadlockDetectedError, asyncpg.SerializationError):
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")
