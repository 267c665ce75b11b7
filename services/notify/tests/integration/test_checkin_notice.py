"""The check-in notice (签到提醒), timed from the meeting's own schedule on notify's clock: each invited
member is told the rules' lead time before the meeting starts; a member whose leave was approved, or who has
already checked in, is not; a meeting scheduled again moves the notice; one not sent before the meeting ends
is never sent."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from contracts import topics
from contracts.clock import at_local
from contracts.members.meeting import LeaveDecided, MeetingAttendanceRecorded, MeetingInvitationSent, MeetingScheduled
from contracts.registry import DomainEvent
from notify import mail
from notify.rules import default_rulebook
from yizheng.testing.command_client import member, on
from yizheng.testing.wait import wait_until

from ..conftest import Notify
from ..kit import envelope, inbox

MEETING = "mt-2026-05"
STREAM = f"meeting-cppcc-county-a-{MEETING}"
DAY = date(2026, 5, 8)  # a Friday
LEAD = timedelta(minutes=default_rulebook().timed["checkin-open"].lead_minutes)


def scheduled(day: date = DAY, hour: int = 9, minute: int = 0) -> MeetingScheduled:
    start = at_local(day, hour, minute)
    return MeetingScheduled(meeting_id=MEETING, kind="standing_committee", title="县政协十届五次常委会议",
                            starts_at=start, ends_at=start + timedelta(hours=2, minutes=30), venue="县政协三楼会议室")


async def hear(n: Notify, *events: DomainEvent) -> None:
    """Publish the members service's facts and wait until notify's intake has taken each in."""
    ids = []
    for event in events:
        env = envelope(event, STREAM, n.clock.now, source="members", event_id=uuid.uuid4())
        await n.topics.publish(topics.MEMBERS, env)
        ids.append(env.event_id)

    async def taken() -> bool:
        got = await n.host.pool.fetchval(f'SELECT count(*) FROM "{n.host.schema}".inbox '
                                         "WHERE event_id = ANY($1::uuid[])", ids)
        return int(got) == len(ids)
    await wait_until(taken, timeout=30, message="the meeting's facts taken in")


async def at(n: Notify, moment: datetime) -> int:
    n.clock.now = moment
    return await n.parts.reminders.tick()


async def told(n: Notify, member_id: str) -> list[str]:
    """What the member's check-in notices say of when the meeting is, as their mail words it."""
    items = [i for i in (await inbox(n.http, member(member_id)))["items"] if i["template"] == "checkin-open"]
    rows = await n.host.pool.fetch(f'SELECT variables FROM "{n.host.schema}".notifications '
                                   "WHERE notification_id = ANY($1) ORDER BY created_at",
                                   [i["notification_id"] for i in items])
    return [mail.email_variables("checkin-open", _json(r["variables"]), today=DAY)["starts_at"] for r in rows]


def _json(value: object) -> dict[str, object]:
    import json

    return dict(value) if isinstance(value, dict) else dict(json.loads(str(value)))


async def test_each_invited_member_is_told_check_in_is_open_before_the_meeting(notify: Notify) -> None:
    notify.clock.set(date(2026, 4, 20), hour=10)
    await hear(notify, scheduled(), MeetingInvitationSent(meeting_id=MEETING, meeting_kind="standing_committee",
                                                          member_ids=["m-li", "m-zhao", "m-wang", "m-sun"]),
               LeaveDecided(meeting_id=MEETING, member_id="m-zhao", approved=True, note="同意"),
               LeaveDecided(meeting_id=MEETING, member_id="m-wang", approved=False, note="会议重要，请参加"))
    start = at_local(DAY, 9)
    # m-sun checks in early (check-in opens two hours before): nobody need tell them.
    notify.clock.now = start - timedelta(hours=1)
    await hear(notify, MeetingAttendanceRecorded(meeting_id=MEETING, meeting_kind="standing_committee",
                                                 member_id="m-sun", status="present", held_on=DAY, source="check_in"))

    assert await at(notify, start - LEAD - timedelta(minutes=1)) == 0, "not before its time"
    assert await at(notify, start - LEAD) == 2
    assert await told(notify, "m-li") == ["2026年5月8日（星期五）9:00–11:30"]
    assert await told(notify, "m-wang") == ["2026年5月8日（星期五）9:00–11:30"], "a leave refused: still expected"
    assert await told(notify, "m-zhao") == [], "a leave approved: not told"
    assert await told(notify, "m-sun") == [], "already checked in: not told"
    assert await at(notify, start - LEAD + timedelta(minutes=5)) == 0, "told once"


async def test_a_meeting_scheduled_again_moves_the_notice(notify: Notify) -> None:
    notify.clock.set(date(2026, 4, 20), hour=10)
    await hear(notify, scheduled(), MeetingInvitationSent(meeting_id=MEETING, meeting_kind="standing_committee",
                                                          member_ids=["m-li"]),
               scheduled(date(2026, 5, 12), 14, 30))
    assert await at(notify, at_local(DAY, 9) - LEAD) == 0, "nothing at the old time"
    assert await at(notify, at_local(date(2026, 5, 12), 14, 30) - LEAD) == 1
    assert await told(notify, "m-li") == ["2026年5月12日（星期二）14:30–17:00"]


async def test_a_notice_not_sent_before_the_meeting_ends_is_never_sent(notify: Notify) -> None:
    notify.clock.set(date(2026, 4, 20), hour=10)
    await hear(notify, scheduled(), MeetingInvitationSent(meeting_id=MEETING, meeting_kind="standing_committee",
                                                          member_ids=["m-li"]))
    await at(notify, on(DAY, 12))  # the worker was down until after the meeting
    assert await told(notify, "m-li") == []
    assert await notify.host.pool.fetchval(f'SELECT status FROM "{notify.host.schema}".reminders '
                                           "WHERE task = 'checkin-open'") == "lapsed"
