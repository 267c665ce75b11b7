"""Other duty records: training, charity (三下乡, 扶贫济困, 捐资助学) and awards (争先创优)."""

from __future__ import annotations

from pydantic import Field

from contracts.bounded import (
    Identifier,
    RecordedActivityTitle,
    RecordedDate,
    RecordedId,
    RecordedList,
    Roster,
    WholeYuan,
)
from contracts.members.enums import AwardLevel, CharityKind, TrainingKind
from contracts.registry import DomainEvent, event_type
from contracts.topics import MEMBERS

# The ids a record is filed under, and the members it names, are the registry's own (the service checks every
# member named), so they keep its pattern; a Roster keeps a record of the whole committee in one message.


@event_type("training-recorded", version=1, topic=MEMBERS)
class TrainingRecorded(DomainEvent):
    training_id: Identifier
    kind: TrainingKind
    title: RecordedActivityTitle
    held_on: RecordedDate
    member_ids: Roster = Field(min_length=1)


@event_type("charity-recorded", version=1, topic=MEMBERS)
class CharityRecorded(DomainEvent):
    charity_id: Identifier
    kind: CharityKind
    title: RecordedActivityTitle
    done_on: RecordedDate
    member_ids: Roster = Field(min_length=1)
    amount_yuan: WholeYuan | None = None


@event_type("award-granted", version=1, topic=MEMBERS)
class AwardGranted(DomainEvent):
    award_id: Identifier
    title: RecordedActivityTitle
    level: AwardLevel
    granted_on: RecordedDate
    member_ids: Roster = Field(default_factory=list)
    organization_ids: RecordedList[RecordedId] = Field(default_factory=list)
