"""The scored year. Rulebooks live in stream `rulebook:{committee}:{year}` (with `year-rescored` and
`year-graded`); each member's ledger in `ledger:{committee}:{year}:{member_id}`.

A scorecard is rebuilt from these events alone: the items are the `duty-points-awarded` events minus the
`duty-points-withdrawn` ones (matched by `item_id`), the total is their sum, and `member-graded` carries the
grade. Every item names the event that earned it (`source_event_id`, `source_event_type`)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from contracts.members.enums import Grade, ScoreCategory, WithdrawalReason
from contracts.members.rulebook import Points, Rulebook
from contracts.registry import DomainEvent, event_type
from contracts.topics import MEMBERS


@event_type("rulebook-published", version=1, topic=MEMBERS)
class RulebookPublished(DomainEvent):
    """A version of a year's rulebook. The first version of a year is in force at once; a later one (a
    correction) is in force only after `year-rescored` adopts it."""

    year: int
    version: int = Field(ge=1)
    rulebook: Rulebook
    in_force: bool
    note: str = Field(default="", max_length=500)


@event_type("year-rescored", version=1, topic=MEMBERS)
class YearRescored(DomainEvent):
    """An explicit re-scoring of a year under another rulebook version; who did it is in the envelope."""

    year: int
    from_version: int
    to_version: int
    reason: str = Field(min_length=1, max_length=500)
    rescored_by: str


@event_type("year-graded", version=1, topic=MEMBERS)
class YearGraded(DomainEvent):
    """The year's evaluation was run: every member in office gets `member-graded`; facts that arrive
    later re-grade the member."""

    year: int
    rulebook_version: int
    graded_by: str


@event_type("duty-points-awarded", version=1, topic=MEMBERS)
class DutyPointsAwarded(DomainEvent):
    """One scorecard item: `points` (negative for a deduction) under `rule`, earned by the source event."""

    item_id: str = Field(description="stable per member, year and duty fact; a withdrawal names it")
    member_id: str
    year: int
    category: ScoreCategory
    points: Points
    nominal_points: Points = Field(description="before caps; differs from points when a cap bit")
    rule: str
    rule_label_zh: str
    rulebook_version: int
    source_event_id: UUID
    source_event_type: str
    source_service: str
    occurred_on: date


@event_type("duty-points-withdrawn", version=1, topic=MEMBERS)
class DutyPointsWithdrawn(DomainEvent):
    """An earlier award no longer stands (re-scoring, a corrected record); `points` is what it gave."""

    item_id: str
    member_id: str
    year: int
    category: ScoreCategory
    points: Points
    rule: str
    rulebook_version: int
    source_event_id: UUID
    source_event_type: str
    reason: WithdrawalReason


@event_type("member-flagged", version=1, topic=MEMBERS)
class MemberFlagged(DomainEvent):
    """A constraint of the rulebook holds for the member (e.g. two unexcused plenary absences)."""

    member_id: str
    year: int
    flag: str
    label_zh: str
    count: int = Field(ge=0)
    max_grade: Grade | None = None
    evidence_event_ids: list[UUID] = Field(default_factory=list)
    rulebook_version: int


@event_type("member-flag-cleared", version=1, topic=MEMBERS)
class MemberFlagCleared(DomainEvent):
    member_id: str
    year: int
    flag: str
    rulebook_version: int


@event_type("member-graded", version=1, topic=MEMBERS)
class MemberGraded(DomainEvent):
    member_id: str
    year: int
    total: Points
    grade: Grade
    grade_by_points: Grade = Field(description="the band of the total before flags capped it")
    flags: list[str] = Field(default_factory=list)
    rulebook_version: int
