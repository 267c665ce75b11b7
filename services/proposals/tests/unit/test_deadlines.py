"""The working-day calendar and the deadline rule, on dates a county office will meet."""

from __future__ import annotations

from datetime import UTC, date, datetime

from contracts.clock import local_date
from contracts.proposals import HolidayScheduleRecorded
from eventstore.workdays import DEFAULT_CALENDAR as CAL
from eventstore.workdays import OfficialSchedule, WorkCalendar
from proposals import deadlines

# A plausible official 2027 schedule (not yet published when the holidays package was released): the
# Spring Festival break runs 5-13 February, with Sunday 31 January and Saturday 20 February worked.
SCHEDULE_2027 = OfficialSchedule(
    2027, frozenset(date(2027, 2, d) for d in range(5, 14)), frozenset({date(2027, 1, 31), date(2027, 2, 20)}))


def test_national_day_and_its_make_up_days_2026() -> None:
    assert not CAL.is_working_day(date(2026, 10, 1))
    assert not CAL.is_working_day(date(2026, 10, 7))
    assert CAL.is_working_day(date(2026, 10, 8))
    assert CAL.is_working_day(date(2026, 9, 20)), "Sunday 20 September 2026 is a make-up working day"
    assert CAL.is_working_day(date(2026, 10, 10)), "Saturday 10 October 2026 is a make-up working day"
    assert not CAL.is_working_day(date(2026, 10, 11))


def test_three_months_ending_in_the_national_day_holiday_roll_forward() -> None:
    assert deadlines.handling_deadline(date(2026, 7, 1), CAL) == date(2026, 10, 8)


def test_three_months_ending_on_a_working_day_stay() -> None:
    assert deadlines.handling_deadline(date(2026, 3, 10), CAL) == date(2026, 6, 10)


def test_month_end_clamps_and_then_rolls() -> None:
    # 30 November + 3 months -> 28 February 2027 (a Sunday) -> Monday 1 March
    assert deadlines.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert deadlines.handling_deadline(date(2026, 11, 30), CAL) == date(2027, 3, 1)


def test_a_november_assignment_is_due_next_year_under_the_rule_based_calendar() -> None:
    assert CAL.basis(2027) == "rule_based"
    # 6 Feb 2027 is a Saturday; the rule-based Spring Festival holidays run to Wednesday 10 Feb.
    assert deadlines.handling_deadline(date(2026, 11, 6), CAL) == date(2027, 2, 11)


def test_the_recorded_official_schedule_replaces_the_rule() -> None:
    cal = CAL.with_schedule(SCHEDULE_2027)
    assert cal.basis(2027) == "recorded"
    assert deadlines.handling_deadline(date(2026, 11, 6), cal) == date(2027, 2, 15)
    assert cal.is_working_day(date(2027, 1, 31)) and cal.is_working_day(date(2027, 2, 20))
    assert not cal.is_working_day(date(2027, 2, 10))
    # Outside the recorded days, the weekend rule holds for that year (no package guesses)
    assert cal.is_working_day(date(2027, 10, 4)) and not CAL.is_working_day(date(2027, 10, 4))


def test_calendar_from_events_keeps_the_latest_record_of_a_year() -> None:
    first = HolidayScheduleRecorded(year=2027, days_off=[date(2027, 2, 8)], workdays=[])
    second = HolidayScheduleRecorded(year=2027, days_off=[date(2027, 2, 9)], workdays=[])
    cal = WorkCalendar.from_events([first, second])
    assert cal.is_working_day(date(2027, 2, 8)) and not cal.is_working_day(date(2027, 2, 9))


def test_reassignment_window_counts_working_days_across_the_holiday() -> None:
    # Monday 28 Sep 2026: 29, 30 Sep, 8, 9 Oct and the make-up Saturday 10 Oct are the five working days.
    assert deadlines.reassignment_window_end(date(2026, 9, 28), CAL) == date(2026, 10, 10)
    assert CAL.working_days_between(date(2026, 9, 28), date(2026, 10, 10)) == 5


def test_on_time_until_the_end_of_the_deadline_day() -> None:
    assert deadlines.is_on_time(date(2026, 10, 8), date(2026, 10, 8))
    assert not deadlines.is_on_time(date(2026, 10, 9), date(2026, 10, 8))
    assert not deadlines.is_overdue(date(2026, 10, 8), date(2026, 10, 8))
    assert deadlines.is_overdue(date(2026, 10, 9), date(2026, 10, 8))


def test_local_date_is_chinas() -> None:
    assert local_date(datetime(2026, 9, 30, 17, 0, tzinfo=UTC)) == date(2026, 10, 1)
    assert local_date(datetime(2026, 9, 30, 15, 59, tzinfo=UTC)) == date(2026, 9, 30)
