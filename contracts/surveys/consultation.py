"""Consultation (协商议政): the yearly plan's sessions and the outcomes they send on, tracked to implementation."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from contracts.labels import LabeledEnum
from contracts.registry import DomainEvent, event_type
from contracts.topics import SURVEYS


class ConsultationKind(LabeledEnum):
    topic = ("topic", "专题协商")
    counterpart = ("counterpart", "对口协商")
    sector = ("sector", "界别协商")
    proposal_handling = ("proposal_handling", "提案办理协商")
    grassroots = ("grassroots", "基层协商")


@event_type("consultation-outcome-recorded", version=1, topic=SURVEYS)
class ConsultationOutcomeRecorded(DomainEvent):
    """A consultation session produced an outcome (协商成果) sent to the county party committee and government."""

    consultation_id: str
    outcome_id: str
    kind: ConsultationKind
    title: str = Field(min_length=1)
    held_on: date
    participant_member_ids: list[str] = Field(default_factory=list)
    sent_to: list[str] = Field(default_factory=list, description="e.g. county party committee, county government")
    implementation_due: date | None = None
