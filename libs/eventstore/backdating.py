"""Back-dated steps: the office enters what happened on paper days later (a reply letter received last week,
an evaluation form collected at a meeting, a visit logged at month's end), giving the day it happened.

A command its contract marks back-datable (`contracts.service.CommandContract.backdatable`) takes an optional
`occurred_on`. The command API refuses it, each by its rule, when
- the caller is not the office or an admin (`backdating_not_allowed`): members and units act for themselves,
  on the day they act;
- the day is later than today in China, the committee's clock (`occurred_in_future`);
- the day is in another year than today's (`occurred_outside_year`): the committee's year is the calendar
  year its work is counted by (the proposals' year, the scorecards, the yearly figures), so a step is entered
  in the year it happened and a closed year's figures do not move;
and the unit of work refuses a step dated before the step it follows (`occurred_before_previous_step`): the
latest event a person recorded on any stream the command writes. Events of the platform's own account (a
deadline watcher marking a handling overdue, a reminder) are not steps a person took: a reply letter that
arrived before the deadline is entered as on time even after the watcher marked it overdue.

The event's `occurred_at` is the last second of that day in China, `recorded_at` stays the moment it was
written and the actor who recorded it: a step on the same day as its predecessor still follows it, and every
figure counted by day (on time, the year, the scorecard) reads the day it happened. A day that is today is
no back-dating: the event is stamped with the clock as usual."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from contracts.clock import CHINA_TZ, local_date
from contracts.envelope import Role
from contracts.roles import OFFICE_OR_ADMIN
from contracts.service import OCCURRED_ON
from eventstore.errors import DomainError

# Who may give a step the day it happened.
BACKDATERS = OFFICE_OR_ADMIN
END_OF_DAY = time(23, 59, 59)


def occurred_at(day: date) -> datetime:
    """The instant a step back-dated to `day` is stamped with: the last second of that day in China."""
    return datetime.combine(day, END_OF_DAY, CHINA_TZ)


def refuse(rule: str, message: str, **details: object) -> DomainError:
    return DomainError(rule, message, fields=[OCCURRED_ON], **details)


def check(day: date, role: Role, today: date) -> datetime | None:
    """The instant to stamp a step dated `day` with, None when `day` is today; refuses by the rules above."""
    if role not in BACKDATERS:
        raise refuse("backdating_not_allowed", f"only the committee office enters a step on the day it happened, "
                     f"not {role.value}")
    if day > today:
        raise refuse("occurred_in_future", f"the step is dated {day.isoformat()}, later than today "
                     f"({today.isoformat()})", occurred_on=day.isoformat(), today=today.isoformat())
    if day.year != today.year:
        raise refuse("occurred_outside_year", f"the step is dated {day.isoformat()}, outside the committee's "
                     f"year {today.year}", occurred_on=day.isoformat(), year=today.year)
    return None if day == today else occurred_at(day)


class Previous:
    """The latest step a person recorded on a stream: what a back-dated step must not precede."""

    def __init__(self, occurred: datetime, event_type: str) -> None:
        self.occurred = occurred
        self.event_type = event_type

    @classmethod
    def latest(cls, events: Iterable[tuple[datetime, str, Role]]) -> Previous | None:
        """Of (occurred_at, type, actor's role) in stream order: the latest not recorded by the platform's own
        account (of steps at the same instant, the last)."""
        latest: Previous | None = None
        for at, kind, role in events:
            if role is not Role.service and (latest is None or at >= latest.occurred):
                latest = cls(at, kind)
        return latest

    def refuse_if_after(self, occurred: datetime) -> None:
        day, previous = local_date(occurred), local_date(self.occurred)
        if day < previous:
            raise refuse("occurred_before_previous_step", f"the step is dated {day.isoformat()}, before the step "
                         f"it follows ({self.event_type} on {previous.isoformat()})",
                         occurred_on=day.isoformat(), previous_step=self.event_type, previous_on=previous.isoformat())
