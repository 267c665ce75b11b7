"""The committee's record of official holiday schedules (one stream per committee)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from contracts.proposals import HolidayScheduleRecorded
from contracts.proposals import commands as c
from contracts.registry import DomainEvent
from contracts.roles import OFFICE_OR_ADMIN
from eventstore.decider import Decider
from eventstore.issued import Issued, require_role
from eventstore.workdays import DEFAULT_CALENDAR, WorkCalendar
from proposals.domain.refusals import refuse


@dataclass(frozen=True)
class ScheduleState:
    calendar: WorkCalendar = DEFAULT_CALENDAR


def decide(state: ScheduleState, issued: Issued[c.RecordHolidaySchedule]) -> Sequence[DomainEvent]:
    require_role(issued, OFFICE_OR_ADMIN, "recording the holiday schedule")
    cmd = issued.command
    days_off, workdays = set(cmd.days_off), set(cmd.workdays)
    if days_off & workdays:
        raise refuse("schedule_contradiction", "a day cannot be both off and a make-up working day")
    # A New Year bridge may reach into the adjacent year; anything further is a typo.
    if any(abs(d.year - cmd.year) > 1 for d in days_off | workdays):
        raise refuse("schedule_wrong_year", f"the schedule of {cmd.year} names days of another year")
    if any(d.weekday() < 5 for d in workdays):
        raise refuse("workday_not_weekend", "make-up working days are weekend days")
    return [HolidayScheduleRecorded(year=cmd.year, days_off=sorted(days_off), workdays=sorted(workdays),
                                    source=cmd.source)]


def evolve(state: ScheduleState, event: DomainEvent) -> ScheduleState:
    if isinstance(event, HolidayScheduleRecorded):
        return ScheduleState(WorkCalendar.from_events([event], base=state.calendar))
    raise TypeError(f"the holiday schedule has no event {type(event).__name__}")


HOLIDAY_SCHEDULE: Decider[ScheduleState, Issued[c.RecordHolidaySchedule]] = Decider(
    initial=ScheduleState, decide=decide, evolve=evolve)
