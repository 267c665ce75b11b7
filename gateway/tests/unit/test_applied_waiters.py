"""Read-your-writes waiting: mutations waiting on their events are settled by the views' announcements, and a
lost announcement by one query for every waiter together."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from uuid import UUID, uuid4

from gateway.applied_waiters import AppliedWaiters


class Inboxes:
    """What the views have applied, and every question asked of them."""

    def __init__(self) -> None:
        self.applied: set[UUID] = set()
        self.asked: list[list[UUID]] = []
        self._asked = asyncio.Condition()

    async def check(self, ids: Sequence[UUID]) -> set[UUID]:
        async with self._asked:
            self.asked.append(list(ids))
            self._asked.notify_all()
        return self.applied & set(ids)

    async def until_asked(self, times: int) -> None:
        async with self._asked:
            await asyncio.wait_for(self._asked.wait_for(lambda: len(self.asked) >= times), 5)


async def test_an_announced_write_settles_its_mutation_without_asking_the_inboxes_again() -> None:
    inboxes = Inboxes()
    waiters = AppliedWaiters(inboxes.check, sweep_seconds=30)
    mine = [uuid4(), uuid4()]
    waiting = asyncio.create_task(waiters.wait(mine, timeout=10))
    await inboxes.until_asked(1)  # the mutation's one first look
    waiters.announced([mine[0]])
    assert not waiting.done()
    waiters.announced([uuid4(), mine[1]])
    assert await waiting is True
    assert len(inboxes.asked) == 1
    await waiters.stop()


async def test_events_already_applied_are_found_by_the_first_look() -> None:
    inboxes = Inboxes()
    event = uuid4()
    inboxes.applied.add(event)
    waiters = AppliedWaiters(inboxes.check)
    assert await waiters.wait([str(event)], timeout=1) is True
    assert await waiters.wait([], timeout=1) is True


async def test_lost_announcements_are_found_by_one_sweep_for_all_waiters() -> None:
    inboxes = Inboxes()
    waiters = AppliedWaiters(inboxes.check, sweep_seconds=0.01)
    writes = [[uuid4()] for _ in range(16)]
    waiting = [asyncio.create_task(waiters.wait(ids, timeout=10)) for ids in writes]
    await inboxes.until_asked(16)
    inboxes.applied.update(i for ids in writes for i in ids)  # applied, never announced
    assert await asyncio.gather(*waiting) == [True] * 16
    sweeps = inboxes.asked[16:]
    assert sweeps and set(sweeps[0]) == {i for ids in writes for i in ids}, "one question for every waiter"
    await waiters.stop()


async def test_a_write_the_views_never_apply_times_out_and_leaves_nothing_behind() -> None:
    inboxes = Inboxes()
    waiters = AppliedWaiters(inboxes.check, sweep_seconds=0.01)
    assert await waiters.wait([uuid4()], timeout=0.05) is False
    assert not waiters._by_id
    await waiters.stop()
