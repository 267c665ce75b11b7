"""Commands of the proposals service, as the HTTP command API accepts them (one JSON body each).

The actor, the committee and the time are never part of a command: they come from the bearer token and
the service's clock. Ids of new aggregates may be chosen by the client (so a retried call can name the
same aggregate) or are generated."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.bounded import (
    AnyDate,
    Base64File,
    BoundedList,
    DerivedIdentifier,
    Identifier,
    IdList,
    LongText,
    OptionalLongText,
    OptionalShortText,
    PastDate,
    ReasonText,
    Reference,
    ShortText,
    SuggestionIndex,
    TextList,
    Year,
    YearDays,
)
from contracts.proposals import (
    AssignmentMode,
    Category,
    ContactKind,
    LookbackOutcome,
    NotAcceptedConversion,
    Rating,
    ReferenceTopic,
    ReportLevel,
    ResultClass,
    SubmitterKind,
)
from contracts.proposals.common import Attachments
from contracts.proposals.past_proposal import PastProposalsFileName

# Field declarations many commands share; the types carry the bounds.
NewId = Field(default=None, description="optional; generated if absent")  # with `Identifier | None`
Reason = Field(description="always kept with the decision")  # with `ReasonText`
# A year the committee takes proposals for: the platform's years (the tighter lower bound is kept).
ProposalYear = Annotated[Year, Field(ge=2000)]
# From a look-back found partly implemented to the next one: up to two years.
LookbackMonths = Annotated[int, Field(ge=1, le=24)]
# From a reply to the end of its evaluation (评议): up to three months of working days.
EvaluationWorkingDays = Annotated[int, Field(ge=1, le=60)]
NextLookbackDue = Field(default=None, description="'partly': when to look back again (default: the committee's "
                                                  "look-back interval, 3 months unless set, after today)")


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---- solicitation, calendar -----------------------------------------------------------------------------

class PublishSolicitation(Command):
    """Publish reference topics (提案征集参考要目) for a submission window."""

    solicitation_id: Identifier | None = NewId
    year: ProposalYear = Field(description="the year the proposals will belong to")
    title: ShortText
    topics: BoundedList[ReferenceTopic] = Field(min_length=1)
    opens_on: AnyDate
    closes_on: AnyDate


class RecordHolidaySchedule(Command):
    """Record the State Council's official holiday schedule of a year; computed deadlines not yet reached
    are recomputed under it."""

    year: ProposalYear
    days_off: YearDays = Field(min_length=1)
    workdays: YearDays = Field(default_factory=list, description="weekend days worked (调休上班)")
    source: OptionalShortText = ""


# ---- drafting and submission ----------------------------------------------------------------------------

class ProposalText(Command):
    category: Category
    title: ShortText
    case: LongText = Field(description="案由")
    analysis: LongText
    suggestions: TextList = Field(min_length=1)
    attachments: Attachments = Field(default_factory=list)


class DraftProposal(ProposalText):
    """Start a proposal. A member drafts for themself (as lead, or as the contact of an organization,
    special committee or sector); office staff may draft on a proposer's behalf."""

    proposal_id: Identifier | None = NewId
    submitter_kind: SubmitterKind
    lead_member_id: Identifier | None = None
    cosigner_member_ids: IdList = Field(default_factory=list)
    organization_id: Identifier | None = None
    special_committee: ShortText | None = None
    sector: ShortText | None = None
    contact_member_id: Identifier | None = None
    solicitation_id: Identifier | None = None
    reference_topic: ShortText | None = None


class ReviseProposal(ProposalText):
    """Rewrite a draft, or a proposal returned for revision."""

    proposal_id: Identifier


class SubmitProposal(Command):
    """Submit a draft (or resubmit a returned proposal). Answers with similar proposals of earlier years."""

    proposal_id: Identifier
    cosign_deadline: AnyDate | None = Field(default=None, description="default: 5 working days after submission")


class WithdrawProposal(Command):
    proposal_id: Identifier
    reason: ReasonText = Reason


class ConfirmCosignature(Command):
    proposal_id: Identifier


class DeclineCosignature(Command):
    proposal_id: Identifier


# ---- review ---------------------------------------------------------------------------------------------

class AcceptProposal(Command):
    """Accept (立案): assigns the next number of the committee's year, e.g. 2026-017."""

    proposal_id: Identifier
    reason: ReasonText = Reason


class NotAcceptProposal(Command):
    """Not accept (不立案), converting it into an opinion letter (转意见建议函, sent to `unit_id`) or a
    public-opinion report."""

    proposal_id: Identifier
    converted_to: NotAcceptedConversion
    reason: ReasonText = Reason
    unit_id: Identifier | None = Field(default=None, description="opinion_letter: the unit the letter goes to "
                                                                 "(required for a letter, and only for one)")
    letter_text: LongText | None = Field(default=None, description="opinion_letter: the letter's text as the office "
                                                                   "edited it (default: the proposal's text)")


class AcknowledgeOpinionLetter(Command):
    """The unit's staff acknowledge an opinion letter sent to their unit (签收)."""

    letter_id: Identifier


class MergeProposal(Command):
    proposal_id: Identifier
    into_proposal_id: Identifier
    reason: ReasonText = Reason


class ReturnProposal(Command):
    proposal_id: Identifier
    reason: ReasonText = Reason


# ---- assignment -----------------------------------------------------------------------------------------

class AssignProposal(Command):
    """Issue the assignment slip (交办单): one lead unit with co-handling units, or several units separately.
    Without `deadline`, the deadline is three months (see proposals.deadlines)."""

    proposal_id: Identifier
    mode: AssignmentMode
    lead_unit_id: Identifier | None = None
    co_unit_ids: IdList = Field(default_factory=list)
    unit_ids: IdList = Field(default_factory=list, description="separate mode: the units")
    deadline: AnyDate | None = None
    note: OptionalLongText = ""

    @model_validator(mode="after")
    def _shape(self) -> AssignProposal:
        if self.mode is AssignmentMode.lead_with_co:
            if not self.lead_unit_id or self.unit_ids:
                raise ValueError("lead_with_co needs lead_unit_id (and co_unit_ids), not unit_ids")
        elif self.lead_unit_id or self.co_unit_ids or not self.unit_ids:
            raise ValueError("separate needs unit_ids, not lead_unit_id/co_unit_ids")
        return self


class RequestReassignment(Command):
    """A unit asks, within 5 working days of the assignment, to be re-assigned (申请调整)."""

    proposal_id: Identifier
    reason: ReasonText = Reason
    suggested_unit_id: Identifier | None = None


class GrantReassignment(Command):
    proposal_id: Identifier
    unit_id: Identifier
    new_unit_id: Identifier
    reason: ReasonText = Reason


class RefuseReassignment(Command):
    proposal_id: Identifier
    unit_id: Identifier
    reason: ReasonText = Reason


# ---- handling, reply, evaluation --------------------------------------------------------------------------

class RecordHandlingContact(Command):
    """The unit contacted or met the proposers (办理协商, 见面沟通)."""

    proposal_id: Identifier
    kind: ContactKind
    held_on: PastDate
    member_ids: IdList = Field(default_factory=list)
    summary: OptionalLongText = ""


class Promise(Command):
    text: LongText
    due: AnyDate


class ReplyToProposal(Command):
    """The unit's reply (答复) with its result class; a B reply lists what it promises and by when. The office
    records a reply letter a unit sent on paper by naming the unit (`unit_id`); a unit's staff reply for their
    own unit and leave it out."""

    proposal_id: Identifier
    unit_id: Identifier | None = None
    result_class: ResultClass
    text: LongText
    commitments: BoundedList[Promise] = Field(default_factory=list)


class CosignReply(Command):
    """A co-handling unit co-signs the lead unit's reply (会签)."""

    proposal_id: Identifier


class EvaluateReply(Command):
    """A proposer's feedback form (征询意见表) on one unit's reply. The office records a form a proposer
    filled in on paper by naming the proposer (`member_id`); a proposer evaluating leaves it out."""

    proposal_id: Identifier
    unit_id: Identifier
    member_id: Identifier | None = None
    rating: Rating
    attitude: Rating
    contact: Rating
    comment: OptionalLongText = ""


class ReopenHandling(Command):
    proposal_id: Identifier
    unit_id: Identifier
    reason: ReasonText = Reason


class ReviseReplyClass(Command):
    """The office reviews a reply and changes its result class; a change to B lists the promises."""

    proposal_id: Identifier
    unit_id: Identifier
    result_class: ResultClass
    reason: ReasonText = Reason
    commitments: BoundedList[Promise] = Field(default_factory=list)


# ---- key proposals, look-back, results ---------------------------------------------------------------------

class DesignateKeyProposal(Command):
    """Mark a key proposal (重点提案) for the chair meeting, with the leaders who supervise it."""

    proposal_id: Identifier
    supervising_leaders: IdList = Field(min_length=1)
    reason: OptionalLongText = ""


class ReportKeyProposalProgress(Command):
    proposal_id: Identifier
    text: LongText
    reported_on: PastDate | None = None


class ConcludeCommitmentLookback(Command):
    """'partly' schedules the next look-back; 'not' reopens the unit's handling."""

    proposal_id: Identifier
    lookback_id: DerivedIdentifier
    outcome: LookbackOutcome
    notes: OptionalLongText = ""
    next_lookback_due: AnyDate | None = NextLookbackDue


class SetLookbackInterval(Command):
    """The committee's interval from a look-back found partly implemented to the next one."""

    months: LookbackMonths


class SetEvaluationWindow(Command):
    """The committee's evaluation window: the proposers rate a reply within this many working days after the
    day it was given (10 until it is set); a rating still missing then is recorded as not evaluated."""

    working_days: EvaluationWorkingDays


class RecordProposalResult(Command):
    """A suggestion became policy, a plan or a project (成果转化)."""

    proposal_id: Identifier
    result_id: Identifier | None = NewId
    description: LongText
    document_ref: OptionalShortText = ""
    adopted_on: PastDate
    suggestion_indexes: BoundedList[SuggestionIndex] = Field(default_factory=list)


class RecordRecommendationReport(Command):
    """A recommendation report (建议案) to be looked back at."""

    recommendation_id: Identifier | None = NewId
    title: ShortText
    summary: OptionalLongText = ""
    addressed_to: OptionalShortText = ""
    sent_on: PastDate
    lookback_due: AnyDate


class ConcludeRecommendationLookback(Command):
    """'partly' schedules the next look-back (on `next_lookback_due`, else after the committee's interval);
    'not' reopens follow-up until `next_lookback_due`, which it requires."""

    recommendation_id: Identifier
    lookback_id: DerivedIdentifier
    outcome: LookbackOutcome
    notes: OptionalLongText = ""
    next_lookback_due: AnyDate | None = Field(default=None, description="required when the outcome is 'not'; "
                                              "when it is 'partly', the default is the committee's interval")


# ---- public-opinion reports ------------------------------------------------------------------------------

class SubmitOpinionReport(Command):
    """A member submits a report (社情民意信息); office staff may enter one for a member or a
    direct-report point (直报点)."""

    report_id: Identifier | None = NewId
    title: ShortText
    body: LongText
    category: Category | None = None
    author_member_id: Identifier | None = None
    direct_report_point_id: Reference | None = None


class EditOpinionReport(Command):
    report_id: Identifier
    title: ShortText
    body: LongText
    note: OptionalLongText = ""


class ForwardOpinionReport(Command):
    report_id: Identifier
    level: ReportLevel
    recipient: OptionalShortText = ""


class RecordOpinionReportAdoption(Command):
    report_id: Identifier
    level: ReportLevel
    adopted_by: OptionalShortText = ""
    adopted_on: PastDate | None = None


class RecordOpinionReportInstruction(Command):
    report_id: Identifier
    leader: ShortText = Field(description="the leader's office title")
    level: ReportLevel
    instruction: OptionalLongText = ""
    instructed_on: PastDate | None = None


class PublishOpinionReport(Command):
    report_id: Identifier
    issue: ShortText = Field(description="e.g. 2026年第5期")


# ---- proposals of earlier years -----------------------------------------------------------------------------

class ImportPastProposals(Command):
    """Import proposals of earlier years (往年提案) from a CSV or XLSX file (base64), columns 编号/number, 年度/year,
    标题/title, 内容/text or 案由/case and 建议/suggestions, 承办单位/units (ids or names separated by 、 or ;),
    办理结果/result class (A/B/C); new submissions are then offered them as similar proposals of earlier years.
    All rows in one transaction; a row whose year is not before this one, whose number repeats or is taken, or
    that names an unknown unit is refused by row and skipped; the answer reports each row (office staff, admin)."""

    filename: PastProposalsFileName
    content_base64: Base64File
