"""What a decider is given besides its state: the command, who issues it, when, and the calendar.

Deciders stay pure: the handler reads the clock and the recorded holiday schedules and passes them in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

from contracts.envelope import Actor, Role
from eventstore.errors import DomainError, NotAuthorized
from proposals.workdays import DEFAULT_CALENDAR, WorkCalendar, local_date

C = TypeVar("C", covariant=True)


@dataclass(frozen=True)
class Issued(Generic[C]):
    command: C
    actor: Actor
    now: datetime
    calendar: WorkCalendar = DEFAULT_CALENDAR

    @property
    def today(self) -> date:
        return local_date(self.now)

    @property
    def role(self) -> Role:
        return self.actor.role


# Roles of the committee office; admin is not among them: administering accounts is not doing casework.
OFFICE = frozenset({Role.office_staff})
OFFICE_OR_LEADERSHIP = frozenset({Role.office_staff, Role.leadership})
# The service's own deadline watcher acts as a service account.
SYSTEM = frozenset({Role.service})


def require_role(issued: Issued[object], roles: frozenset[Role], what: str) -> None:
    if issued.role not in roles:
        allowed = ", ".join(sorted(r.value for r in roles))
        raise NotAuthorized(f"{what} is for {allowed}, not {issued.role.value}")


def refuse(rule: str, message: str, **details: object) -> DomainError:
    """Build the refusal to raise; `rule` is the stable code clients switch on."""
    return DomainError(rule, message, **details)


def require_reason(text: str) -> None:
    if not text.strip():
        raise refuse("reason_required", "a reason must be given")
