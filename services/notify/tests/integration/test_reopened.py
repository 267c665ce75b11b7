"""A tracked item reopened after a look-back (partly or not implemented) starts its reminders again, for the
departments it was opened for (the reopening names none: notify keeps them from `tracked-item-opened`),
counted on the working-day calendar across the Spring Festival."""

from __future__ import annotations

from datetime import date

from contracts import topics
from contracts.surveys import tracking as t
from yizheng.testing.command_client import on
from yizheng.testing.wait import wait_until

from ..conftest import Notify
from ..facts import tracked_item
from ..kit import envelope

ITEM_STREAM = "trackedItem-cppcc-county-a-o-1"
UNITS = ("u-water", "u-env")


async def reminders(n: Notify, status: str) -> list[str]:
    rows = await n.host.pool.fetch(f'SELECT recipient_id, kind, fire_on FROM "{n.host.schema}".reminders '
                                   "WHERE status = $1 ORDER BY recipient_id, fire_on", status)
    return [f"{r['recipient_id']} {r['kind']}@{r['fire_on']}" for r in rows]


def reported(unit_id: str, on_day: date) -> t.TrackedItemProgressReported:
    return t.TrackedItemProgressReported(item_id="o-1", unit_id=unit_id, round=1, status="done", progress=100,
                                         text="已完成整改", reported_on=on_day)


async def test_a_reopened_item_reminds_its_units_again_on_working_days(notify: Notify) -> None:
    opened = tracked_item(due=date(2026, 1, 30), sent_on=date(2026, 1, 23)).model_copy(update={"unit_ids": list(UNITS)})
    await notify.topics.publish(topics.SURVEYS, envelope(opened, ITEM_STREAM, on(date(2026, 1, 23)), source="surveys"))
    await wait_until(lambda: _count(notify, "pending", 8), message="the first round's reminders")
    for u in UNITS:
        await notify.topics.publish(topics.SURVEYS, envelope(reported(u, date(2026, 1, 28)), ITEM_STREAM,
                                                             on(date(2026, 1, 28)), source="surveys"))
    await wait_until(lambda: _none_pending(notify), message="the reports cancel every pending reminder")

    reopened = t.TrackedItemReopened(item_id="o-1", round=2, reason="回头看发现整改不到位",
                                     reopened_on=date(2026, 2, 10), due_working_days=10, due=date(2026, 3, 3))
    await notify.topics.publish(topics.SURVEYS, envelope(reopened, ITEM_STREAM, on(date(2026, 2, 10)),
                                                         source="surveys"))
    again = await wait_until(lambda: _count(notify, "pending", 8), message="the second round scheduled")
    # 5 working days before 3 March: 25, 26, 27 February, the make-up Saturday 28 February, 2 March (the
    # Spring Festival holiday, 15-23 February, counts for nothing); overdue the first working day after;
    # the office (督办) after three more.
    assert again == [f"{u} {step}" for u in sorted(UNITS) for step in (
        "before@2026-02-25", "before@2026-03-02", "overdue@2026-03-04", "escalate_office@2026-03-09")]


async def _count(n: Notify, status: str, expected: int) -> list[str] | None:
    found = await reminders(n, status)
    return found if len(found) == expected else None



async def _none_pending(n: Notify) -> bool:
    return not await reminders(n, "pending")
