"""两访三做: visits (stream `visit-{committee}-{visit_id}`) and the yearly visit plan."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from contracts.bounded import (
    STORABLE,
    BoundedList,
    Count,
    Identifier,
    Ordinal,
    RecordedDate,
    RecordedId,
    RecordedList,
    RecordedListItem,
    RecordedYear,
)
from contracts.members.enums import Sector, VisitKind, VisitOutcomeKind, VisitRole
from contracts.registry import DomainEvent, event_type
from contracts.topics import MEMBERS

# The year's chair-member pairings (chair-meeting member -> members to visit), in the command and its event:
# at most 20 chair-meeting members (a county has the chair, a handful of vice-chairs and the
# secretary-general), each paired with at most 200 members. Both are registered members (the service checks
# them), so the ids keep the registry's pattern.
MAX_PAIRED_CHAIRS = 20
MAX_PAIRED_MEMBERS = 200
Pairings = Annotated[dict[Identifier, Annotated[list[Identifier], Field(max_length=MAX_PAIRED_MEMBERS)]],
                     Field(max_length=MAX_PAIRED_CHAIRS)]
# The group of people visited, as recorded (the command's bound, 80 characters; it was never required to be
# non-empty).
RecordedGroupName = Annotated[str, StringConstraints(max_length=80), STORABLE]


@event_type("visit-logged", version=1, topic=MEMBERS)
class VisitLogged(DomainEvent):
    """A visit: a chair-meeting member visiting grassroots members, or a member visiting the people of
    their sector, with the roles taken and what was heard."""

    visit_id: Identifier
    kind: VisitKind
    visitor_member_id: Identifier
    visited_member_ids: RecordedList[RecordedId] = Field(default_factory=list)
    visited_sector: Sector | None = None
    visited_group: RecordedGroupName | None = Field(default=None, description="e.g. 城关镇个体工商户")
    township_id: RecordedId | None = None
    visited_on: RecordedDate
    roles: RecordedList[VisitRole] = Field(min_length=1)
    people_reached: Count
    issues_heard: BoundedList[RecordedListItem] = Field(default_factory=list)
    follow_up: RecordedListItem | None = None


@event_type("visit-outcome-linked", version=1, topic=MEMBERS)
class VisitOutcomeLinked(DomainEvent):
    """The proposal or public-opinion report a visit led to."""

    visit_id: Identifier
    outcome_kind: VisitOutcomeKind
    outcome_id: RecordedId


@event_type("visit-plan-set", version=1, topic=MEMBERS)
class VisitPlanSet(DomainEvent):
    """The year's coverage targets: every grassroots member visited by a chair-meeting member (optionally
    paired: chair member -> members to visit), and every member visiting their sector N times."""

    year: RecordedYear
    plan_version: Ordinal
    grassroots_visited_by_chair: bool = True
    sector_visits_per_member: Count = 1
    pairings: Pairings = Field(default_factory=dict)
