"""Events of a proposal (提案), from draft to look-back. Every event names its `proposal_id`; the committee
is the envelope's `committee_id`. Members, units and leaders appear by id only."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from contracts import topics
from contracts.bounded import (
    BoundedList,
    Count,
    Ordinal,
    RecordedDate,
    RecordedList,
    RecordedListItem,
    RecordedLongText,
    RecordedShortText,
    RecordedYear,
)
from contracts.proposals.common import Attachments, Id, RatingEntry
from contracts.proposals.enums import (
    AssignmentMode,
    Category,
    ContactKind,
    DeadlineRule,
    NotAcceptedConversion,
    Rating,
    ReopenReason,
    ResultClass,
    SubmitterKind,
    UnitRole,
)
from contracts.registry import DomainEvent, event_type, upcaster
from contracts.sealed import sealed_until

P = topics.PROPOSALS


# ---- drafting and submission ---------------------------------------------------------------------------

@event_type("proposal-drafted", version=1, topic=P)
class ProposalDrafted(DomainEvent):
    proposal_id: Id
    submitter_kind: SubmitterKind
    lead_member_id: Id | None = Field(description="the lead proposer of an individual or joint proposal")
    # The command's bound (50), not RecordedList's: this is the largest event (the whole text of a proposal),
    # and its worst case must stay well under a Kafka message (contracts/tests/test_message_size.py).
    cosigner_member_ids: BoundedList[Id] = Field(default_factory=list, description="invited co-signers (joint only)")
    organization_id: Id | None = None
    special_committee: RecordedShortText | None = None
    sector: RecordedShortText | None = None
    contact_member_id: Id | None = Field(default=None, description="the member acting for an organization, "
                                         "special committee or sector; fills the feedback form")
    category: Category
    title: RecordedShortText
    case: RecordedLongText = Field(description="案由")
    analysis: RecordedLongText
    suggestions: BoundedList[RecordedListItem]
    attachments: Attachments = Field(default_factory=list)
    solicitation_id: Id | None = None
    reference_topic: RecordedShortText | None = Field(default=None,
                                                      description="the reference topic it answers, if any")
    entered_by_office: bool = Field(default=False, description="office staff entered it for the proposer")


@event_type("proposal-revised", version=1, topic=P)
class ProposalRevised(DomainEvent):
    """The proposer rewrote a draft or a proposal returned for revision (the whole text is replaced)."""

    proposal_id: Id
    category: Category
    title: RecordedShortText
    case: RecordedLongText
    analysis: RecordedLongText
    suggestions: BoundedList[RecordedListItem]
    attachments: Attachments = Field(default_factory=list)


@event_type("proposal-submitted", version=1, topic=P)
class ProposalSubmitted(DomainEvent):
    proposal_id: Id
    year: RecordedYear
    submitter_kind: SubmitterKind
    lead_member_id: Id | None
    cosigner_member_ids: RecordedList[Id] = Field(default_factory=list, description="invited; each must confirm")
    organization_id: Id | None = None
    special_committee: RecordedShortText | None = None
    sector: RecordedShortText | None = None
    contact_member_id: Id | None = None
    category: Category
    title: RecordedShortText
    cosign_deadline: RecordedDate | None = Field(default=None, description="last day co-signers may confirm")
    solicitation_id: Id | None = None


@event_type("proposal-resubmitted", version=1, topic=P)
class ProposalResubmitted(DomainEvent):
    """Submitted again after being returned for revision."""

    proposal_id: Id
    year: RecordedYear
    category: Category
    title: RecordedShortText


@event_type("proposal-withdrawn", version=1, topic=P)
class ProposalWithdrawn(DomainEvent):
    proposal_id: Id
    reason: RecordedLongText


@event_type("cosigner-confirmed", version=1, topic=P)
class CosignerConfirmed(DomainEvent):
    proposal_id: Id
    member_id: Id


@event_type("cosigner-declined", version=1, topic=P)
class CosignerDeclined(DomainEvent):
    proposal_id: Id
    member_id: Id


@event_type("cosigner-lapsed", version=1, topic=P)
class CosignerLapsed(DomainEvent):
    """The co-signer did not confirm by the deadline; the proposal goes ahead without them."""

    proposal_id: Id
    member_id: Id
    deadline: RecordedDate


# ---- review (审查立案) ----------------------------------------------------------------------------------

@event_type("proposal-number-assigned", version=1, topic=P)
class ProposalNumberAssigned(DomainEvent):
    """Recorded on the committee's numbering stream of the year, in the same transaction as the acceptance,
    so numbers are unique and gap-free."""

    proposal_id: Id
    year: RecordedYear
    sequence: Count
    number: Id


@event_type("proposal-accepted", version=1, topic=P)
class ProposalAccepted(DomainEvent):
    proposal_id: Id
    number: Id = Field(description="e.g. 2026-017: year and sequence, per committee")
    year: RecordedYear
    sequence: Count
    category: Category
    submitter_kind: SubmitterKind
    lead_member_id: Id | None
    cosigner_member_ids: RecordedList[Id] = Field(default_factory=list, description="the co-signers who confirmed")
    organization_id: Id | None = None
    special_committee: RecordedShortText | None = None
    sector: RecordedShortText | None = None
    contact_member_id: Id | None = None
    merged_proposer_ids: RecordedList[Id] = Field(
        default_factory=list, description="proposers of proposals merged into this one (并案), not named above")
    reason: RecordedLongText


@event_type("proposal-not-accepted", version=1, topic=P)
class ProposalNotAccepted(DomainEvent):
    proposal_id: Id
    converted_to: NotAcceptedConversion
    reason: RecordedLongText
    opinion_report_id: Id | None = Field(default=None, description="the report it became, if converted to one")
    opinion_letter_id: Id | None = Field(default=None, description="the letter it became, if converted to one")


@event_type("proposal-merged", version=1, topic=P)
class ProposalMerged(DomainEvent):
    """This proposal is handled together with `into_proposal_id` (并案) and needs no handling of its own."""

    proposal_id: Id
    into_proposal_id: Id
    reason: RecordedLongText


@event_type("proposal-merge-received", version=2, topic=P)
class ProposalMergeReceived(DomainEvent):
    """On the proposal that absorbs another one. The merged proposal's proposers become proposers of this one:
    they evaluate its replies and are credited with it as joint proposers. v2 names them, and says whether this
    proposal is accepted (立案) or a key proposal already, so their credit needs no other event."""

    proposal_id: Id
    from_proposal_id: Id
    reason: RecordedLongText
    proposer_member_ids: RecordedList[Id] = Field(
        description="the merged proposal's lead, co-signers who confirmed and contact member (and those merged into "
                    "it), who were not proposers of this one already")
    year: RecordedYear | None = Field(default=None, description="this proposal's year")
    accepted: bool = Field(default=False, description="this proposal was accepted before the merge")
    key: bool = Field(default=False, description="this proposal was a key proposal before the merge")


@upcaster("proposal-merge-received", from_version=1)
def _merge_received_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    # v1 named nobody: a merge recorded then made no one a proposer of the target, and reads back that way.
    return {**data, "proposer_member_ids": [], "year": None, "accepted": False, "key": False}


@event_type("proposal-returned", version=1, topic=P)
class ProposalReturned(DomainEvent):
    proposal_id: Id
    reason: RecordedLongText


# ---- assignment (交办) ----------------------------------------------------------------------------------

@event_type("proposal-assigned", version=1, topic=P)
class ProposalAssigned(DomainEvent):
    """The assignment slip (交办单)."""

    proposal_id: Id
    mode: AssignmentMode
    lead_unit_id: Id | None = Field(description="lead_with_co only")
    co_unit_ids: RecordedList[Id] = Field(default_factory=list, description="lead_with_co only")
    unit_ids: RecordedList[Id] = Field(description="every unit involved (lead first, or the separate units)")
    assigned_on: RecordedDate
    deadline: RecordedDate
    deadline_rule: DeadlineRule
    reassignment_window_ends: RecordedDate = Field(description="last working day a unit may ask to be re-assigned")
    note: RecordedLongText = ""


@event_type("reassignment-requested", version=1, topic=P)
class ReassignmentRequested(DomainEvent):
    proposal_id: Id
    unit_id: Id
    reason: RecordedLongText
    suggested_unit_id: Id | None = None


@event_type("reassignment-granted", version=1, topic=P)
class ReassignmentGranted(DomainEvent):
    """The unit is released; `new_unit_id` takes its place with a fresh deadline. The unit lists after the
    change are repeated so a reader needs no other event."""

    proposal_id: Id
    unit_id: Id
    new_unit_id: Id
    role: UnitRole
    reason: RecordedLongText
    granted_on: RecordedDate
    deadline: RecordedDate
    reassignment_window_ends: RecordedDate
    lead_unit_id: Id | None
    co_unit_ids: RecordedList[Id]
    unit_ids: RecordedList[Id]


@event_type("reassignment-refused", version=1, topic=P)
class ReassignmentRefused(DomainEvent):
    proposal_id: Id
    unit_id: Id
    reason: RecordedLongText


@event_type("handling-deadline-recomputed", version=1, topic=P)
class HandlingDeadlineRecomputed(DomainEvent):
    """A computed deadline moved because the official holiday schedule of a year was recorded."""

    proposal_id: Id
    unit_id: Id
    round: Count
    previous_deadline: RecordedDate
    deadline: RecordedDate
    reason: RecordedLongText


@event_type("handling-overdue", version=1, topic=P)
class HandlingOverdue(DomainEvent):
    """The unit's deadline passed without a reply (noticed by the deadline watcher)."""

    proposal_id: Id
    unit_id: Id
    round: Count
    deadline: RecordedDate


# ---- handling and reply (办理、答复) ----------------------------------------------------------------------

@event_type("handling-contact-recorded", version=1, topic=P)
class HandlingContactRecorded(DomainEvent):
    proposal_id: Id
    unit_id: Id
    kind: ContactKind
    held_on: RecordedDate
    member_ids: RecordedList[Id] = Field(default_factory=list, description="proposers who took part")
    summary: RecordedLongText = ""


@event_type("proposal-replied", version=1, topic=P)
class ProposalReplied(DomainEvent):
    proposal_id: Id
    unit_id: Id
    result_class: ResultClass
    text: RecordedLongText
    round: Ordinal = Field(description="1 for the first reply, 2 after re-handling, ...")
    on_time: bool
    replied_on: RecordedDate
    deadline: RecordedDate
    cosigning_unit_ids: RecordedList[Id] = Field(default_factory=list,
                                                 description="co-handling units expected to co-sign")
    # Added without a version: a reply recorded before evaluation deadlines existed has none, and is never
    # recorded as not evaluated.
    evaluation_due: RecordedDate | None = Field(
        default=None, description="last day the proposers rate this reply (the committee's working days after "
                                  "replied_on); a rating still missing then is recorded as not evaluated")
    evaluator_member_ids: RecordedList[Id] = Field(default_factory=list,
                                                   description="the proposers asked to rate this reply")


@event_type("reply-cosigned", version=1, topic=P)
class ReplyCosigned(DomainEvent):
    proposal_id: Id
    unit_id: Id
    lead_unit_id: Id
    round: Count


@event_type("commitment-recorded", version=1, topic=P)
class CommitmentRecorded(DomainEvent):
    """A B-class promise, tracked until its look-back."""

    proposal_id: Id
    commitment_id: Id
    unit_id: Id
    round: Count
    text: RecordedLongText
    due: RecordedDate


# ---- evaluation (评议) ----------------------------------------------------------------------------------

# A proposer's answers are sealed until every proposer has rated the reply (no pressured satisfaction, 被满意):
# until then only the office and the proposer themself read them (`contracts.sealed`).
SEALED_UNTIL_COMPLETED = sealed_until("evaluations-completed", owner="member_id")


@event_type("proposal-evaluated", version=1, topic=P)
class ProposalEvaluated(DomainEvent):
    """One proposer's feedback form on one unit's reply. Its answers are sealed: a unit, another proposer or
    an outside system reads them only from `evaluations-completed` for that reply on."""

    proposal_id: Id
    unit_id: Id
    round: Count
    member_id: Id
    rating: Rating = Field(json_schema_extra=SEALED_UNTIL_COMPLETED)
    attitude: Rating = Field(json_schema_extra=SEALED_UNTIL_COMPLETED)
    contact: Rating = Field(json_schema_extra=SEALED_UNTIL_COMPLETED)
    comment: RecordedLongText = Field("", json_schema_extra=SEALED_UNTIL_COMPLETED)


@event_type("evaluations-completed", version=1, topic=P)
class EvaluationsCompleted(DomainEvent):
    """Every proposer has rated the reply; from now on the unit sees the ratings."""

    proposal_id: Id
    unit_id: Id
    round: Count
    ratings: RecordedList[RatingEntry]
    dissatisfied: bool


@event_type("evaluation-lapsed", version=1, topic=P)
class EvaluationLapsed(DomainEvent):
    """The reply's evaluation deadline passed with ratings missing (noticed by the deadline watcher): those
    proposers did not evaluate (未评议). The round is completed with the ratings given (`evaluations-completed`
    follows in the same commit, releasing them); a rating arriving later is refused."""

    proposal_id: Id
    unit_id: Id
    round: Count
    deadline: RecordedDate = Field(description="the evaluation deadline that passed")
    not_rated_member_ids: RecordedList[Id] = Field(description="the proposers who did not rate the reply")
    not_rated: Count = Field(description="how many proposers did not rate it")
    rated: Count = Field(description="how many proposers rated it by the deadline")


@event_type("evaluation-window-set", version=1, topic=P)
class EvaluationWindowSet(DomainEvent):
    """The committee's evaluation window: working days after a reply's day (10 until it is set)."""

    working_days: Count


@event_type("handling-reopened", version=1, topic=P)
class HandlingReopened(DomainEvent):
    proposal_id: Id
    unit_id: Id
    round: Count = Field(description="the round the next reply will carry")
    reason_kind: ReopenReason
    reason: RecordedLongText
    reopened_on: RecordedDate
    deadline: RecordedDate


@event_type("reply-class-revised", version=1, topic=P)
class ReplyClassRevised(DomainEvent):
    proposal_id: Id
    unit_id: Id
    round: Count
    previous_class: ResultClass
    result_class: ResultClass
    reason: RecordedLongText


# ---- key proposals (重点提案) -----------------------------------------------------------------------------

@event_type("key-proposal-designated", version=1, topic=P)
class KeyProposalDesignated(DomainEvent):
    proposal_id: Id
    year: RecordedYear
    supervising_leaders: RecordedList[Id] = Field(description="member ids of the chair-meeting members who supervise")
    lead_member_id: Id | None
    cosigner_member_ids: RecordedList[Id] = Field(default_factory=list)
    organization_id: Id | None = None
    merged_proposer_ids: RecordedList[Id] = Field(
        default_factory=list, description="proposers of proposals merged into this one (并案), not named above")
    reason: RecordedLongText = ""


@event_type("key-proposal-progress-reported", version=1, topic=P)
class KeyProposalProgressReported(DomainEvent):
    proposal_id: Id
    reported_on: RecordedDate
    text: RecordedLongText
    unit_id: Id | None = Field(default=None, description="the reporting unit, if a unit reported")


# ---- results (成果转化) ----------------------------------------------------------------------------------

@event_type("proposal-result-recorded", version=1, topic=P)
class ProposalResultRecorded(DomainEvent):
    """A suggestion of the proposal became policy, a plan or a project."""

    proposal_id: Id
    result_id: Id
    description: RecordedLongText
    document_ref: RecordedShortText = Field(default="", description="the policy document's number or reference")
    adopted_on: RecordedDate
    suggestion_indexes: RecordedList[Count] = Field(default_factory=list, description="which suggestions (0-based)")
