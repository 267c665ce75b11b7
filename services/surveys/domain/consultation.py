"""A consultation session (协商议政): scheduled from an item of the year's adopted plan, held, and the outcomes
it sends on. Each outcome is also a tracked item (`surveys.domain.tracking`), opened in the same transaction
with `outcome_tracking`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from contracts.registry import DomainEvent
from contracts.roles import OFFICE
from contracts.surveys import commands as c
from contracts.surveys.consultation import ConsultationOutcomeRecorded
from contracts.surveys.consultation_plan import ConsultationHeld, ConsultationScheduled, PlanItem
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
    outcome_ids: frozenset[str] = frozenset()


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
    return [ConsultationScheduled(consultation_id=cmd.consultation_id, year=s.year, item=item,
                                  scheduled_on=s.scheduled_on, venue=s.venue)]


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
    return [ConsultationHeld(consultation_id=state.consultation_id, held_on=cmd.held_on,
                             participant_member_ids=participants, speaker_member_ids=speakers,
                             written_opinion_member_ids=written, summary=cmd.summary)]


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
    return [ConsultationOutcomeRecorded(
        consultation_id=state.consultation_id, outcome_id=cmd.outcome_id, kind=state.item.kind, title=o.title,
        held_on=state.held_on, participant_member_ids=list(state.participant_member_ids),
        sent_to=[r.value for r in o.sent_to],
        implementation_due=due_date(issued.calendar, o.sent_on, o.due_working_days))]


def outcome_tracking(state: ConsultationState, cmd: RecordOutcome) -> Open:
    """The outcome as a tracked item (its id is the outcome's), sent to the departments responsible."""
    o = cmd.command
    return Open(item_id=cmd.outcome_id, subject=TrackedSubject.consultation_outcome,
                source_id=state.consultation_id, title=o.title, summary=o.text,
                unit_ids=tuple(o.responsible_unit_ids), sent_on=o.sent_on, due_working_days=o.due_working_days,
                fields=OpenFields(item_id="outcome_id", unit_ids="responsible_unit_ids", sent_on="sent_on"))


def evolve(state: ConsultationState, event: DomainEvent) -> ConsultationState:
    match event:
        case ConsultationScheduled():
            return ConsultationState(consultation_id=event.consultation_id, status=SessionStatus.scheduled,
                                     year=event.year, item=event.item, scheduled_on=event.scheduled_on)
        case ConsultationHeld():
            return replace(state, status=SessionStatus.held, held_on=event.held_on,
                           participant_member_ids=tuple(event.participant_member_ids))
        case ConsultationOutcomeRecorded():
            return replace(state, outcome_ids=state.outcome_ids | {event.outcome_id})
    raise TypeError(f"a consultation session has no event {type(event).__name__}")


CONSULTATION: Decider[ConsultationState, Issued[object]] = Decider(initial=ConsultationState, decide=decide,
                                                                    evolve=evolve)
