"""Other duty records: training, charity (三下乡, 扶贫济困, 捐资助学) and awards (争先创优)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from contracts.members.enums import AwardLevel, CharityKind, TrainingKind
from contracts.registry import DomainEvent, event_type
from contracts.topics import MEMBERS


@event_type("training-recorded", version=1, topic=MEMBERS)
class TrainingRecorded(DomainEvent):
    training_id: str = Field(min_length=1)
    kind: TrainingKind
    title: str = Field(min_length=1, max_length=120)
    held_on: date
    member_ids: list[str] = Field(min_length=1)


@event_type("charity-recorded", version=1, topic=MEMBERS)
class CharityRecorded(DomainEvent):
    charity_id: str = Field(min_length=1)
    kind: CharityKind
    title: str = Field(min_length=1, max_length=120)
    done_on: date
    member_ids: list[str] = Field(min_length=1)
    amount_yuan: int | None = Field(default=None, ge=0)


@event_type("award-granted", version=1, topic=MEMBERS)
class AwardGranted(DomainEvent):
    award_id: str = Field(min_length=1)
    title: str = Field(min_length=1, max_length=120)
    level: AwardLevel
    granted_on: date
    member_ids: list[str] = Field(default_factory=list)
    organization_ids: list[str] = Field(default_factory=list)
