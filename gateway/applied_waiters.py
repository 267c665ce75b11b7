"""Read-your-writes: a mutation waits here until every view has applied the events its command wrote.

The views announce each applied batch on their NOTIFY channel, whichever replica applied it; an announced
event is in every view (the views it was new to applied it in that batch, the others had it already), so an
announcement settles its waiters at once, with no query. The ids announced last are remembered
(`RECENT`), so a mutation whose events were applied before it began to wait is settled without a query
too. Announcements can be lost (a crash between a batch's commit and its NOTIFY, a listener reconnecting), so
while anyone waits, one query every `sweep_seconds` asks the inboxes about every id still awaited, for all
waiters together: a lost announcement costs its waiters at most that period."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from uuid import UUID

log = logging.getLogger("gateway.applied_waiters")

# Announced ids remembered: a mutation starts waiting within milliseconds of its command's answer, and a
# replica applies some hundreds of events a second; an id forgotten is found by the next sweep.
RECENT = 20_000

# Given ids, returns those every view has applied.
AppliedCheck = Callable[[Sequence[UUID]], Awaitable[set[UUID]]]


class _Waiter:
    def __init__(self, ids: set[UUID]) -> None:
        self.left = ids
        self.done = asyncio.Event()

    def settle(self, event_id: UUID) -> None:
        self.left.discard(event_id)
        if not self.left:
            self.done.set()


class AppliedWaiters:
    def __init__(self, check: AppliedCheck, sweep_seconds: float = 0.25) -> None:
        self.check = check
        self.sweep_seconds = sweep_seconds
        self._by_id: dict[UUID, set[_Waiter]] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self._recent: OrderedDict[UUID, None] = OrderedDict()

    def announced(self, event_ids: Iterable[UUID]) -> None:
        """These events are in every view."""
        recent = self._recent
        for event_id in event_ids:
            recent[event_id] = None
            for waiter in self._by_id.pop(event_id, ()):
                waiter.settle(event_id)
        while len(recent) > RECENT:
            recent.popitem(last=False)

    async def wait(self, event_ids: Sequence[UUID | str], timeout: float, *, look_first: bool = False) -> bool:
        """True when every view has applied these events within `timeout` seconds. `look_first`: the events
        may have been applied long ago (a replayed answer), so the inboxes are asked at once; a fresh write
        cannot be in the views before its command answered, and is settled by its announcement."""
        ids = {UUID(str(i)) for i in event_ids}
        waiter = _Waiter({i for i in ids if i not in self._recent})
        if not waiter.left:
            return True
        for event_id in waiter.left:  # registered before the first look, so an announcement in between is not missed
            self._by_id.setdefault(event_id, set()).add(waiter)
        try:
            if look_first:
                self.announced(await self.check(sorted(waiter.left)))
            if not waiter.done.is_set():
                self._sweep_while_waited()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waiter.done.wait(), timeout)
            return waiter.done.is_set()
        finally:
            for event_id in waiter.left:
                waiting = self._by_id.get(event_id)
                if waiting is not None:
                    waiting.discard(waiter)
                    if not waiting:
                        del self._by_id[event_id]

    def _sweep_while_waited(self) -> None:
        if self._sweeper is None or self._sweeper.done():
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep())

    async def _sweep(self) -> None:
        while self._by_id:
            await asyncio.sleep(self.sweep_seconds)  # the fallback's period, not a wait for our own write
            if not self._by_id:
                return
            try:
                self.announced(await self.check(list(self._by_id)))
            except Exception as err:  # the waiters time out on their own; the next sweep tries again
                log.warning("read-your-writes sweep failed: %s", err)

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
