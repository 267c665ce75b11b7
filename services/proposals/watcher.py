"""The deadline watcher: each tick, asks the read model what has fallen due by today (China's date on the
injected clock) and sweeps those aggregates as the service account. The deciders re-check everything on the
aggregate's own state, so a stale read model or two watchers at once cause no double events.

Due by the read model: co-signers past their deadline, handling past its deadline (overdue), commitments and
recommendation reports whose look-back date has come, replies whose evaluation deadline passed with ratings
missing (recorded as not evaluated), and computed deadlines that differ under the calendar
as recorded now (a newly recorded official holiday schedule)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import asyncpg

from contracts.clock import local_date
from contracts.proposals import DeadlineRule
from eventstore.store import AppendResult
from eventstore.unit_of_work import Clock
from eventstore.workdays import WorkCalendar
from proposals import deadlines
from proposals.read_model import DueItem, ProposalsReadModel

# Applies what is due on one aggregate (committee, kind, id); None when nothing was written.
Sweep = Callable[[str, str, str], Awaitable[AppendResult | None]]
CalendarOf = Callable[[str], Awaitable[WorkCalendar]]

log = logging.getLogger("proposals.watcher")


class DeadlineWatcher:
    def __init__(self, pool: asyncpg.Pool, read_model: ProposalsReadModel, clock: Clock, *, sweep: Sweep,
                 calendar: CalendarOf, before_tick: Callable[[], Awaitable[object]] | None = None,
                 interval_seconds: float = 300.0) -> None:
        self.pool = pool
        self.sweep = sweep
        self.calendar = calendar
        self.read_model = read_model
        self.clock = clock
        self.before_tick = before_tick
        self.interval_seconds = interval_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def due(self) -> list[DueItem]:
        pool = self.pool
        today = local_date(self.clock())
        items = set(await self.read_model.due(pool, today))
        calendars: dict[str, WorkCalendar] = {}
        for h in await self.read_model.open_computed_deadlines(pool, today):
            if h.committee_id not in calendars:
                calendars[h.committee_id] = await self.calendar(h.committee_id)
            rule = DeadlineRule(h.deadline_rule)
            if deadlines.deadline_by_rule(rule, h.basis, calendars[h.committee_id]) != h.deadline:
                items.add(DueItem(h.committee_id, "proposal", h.proposal_id))
        return sorted(items, key=lambda i: (i.committee_id, i.kind, i.aggregate_id))

    async def tick(self) -> list[AppendResult]:
        """One sweep over everything due; returns what was written."""
        if self.before_tick is not None:
            await self.before_tick()
        written: list[AppendResult] = []
        for item in await self.due():
            try:
                result = await self.sweep(item.committee_id, item.kind, item.aggregate_id)
            except Exception:  # one broken aggregate must not stop the others' deadlines
                log.exception("deadline sweep of %s %s failed", item.kind, item.aggregate_id)
                continue
            if result is not None:
                written.append(result)
        return written

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="proposals-deadline-watcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.tick()
            except Exception:
                log.exception("deadline watcher tick failed; trying again next interval")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval_seconds)
