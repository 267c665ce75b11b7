"""A consultation session (协商议政): scheduled from an item of the year's adopted plan, held, and the outcomes
it sends on. Each outcome is also a tracked item (`surveys.domain.tracking`), opened in the same transaction
with `outcome_tracking`.

- A session invites members, organizations (parties and groups) and departments. Members who took part
  without an invitation by name are recorded as such, not refused: attendance is a fact the office keeps (a
  member comes in another's place, or on their own initiative), and refusing it would lose it.
- An outcome may be part of another outcome of the same session (`parent_outcome_id`): its tracked item
  names the parent's, whose progress is computed from its parts'. It names the proposals and public-opinion
  reports it grew from (other services' ids, kept as given: this service cannot look them up).
- The county leaders' instructions on an outcome (领导批示) are recorded on the session, after the outcome
  was sent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from contracts.registry import DomainEvent
from contracts.roles import OFFICE
from contracts.surveys import commands as c
from contracts.surveys.consultation import ConsultationOutcomeRecorded
from contracts.surveys.consultation_plan import ConsultationHeld, ConsultationScheduled, PlanItem
from contracts.surveys.instructions import ConsultationOutcomeInstructionRecorded
from contracts.surveys.tracking import TrackedSubject
from eventstore.decider import Decider
from eventstore.issued import Issued, require_role
from surveys.domain.plan import PlanState, PlanStatus
from surveys.domain.refusals import distinct, not_after_today, refuse
from surveys.domain.tracking import Open, OpenFields, due_date


class SessionStatus(StrEnum):
    none = "none"
    scheduled = "scheduled"
    held = "held"


@dataclass(frozen=True)
class ConsultationState:
    consultation_id: str = ""
    status: SessionStatus = SessionStatus.none
    year: int = 0
    item: PlanItem | None = None
    scheduled_on: date | None = None
    held_on: date | None = None
    participant_member_ids: tuple[str, ...] = ()
    invited_member_ids: frozenset[str] = frozenset()
    outcomes: Mapping[str, date] = field(default_factory=dict)  # outcome id -> sent on (held on, if not known)
    instruction_ids: frozenset[str] = frozenset()

    @property
    def outcome_ids(self) -> frozenset[str]:
        return frozenset(self.outcomes)


@dataclass(frozen=True)
class Schedule:
    """The handler passes the year's plan as it stands."""

    consultation_id: str
    command: c.ScheduleConsultation
    plan: PlanState


@dataclass(frozen=True)
class RecordOutcome:
    outcome_id: str
    command: c.RecordConsultationOutcome


@dataclass(frozen=True)
class RecordInstruction:
    instruction_id: str
    command: c.RecordOutcomeInstruction


Events = list[DomainEvent]


def decide(state: ConsultationState, issued: Issued[object]) -> Sequence[DomainEvent]:
    command = issued.command
    if isinstance(command, Schedule):
        return _schedule(state, command, issued)
    if state.status is SessionStatus.none:
        raise refuse("consultation_not_found", "no such consultation session in this committee",
                     fields=["consultation_id"])
    if isinstance(command, c.HoldConsultation):
        return _hold(state, command, issued)
    if isinstance(command, RecordOutcome):
        return _record_outcome(state, command, issued)
    if isinstance(command, RecordInstruction):
        return _record_instruction(state, command, issued)
    raise TypeError(f"a consultation session takes no command {type(command).__name__}")


def _schedule(state: ConsultationState, cmd: Schedule, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "scheduling a consultation")
    s, plan = cmd.command, cmd.plan
    if state.status is not SessionStatus.none:
        raise refuse("consultation_exists", "a consultation session with this id exists", fields=["consultation_id"])
    if plan.status is PlanStatus.none:
        raise refuse("plan_not_found", f"this committee has no consultation plan of {s.year}", fields=["year"])
    if plan.status is not PlanStatus.adopted:
        raise refuse("plan_not_adopted", f"the consultation plan of {s.year} is not adopted yet: a session is "
                     "scheduled from an item of an adopted plan", fields=["year"])
    item = plan.item(s.item_id)
    if item is None:
        raise refuse("plan_item_not_found", f"the adopted plan of {s.year} has no item {s.item_id}",
                     fields=["item_id"])
    to_year = plan.carried_over.get(s.item_id)
    if to_year is not None:
        raise refuse("plan_item_carried_over", f"item {s.item_id} was carried over to the plan of {to_year}: "
                     "schedule it from that plan", fields=["item_id"], to_year=to_year)
    return [ConsultationScheduled(
        consultation_id=cmd.consultation_id, year=s.year, item=item, scheduled_on=s.scheduled_on, venue=s.venue,
        invited_member_ids=distinct(s.invited_member_ids, "members invited", "invited_member_ids"),
        invited_organization_ids=distinct(s.invited_organization_ids, "organizations invited",
                                          "invited_organization_ids"),
        invited_unit_ids=distinct(s.invited_unit_ids, "departments invited", "invited_unit_ids"))]


def _hold(state: ConsultationState, cmd: c.HoldConsultation, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "recording a consultation held")
    if state.status is SessionStatus.held:
        raise refuse("consultation_already_held", f"the session was held on {state.held_on}")
    not_after_today(cmd.held_on, issued.today, "a consultation", "held_on")
    participants = distinct(cmd.participant_member_ids, "participants", "participant_member_ids")
    speakers = distinct(cmd.speaker_member_ids, "speakers", "speaker_member_ids")
    absent_speakers = sorted(set(speakers) - set(participants))
    if absent_speakers:
        raise refuse("speaker_not_participant", f"speakers must have taken part: {', '.join(absent_speakers)}",
                     fields=["speaker_member_ids"])
    written = distinct(cmd.written_opinion_member_ids, "written opinions", "written_opinion_member_ids")
    # Only a session that invited members by name has members it did not invite.
    uninvited = [m for m in participants if m not in state.invited_member_ids] if state.invited_member_ids else []
    return [ConsultationHeld(consultation_id=state.consultation_id, held_on=cmd.held_on,
                             participant_member_ids=participants, speaker_member_ids=speakers,
                             written_opinion_member_ids=written, summary=cmd.summary,
                             uninvited_participant_ids=uninvited)]


def _record_outcome(state: ConsultationState, cmd: RecordOutcome, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "recording a consultation outcome")
    o = cmd.command
    if state.status is not SessionStatus.held:
        raise refuse("consultation_not_held", "outcomes are recorded from a session that was held")
    assert state.item is not None and state.held_on is not None
    if cmd.outcome_id in state.outcome_ids:
        raise refuse("outcome_exists", f"the session recorded outcome {cmd.outcome_id} already",
                     fields=["outcome_id"])
    if not o.sent_to:
        raise refuse("outcome_sent_to_nobody", "an outcome is sent to the county party committee, the county "
                     "government, or both", fields=["sent_to"])
    distinct(o.sent_to, "recipients", "sent_to")
    not_after_today(o.sent_on, issued.today, "sending an outcome", "sent_on")
    if o.sent_on < state.held_on:
        raise refuse("outcome_before_session", f"the outcome is sent after the session was held ({state.held_on})",
                     fields=["sent_on"])
    if o.parent_outcome_id is not None and o.parent_outcome_id not in state.outcomes:
        raise refuse("parent_outcome_not_found", f"the session has no outcome {o.parent_outcome_id}: an outcome "
                     "is part of an outcome of the same session, recorded before it", fields=["parent_outcome_id"])
    return [ConsultationOutcomeRecorded(
        consultation_id=state.consultation_id, outcome_id=cmd.outcome_id, kind=state.item.kind, title=o.title,
        held_on=state.held_on, participant_member_ids=list(state.participant_member_ids),
        sent_to=[r.value for r in o.sent_to],
        implementation_due=due_date(issued.calendar, o.sent_on, o.due_working_days), sent_on=o.sent_on,
        parent_outcome_id=o.parent_outcome_id, proposal_ids=distinct(o.proposal_ids, "proposals", "proposal_ids"),
        opinion_report_ids=distinct(o.opinion_report_ids, "public-opinion reports", "opinion_report_ids"))]


def _record_instruction(state: ConsultationState, cmd: RecordInstruction, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "recording a leader's instruction")
    i = cmd.command
    sent_on = state.outcomes.get(i.outcome_id)
    if sent_on is None:
        raise refuse("outcome_not_found", f"the session has no outcome {i.outcome_id}", fields=["outcome_id"])
    if cmd.instruction_id in state.instruction_ids:
        raise refuse("instruction_exists", f"instruction {cmd.instruction_id} is recorded already",
                     fields=["instruction_id"])
    not_after_today(i.instructed_on, issued.today, "an instruction", "instructed_on")
    if i.instructed_on < sent_on:
        raise refuse("instruction_before_sending", f"an instruction is given on an outcome once it was sent "
                     f"({sent_on})", fields=["instructed_on"])
    return [ConsultationOutcomeInstructionRecorded(
        consultation_id=state.consultation_id, outcome_id=i.outcome_id, instruction_id=cmd.instruction_id,
        leader=i.leader, level=i.level, text=i.text, instructed_on=i.instructed_on)]


def outcome_tracking(state: ConsultationState, cmd: RecordOutcome) -> Open:
    """The outcome as a tracked item (its id is the outcome's), sent to the departments responsible."""
    o = cmd.command
    return Open(item_id=cmd.outcome_id, subject=TrackedSubject.consultation_outcome,
                source_id=state.consultation_id, title=o.title, summary=o.text,
                unit_ids=tuple(o.responsible_unit_ids), sent_on=o.sent_on, due_working_days=o.due_working_days,
                parent_item_id=o.parent_outcome_id,
                fields=OpenFields(item_id="outcome_id", unit_ids="responsible_unit_ids", sent_on="sent_on"))


def evolve(state: ConsultationState, event: DomainEvent) -> ConsultationState:
    match event:
        case ConsultationScheduled():
            return ConsultationState(consultation_id=event.consultation_id, status=SessionStatus.scheduled,
                                     year=event.year, item=event.item, scheduled_on=event.scheduled_on,
                                     invited_member_ids=frozenset(event.invited_member_ids))
        case ConsultationHeld():
            return replace(state, status=SessionStatus.held, held_on=event.held_on,
                           participant_member_ids=tuple(event.participant_member_ids))
        case ConsultationOutcomeRecorded():
            sent_on = event.sent_on or event.held_on  # outcomes recorded before `sent_on` was: the session's day
            return replace(state, outcomes={**state.outcomes, event.outcome_id: sent_on})
        case ConsultationOutcomeInstructionRecorded():
            return replace(state, instruction_ids=state.instruction_ids | {event.instruction_id})
    raise TypeError(f"a consultation session has no event {type(event).__name__}")


CONSULTATION: Decider[ConsultationState, Issued[object]] = Decider(initial=ConsultationState, decide=decide,
                                                                    evolve=evolve)
