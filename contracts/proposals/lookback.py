"""Look back (回头看) at B-class commitments and at recommendation reports (建议案)."""

from __future__ import annotations

from pydantic import Field

from contracts import topics
from contracts.bounded import Ordinal, RecordedDate, RecordedLongText, RecordedShortText
from contracts.proposals.common import Id
from contracts.proposals.enums import LookbackOutcome, LookbackSubject
from contracts.registry import DomainEvent, event_type

P = topics.PROPOSALS


@event_type("lookback-opened", version=1, topic=P)
class LookbackOpened(DomainEvent):
    """Opened by the deadline watcher when a commitment or a recommendation report falls due."""

    lookback_id: Id
    subject: LookbackSubject
    due: RecordedDate
    proposal_id: Id | None = None
    commitment_id: Id | None = None
    unit_id: Id | None = None
    recommendation_id: Id | None = None


@event_type("lookback-concluded", version=1, topic=P)
class LookbackConcluded(DomainEvent):
    lookback_id: Id
    subject: LookbackSubject
    outcome: LookbackOutcome
    notes: RecordedLongText = ""
    proposal_id: Id | None = None
    commitment_id: Id | None = None
    unit_id: Id | None = None
    recommendation_id: Id | None = None


@event_type("lookback-scheduled", version=1, topic=P)
class LookbackScheduled(DomainEvent):
    """A look-back found the commitment or the report partly implemented (部分落实): the next look-back falls
    due on `due` — the office's date, else the committee's look-back interval after the conclusion. The
    watcher opens it under `lookback_id` on that day."""

    lookback_id: Id = Field(description="the next look-back's id")
    after_lookback_id: Id = Field(description="the look-back concluded 'partly'")
    subject: LookbackSubject
    due: RecordedDate
    proposal_id: Id | None = None
    commitment_id: Id | None = None
    unit_id: Id | None = None
    recommendation_id: Id | None = None


@event_type("lookback-interval-set", version=1, topic=P)
class LookbackIntervalSet(DomainEvent):
    """The committee's interval from a 'partly' look-back to the next one, in months (3 until it is set)."""

    months: Ordinal


@event_type("recommendation-report-recorded", version=1, topic=P)
class RecommendationReportRecorded(DomainEvent):
    """A recommendation report (建议案) sent to the county party committee and government, to be looked
    back at on `lookback_due`."""

    recommendation_id: Id
    title: RecordedShortText
    summary: RecordedLongText = ""
    addressed_to: RecordedShortText = Field(default="", description="e.g. 县委、县政府")
    sent_on: RecordedDate
    lookback_due: RecordedDate


@event_type("recommendation-followup-reopened", version=1, topic=P)
class RecommendationFollowupReopened(DomainEvent):
    """A look-back found the recommendation not implemented; follow-up goes on until `next_lookback_due`."""

    recommendation_id: Id
    lookback_id: Id
    next_lookback_due: RecordedDate
    reason: RecordedLongText = ""
