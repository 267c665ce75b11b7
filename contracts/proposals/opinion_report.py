"""Public-opinion reports (社情民意信息): submitted, edited, forwarded upward, adopted, instructed, published.

Adoption and instruction events repeat the author so the members service can score them from one event."""

from __future__ import annotations

from pydantic import Field

from contracts import topics
from contracts.bounded import RecordedDate, RecordedLongText, RecordedShortText
from contracts.proposals.common import Id
from contracts.proposals.enums import Category, ReportLevel
from contracts.registry import DomainEvent, event_type

P = topics.PROPOSALS


@event_type("opinion-report-submitted", version=1, topic=P)
class OpinionReportSubmitted(DomainEvent):
    report_id: Id
    author_member_id: Id | None = Field(description="set when a member wrote it")
    direct_report_point_id: Id | None = Field(default=None, description="set when a direct-report point (直报点) did")
    title: RecordedShortText
    body: RecordedLongText
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
