"""A mail's "N working days left" and "overdue N working days" count the committee's working days: across
the 2026 Spring Festival (off 15-23 February, make-up workdays Saturday 14 and Saturday 28 February) and on a
schedule the office recorded, not Monday to Friday."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import assume, given
from hypothesis import strategies as st

from contracts.proposals import HolidayScheduleRecorded
from eventstore.workdays import DEFAULT_CALENDAR, WorkCalendar
from notify import mail
from notify.channels.rendering import render
from notify.ladder import working_days_before

CALENDAR = DEFAULT_CALENDAR  # the national 2026 schedule, before the office records one


def reply_due(today: date, deadline: date, calendar: WorkCalendar = CALENDAR) -> str:
    variables = mail.email_variables("reply-due", {"proposal_id": "p-2026-015", "number": "2026-015",
                                                   "title": "关于加快农村生活污水治理的提案",
                                                   "due": deadline.isoformat()}, today=today, calendar=calendar)
    return render("reply-due", variables).subject


def test_a_reminder_sent_the_friday_before_the_holiday_counts_the_make_up_saturday_and_skips_the_holiday() -> None:
    # Fri 13 Feb to Wed 25 Feb: Sat 14 (make-up), Tue 24, Wed 25. Monday to Friday would say 8.
    assert mail.days_left(CALENDAR, date(2026, 2, 13), date(2026, 2, 25)) == 3
    assert reply_due(date(2026, 2, 13), date(2026, 2, 25)) == "【答复提醒】提案2026-015还有3个工作日到期"


def test_during_the_holiday_the_days_left_start_after_it() -> None:
    assert mail.days_left(CALENDAR, date(2026, 2, 18), date(2026, 2, 27)) == 4  # 24, 25, 26, 27
    assert mail.days_left(CALENDAR, date(2026, 2, 25), date(2026, 3, 2)) == 4  # 26, 27, Sat 28 (make-up), 2 Mar


def test_overdue_across_the_holiday_counts_working_days_only() -> None:
    # Due Fri 13 Feb, read Mon 2 Mar: Sat 14, 24-27 Feb, Sat 28, 2 Mar. Monday to Friday would say 11.
    assert mail.days_overdue(CALENDAR, date(2026, 3, 2), date(2026, 2, 13)) == 7
    variables = mail.email_variables("deadline-overdue", {"task_id": "reply:p-2026-015:u-env", "number": "2026-015",
                                                          "due": "2026-02-13"}, today=date(2026, 3, 2))
    assert variables["days_overdue"] == 7


def test_a_schedule_the_office_recorded_is_the_one_counted() -> None:
    """The county also gave Tuesday 24 February off: two working days are left from 13 February, not three."""
    recorded = WorkCalendar.from_events([HolidayScheduleRecorded(
        year=2026, days_off=[date(2026, 2, d) for d in range(15, 25)], workdays=[date(2026, 2, 14), date(2026, 2, 28)],
        source="县政府办公室通知")])
    assert reply_due(date(2026, 2, 13), date(2026, 2, 25), recorded) == "【答复提醒】提案2026-015还有2个工作日到期"


def test_the_deadline_day_itself_and_a_past_deadline() -> None:
    assert mail.days_left(CALENDAR, date(2026, 2, 25), date(2026, 2, 25)) == 0
    assert mail.days_left(CALENDAR, date(2026, 2, 26), date(2026, 2, 25)) == 0
    assert mail.days_overdue(CALENDAR, date(2026, 2, 25), date(2026, 2, 25)) == 0


@given(st.dates(date(2026, 1, 5), date(2027, 12, 20)), st.integers(1, 15))
def test_a_reminder_n_working_days_before_says_n_days_left(due: date, n: int) -> None:
    """What the ladder schedules and what its mail says agree: the step N working days before a deadline (a
    working day) says N."""
    assume(CALENDAR.is_working_day(due))
    assert mail.days_left(CALENDAR, working_days_before(CALENDAR, due, n), due) == n


def test_a_meeting_is_given_in_chinas_time_with_its_weekday() -> None:
    starts, ends = datetime(2026, 5, 8, 1, 0, tzinfo=UTC), datetime(2026, 5, 8, 3, 30, tzinfo=UTC)
    assert mail.meeting_time(starts.isoformat(), ends.isoformat()) == "2026年5月8日（星期五）9:00–11:30"
    assert mail.meeting_time("2026-05-08T01:00:00+00:00", "2026-05-09T09:00:00+00:00") == \
        "2026年5月8日（星期五）9:00至5月9日 17:00"
    assert mail.meeting_time(datetime(2026, 5, 7, 23, 0, tzinfo=UTC).isoformat()) == "2026年5月8日（星期五）7:00"
