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


async def registered(waiters: AppliedWaiters, ids: Sequence[UUID]) -> None:
    """Until these ids are awaited (a waiting task registers them before its first suspension)."""
    for _ in range(100):
        if all(i in waiters._by_id for i in ids):
            return
        await asyncio.sleep(0)  # lets the waiting task run to its first suspension
    raise AssertionError("the ids were never awaited")


async def test_an_announced_write_settles_its_mutation_without_asking_the_inboxes() -> None:
    inboxes = Inboxes()
    waiters = AppliedWaiters(inboxes.check, sweep_seconds=30)
    mine = [uuid4(), uuid4()]
    waiting = asyncio.create_task(waiters.wait(mine, timeout=10))
    await registered(waiters, mine)
    waiters.announced([mine[0]])
    assert not waiting.done()
    waiters.announced([uuid4(), mine[1]])
    assert await waiting is True
    assert inboxes.asked == [], "a fresh write is settled by its announcement alone"
    await waiters.stop()


async def test_a_write_announced_before_its_mutation_waits_is_settled_at_once() -> None:
    inboxes = Inboxes()
    waiters = AppliedWaiters(inboxes.check, sweep_seconds=30)
    event = uuid4()
    waiters.announced([event])  # the views were quicker than the mutation
    assert await waiters.wait([str(event)], timeout=1) is True
    assert inboxes.asked == []
    assert await waiters.wait([], timeout=1) is True
    await waiters.stop()


async def test_a_replayed_answer_finds_events_applied_long_ago_by_its_first_look() -> None:
    inboxes = Inboxes()
    event = uuid4()
    inboxes.applied.add(event)  # applied before this replica started: never announced to it
    waiters = AppliedWaiters(inboxes.check, sweep_seconds=30)
    assert await waiters.wait([str(event)], timeout=1, look_first=True) is True
    assert inboxes.asked == [[event]]
    await waiters.stop()


async def test_lost_announcements_are_found_by_one_sweep_for_all_waiters() -> None:
    inboxes = Inboxes()
    waiters = AppliedWaiters(inboxes.check, sweep_seconds=0.01)
    writes = [[uuid4()] for _ in range(16)]
    waiting = [asyncio.create_task(waiters.wait(ids, timeout=10)) for ids in writes]
    await registered(waiters, [i for ids in writes for i in ids])
    inboxes.applied.update(i for ids in writes for i in ids)  # applied, never announced
    assert await asyncio.gather(*waiting) == [True] * 16
    assert inboxes.asked and set(inboxes.asked[0]) == {i for ids in writes for i in ids}, \
        "one question for every waiter"
    await waiters.stop()


async def test_a_write_the_views_never_apply_times_out_and_leaves_nothing_behind() -> None:
    inboxes = Inboxes()
    waiters = AppliedWaiters(inboxes.check, sweep_seconds=0.01)
    assert await waiters.wait([uuid4()], timeout=0.05) is False
    assert not waiters._by_id
    await waiters.stop()
