"""Consultation (协商议政): the yearly plan's sessions and the outcomes they send on, tracked to implementation."""

from __future__ import annotations

from pydantic import Field

from contracts.bounded import RecordedDate, RecordedId, RecordedList, RecordedShortText, RecordedTitle, Roster
from contracts.labels import LabeledEnum
from contracts.registry import DomainEvent, event_type
from contracts.topics import SURVEYS

# Members named are the members service's registered ids (`Roster`: the registry's pattern, up to the whole
# committee); other ids are `RecordedId`: the commands that will write them (supervision, research) are not written yet.


class ConsultationKind(LabeledEnum):
    topic = ("topic", "专题协商")
    counterpart = ("counterpart", "对口协商")
    sector = ("sector", "界别协商")
    proposal_handling = ("proposal_handling", "提案办理协商")
    grassroots = ("grassroots", "基层协商")


@event_type("consultation-outcome-recorded", version=1, topic=SURVEYS)
class ConsultationOutcomeRecorded(DomainEvent):
    """A consultation session produced an outcome (协商成果) sent to the county party committee and government."""

    consultation_id: RecordedId
    outcome_id: RecordedId
    kind: ConsultationKind
    title: RecordedTitle
    held_on: RecordedDate
    participant_member_ids: Roster = Field(default_factory=list)
    sent_to: RecordedList[RecordedShortText] = Field(
        default_factory=list, description="e.g. county party committee, county government")
    implementation_due: RecordedDate | None = None
    sent_on: RecordedDate | None = None
    parent_outcome_id: RecordedId | None = Field(
        default=None, description="an outcome of the same session this one is part of")
    proposal_ids: RecordedList[RecordedId] = Field(default_factory=list, description="proposals it grew from")
    opinion_report_ids: RecordedList[RecordedId] = Field(
        default_factory=list, description="public-opinion reports (社情民意信息) it grew from")
