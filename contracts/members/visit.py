"""两访三做: visits (stream `visit:{committee}:{visit_id}`) and the yearly visit plan."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from contracts.members.enums import Sector, VisitKind, VisitOutcomeKind, VisitRole
from contracts.registry import DomainEvent, event_type
from contracts.topics import MEMBERS


@event_type("visit-logged", version=1, topic=MEMBERS)
class VisitLogged(DomainEvent):
    """A visit: a chair-meeting member visiting grassroots members, or a member visiting the people of
    their sector, with the roles taken and what was heard."""

    visit_id: str = Field(min_length=1)
    kind: VisitKind
    visitor_member_id: str
    visited_member_ids: list[str] = Field(default_factory=list)
    visited_sector: Sector | None = None
    visited_group: str | None = Field(default=None, max_length=80, description="e.g. 城关镇个体工商户")
    township_id: str | None = None
    visited_on: date
    roles: list[VisitRole] = Field(min_length=1)
    people_reached: int = Field(ge=0)
    issues_heard: list[str] = Field(default_factory=list)
    follow_up: str | None = Field(default=None, max_length=500)


@event_type("visit-outcome-linked", version=1, topic=MEMBERS)
class VisitOutcomeLinked(DomainEvent):
    """The proposal or public-opinion report a visit led to."""

    visit_id: str
    outcome_kind: VisitOutcomeKind
    outcome_id: str = Field(min_length=1)


@event_type("visit-plan-set", version=1, topic=MEMBERS)
class VisitPlanSet(DomainEvent):
    """The year's coverage targets: every grassroots member visited by a chair-meeting member (optionally
    paired: chair member -> members to visit), and every member visiting their sector N times."""

    year: int
    plan_version: int = Field(ge=1)
    grassroots_visited_by_chair: bool = True
    sector_visits_per_member: int = Field(default=1, ge=0)
    pairings: dict[str, list[str]] = Field(default_factory=dict)
