"""The reminder ladder counts working days on the committee's calendar: across the Spring Festival holiday
the reminders skip the days off and count the make-up Saturdays (2026: off 15-23 Feb, work Sat 14 and 28)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from contracts.notify.reminders import StepKind
from eventstore.workdays import DEFAULT_CALENDAR
from notify.ladder import steps, working_days_before
from notify.rules import default_rulebook

REPLY = default_rulebook().ladders["reply-due"]


def test_a_reply_due_after_the_spring_festival_is_reminded_on_working_days() -> None:
    ladder = steps("reply:p1:u-env", REPLY, date(2026, 3, 3), date(2026, 2, 9), DEFAULT_CALENDAR, has_leaders=True)
    assert [(s.kind, s.on) for s in ladder] == [
        (StepKind.before, date(2026, 2, 11)),  # 10 working days before, counting Sat 14 Feb, skipping 15-23 Feb
        (StepKind.before, date(2026, 2, 25)),  # 5: Mon 2 Mar, Sat 28 Feb (make-up), 27, 26, 25
        (StepKind.before, date(2026, 3, 2)),
        (StepKind.overdue, date(2026, 3, 4)),  # the first working day after the deadline
        (StepKind.escalate_office, date(2026, 3, 9)),  # three working days later: the office follows up (督办)
        (StepKind.escalate_leader, date(2026, 3, 16)),  # five more: the supervising leader
    ]


def test_steps_already_past_are_not_scheduled_and_without_a_leader_the_ladder_stops_at_the_office() -> None:
    ladder = steps("reply:p1:u-env", REPLY, date(2026, 3, 3), date(2026, 2, 26), DEFAULT_CALENDAR, has_leaders=False)
    assert [s.kind for s in ladder] == [StepKind.before, StepKind.overdue, StepKind.escalate_office]
    assert ladder[0].on == date(2026, 3, 2)


@given(st.dates(date(2026, 1, 5), date(2027, 12, 20)), st.integers(1, 15))
def test_n_working_days_before_leaves_exactly_n_working_days_to_the_deadline(due: date, n: int) -> None:
    day = working_days_before(DEFAULT_CALENDAR, due, n)
    assert DEFAULT_CALENDAR.is_working_day(day) and day < due
    one = timedelta(days=1)
    assert DEFAULT_CALENDAR.working_days_between(day - one, due - one) == n  # working days in [day, due)
