"""The state of one proposal, folded from its events. Pure: `evolve(state, event) -> state`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from contracts.proposals import (
    AssignmentMode,
    Category,
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
    ReassignmentGranted,
    ReassignmentRefused,
    ReassignmentRequested,
    ReplyClassRevised,
    ReplyCosigned,
    ResultClass,
    SubmitterKind,
    UnitRole,
)
from contracts.registry import DomainEvent


class Status(StrEnum):
    none = "none"
    draft = "draft"
    submitted = "submitted"  # under review (审查)
    returned = "returned"  # returned for revision
    accepted = "accepted"  # 立案; assignment and handling follow
    not_accepted = "not_accepted"
    merged = "merged"
    withdrawn = "withdrawn"


@dataclass(frozen=True)
class UnitState:
    """One unit on the assignment slip. Lead and separate units reply; co-handling units co-sign."""

    unit_id: str
    role: UnitRole
    assigned_on: date
    window_ends: date
    deadline: date
    deadline_rule: DeadlineRule
    deadline_basis: date  # the day the rule counts from (assignment, grant or re-opening)
    round: int = 1  # the round the next reply carries
    replied_round: int = 0  # round of the latest reply, 0 before any
    result_class: ResultClass | None = None  # class of the latest reply (after any revision)
    cosigned_by: frozenset[str] = frozenset()  # co-units that co-signed the latest reply
    evaluations: Mapping[str, Rating] = field(default_factory=dict)  # of the latest reply
    evaluations_completed: bool = False
    evaluation_due: date | None = None  # last day to rate the latest reply (None: a reply from before deadlines)
    evaluation_lapsed: bool = False  # the latest reply's deadline passed with ratings missing
    overdue_flagged_round: int = 0
    reassignment_requested: bool = False
    reassignment_pending: bool = False
    contacts: int = 0

    @property
    def replies(self) -> bool:
        return self.role is not UnitRole.co

    @property
    def open(self) -> bool:
        """Handling of the current round still awaits this unit's reply."""
        return self.replies and self.replied_round < self.round


@dataclass(frozen=True)
class CommitmentState:
    commitment_id: str
    unit_id: str
    round: int
    due: date
    lookback_id: str | None = None  # the latest look-back opened
    outcome: LookbackOutcome | None = None  # its outcome, once concluded
    lookbacks: int = 0  # how many were opened
    next_lookback_id: str | None = None  # scheduled after a 'partly' one, opened when `next_due` comes
    next_due: date | None = None

    @property
    def lookback_open(self) -> bool:
        return self.lookback_id is not None and self.outcome is None


@dataclass(frozen=True)
class ProposalState:
    status: Status = Status.none
    proposal_id: str = ""
    drafted_by_office: bool = False
    submitter_kind: SubmitterKind | None = None
    lead_member_id: str | None = None
    contact_member_id: str | None = None
    organization_id: str | None = None
    special_committee: str | None = None
    sector: str | None = None
    invited: tuple[str, ...] = ()
    confirmed: frozenset[str] = frozenset()
    declined: frozenset[str] = frozenset()
    lapsed: frozenset[str] = frozenset()
    cosign_deadline: date | None = None
    category: Category | None = None
    title: str = ""
    suggestions: int = 0
    solicitation_id: str | None = None
    year: int | None = None
    number: str | None = None
    ever_submitted: bool = False
    merged_into: str | None = None
    absorbed: tuple[str, ...] = ()
    merged_proposers: tuple[str, ...] = ()  # proposers of the proposals merged into this one (并案)
    mode: AssignmentMode | None = None
    units: Mapping[str, UnitState] = field(default_factory=dict)
    commitments: Mapping[str, CommitmentState] = field(default_factory=dict)
    key: bool = False
    supervising_leaders: tuple[str, ...] = ()
    results: frozenset[str] = frozenset()

    # ---- derived ---------------------------------------------------------------------------------------

    @property
    def pending_cosigners(self) -> tuple[str, ...]:
        settled = self.confirmed | self.declined | self.lapsed
        return tuple(m for m in self.invited if m not in settled)

    @property
    def own_proposers(self) -> frozenset[str]:
        """Who put their name to it: the lead and confirmed co-signers, or a collective's contact."""
        if self.submitter_kind in (SubmitterKind.individual, SubmitterKind.joint):
            return frozenset({self.lead_member_id} if self.lead_member_id else set()) | self.confirmed
        return frozenset({self.contact_member_id}) if self.contact_member_id else frozenset()

    @property
    def proposers(self) -> frozenset[str]:
        """Who fills the feedback form: its own proposers and those of the proposals merged into it."""
        return self.own_proposers | frozenset(self.merged_proposers)

    @property
    def proposer_list(self) -> list[str]:
        """The proposers in the order a slip names them: lead, co-signers, contact, then those merged in."""
        ordered = [self.lead_member_id, *self.invited, self.contact_member_id, *self.merged_proposers]
        found = self.proposers
        return list(dict.fromkeys(m for m in ordered if m and m in found))

    @property
    def merged_only_proposers(self) -> list[str]:
        """Proposers it has from merged proposals only (its own are named on its events already)."""
        own = self.own_proposers
        return [m for m in self.merged_proposers if m not in own]

    @property
    def owner_member_id(self) -> str | None:
        """The member who writes and submits it: the lead, or the collective's contact."""
        return self.lead_member_id or self.contact_member_id

    @property
    def assigned(self) -> bool:
        return bool(self.units)

    @property
    def lead_unit_id(self) -> str | None:
        return next((u.unit_id for u in self.units.values() if u.role is UnitRole.lead), None)

    @property
    def co_unit_ids(self) -> list[str]:
        return [u.unit_id for u in self.units.values() if u.role is UnitRole.co]

    @property
    def replied_units(self) -> list[UnitState]:
        return [u for u in self.units.values() if u.replied_round > 0]

    def unit(self, unit_id: str | None) -> UnitState | None:
        return self.units.get(unit_id) if unit_id else None


def _with_unit(state: ProposalState, unit: UnitState) -> ProposalState:
    return replace(state, units={**state.units, unit.unit_id: unit})


def _update_unit(state: ProposalState, unit_id: str, **changes: object) -> ProposalState:
    return _with_unit(state, replace(state.units[unit_id], **changes))  # type: ignore[arg-type]


def _with_commitment(state: ProposalState, commitment: CommitmentState) -> ProposalState:
    return replace(state, commitments={**state.commitments, commitment.commitment_id: commitment})


def evolve(state: ProposalState, event: DomainEvent) -> ProposalState:
    match event:
        case ProposalDrafted():
            return replace(
                state, status=Status.draft, proposal_id=event.proposal_id, drafted_by_office=event.entered_by_office,
                submitter_kind=event.submitter_kind,
                lead_member_id=event.lead_member_id, contact_member_id=event.contact_member_id,
                organization_id=event.organization_id, special_committee=event.special_committee,
                sector=event.sector, invited=tuple(event.cosigner_member_ids), category=event.category,
                title=event.title, suggestions=len(event.suggestions), solicitation_id=event.solicitation_id)
        case ProposalRevised():
            return replace(state, category=event.category, title=event.title, suggestions=len(event.suggestions))
        case ProposalSubmitted():
            return replace(state, status=Status.submitted, year=event.year, cosign_deadline=event.cosign_deadline,
                           ever_submitted=True)
        case ProposalResubmitted():
            return replace(state, status=Status.submitted, year=event.year)
        case ProposalWithdrawn():
            return replace(state, status=Status.withdrawn)
        case CosignerConfirmed():
            return replace(state, confirmed=state.confirmed | {event.member_id})
        case CosignerDeclined():
            return replace(state, declined=state.declined | {event.member_id})
        case CosignerLapsed():
            return replace(state, lapsed=state.lapsed | {event.member_id})
        case ProposalAccepted():
            return replace(state, status=Status.accepted, number=event.number, year=event.year)
        case ProposalNotAccepted():
            return replace(state, status=Status.not_accepted)
        case ProposalMerged():
            return replace(state, status=Status.merged, merged_into=event.into_proposal_id)
        case ProposalMergeReceived():
            merged = tuple(dict.fromkeys((*state.merged_proposers, *event.proposer_member_ids)))
            return replace(state, absorbed=(*state.absorbed, event.from_proposal_id), merged_proposers=merged)
        case ProposalReturned():
            return replace(state, status=Status.returned)
        case ProposalAssigned():
            return _assigned(state, event)
        case ReassignmentRequested():
            return _update_unit(state, event.unit_id, reassignment_requested=True, reassignment_pending=True)
        case ReassignmentRefused():
            return _update_unit(state, event.unit_id, reassignment_pending=False)
        case ReassignmentGranted():
            return _granted(state, event)
        case HandlingDeadlineRecomputed():
            return _update_unit(state, event.unit_id, deadline=event.deadline)
        case HandlingOverdue():
            return _update_unit(state, event.unit_id, overdue_flagged_round=event.round)
        case HandlingContactRecorded():
            return _update_unit(state, event.unit_id, contacts=state.units[event.unit_id].contacts + 1)
        case ProposalReplied():
            return _update_unit(state, event.unit_id, replied_round=event.round, result_class=event.result_class,
                                cosigned_by=frozenset(), evaluations={}, evaluations_completed=False,
                                evaluation_due=event.evaluation_due, evaluation_lapsed=False)
        case ReplyCosigned():
            lead = state.units[event.lead_unit_id]
            return _update_unit(state, event.lead_unit_id, cosigned_by=lead.cosigned_by | {event.unit_id})
        case CommitmentRecorded():
            return _with_commitment(state, CommitmentState(event.commitment_id, event.unit_id, event.round,
                                                           event.due))
        case ProposalEvaluated():
            unit = state.units[event.unit_id]
            return _update_unit(state, event.unit_id, evaluations={**unit.evaluations, event.member_id: event.rating})
        case EvaluationsCompleted():
            return _update_unit(state, event.unit_id, evaluations_completed=True)
        case EvaluationLapsed():
            return _update_unit(state, event.unit_id, evaluation_lapsed=True)
        case HandlingReopened():
            return _update_unit(state, event.unit_id, round=event.round, deadline=event.deadline,
                                deadline_rule=DeadlineRule.one_month, deadline_basis=event.reopened_on)
        case ReplyClassRevised():
            return _update_unit(state, event.unit_id, result_class=event.result_class)
        case KeyProposalDesignated():
            return replace(state, key=True, supervising_leaders=tuple(event.supervising_leaders))
        case KeyProposalProgressReported():
            return state
        case LookbackOpened() if event.commitment_id is not None:
            c = state.commitments[event.commitment_id]
            return _with_commitment(state, replace(c, lookback_id=event.lookback_id, outcome=None,
                                                   lookbacks=c.lookbacks + 1, next_lookback_id=None, next_due=None))
        case LookbackScheduled() if event.commitment_id is not None:
            c = state.commitments[event.commitment_id]
            return _with_commitment(state, replace(c, next_lookback_id=event.lookback_id, next_due=event.due))
        case LookbackConcluded() if event.commitment_id is not None:
            c = state.commitments[event.commitment_id]
            return _with_commitment(state, replace(c, outcome=event.outcome))
        case ProposalResultRecorded():
            return replace(state, results=state.results | {event.result_id})
    raise TypeError(f"a proposal has no event {type(event).__name__}")


def _assigned(state: ProposalState, event: ProposalAssigned) -> ProposalState:
    def unit(unit_id: str, role: UnitRole) -> UnitState:
        return UnitState(unit_id=unit_id, role=role, assigned_on=event.assigned_on,
                         window_ends=event.reassignment_window_ends, deadline=event.deadline,
                         deadline_rule=event.deadline_rule, deadline_basis=event.assigned_on)

    if event.mode is AssignmentMode.lead_with_co:
        assert event.lead_unit_id is not None
        units = [unit(event.lead_unit_id, UnitRole.lead), *(unit(u, UnitRole.co) for u in event.co_unit_ids)]
    else:
        units = [unit(u, UnitRole.separate) for u in event.unit_ids]
    return replace(state, mode=event.mode, units={u.unit_id: u for u in units})


def _granted(state: ProposalState, event: ReassignmentGranted) -> ProposalState:
    units = {k: v for k, v in state.units.items() if k != event.unit_id}
    units[event.new_unit_id] = UnitState(
        unit_id=event.new_unit_id, role=event.role, assigned_on=event.granted_on,
        window_ends=event.reassignment_window_ends, deadline=event.deadline,
        deadline_rule=DeadlineRule.three_months, deadline_basis=event.granted_on)
    return replace(state, units=units)
