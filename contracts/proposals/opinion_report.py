"""Public-opinion reports (社情民意信息): submitted, edited, forwarded upward, adopted, instructed, published.

Adoption and instruction events repeat the author so the members service can score them from one event."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from contracts import topics
from contracts.bounded import (
    MAX_LIST_ITEM,
    MAX_LIST_ITEMS,
    MAX_LONG_TEXT,
    STORABLE,
    RecordedDate,
    RecordedLongText,
    RecordedShortText,
)
from contracts.proposals.common import Id
from contracts.proposals.enums import Category, ReportLevel
from contracts.registry import DomainEvent, event_type

P = topics.PROPOSALS

# A report's body. A proposal not accepted and converted into a report carries the proposal's whole text: its
# case, its analysis and each suggestion, joined by newlines (proposals.domain.proposal_text), so the body
# holds the longest such text: 20,000 + 20,000 + 50 x 500 characters and 51 newlines. A report a member
# writes is bounded by its command (LongText).
MAX_REPORT_BODY = 2 * MAX_LONG_TEXT + MAX_LIST_ITEMS * MAX_LIST_ITEM + MAX_LIST_ITEMS + 1
ReportBody = Annotated[str, StringConstraints(max_length=MAX_REPORT_BODY), STORABLE]


@event_type("opinion-report-submitted", version=1, topic=P)
class OpinionReportSubmitted(DomainEvent):
    report_id: Id
    author_member_id: Id | None = Field(description="set when a member wrote it")
    direct_report_point_id: Id | None = Field(default=None, description="set when a direct-report point (直报点) did")
    title: RecordedShortText
    body: ReportBody
    category: Category | None = None
    from_proposal_id: Id | None = Field(default=None, description="a proposal not accepted and converted")


@event_type("opinion-report-edited", version=1, topic=P)
class OpinionReportEdited(DomainEvent):
    report_id: Id
    title: RecordedShortText
    body: RecordedLongText
    note: RecordedLongText = ""


@event_type("opinion-report-forwarded", version=1, topic=P)
class OpinionReportForwarded(DomainEvent):
    report_id: Id
    level: ReportLevel
    forwarded_on: RecordedDate
    recipient: RecordedShortText = Field(default="", description="e.g. 市政协办公室")


@event_type("opinion-report-adopted", version=1, topic=P)
class OpinionReportAdopted(DomainEvent):
    report_id: Id
    level: ReportLevel
    author_member_id: Id | None
    direct_report_point_id: Id | None = None
    adopted_by: RecordedShortText = ""
    adopted_on: RecordedDate


@event_type("opinion-report-instructed", version=1, topic=P)
class OpinionReportInstructed(DomainEvent):
    """A leader's written instruction (领导批示) on the report."""

    report_id: Id
    leader: RecordedShortText = Field(description="the leader's office title, e.g. 市委副书记")
    level: ReportLevel
    author_member_id: Id | None
    direct_report_point_id: Id | None = None
    instruction: RecordedLongText = ""
    instructed_on: RecordedDate


@event_type("opinion-report-published", version=1, topic=P)
class OpinionReportPublished(DomainEvent):
    """Carried in an issue of the periodical 《社情民意》."""

    report_id: Id
    issue: RecordedShortText = Field(description="e.g. 2026年第5期")
    author_member_id: Id | None
    direct_report_point_id: Id | None = None
    published_on: RecordedDate
