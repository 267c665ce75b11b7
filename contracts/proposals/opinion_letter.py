"""Opinion letters (转意见建议函): a proposal not accepted (不立案) whose suggestions are still worth a unit's
attention is sent to that unit as a letter — the proposal's text, or the office's edited text — and tracked
until the unit acknowledges it. One stream per letter, written in the same transaction as the review decision."""

from __future__ import annotations

from pydantic import Field

from contracts import topics
from contracts.bounded import RecordedDate, RecordedShortText
from contracts.proposals.common import Id
from contracts.proposals.enums import Category
from contracts.proposals.opinion_report import ReportBody
from contracts.registry import DomainEvent, event_type

P = topics.PROPOSALS


@event_type("opinion-letter-sent", version=1, topic=P)
class OpinionLetterSent(DomainEvent):
    """The office sent the letter to the unit. Its text is the proposal's whole text (case, analysis and each
    suggestion, as a report converted from a proposal carries it) unless the office edited it."""

    letter_id: Id
    proposal_id: Id = Field(description="the proposal not accepted that became this letter")
    unit_id: Id = Field(description="the unit the letter is addressed to")
    title: RecordedShortText
    text: ReportBody
    edited_by_office: bool = Field(default=False, description="the text is the office's, not the proposal's")
    category: Category | None = None
    sent_on: RecordedDate


@event_type("opinion-letter-acknowledged", version=1, topic=P)
class OpinionLetterAcknowledged(DomainEvent):
    """The unit's staff acknowledged receipt (签收); the letter needs no more chasing."""

    letter_id: Id
    proposal_id: Id
    unit_id: Id
    acknowledged_on: RecordedDate
