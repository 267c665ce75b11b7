"""The proposal decider: `decide(state, issued) -> events`, refusing with a DomainError that names the rule.

Who may do what is checked here, against the state (only assigned units reply, only proposers evaluate,
members see their own drafts), so the rules are tested without I/O. Facts from other aggregates (the next
number, the merge target, the solicitation window) are looked up by the handler and passed in as part of
the command."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from contracts.envelope import Role
from contracts.proposals import (
    AssignmentMode,
    CommitmentRecorded,
    CosignerConfirmed,
    CosignerDeclined,
    CosignerLapsed,
    DeadlineRule,
    EvaluationLapsed,
    EvaluationsCompleted,
    HandlingContactRecorded,
    HandlingDeadlineRecomputed,
    HandlingOverdue,
    HandlingReopened,
    KeyProposalDesignated,
    KeyProposalProgressReported,
    LookbackConcluded,
    LookbackOpened,
    LookbackOutcome,
    LookbackScheduled,
    LookbackSubject,
    NotAcceptedConversion,
    ProposalAccepted,
    ProposalAssigned,
    ProposalDrafted,
    ProposalEvaluated,
    ProposalMerged,
    ProposalMergeReceived,
    ProposalNotAccepted,
    ProposalReplied,
    ProposalResubmitted,
    ProposalResultRecorded,
    ProposalReturned,
    ProposalRevised,
    ProposalSubmitted,
    ProposalWithdrawn,
    Rating,
    RatingEntry,
    ReassignmentGranted,
    ReassignmentRefused,
    ReassignmentRequested,
    ReopenReason,
    ReplyClassRevised,
    ReplyCosigned,
    ResultClass,
    SubmitterKind,
    UnitRole,
)
from contracts.proposals import commands as c
from contracts.registry import DomainEvent
from contracts.roles import OFFICE, OFFICE_OR_LEADERSHIP, SYSTEM
from eventstore.decider import Decider
from eventstore.errors import NotAuthorized
from eventstore.issued import Issued, require_role
from proposals import deadlines
from proposals.domain.lookback_policy import ConcludeLookback, next_due
from proposals.domain.proposal_state import ProposalState, Status, UnitState, evolve
from proposals.domain.refusals import refuse, require_reason

# ---- commands the handler completes with facts from elsewhere ---------------------------------------------


@dataclass(frozen=True)
class SolicitationWindow:
    """What a proposal needs to know of the solicitation it answers."""

    solicitation_id: str
    year: int
    opens_on: date
    closes_on: date
    topic_titles: frozenset[str]


@dataclass(frozen=True)
class Draft:
    proposal_id: str
    command: c.DraftProposal
    solicitation: SolicitationWindow | None


@dataclass(frozen=True)
class Submit:
    command: c.SubmitProposal
    solicitation: SolicitationWindow | None


@dataclass(frozen=True)
class AcceptNumbered:
    command: c.AcceptProposal
    year: int
    sequence: int
    number: str


@dataclass(frozen=True)
class NotAccept:
    command: c.NotAcceptProposal
    opinion_report_id: str | None
    opinion_letter_id: str | None = None


@dataclass(frozen=True)
class MergeInto:
    command: c.MergeProposal
    target: ProposalState


@dataclass(frozen=True)
class ReceiveMerge:
    """The target's side of a merge, with the merged proposal's proposers (who become the target's)."""

    from_proposal_id: str
    reason: str
    proposer_member_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordResult:
    command: c.RecordProposalResult
    result_id: str


@dataclass(frozen=True)
class Reply:
    """A unit's reply, with the committee's evaluation window the handler read (the evaluation deadline is
    that many working days after the reply's day)."""

    command: c.ReplyToProposal
    evaluation_working_days: int = deadlines.EVALUATION_WORKING_DAYS


@dataclass(frozen=True)
class ApplyDeadlines:
    """The deadline watcher's sweep: lapse co-signers after their deadline, flag overdue handling, open
    look-backs of commitments due, move computed deadlines under a newly recorded calendar, and record a
    reply whose evaluation deadline passed with ratings missing as not evaluated."""


Events = list[DomainEvent]


# ---- shared checks -----------------------------------------------------------------------------------------

def _is_owner(state: ProposalState, issued: Issued[object]) -> bool:
    if issued.role is Role.member:
        return issued.actor.member_id is not None and issued.actor.member_id == state.owner_member_id
    return issued.role is Role.office_staff and state.drafted_by_office


def _visible(state: ProposalState, issued: Issued[object]) -> None:
    """A proposal that does not exist, or a draft of someone else, is unknown to the caller."""
    if state.status is Status.none:
        raise refuse("proposal_not_found", "no such proposal in this committee")
    if state.status is Status.draft and not _is_owner(state, issued) and issued.role not in SYSTEM:
        raise refuse("proposal_not_found", "no such proposal in this committee")
    # A handling unit's staff see only what is assigned to their unit.
    if issued.role is Role.unit_staff and state.unit(issued.actor.unit_id) is None:
        raise refuse("proposal_not_found", "no such proposal assigned to your unit")


def _require_owner(state: ProposalState, issued: Issued[object], what: str) -> None:
    if not _is_owner(state, issued):
        raise NotAuthorized(f"only the proposer may {what}")


def _require_status(state: ProposalState, allowed: set[Status], rule: str, what: str) -> None:
    """`what` is the step as a gerund phrase ("accepting a proposal"), as `require_role` takes it."""
    if state.status not in allowed:
        raise refuse(rule, f"{what[:1].upper()}{what[1:]} is not possible: the proposal is {state.status.value}",
                     status=state.status.value)


def _acting_unit(state: ProposalState, issued: Issued[object]) -> UnitState:
    """The caller's unit on this proposal's slip; other units do not see the proposal's handling."""
    require_role(issued, frozenset({Role.unit_staff}), "handling")
    unit = state.unit(issued.actor.unit_id)
    assert unit is not None, "_visible lets only units on the slip through"
    return unit


def _not_after_today(day: date, today: date, what: str, field: str) -> None:
    if day > today:
        raise refuse("date_in_future", f"{what} cannot be later than today", fields=[field], date=day.isoformat())


def _distinct(ids: Sequence[str], what: str) -> None:
    if len(set(ids)) != len(ids):
        raise refuse("duplicate_ids", f"{what} are listed twice")


# ---- drafting and submission -------------------------------------------------------------------------------

def _draft(state: ProposalState, cmd: Draft, issued: Issued[object]) -> Events:
    if state.status is not Status.none:
        raise refuse("proposal_exists", "a proposal with this id already exists")
    d = cmd.command
    kind = d.submitter_kind
    collective = kind not in (SubmitterKind.individual, SubmitterKind.joint)
    lead, contact = d.lead_member_id, d.contact_member_id
    if issued.role is Role.member:
        me = issued.actor.member_id
        if collective:
            contact = contact or me
            if contact != me:
                raise NotAuthorized("a member drafts for a collective only as its contact")
        else:
            lead = lead or me
            if lead != me:
                raise NotAuthorized("a member drafts only their own proposals; co-signers confirm themselves")
    elif issued.role is not Role.office_staff:
        raise NotAuthorized(f"{issued.role.value} cannot draft proposals")
    if collective:
        if lead or d.cosigner_member_ids:
            raise refuse("submitter_mismatch", f"a {kind.value} proposal has no lead member or co-signers")
        if not contact:
            raise refuse("contact_required", "a collective proposal names the member who acts for it")
        needed = {SubmitterKind.organization: d.organization_id, SubmitterKind.special_committee:
                  d.special_committee, SubmitterKind.sector: d.sector}[kind]
        if not needed:
            raise refuse("submitter_required", f"a {kind.value} proposal names its {kind.value}")
    else:
        if not lead:
            raise refuse("lead_required", "an individual or joint proposal names its lead member")
        if d.organization_id or d.special_committee or d.sector or contact:
            raise refuse("submitter_mismatch", "a member's proposal names no organization, committee or sector")
        if kind is SubmitterKind.individual and d.cosigner_member_ids:
            raise refuse("submitter_mismatch", "an individual proposal has no co-signers; submit it jointly")
        if kind is SubmitterKind.joint and not d.cosigner_member_ids:
            raise refuse("cosigners_required", "a joint proposal invites at least one co-signer")
        if lead in d.cosigner_member_ids:
            raise refuse("lead_is_cosigner", "the lead cannot also co-sign")
        _distinct(d.cosigner_member_ids, "co-signers")
    if d.solicitation_id:
        if cmd.solicitation is None:
            raise refuse("solicitation_not_found", "no such solicitation in this committee")
        if d.reference_topic and d.reference_topic not in cmd.solicitation.topic_titles:
            raise refuse("unknown_reference_topic", "the solicitation lists no such reference topic")
    elif d.reference_topic:
        raise refuse("unknown_reference_topic", "a reference topic belongs to a solicitation")
    return [ProposalDrafted(
        proposal_id=cmd.proposal_id, submitter_kind=kind, lead_member_id=lead,
        cosigner_member_ids=list(d.cosigner_member_ids), organization_id=d.organization_id,
        special_committee=d.special_committee, sector=d.sector, contact_member_id=contact, category=d.category,
        title=d.title, case=d.case, analysis=d.analysis, suggestions=list(d.suggestions),
        attachments=list(d.attachments), solicitation_id=d.solicitation_id, reference_topic=d.reference_topic,
        entered_by_office=issued.role is Role.office_staff)]


def _revise(state: ProposalState, cmd: c.ReviseProposal, issued: Issued[object]) -> Events:
    _require_owner(state, issued, "revise the proposal")
    _require_status(state, {Status.draft, Status.returned}, "not_revisable", "revising a proposal")
    return [ProposalRevised(proposal_id=state.proposal_id, category=cmd.category, title=cmd.title, case=cmd.case,
                            analysis=cmd.analysis, suggestions=list(cmd.suggestions),
                            attachments=list(cmd.attachments))]


def _submit(state: ProposalState, cmd: Submit, issued: Issued[object]) -> Events:
    _require_owner(state, issued, "submit the proposal")
    _require_status(state, {Status.draft, Status.returned}, "already_submitted", "submitting a proposal")
    window = cmd.solicitation
    if state.solicitation_id:
        if window is None:
            raise refuse("solicitation_not_found", "the solicitation is unknown")
        if not window.opens_on <= issued.today <= window.closes_on:
            raise refuse("outside_submission_window", "the solicitation's submission window is not open",
                         opens_on=window.opens_on.isoformat(), closes_on=window.closes_on.isoformat())
    year = window.year if window else issued.today.year
    assert state.category is not None and state.submitter_kind is not None
    if state.status is Status.returned:
        return [ProposalResubmitted(proposal_id=state.proposal_id, year=year, category=state.category,
                                    title=state.title)]
    cosign_deadline = None
    if state.invited:
        cosign_deadline = cmd.command.cosign_deadline or deadlines.cosign_deadline(issued.today, issued.calendar)
        if cosign_deadline < issued.today:
            raise refuse("deadline_in_past", "the co-signers' deadline has passed already", fields=["cosign_deadline"])
    elif cmd.command.cosign_deadline:
        raise refuse("no_cosigners", "only a joint proposal has a co-signers' deadline")
    return [ProposalSubmitted(
        proposal_id=state.proposal_id, year=year, submitter_kind=state.submitter_kind,
        lead_member_id=state.lead_member_id, cosigner_member_ids=list(state.invited),
        organization_id=state.organization_id, special_committee=state.special_committee, sector=state.sector,
        contact_member_id=state.contact_member_id, category=state.category, title=state.title,
        cosign_deadline=cosign_deadline, solicitation_id=state.solicitation_id)]


def _withdraw(state: ProposalState, cmd: c.WithdrawProposal, issued: Issued[object]) -> Events:
    _require_owner(state, issued, "withdraw the proposal")
    _require_status(state, {Status.draft, Status.submitted, Status.returned}, "cannot_withdraw",
                    "withdrawing a proposal")
    require_reason(cmd.reason)
    return [ProposalWithdrawn(proposal_id=state.proposal_id, reason=cmd.reason)]


def _cosigner(state: ProposalState, issued: Issued[object]) -> str:
    require_role(issued, frozenset({Role.member}), "co-signing")
    member = issued.actor.member_id
    if member not in state.invited:
        raise NotAuthorized("you are not invited to co-sign this proposal")
    _require_status(state, {Status.submitted, Status.returned}, "review_decided", "co-signing a proposal")
    if member in state.confirmed:
        raise refuse("already_confirmed", "you confirmed already")
    if member in state.declined or member in state.lapsed:
        raise refuse("cosign_closed", "you declined or let the deadline pass")
    if state.cosign_deadline is not None and issued.today > state.cosign_deadline:
        raise refuse("cosign_window_closed", "the co-signers' deadline has passed",
                     deadline=state.cosign_deadline.isoformat())
    assert member is not None
    return member


def _confirm(state: ProposalState, cmd: c.ConfirmCosignature, issued: Issued[object]) -> Events:
    return [CosignerConfirmed(proposal_id=state.proposal_id, member_id=_cosigner(state, issued))]


def _decline(state: ProposalState, cmd: c.DeclineCosignature, issued: Issued[object]) -> Events:
    return [CosignerDeclined(proposal_id=state.proposal_id, member_id=_cosigner(state, issued))]


def _lapses(state: ProposalState, today: date) -> Events:
    """Co-signers who let the deadline pass drop out; the proposal goes ahead without them."""
    if state.cosign_deadline is None or today <= state.cosign_deadline:
        return []
    return [CosignerLapsed(proposal_id=state.proposal_id, member_id=m, deadline=state.cosign_deadline)
            for m in state.pending_cosigners]


# ---- review ------------------------------------------------------------------------------------------------

def _under_review(state: ProposalState, issued: Issued[object], what: str) -> None:
    require_role(issued, OFFICE, what)
    _require_status(state, {Status.submitted}, "not_under_review", what)


def _accept(state: ProposalState, cmd: AcceptNumbered, issued: Issued[object]) -> Events:
    _under_review(state, issued, "accepting a proposal")
    require_reason(cmd.command.reason)
    if state.pending_cosigners and state.cosign_deadline and issued.today <= state.cosign_deadline:
        raise refuse("cosigners_pending", "co-signers may still confirm until their deadline",
                     deadline=state.cosign_deadline.isoformat(), pending=list(state.pending_cosigners))
    lapsed = _lapses(state, issued.today)
    confirmed = [m for m in state.invited if m in state.confirmed]
    assert state.category is not None and state.submitter_kind is not None
    return [*lapsed, ProposalAccepted(
        proposal_id=state.proposal_id, number=cmd.number, year=cmd.year, sequence=cmd.sequence,
        category=state.category, submitter_kind=state.submitter_kind, lead_member_id=state.lead_member_id,
        cosigner_member_ids=confirmed, organization_id=state.organization_id,
        special_committee=state.special_committee, sector=state.sector, contact_member_id=state.contact_member_id,
        merged_proposer_ids=state.merged_only_proposers, reason=cmd.command.reason)]


def _not_accept(state: ProposalState, cmd: NotAccept, issued: Issued[object]) -> Events:
    _under_review(state, issued, "not accepting a proposal")
    require_reason(cmd.command.reason)
    n = cmd.command
    to_report = n.converted_to is NotAcceptedConversion.opinion_report
    to_letter = n.converted_to is NotAcceptedConversion.opinion_letter
    if to_letter and not n.unit_id:
        raise refuse("unit_required", "an opinion letter is addressed to a unit: name it", fields=["unit_id"])
    if not to_letter:
        extra = [name for name in ("unit_id", "letter_text") if getattr(n, name) is not None]
        if extra:
            raise refuse("letter_fields_without_letter", "only a proposal converted to an opinion letter names the "
                         "letter's unit or text", fields=extra)
    if to_report != (cmd.opinion_report_id is not None) or to_letter != (cmd.opinion_letter_id is not None):
        raise ValueError("a report or letter id goes with a conversion to a report or a letter, and only then")
    return [ProposalNotAccepted(proposal_id=state.proposal_id, converted_to=n.converted_to, reason=n.reason,
                                opinion_report_id=cmd.opinion_report_id, opinion_letter_id=cmd.opinion_letter_id)]


def _merge(state: ProposalState, cmd: MergeInto, issued: Issued[object]) -> Events:
    _under_review(state, issued, "merging a proposal")
    require_reason(cmd.command.reason)
    target = cmd.target
    if target.status in (Status.none, Status.draft):
        raise refuse("proposal_not_found", f"no proposal {cmd.command.into_proposal_id} to merge into")
    if target.proposal_id == state.proposal_id or cmd.command.into_proposal_id == state.proposal_id:
        raise refuse("merge_into_itself", "a proposal cannot be merged into itself")
    if target.status not in (Status.submitted, Status.accepted):
        raise refuse("merge_target_invalid", "merge only into a proposal under review or accepted",
                     target_status=target.status.value)
    return [ProposalMerged(proposal_id=state.proposal_id, into_proposal_id=cmd.command.into_proposal_id,
                           reason=cmd.command.reason)]


def _receive_merge(state: ProposalState, cmd: ReceiveMerge, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "merging a proposal")
    if state.status not in (Status.submitted, Status.accepted):
        raise refuse("merge_target_invalid", "merge only into a proposal under review or accepted",
                     target_status=state.status.value)
    if cmd.from_proposal_id in state.absorbed:
        raise refuse("already_merged", "this proposal was merged in already")
    # Those who are proposers of this one already stay what they are (a lead stays the lead).
    joining = [m for m in dict.fromkeys(cmd.proposer_member_ids) if m not in state.proposers]
    return [ProposalMergeReceived(proposal_id=state.proposal_id, from_proposal_id=cmd.from_proposal_id,
                                  reason=cmd.reason, proposer_member_ids=joining,
                                  year=state.year, accepted=state.status is Status.accepted, key=state.key)]


def _return(state: ProposalState, cmd: c.ReturnProposal, issued: Issued[object]) -> Events:
    _under_review(state, issued, "returning a proposal")
    require_reason(cmd.reason)
    return [ProposalReturned(proposal_id=state.proposal_id, reason=cmd.reason)]


# ---- assignment --------------------------------------------------------------------------------------------

def _assign(state: ProposalState, cmd: c.AssignProposal, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "assigning a proposal")
    _require_status(state, {Status.accepted}, "not_accepted", "assigning a proposal")
    if state.assigned:
        raise refuse("already_assigned", "the proposal is assigned already; a unit may ask to be re-assigned")
    if cmd.mode is AssignmentMode.lead_with_co:
        assert cmd.lead_unit_id is not None
        unit_ids = [cmd.lead_unit_id, *cmd.co_unit_ids]
    else:
        unit_ids = list(cmd.unit_ids)
    _distinct(unit_ids, "units")
    today, cal = issued.today, issued.calendar
    if cmd.deadline is not None:
        if cmd.deadline <= today:
            raise refuse("deadline_in_past", "the deadline must be after the day of assignment", fields=["deadline"])
        deadline, rule = cmd.deadline, DeadlineRule.explicit
    else:
        deadline, rule = deadlines.handling_deadline(today, cal), DeadlineRule.three_months
    return [ProposalAssigned(
        proposal_id=state.proposal_id, mode=cmd.mode, lead_unit_id=cmd.lead_unit_id,
        co_unit_ids=list(cmd.co_unit_ids), unit_ids=unit_ids, assigned_on=today, deadline=deadline,
        deadline_rule=rule, reassignment_window_ends=deadlines.reassignment_window_end(today, cal), note=cmd.note)]


def _request_reassignment(state: ProposalState, cmd: c.RequestReassignment, issued: Issued[object]) -> Events:
    unit = _acting_unit(state, issued)
    require_reason(cmd.reason)
    if unit.reassignment_requested:
        raise refuse("reassignment_already_requested", "your unit has asked to be re-assigned already")
    if unit.replied_round:
        raise refuse("already_replied", "your unit has replied; it can no longer ask to be re-assigned")
    if issued.today > unit.window_ends:
        raise refuse("reassignment_window_closed", "re-assignment may be asked within 5 working days",
                     window_ends=unit.window_ends.isoformat())
    return [ReassignmentRequested(proposal_id=state.proposal_id, unit_id=unit.unit_id, reason=cmd.reason,
                                  suggested_unit_id=cmd.suggested_unit_id)]


def _pending_request(state: ProposalState, unit_id: str, issued: Issued[object]) -> UnitState:
    require_role(issued, OFFICE, "deciding re-assignment")
    unit = state.unit(unit_id)
    if unit is None or not unit.reassignment_pending:
        raise refuse("no_reassignment_request", "that unit has no pending request to be re-assigned")
    return unit


def _grant_reassignment(state: ProposalState, cmd: c.GrantReassignment, issued: Issued[object]) -> Events:
    unit = _pending_request(state, cmd.unit_id, issued)
    require_reason(cmd.reason)
    if cmd.new_unit_id in state.units:
        raise refuse("unit_already_assigned", "the new unit is on the slip already")
    today, cal = issued.today, issued.calendar
    units = [u.unit_id if u.unit_id != unit.unit_id else cmd.new_unit_id for u in state.units.values()]
    lead = state.lead_unit_id
    lead = cmd.new_unit_id if lead == unit.unit_id else lead
    co = [cmd.new_unit_id if u == unit.unit_id else u for u in state.co_unit_ids]
    return [ReassignmentGranted(
        proposal_id=state.proposal_id, unit_id=unit.unit_id, new_unit_id=cmd.new_unit_id, role=unit.role,
        reason=cmd.reason, granted_on=today, deadline=deadlines.handling_deadline(today, cal),
        reassignment_window_ends=deadlines.reassignment_window_end(today, cal), lead_unit_id=lead, co_unit_ids=co,
        unit_ids=units)]


def _refuse_reassignment(state: ProposalState, cmd: c.RefuseReassignment, issued: Issued[object]) -> Events:
    unit = _pending_request(state, cmd.unit_id, issued)
    require_reason(cmd.reason)
    return [ReassignmentRefused(proposal_id=state.proposal_id, unit_id=unit.unit_id, reason=cmd.reason)]


# ---- handling and reply ------------------------------------------------------------------------------------

def _record_contact(state: ProposalState, cmd: c.RecordHandlingContact, issued: Issued[object]) -> Events:
    unit = _acting_unit(state, issued)
    _not_after_today(cmd.held_on, issued.today, "the contact", "held_on")
    if cmd.held_on < unit.assigned_on:
        raise refuse("before_assignment", "the contact is dated before the assignment")
    if not set(cmd.member_ids) <= state.proposers:
        raise refuse("not_a_proposer", "only the proposal's proposers are listed as taking part")
    return [HandlingContactRecorded(proposal_id=state.proposal_id, unit_id=unit.unit_id, kind=cmd.kind,
                                    held_on=cmd.held_on, member_ids=list(cmd.member_ids), summary=cmd.summary)]


def _commitments(state: ProposalState, unit: UnitState, round_: int, promises: Sequence[c.Promise],
                 today: date) -> Events:
    out: Events = []
    for i, promise in enumerate(promises, start=len(state.commitments) + 1):
        if promise.due <= today:
            raise refuse("commitment_due_in_past", "a commitment falls due after today", due=promise.due.isoformat())
        out.append(CommitmentRecorded(proposal_id=state.proposal_id, commitment_id=f"{state.proposal_id}-c{i}",
                                      unit_id=unit.unit_id, round=round_, text=promise.text, due=promise.due))
    return out


def _replying_unit(state: ProposalState, cmd: c.ReplyToProposal, issued: Issued[object]) -> UnitState:
    """The unit whose reply this is: the caller's, or the one the office names for a letter sent on paper."""
    if issued.role is not Role.office_staff:
        if cmd.unit_id is not None and cmd.unit_id != issued.actor.unit_id:
            raise refuse("not_your_unit", "a unit replies for itself", fields=["unit_id"])
        return _acting_unit(state, issued)
    if cmd.unit_id is None:
        raise refuse("unit_required", "name the unit whose reply letter the office records", fields=["unit_id"])
    unit = state.unit(cmd.unit_id)
    if unit is None:
        raise refuse("unit_not_assigned", "the unit is not on the proposal's assignment slip", fields=["unit_id"])
    return unit


def _reply(state: ProposalState, given: Reply | c.ReplyToProposal, issued: Issued[object]) -> Events:
    given = Reply(given) if isinstance(given, c.ReplyToProposal) else given
    cmd = given.command
    unit = _replying_unit(state, cmd, issued)
    if not unit.replies:
        raise refuse("co_unit_cannot_reply", "a co-handling unit co-signs the lead unit's reply")
    if not unit.open:
        raise refuse("already_replied", "your unit has replied in this round")
    if unit.reassignment_pending:
        raise refuse("reassignment_pending", "your request to be re-assigned awaits the office's decision")
    if cmd.result_class is ResultClass.B and not cmd.commitments:
        raise refuse("commitments_required", "a B reply states what will be done and by when")
    if cmd.result_class is not ResultClass.B and cmd.commitments:
        raise refuse("commitments_only_for_b", "only a B reply records commitments")
    today = issued.today
    reply = ProposalReplied(
        proposal_id=state.proposal_id, unit_id=unit.unit_id, result_class=cmd.result_class, text=cmd.text,
        round=unit.round, on_time=deadlines.is_on_time(today, unit.deadline), replied_on=today,
        deadline=unit.deadline, cosigning_unit_ids=state.co_unit_ids if unit.role is UnitRole.lead else [],
        evaluation_due=deadlines.evaluation_deadline(today, given.evaluation_working_days, issued.calendar),
        evaluator_member_ids=state.proposer_list)
    return [reply, *_commitments(state, unit, unit.round, cmd.commitments, today)]


def _cosign_reply(state: ProposalState, cmd: c.CosignReply, issued: Issued[object]) -> Events:
    unit = _acting_unit(state, issued)
    if unit.role is not UnitRole.co:
        raise refuse("not_a_co_unit", "only co-handling units co-sign the lead unit's reply")
    lead = state.unit(state.lead_unit_id)
    if lead is None or lead.replied_round == 0:
        raise refuse("nothing_to_cosign", "the lead unit has not replied yet")
    if unit.unit_id in lead.cosigned_by:
        raise refuse("already_cosigned", "your unit co-signed this reply already")
    return [ReplyCosigned(proposal_id=state.proposal_id, unit_id=unit.unit_id, lead_unit_id=lead.unit_id,
                          round=lead.replied_round)]


def _reopen(state: ProposalState, unit: UnitState, kind: ReopenReason, reason: str,
            issued: Issued[object]) -> HandlingReopened:
    return HandlingReopened(proposal_id=state.proposal_id, unit_id=unit.unit_id, round=unit.round + 1,
                            reason_kind=kind, reason=reason, reopened_on=issued.today,
                            deadline=deadlines.rehandling_deadline(issued.today, issued.calendar))


# ---- evaluation --------------------------------------------------------------------------------------------

def _evaluate(state: ProposalState, cmd: c.EvaluateReply, issued: Issued[object]) -> Events:
    require_role(issued, frozenset({Role.member, Role.office_staff}), "evaluating a reply")
    if issued.role is Role.office_staff:  # a feedback form the proposer filled in on paper
        if cmd.member_id is None:
            raise refuse("member_required", "name the proposer whose feedback form the office records",
                         fields=["member_id"])
        if cmd.member_id not in state.proposers:
            raise refuse("not_a_proposer", "only the proposers evaluate the reply", fields=["member_id"])
    elif cmd.member_id is not None and cmd.member_id != issued.actor.member_id:
        raise NotAuthorized("a proposer evaluates for themself")
    member = cmd.member_id if issued.role is Role.office_staff else issued.actor.member_id
    if member is None or member not in state.proposers:
        raise NotAuthorized("only the proposers evaluate the reply")
    unit = state.unit(cmd.unit_id)
    if unit is None or not unit.replies:
        raise refuse("unit_not_replying", "that unit gives no reply on this proposal")
    if unit.replied_round == 0 or unit.open:
        raise refuse("no_reply_to_evaluate", "the unit has not replied in this round")
    if member in unit.evaluations:
        raise refuse("already_evaluated", "you evaluated this reply already")
    if unit.evaluation_lapsed or (unit.evaluation_due is not None and issued.today > unit.evaluation_due):
        # The day the rating was given counts (a feedback form from paper may be back-dated to it).
        assert unit.evaluation_due is not None
        raise refuse("evaluation_deadline_passed", "the reply's evaluation deadline has passed: it is recorded as "
                     "not evaluated", deadline=unit.evaluation_due.isoformat())
    if unit.evaluations_completed:
        # A proposer merged in after every proposer had rated this reply rates the next one.
        raise refuse("evaluations_completed", "every proposer has rated this reply already")
    events: Events = [ProposalEvaluated(
        proposal_id=state.proposal_id, unit_id=unit.unit_id, round=unit.replied_round, member_id=member,
        rating=cmd.rating, attitude=cmd.attitude, contact=cmd.contact, comment=cmd.comment)]
    ratings = {**unit.evaluations, member: cmd.rating}
    if set(ratings) >= state.proposers:
        events += _complete(state, unit, ratings, issued)
    return events


def _complete(state: ProposalState, unit: UnitState, ratings: Mapping[str, Rating], issued: Issued[object]) -> Events:
    """The round's evaluation is complete with these ratings (every proposer's, or those given by the deadline)."""
    dissatisfied = Rating.dissatisfied in ratings.values()
    events: Events = [EvaluationsCompleted(
        proposal_id=state.proposal_id, unit_id=unit.unit_id, round=unit.replied_round,
        ratings=[RatingEntry(member_id=m, rating=r) for m, r in sorted(ratings.items())],
        dissatisfied=dissatisfied)]
    # Dissatisfaction with a first reply means re-handling and a second reply; after that the office
    # decides (reopen_handling).
    if dissatisfied and unit.replied_round == 1:
        events.append(_reopen(state, unit, ReopenReason.dissatisfied, "a proposer is dissatisfied", issued))
    return events


def _lapse_evaluation(state: ProposalState, unit: UnitState, issued: Issued[object]) -> Events:
    """The reply's evaluation deadline passed with ratings missing: those proposers did not evaluate, and the
    round completes with the ratings given (which releases them, `contracts.sealed`)."""
    if (unit.replied_round == 0 or unit.open or unit.evaluations_completed or unit.evaluation_due is None
            or not deadlines.is_overdue(issued.today, unit.evaluation_due)):
        return []
    missing = [m for m in state.proposer_list if m not in unit.evaluations]
    lapsed = EvaluationLapsed(
        proposal_id=state.proposal_id, unit_id=unit.unit_id, round=unit.replied_round, deadline=unit.evaluation_due,
        not_rated_member_ids=missing, not_rated=len(missing), rated=len(unit.evaluations))
    return [lapsed, *_complete(state, unit, unit.evaluations, issued)]


def _reopen_handling(state: ProposalState, cmd: c.ReopenHandling, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "reopening handling")
    require_reason(cmd.reason)
    unit = state.unit(cmd.unit_id)
    if unit is None or not unit.replies:
        raise refuse("unit_not_replying", "that unit gives no reply on this proposal")
    if unit.open:
        raise refuse("handling_open", "the unit has not replied in this round yet")
    return [_reopen(state, unit, ReopenReason.office, cmd.reason, issued)]


def _revise_class(state: ProposalState, cmd: c.ReviseReplyClass, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "revising a reply's class")
    require_reason(cmd.reason)
    unit = state.unit(cmd.unit_id)
    if unit is None or unit.replied_round == 0 or unit.result_class is None:
        raise refuse("no_reply", "that unit has not replied")
    if cmd.result_class is unit.result_class:
        raise refuse("class_unchanged", "the reply is of that class already")
    has_promises = any(x.unit_id == unit.unit_id and x.round == unit.replied_round for x in state.commitments.values())
    if cmd.result_class is ResultClass.B and not (has_promises or cmd.commitments):
        raise refuse("commitments_required", "a B reply states what will be done and by when")
    if cmd.result_class is not ResultClass.B and cmd.commitments:
        raise refuse("commitments_only_for_b", "only a B reply records commitments")
    return [ReplyClassRevised(proposal_id=state.proposal_id, unit_id=unit.unit_id, round=unit.replied_round,
                              previous_class=unit.result_class, result_class=cmd.result_class, reason=cmd.reason),
            *_commitments(state, unit, unit.replied_round, cmd.commitments, issued.today)]


# ---- key proposals, look-back, results ---------------------------------------------------------------------

def _designate_key(state: ProposalState, cmd: c.DesignateKeyProposal, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE_OR_LEADERSHIP, "designating key proposals (for the chair meeting)")
    _require_status(state, {Status.accepted}, "not_accepted", "designating a key proposal")
    if state.key:
        raise refuse("already_key", "the proposal is a key proposal already")
    _distinct(cmd.supervising_leaders, "supervising leaders")
    assert state.year is not None
    return [KeyProposalDesignated(
        proposal_id=state.proposal_id, year=state.year, supervising_leaders=list(cmd.supervising_leaders),
        lead_member_id=state.lead_member_id, cosigner_member_ids=[m for m in state.invited if m in state.confirmed],
        organization_id=state.organization_id, merged_proposer_ids=state.merged_only_proposers, reason=cmd.reason)]


def _key_progress(state: ProposalState, cmd: c.ReportKeyProposalProgress, issued: Issued[object]) -> Events:
    unit_id = None
    if issued.role is Role.unit_staff:
        unit_id = _acting_unit(state, issued).unit_id
    else:
        require_role(issued, OFFICE_OR_LEADERSHIP, "reporting key-proposal progress")
    if not state.key:
        raise refuse("not_key_proposal", "progress is reported on key proposals")
    on = cmd.reported_on or issued.today
    _not_after_today(on, issued.today, "the report", "reported_on")
    return [KeyProposalProgressReported(proposal_id=state.proposal_id, reported_on=on, text=cmd.text,
                                        unit_id=unit_id)]


def _conclude_lookback(state: ProposalState, conclude: ConcludeLookback, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "concluding a look-back")
    cmd = conclude.command
    assert isinstance(cmd, c.ConcludeCommitmentLookback)
    commitment = next((x for x in state.commitments.values() if x.lookback_id == cmd.lookback_id), None)
    if commitment is None:
        raise refuse("lookback_not_found", "no such look-back on this proposal")
    if not commitment.lookback_open:
        raise refuse("lookback_concluded", "the look-back is concluded already")
    events: Events = [LookbackConcluded(
        lookback_id=cmd.lookback_id, subject=LookbackSubject.commitment, outcome=cmd.outcome, notes=cmd.notes,
        proposal_id=state.proposal_id, commitment_id=commitment.commitment_id, unit_id=commitment.unit_id)]
    unit = state.unit(commitment.unit_id)
    # "Not implemented" reopens follow-up, unless the unit is re-handling the proposal already.
    if cmd.outcome is LookbackOutcome.not_implemented and unit is not None and not unit.open:
        events.append(_reopen(state, unit, ReopenReason.lookback_not_implemented,
                              f"look-back {cmd.lookback_id}: commitment not implemented", issued))
    if cmd.outcome is LookbackOutcome.partly:
        # Partly done: the commitment is looked back at again (the watcher opens it on the day).
        events.append(LookbackScheduled(
            lookback_id=f"{commitment.commitment_id}-lb{commitment.lookbacks + 1}", after_lookback_id=cmd.lookback_id,
            subject=LookbackSubject.commitment, due=next_due(cmd.next_lookback_due, conclude.interval_months, issued),
            proposal_id=state.proposal_id, commitment_id=commitment.commitment_id, unit_id=commitment.unit_id))
    elif cmd.next_lookback_due is not None:
        raise refuse("next_lookback_not_expected", "a next look-back is set only when the outcome is 'partly' "
                     "('not' reopens the handling)", fields=["next_lookback_due"])
    return events


def _record_result(state: ProposalState, cmd: RecordResult, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "recording results")
    _require_status(state, {Status.accepted}, "not_accepted", "recording a result")
    if not state.replied_units:
        raise refuse("no_reply_yet", "results are recorded after a reply")
    if cmd.result_id in state.results:
        raise refuse("duplicate_result", "a result with this id exists")
    r = cmd.command
    if any(not 0 <= i < state.suggestions for i in r.suggestion_indexes):
        raise refuse("no_such_suggestion", "the proposal has no such suggestion")
    _not_after_today(r.adopted_on, issued.today, "the adoption", "adopted_on")
    return [ProposalResultRecorded(proposal_id=state.proposal_id, result_id=cmd.result_id,
                                   description=r.description, document_ref=r.document_ref, adopted_on=r.adopted_on,
                                   suggestion_indexes=list(r.suggestion_indexes))]


# ---- the deadline watcher's sweep --------------------------------------------------------------------------

def _apply_deadlines(state: ProposalState, cmd: ApplyDeadlines, issued: Issued[object]) -> Events:
    require_role(issued, SYSTEM, "the deadline sweep")
    today, cal = issued.today, issued.calendar
    events: Events = []
    if state.status in (Status.submitted, Status.returned):
        events += _lapses(state, today)
    if state.status is not Status.accepted:
        return events
    for unit in state.units.values():
        if not unit.open:
            continue
        deadline = unit.deadline
        if unit.deadline_rule is not DeadlineRule.explicit and deadline >= today:
            # Only deadlines not yet reached move, and never into the past.
            recomputed = deadlines.deadline_by_rule(unit.deadline_rule, unit.deadline_basis, cal)
            if recomputed != deadline and recomputed >= today:
                events.append(HandlingDeadlineRecomputed(
                    proposal_id=state.proposal_id, unit_id=unit.unit_id, round=unit.round,
                    previous_deadline=deadline, deadline=recomputed,
                    reason="recomputed under the recorded official holiday schedule"))
                deadline = recomputed
        if deadlines.is_overdue(today, deadline) and unit.overdue_flagged_round < unit.round:
            events.append(HandlingOverdue(proposal_id=state.proposal_id, unit_id=unit.unit_id, round=unit.round,
                                          deadline=deadline))
    for unit in list(state.units.values()):
        events += _lapse_evaluation(state, unit, issued)
    for commitment in state.commitments.values():
        if commitment.lookback_id is None and commitment.due <= today:
            events.append(LookbackOpened(
                lookback_id=f"{commitment.commitment_id}-lb", subject=LookbackSubject.commitment,
                due=commitment.due, proposal_id=state.proposal_id, commitment_id=commitment.commitment_id,
                unit_id=commitment.unit_id))
        elif commitment.next_lookback_id and commitment.next_due is not None and commitment.next_due <= today:
            events.append(LookbackOpened(
                lookback_id=commitment.next_lookback_id, subject=LookbackSubject.commitment,
                due=commitment.next_due, proposal_id=state.proposal_id, commitment_id=commitment.commitment_id,
                unit_id=commitment.unit_id))
    return events


# ---- dispatch ----------------------------------------------------------------------------------------------

_DECIDERS: dict[type, Callable[[ProposalState, Any, Issued[object]], Events]] = {
    c.ReviseProposal: _revise,
    Submit: _submit,
    c.WithdrawProposal: _withdraw,
    c.ConfirmCosignature: _confirm,
    c.DeclineCosignature: _decline,
    AcceptNumbered: _accept,
    NotAccept: _not_accept,
    MergeInto: _merge,
    ReceiveMerge: _receive_merge,
    c.ReturnProposal: _return,
    c.AssignProposal: _assign,
    c.RequestReassignment: _request_reassignment,
    c.GrantReassignment: _grant_reassignment,
    c.RefuseReassignment: _refuse_reassignment,
    c.RecordHandlingContact: _record_contact,
    c.ReplyToProposal: _reply,
    Reply: _reply,
    c.CosignReply: _cosign_reply,
    c.EvaluateReply: _evaluate,
    c.ReopenHandling: _reopen_handling,
    c.ReviseReplyClass: _revise_class,
    c.DesignateKeyProposal: _designate_key,
    c.ReportKeyProposalProgress: _key_progress,
    ConcludeLookback: _conclude_lookback,
    RecordResult: _record_result,
    ApplyDeadlines: _apply_deadlines,
}


def decide(state: ProposalState, issued: Issued[object]) -> Sequence[DomainEvent]:
    command = issued.command
    if isinstance(command, Draft):
        return _draft(state, command, issued)
    _visible(state, issued)
    try:
        decider = _DECIDERS[type(command)]
    except KeyError:
        raise TypeError(f"a proposal takes no command {type(command).__name__}") from None
    return decider(state, command, issued)


def initial() -> ProposalState:
    return ProposalState()


PROPOSAL: Decider[ProposalState, Issued[object]] = Decider(initial=initial, decide=decide, evolve=evolve)
