"""One command's transaction, the same in every service: load the streams it decides on, decide, append
everything at the versions read, all or nothing.

A concurrent writer to any of the streams (or a deadlock with one) makes the whole transaction run again
on the newer state, where the command may now be refused; after `ATTEMPTS` it gives up with the
`ConcurrencyError`. A refusal (`DomainError`) writes nothing. A command dated before today (`ctx.occurred_at`:
a step the office enters from paper, `eventstore.backdating`) is refused if it would precede the latest step
on any stream it writes. Work that must see the commit (waking a worker) is registered with `tx.after_commit`;
writes that must commit with the events (a service's private tables) use `tx.conn`.

    async def work(tx: Tx) -> dict[str, Any]:
        proposal = await tx.load(streams.proposal(...), PROPOSAL)
        tx.decide(proposal, PROPOSAL, cmd)
        return {"proposal_id": ...}

    outcome = await uow.run(ctx, work)     # CommandOutcome(written, result)
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Generic, TypeVar

import asyncpg

from contracts.clock import local_date, utc_now
from contracts.members.member_view import MemberView
from contracts.registry import DomainEvent
from eventstore.backdating import Previous
from eventstore.command_outcome import CommandOutcome
from eventstore.decider import Decider
from eventstore.errors import ConcurrencyError, DomainError
from eventstore.issued import Issued
from eventstore.store import AppendResult, CommandContext, EventStore, StoredEvent
from eventstore.workdays import DEFAULT_CALENDAR, WorkCalendar

log = logging.getLogger("eventstore.unit_of_work")

S = TypeVar("S")
T = TypeVar("T")
Clock = Callable[[], datetime]
# Reads the committee's working-day calendar inside the transaction (a service without one: the default).
CalendarSource = Callable[[EventStore, str, asyncpg.Connection | None], Awaitable[WorkCalendar]]
AfterCommit = Callable[[], None]


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
    # Dated before today (a step the office enters from paper): it must not precede what it follows.
    backdated: bool = False
    staged: list[tuple[str, int, Sequence[DomainEvent]]] = field(default_factory=list)
    loaded_order: list[str] = field(default_factory=list)
    callbacks: list[AfterCommit] = field(default_factory=list)

    @property
    def committee_id(self) -> str:
        return self.ctx.committee_id

    async def load(self, stream_id: str, decider: Decider[S, Any]) -> Loaded[S]:
        history = await self.store.read_stream(stream_id, conn=self.conn)
        # Stream ids carry the committee; this guards against a stream written under another tenant anyway.
        if any(e.envelope.committee_id != self.ctx.committee_id for e in history):
            raise DomainError("not_found", "no such record in this committee")
        self.loaded_order.append(stream_id)
        return Loaded(stream_id, decider.fold(e.event for e in history), len(history), history)

    async def lock(self, key: str) -> None:
        """Queue behind other transactions on a hot stream (a committee's numbering) instead of racing them
        and retrying; held until this transaction ends."""
        await self.conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"{self.store.schema}:{key}")

    def issued(self, command: T, *, members: Mapping[str, MemberView] | None = None) -> Issued[T]:
        return Issued(command, self.ctx.actor, self.ctx.committee_id, self.now, self.calendar, members or {})

    def stage(self, loaded: Loaded[Any], events: Sequence[DomainEvent]) -> None:
        if events and self.backdated:
            previous = Previous.latest((e.envelope.occurred_at, e.envelope.type, e.envelope.actor.role)
                                       for e in loaded.history)
            if previous is not None:
                previous.refuse_if_after(self.now)
        if events:
            self.staged.append((loaded.stream_id, loaded.version, events))

    def decide(self, loaded: Loaded[S], decider: Decider[S, Any], command: object, *,
               members: Mapping[str, MemberView] | None = None) -> Sequence[DomainEvent]:
        """The one dispatch idiom: the decider decides on the loaded state, and what it decided is staged."""
        events = decider.decide(loaded.state, self.issued(command, members=members))
        self.stage(loaded, events)
        return events

    def after_commit(self, callback: AfterCommit) -> None:
        self.callbacks.append(callback)

    async def flush(self) -> list[AppendResult]:
        # Streams in a fixed order, so two transactions touching the same two streams cannot deadlock.
        return [await self.store.append(stream_id, version, events, self.ctx, conn=self.conn)
                for stream_id, version, events in sorted(self.staged, key=lambda s: s[0])]

    @property
    def event_types(self) -> list[str]:
        return [e.event_type for _, _, events in self.staged for e in events]


def combine(results: Sequence[AppendResult], main_stream: str | None = None) -> AppendResult | None:
    """One answer for a command that wrote several streams: the main stream's id and version, every event
    id and position, and the latest checkpoint (a reader that reached it has seen all of them)."""
    if not results:
        return None
    main = next((r for r in results if r.stream_id == main_stream), results[-1])
    return AppendResult(main.stream_id, main.stream_version, [i for r in results for i in r.event_ids],
                        sorted(p for r in results for p in r.positions), max(r.checkpoint for r in results))


class UnitOfWork:
    ATTEMPTS = 5
    RETRIED = (ConcurrencyError, asyncpg.DeadlockDetectedError, asyncpg.SerializationError)

    def __init__(self, store: EventStore, *, clock: Clock = utc_now, calendar: CalendarSource | None = None) -> None:
        self.store = store
        self.clock = clock
        self.calendar = calendar

    async def run(self, ctx: CommandContext, work: Callable[[Tx], Awaitable[dict[str, Any]]]) -> CommandOutcome:
        """Run `work` in one transaction and append what it staged. The result names the event types written
        (`events`); its stream is the first one the work loaded that it wrote to."""
        wall = self.clock()
        now = ctx.occurred_at or wall
        backdated = local_date(now) < local_date(wall)
        ctx = replace(ctx, occurred_at=now)
        request = ctx.idempotency
        for attempt in range(1, self.ATTEMPTS + 1):
            try:
                async with self.store.transaction() as conn:
                    tx = Tx(self.store, conn, ctx, now, await self._calendar(ctx.committee_id, conn), backdated)
                    result = await work(tx)
                    written = await tx.flush()
                    main = next((s for s in tx.loaded_order if any(s == w.stream_id for w in written)), None)
                    outcome = CommandOutcome(combine(written, main), {**result, "events": tx.event_types})
                    if request is not None:
                        await request.record(conn, outcome)
            except self.RETRIED:
                if request is not None:
                    request.rolled_back()
                if attempt == self.ATTEMPTS:
                    raise
                continue
            except BaseException:
                if request is not None:
                    request.rolled_back()
                raise
            if request is not None:
                request.committed()
            for callback in tx.callbacks:
                try:
                    callback()
                except Exception:  # the command is committed; a failed notification must not undo its answer
                    log.exception("an after-commit callback failed")
            return outcome
        raise AssertionError("unreachable")

    async def _calendar(self, committee_id: str, conn: asyncpg.Connection) -> WorkCalendar:
        return await self.calendar(self.store, committee_id, conn) if self.calendar else DEFAULT_CALENDAR

    async def decide(self, ctx: CommandContext, stream_id: str, decider: Decider[S, Any], command: object,
                     result: dict[str, Any] | None = None) -> CommandOutcome:
        """A command on one stream: load it, decide, append."""
        async def work(tx: Tx) -> dict[str, Any]:
            tx.decide(await tx.load(stream_id, decider), decider, command)
            return dict(result or {})

        return await self.run(ctx, work)
