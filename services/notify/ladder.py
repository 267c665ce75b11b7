"""A task's reminder ladder on working days, as a pure function: which step goes out on which day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from contracts.notify.reminders import StepKind
from eventstore.workdays import WorkCalendar
from notify.rules import Ladder


@dataclass(frozen=True)
class Step:
    step_id: str
    kind: StepKind
    on: date


def days_before(step_id: str) -> int | None:
    """How many working days before the deadline a `before` step goes out (None for the other steps)."""
    head, _, n = step_id.rpartition(":")
    return int(n) if head.endswith(":before") and n.isdigit() else None


def working_days_before(calendar: WorkCalendar, day: date, count: int) -> date:
    """The working day `count` working days before `day` (`day` itself not counted)."""
    while count:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            count -= 1
    return day


def steps(task_id: str, ladder: Ladder, due: date, today: date, calendar: WorkCalendar, *,
          has_leaders: bool) -> list[Step]:
    """The ladder's steps still ahead of `today` (a step due today goes out today), in date order."""
    planned = [Step(f"{task_id}:before:{n}", StepKind.before, working_days_before(calendar, due, n))
               for n in ladder.before]
    overdue = calendar.add_working_days(due, 1)
    if ladder.overdue:
        planned.append(Step(f"{task_id}:overdue", StepKind.overdue, overdue))
    if ladder.escalate_office_after is not None:
        office = calendar.add_working_days(overdue, ladder.escalate_office_after)
        planned.append(Step(f"{task_id}:escalate_office", StepKind.escalate_office, office))
        if ladder.escalate_leader_after is not None and has_leaders:
            planned.append(Step(f"{task_id}:escalate_leader", StepKind.escalate_leader,
                                calendar.add_working_days(office, ladder.escalate_leader_after)))
    return sorted((s for s in planned if s.on >= today), key=lambda s: s.on)
