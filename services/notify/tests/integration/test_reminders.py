"""Deadline reminders on working days, with the service's clock driven by the test: a unit assigned a
proposal due after the Spring Festival is reminded 10, 5 and 1 working days before, told when it is
overdue, then the office (督办) and the supervising leader are; a reply recorded cancels what is pending."""

from __future__ import annotations

from datetime import date

import pytest

from contracts import topics
from contracts.proposals import HolidayScheduleRecorded
from notify import reminders
from notify.rules import default_rulebook, parse
from yizheng.testing.command_client import OFFICE, member, on, unit
from yizheng.testing.wait import wait_until

from ..conftest import Notify
from ..facts import assigned, key_proposal, replied, stream
from ..kit import envelope, inbox

DUE = date(2026, 3, 3)


async def pending(n: Notify) -> list[str]:
    rows = await n.host.pool.fetch(f'SELECT kind, fire_on FROM "{n.host.schema}".reminders '
                                   "WHERE status = 'pending' ORDER BY fire_on")
    return [f"{r['kind']}@{r['fire_on']}" for r in rows]


async def on_day(n: Notify, day: date) -> int:
    n.clock.set(day, hour=9)
    return await n.parts.reminders.tick()


async def templates(n: Notify, actor: object) -> list[tuple[str, str]]:
    return [(i["template"], i["urgency"]) for i in (await inbox(n.http, actor))["items"]]  # type: ignore[arg-type]


async def test_the_ladder_runs_on_working_days_across_the_spring_festival(notify: Notify) -> None:
    notify.clock.set(date(2026, 2, 9))
    await notify.topics.publish(topics.PROPOSALS, envelope(key_proposal(), stream(), on(date(2026, 2, 9))))
    await notify.topics.publish(topics.PROPOSALS, envelope(assigned(DUE, date(2026, 2, 9)), stream(),
                                                           on(date(2026, 2, 9))))
    scheduled = await wait_until(lambda: _all(pending(notify), 6), message="the ladder scheduled")
    assert scheduled == ["before@2026-02-11", "before@2026-02-25", "before@2026-03-02", "overdue@2026-03-04",
                         "escalate_office@2026-03-09", "escalate_leader@2026-03-16"]

    assert await on_day(notify, date(2026, 2, 10)) == 0
    assert await on_day(notify, date(2026, 2, 11)) == 1
    assert await on_day(notify, date(2026, 2, 11)) == 0, "a step is sent once"
    assert await on_day(notify, date(2026, 2, 24)) == 0, "the first working day after the holiday is not yet 5 before"
    assert await on_day(notify, date(2026, 2, 25)) == 1
    assert await on_day(notify, date(2026, 3, 2)) == 1
    assert await on_day(notify, date(2026, 3, 4)) == 1
    u_env = unit("u-env")
    assert [t for t, _ in await templates(notify, u_env)] == [
        "reply-due-overdue", "reply-due-before", "reply-due-before", "reply-due-before", "proposal-assigned"]
    assert await on_day(notify, date(2026, 3, 9)) == 1
    assert await templates(notify, OFFICE) == [("reply-due-escalate_office", "critical")]
    assert await on_day(notify, date(2026, 3, 16)) == 1
    assert ("reply-due-escalate_leader", "critical") in await templates(notify, member("m-wang"))


async def test_a_reply_recorded_cancels_every_pending_reminder(notify: Notify) -> None:
    notify.clock.set(date(2026, 2, 9))
    await notify.topics.publish(topics.PROPOSALS, envelope(assigned(DUE, date(2026, 2, 9)), stream(),
                                                           on(date(2026, 2, 9))))
    await wait_until(lambda: _all(pending(notify), 5), message="the ladder scheduled")
    assert await on_day(notify, date(2026, 2, 11)) == 1

    await notify.topics.publish(topics.PROPOSALS, envelope(replied("u-env", date(2026, 2, 12), DUE), stream(),
                                                           on(date(2026, 2, 12))))
    await wait_until(lambda: _none(pending(notify)), message="the pending reminders cancelled")

    assert await on_day(notify, date(2026, 3, 20)) == 0
    assert [t for t, _ in await templates(notify, unit("u-env"))] == ["reply-due-before", "proposal-assigned"]
    assert await templates(notify, OFFICE) == []


async def _all(rows: object, n: int) -> list[str] | None:
    found = await rows  # type: ignore[misc]
    return found if len(found) == n else None


async def _none(rows: object) -> bool:
    return not await rows  # type: ignore[misc]


async def test_the_ladder_counts_the_schedule_the_office_recorded(notify: Notify) -> None:
    """The office recorded 2026's schedule in the proposals service with 2 March off as well (a local
    arrangement): the reminder "1 working day before" moves to the make-up Saturday, 28 February."""
    days_off = [date(2026, 2, d) for d in range(15, 24)] + [date(2026, 3, 2)]
    schedule = HolidayScheduleRecorded(year=2026, days_off=days_off, workdays=[date(2026, 2, 14), date(2026, 2, 28)],
                                       source="县政府办公室通知")
    await notify.topics.publish(topics.PROPOSALS, envelope(schedule, "holidaySchedule-cppcc-county-a-2026",
                                                           on(date(2026, 1, 5))))
    await wait_until(lambda: notify.host.pool.fetchval(
        f'SELECT count(*) FROM "{notify.host.schema}".holiday_schedules'), message="the schedule kept")
    await notify.topics.publish(topics.PROPOSALS, envelope(assigned(DUE, date(2026, 2, 9)), stream(),
                                                           on(date(2026, 2, 9))))
    scheduled = await wait_until(lambda: _all(pending(notify), 5), message="the ladder scheduled")
    assert scheduled is not None and scheduled[:3] == ["before@2026-02-10", "before@2026-02-24", "before@2026-02-28"]


async def test_the_ladder_says_which_channels_each_step_takes(notify: Notify, monkeypatch: pytest.MonkeyPatch) -> None:
    """A committee keeping SMS for the last reminder and the escalations (the provincial platforms' practice):
    10 and 5 working days before go to the inbox and by mail; 1 day before, the overdue office escalation and
    the leader's go by SMS as well."""
    practice = parse({"ladders": {"reply-due": {
        "before": [10, 5, 1], "overdue": True, "escalate_office_after": 3, "escalate_leader_after": 5,
        "category": "deadline", "template": "reply-due",
        "channels": {"before": ["inbox", "email"], "last_before": ["inbox", "email", "sms"],
                     "overdue": ["inbox", "email"]}}}}, default_rulebook())
    monkeypatch.setattr(reminders, "rulebook", lambda committee: practice)
    notify.clock.set(date(2026, 2, 9))
    await notify.topics.publish(topics.PROPOSALS, envelope(key_proposal(), stream(), on(date(2026, 2, 9))))
    await notify.topics.publish(topics.PROPOSALS, envelope(assigned(DUE, date(2026, 2, 9)), stream(),
                                                           on(date(2026, 2, 9))))
    await wait_until(lambda: _all(pending(notify), 6), message="the ladder scheduled")
    for day in (date(2026, 2, 11), date(2026, 2, 25), date(2026, 3, 2), date(2026, 3, 4), date(2026, 3, 9),
                date(2026, 3, 16)):
        assert await on_day(notify, day) == 1

    rows = await notify.host.pool.fetch(
        f'SELECT n.reminder_id, array_agg(d.channel ORDER BY d.channel) AS channels FROM "{notify.host.schema}"'
        f'.notifications n JOIN "{notify.host.schema}".deliveries d USING (notification_id) '
        "WHERE n.reminder_id IS NOT NULL AND n.recipient_kind <> 'office' GROUP BY n.reminder_id")
    sent = {r["reminder_id"].removeprefix("reply:p-2026-015:u-env:"): r["channels"] for r in rows}
    # (the inbox is the notification itself; the office reads only its inbox, so has no delivery rows)
    assert sent == {"before:10": ["email"], "before:5": ["email"], "before:1": ["email", "sms"],
                    "overdue": ["email"], "escalate_leader": ["email", "sms"]}
