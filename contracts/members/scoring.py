"""The scored year. Rulebooks live in stream `rulebook-{committee}-{year}` (with `year-rescored` and
`year-graded`); each member's ledger in `ledger-{committee}-{year}-{member_id}`.

A scorecard is rebuilt from these events alone: the items are the `duty-points-awarded` events minus the
`duty-points-withdrawn` ones (matched by `item_id`), the total is their sum, and `member-graded` carries the
grade. Every item names the event that earned it (`source_event_id`, `source_event_type`)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import Field

from contracts.bounded import (
    Count,
    Ordinal,
    RecordedDate,
    RecordedId,
    RecordedKey,
    RecordedList,
    RecordedListItem,
    RecordedShortText,
    RecordedYear,
)
from contracts.members.enums import Grade, ScoreCategory, WithdrawalReason
from contracts.members.rulebook import Points, Rulebook
from contracts.registry import DomainEvent, event_type
from contracts.topics import MEMBERS

# The events a flag counted. The scorer names every one; ten thousand facts of one kind in one member's year
# is far beyond any record (a county's busiest members log a few hundred), and 10,000 ids stay well under a
# Kafka message.
MAX_EVIDENCE = 10_000
# Member ids here come from every service's facts (a proposal's co-signers are taken as given), so they are
# `RecordedId`; rule and flag ids, labels and sources come from the rulebook.


@event_type("rulebook-published", version=1, topic=MEMBERS)
class RulebookPublished(DomainEvent):
    """A version of a year's rulebook. The first version of a year is in force at once; a later one (a
    correction) is in force only after `year-rescored` adopts it."""

    year: RecordedYear
    version: Ordinal
    rulebook: Rulebook
    in_force: bool
    note: RecordedListItem = ""


@event_type("year-rescored", version=1, topic=MEMBERS)
class YearRescored(DomainEvent):
    """An explicit re-scoring of a year under another rulebook version; who did it is in the envelope."""

    year: RecordedYear
    from_version: Count
    to_version: Count
    reason: RecordedListItem = Field(min_length=1)
    rescored_by: RecordedId = Field(description="the actor's id")


@event_type("year-graded", version=1, topic=MEMBERS)
class YearGraded(DomainEvent):
    """The year's evaluation was run: every member in office gets `member-graded`; facts that arrive
    later re-grade the member."""

    year: RecordedYear
    rulebook_version: Count
    graded_by: RecordedId = Field(description="the actor's id")


@event_type("duty-points-awarded", version=1, topic=MEMBERS)
class DutyPointsAwarded(DomainEvent):
    """One scorecard item: `points` (negative for a deduction) under `rule`, earned by the source event."""

    item_id: RecordedKey = Field(description="stable per member, year and duty fact; a withdrawal names it")
    member_id: RecordedId
    year: RecordedYear
    category: ScoreCategory
    points: Points
    nominal_points: Points = Field(description="before caps; differs from points when a cap bit")
    rule: RecordedId
    rule_label_zh: RecordedShortText
    rulebook_version: Count
    source_event_id: UUID
    source_event_type: RecordedId
    source_service: RecordedId
    occurred_on: RecordedDate


@event_type("duty-points-withdrawn", version=1, topic=MEMBERS)
class DutyPointsWithdrawn(DomainEvent):
    """An earlier award no longer stands (re-scoring, a corrected record); `points` is what it gave."""

    item_id: RecordedKey
    member_id: RecordedId
    year: RecordedYear
    category: ScoreCategory
    points: Points
    rule: RecordedId
    rulebook_version: Count
    source_event_id: UUID
    source_event_type: RecordedId
    reason: WithdrawalReason


@event_type("member-flagged", version=1, topic=MEMBERS)
class MemberFlagged(DomainEvent):
    """A constraint of the rulebook holds for the member (e.g. two unexcused plenary absences)."""

    member_id: RecordedId
    year: RecordedYear
    flag: RecordedId
    label_zh: RecordedShortText
    count: Count
    max_grade: Grade | None = None
    evidence_event_ids: Annotated[list[UUID], Field(max_length=MAX_EVIDENCE)] = Field(default_factory=list)
    rulebook_version: Count


@event_type("member-flag-cleared", version=1, topic=MEMBERS)
class MemberFlagCleared(DomainEvent):
    member_id: RecordedId
    year: RecordedYear
    flag: RecordedId
    rulebook_version: Count


@event_type("member-graded", version=1, topic=MEMBERS)
class MemberGraded(DomainEvent):
    member_id: RecordedId
    year: RecordedYear
    total: Points
    grade: Grade
    grade_by_points: Grade = Field(description="the band of the total before flags capped it")
    flags: RecordedList[RecordedId] = Field(default_factory=list)
    rulebook_version: Count
