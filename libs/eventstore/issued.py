"""What every decider is given besides its state: the command, who issues it, for which committee, when,
and what the handler looked up for it. Deciders stay pure: the unit of work reads the clock, the
committee's working-day calendar and the members a command names, and passes them in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, TypeVar

from contracts.clock import local_date
from contracts.envelope import Actor, Role
from contracts.members.member_view import MemberView
from eventstore.errors import NotAuthorized
from eventstore.workdays import DEFAULT_CALENDAR, WorkCalendar

C = TypeVar("C", covariant=True)


@dataclass(frozen=True)
class Issued(Generic[C]):
    command: C
    actor: Actor
    committee_id: str
    now: datetime
    calendar: WorkCalendar = DEFAULT_CALENDAR
    # The registered members the command names, by id (absent: not registered in this committee).
    members: Mapping[str, MemberView] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return local_date(self.now)

    @property
    def role(self) -> Role:
        return self.actor.role


def require_role(issued: Issued[object], roles: frozenset[Role], what: str) -> None:
    """Refuse unless the caller's role is one of `roles` (the sets are in `contracts.roles`)."""
    if issued.role not in roles:
        allowed = ", ".join(sorted(r.value for r in roles))
        raise NotAuthorized(f"{what} is for {allowed}, not {issued.role.value}")
