"""Instructions from county leaders (领导批示) on a consultation outcome: who instructed, at which level (the
county party committee or the county government, the outcome's recipients), what and when."""

from __future__ import annotations

from contracts.bounded import RecordedDate, RecordedId, RecordedLongText, RecordedShortText
from contracts.registry import DomainEvent, event_type
from contracts.surveys.consultation_plan import OutcomeRecipient
from contracts.topics import SURVEYS


@event_type("consultation-outcome-instruction-recorded", version=1, topic=SURVEYS)
class ConsultationOutcomeInstructionRecorded(DomainEvent):
    """A county leader's instruction on an outcome, as the office recorded it (on the session's stream)."""

    consultation_id: RecordedId
    outcome_id: RecordedId
    instruction_id: RecordedId
    leader: RecordedShortText = ""
    level: OutcomeRecipient
    text: RecordedLongText
    instructed_on: RecordedDate
