"""The one outcome-tracking mechanism (成果运用, 跟进督促落实, 视察督办, 整改): a tracked item's pure decider.

Consultation outcomes, supervision rectifications and research recommendations share this life; what an item
is (`TrackedSubject`) is data on the item, not a copy of the rules. The record an item comes from (a
consultation session today) opens it with `Open`, naming its own command's fields for refusals.

    (none) --Open--> open(round 1) --report / follow up--> open --verdict--> concluded
    concluded(partly | not) --reopen--> open(round n+1): a verdict again only after a new report
    concluded(implemented) --look back (回头看): implemented--> concluded(implemented), looked back
    concluded(implemented) --look back: partly | not--> open(round n+1) (looked back, then reopened)

- Only the departments the item was sent to report on it (`unit_not_responsible`), and only while it is open.
- A report's status and progress agree: not started is 0 %, done is 100 %, in between is 1-99 %.
- The office's verdict needs at least one report in the current round (`verdict_needs_report`).
- Due dates are working days after sending (or reopening), on the kernel's calendar (`issued.calendar`).
- An item's progress is its departments' latest progress, averaged; a parent's progress is its children's
  (`rollup`, `parent_progress`): both are computed, never stored."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from contracts.envelope import Role
from contracts.registry import DomainEvent
from contracts.roles import OFFICE, OFFICE_OR_LEADERSHIP, UNIT
from contracts.surveys import commands as c
from contracts.surveys.tracking import (
    Milestone,
    ProgressStatus,
    TrackedItemFollowedUp,
    TrackedItemLookedBack,
    TrackedItemOpened,
    TrackedItemProgressReported,
    TrackedItemReopened,
    TrackedItemVerdictRecorded,
    TrackedSubject,
    Verdict,
)
from eventstore.decider import Decider
from eventstore.issued import Issued, require_role
from eventstore.workdays import WorkCalendar
from surveys.domain.refusals import distinct, not_after_today, refuse, require_reason

# What each subject is called in refusals: the rules are the same, the words are the subject's.
NOUNS: Mapping[TrackedSubject, str] = {
    TrackedSubject.consultation_outcome: "consultation outcome",
    TrackedSubject.rectification: "rectification request",
    TrackedSubject.research_recommendation: "research recommendation",
    TrackedSubject.appraisal_rectification: "appraisal rectification request",
}
UNMET = frozenset({Verdict.partly, Verdict.not_implemented})


class Phase(StrEnum):
    none = "none"
    open = "open"  # sent (or reopened): departments report, the office follows up
    concluded = "concluded"  # the office gave its verdict


@dataclass(frozen=True)
class UnitReport:
    """A department's latest report."""

    status: ProgressStatus
    progress: int
    reported_on: date
    round: int


@dataclass(frozen=True)
class TrackedState:
    item_id: str = ""
    subject: TrackedSubject = TrackedSubject.consultation_outcome
    source_id: str = ""
    parent_item_id: str | None = None
    title: str = ""
    unit_ids: tuple[str, ...] = ()
    sent_on: date | None = None
    due: date | None = None
    phase: Phase = Phase.none
    round: int = 0
    reports_this_round: int = 0
    latest: Mapping[str, UnitReport] = field(default_factory=dict)
    verdict: Verdict | None = None  # the current round's verdict (None while open)
    verdicts: tuple[Verdict, ...] = ()
    follow_ups: int = 0
    lookbacks: tuple[Verdict, ...] = ()

    @property
    def noun(self) -> str:
        return NOUNS[self.subject]


# ---- the record an item comes from opens it ------------------------------------------------------------------

@dataclass(frozen=True)
class OpenFields:
    """The opening command's field names, so a refusal names what the caller sent."""

    item_id: str = "item_id"
    unit_ids: str = "unit_ids"
    sent_on: str = "sent_on"


@dataclass(frozen=True)
class Open:
    item_id: str
    subject: TrackedSubject
    source_id: str
    title: str
    unit_ids: tuple[str, ...]
    sent_on: date
    due_working_days: int
    summary: str = ""
    parent_item_id: str | None = None
    fields: OpenFields = OpenFields()


def due_date(calendar: WorkCalendar, start: date, working_days: int) -> date:
    """The `working_days`-th working day after `start`."""
    return calendar.add_working_days(start, working_days)


# ---- computed, never stored ----------------------------------------------------------------------------------

def progress_of(state: TrackedState) -> int:
    """The item's progress in percent: 100 once implemented, else its departments' latest progress averaged
    (a department that has not reported counts 0)."""
    if state.verdict is Verdict.implemented:
        return 100
    if not state.unit_ids:
        return 0
    total = sum(r.progress for u, r in state.latest.items() if u in state.unit_ids)
    return total // len(state.unit_ids)


def is_overdue(state: TrackedState, today: date) -> bool:
    """Open past its due date."""
    return state.phase is Phase.open and state.due is not None and today > state.due


@dataclass(frozen=True)
class Rollup:
    """A parent item (a session's outcomes, a report's rectifications) as its children add up."""

    items: int
    progress: int  # percent: the children's progress averaged
    open: int
    overdue: int
    implemented: int
    partly: int
    not_implemented: int

    @property
    def all_implemented(self) -> bool:
        return self.items > 0 and self.implemented == self.items


def rollup(children: Iterable[TrackedState], today: date) -> Rollup:
    kids = [k for k in children if k.phase is not Phase.none]
    verdicts = [k.verdict for k in kids if k.phase is Phase.concluded]
    return Rollup(items=len(kids), progress=sum(progress_of(k) for k in kids) // len(kids) if kids else 0,
                  open=sum(k.phase is Phase.open for k in kids), overdue=sum(is_overdue(k, today) for k in kids),
                  implemented=verdicts.count(Verdict.implemented), partly=verdicts.count(Verdict.partly),
                  not_implemented=verdicts.count(Verdict.not_implemented))


def parent_progress(children: Iterable[TrackedState]) -> int:
    """A parent item's progress in percent, from its children's."""
    kids = [k for k in children if k.phase is not Phase.none]
    return sum(progress_of(k) for k in kids) // len(kids) if kids else 0


# ---- deciding --------------------------------------------------------------------------------------------------

Events = list[DomainEvent]


def decide(state: TrackedState, issued: Issued[object]) -> Sequence[DomainEvent]:
    command = issued.command
    if isinstance(command, Open):
        return _open(state, command, issued)
    if state.phase is Phase.none:
        raise refuse("tracked_item_not_found", "no such tracked item in this committee", fields=["item_id"])
    if isinstance(command, c.ReportTrackedItemProgress):
        return _report(state, command, issued)
    if isinstance(command, c.FollowUpTrackedItem):
        return _follow_up(state, command, issued)
    if isinstance(command, c.RecordTrackedItemVerdict):
        return _verdict(state, command, issued)
    if isinstance(command, c.ReopenTrackedItem):
        return _reopen(state, command, issued)
    if isinstance(command, c.RecordTrackedItemLookback):
        return _lookback(state, command, issued)
    raise TypeError(f"a tracked item takes no command {type(command).__name__}")


def _open(state: TrackedState, cmd: Open, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, f"sending a {NOUNS[cmd.subject]} for tracking")
    f = cmd.fields
    if state.phase is not Phase.none:
        raise refuse("tracked_item_exists", f"a tracked item {cmd.item_id} exists already", fields=[f.item_id])
    if not cmd.unit_ids:
        raise refuse("no_responsible_unit", f"a {NOUNS[cmd.subject]} is sent to at least one responsible "
                     "department", fields=[f.unit_ids])
    distinct(cmd.unit_ids, "responsible departments", f.unit_ids)
    not_after_today(cmd.sent_on, issued.today, f"sending the {NOUNS[cmd.subject]}", f.sent_on)
    return [TrackedItemOpened(item_id=cmd.item_id, subject=cmd.subject, source_id=cmd.source_id,
                              parent_item_id=cmd.parent_item_id, title=cmd.title, summary=cmd.summary,
                              unit_ids=list(cmd.unit_ids), sent_on=cmd.sent_on,
                              due_working_days=cmd.due_working_days,
                              due=due_date(issued.calendar, cmd.sent_on, cmd.due_working_days))]


def _require_open(state: TrackedState, what: str) -> None:
    if state.phase is Phase.concluded:
        assert state.verdict is not None
        raise refuse("tracked_item_concluded", f"cannot {what}: the {state.noun} has a verdict "
                     f"({state.verdict.value}); it must be reopened first", verdict=state.verdict.value)


def _report(state: TrackedState, cmd: c.ReportTrackedItemProgress, issued: Issued[object]) -> Events:
    require_role(issued, UNIT, "reporting progress")
    unit = issued.actor.unit_id
    if issued.role is not Role.unit_staff or unit is None or unit not in state.unit_ids:
        raise refuse("unit_not_responsible", f"the {state.noun} was not sent to your unit ({unit or 'none'}); "
                     "only the departments asked report on it", unit_id=unit)
    _require_open(state, "report progress")
    assert state.sent_on is not None
    not_after_today(cmd.reported_on, issued.today, "a progress report", "reported_on")
    if cmd.reported_on < state.sent_on:
        raise refuse("report_before_sending", f"the report is dated before the {state.noun} was sent "
                     f"({state.sent_on})", fields=["reported_on"])
    _status_agrees(cmd.status, cmd.progress)
    for i, m in enumerate(cmd.milestones):
        if m.reached_on > cmd.reported_on:
            raise refuse("milestone_after_report", "a milestone is reported once reached (it is dated after the "
                         "report)", fields=[f"milestones.{i}.reached_on"])
    return [TrackedItemProgressReported(
        item_id=state.item_id, unit_id=unit, round=state.round, status=cmd.status, progress=cmd.progress,
        text=cmd.text, reported_on=cmd.reported_on,
        milestones=[Milestone(reached_on=m.reached_on, text=m.text) for m in cmd.milestones])]


def _status_agrees(status: ProgressStatus, progress: int) -> None:
    allowed = {ProgressStatus.not_started: (0, 0), ProgressStatus.done: (100, 100)}.get(status, (1, 99))
    if not allowed[0] <= progress <= allowed[1]:
        span = f"{allowed[0]}" if allowed[0] == allowed[1] else f"{allowed[0]}-{allowed[1]}"
        raise refuse("status_progress_mismatch", f"a report of status {status.value} gives progress {span} %, "
                     f"not {progress} %", fields=["status", "progress"])


def _follow_up(state: TrackedState, cmd: c.FollowUpTrackedItem, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE_OR_LEADERSHIP, "following up")
    _require_open(state, "follow up")
    assert state.sent_on is not None
    not_after_today(cmd.followed_up_on, issued.today, "a follow-up", "followed_up_on")
    if cmd.followed_up_on < state.sent_on:
        raise refuse("follow_up_before_sending", f"the follow-up is dated before the {state.noun} was sent "
                     f"({state.sent_on})", fields=["followed_up_on"])
    distinct(cmd.unit_ids, "departments", "unit_ids")
    others = [u for u in cmd.unit_ids if u not in state.unit_ids]
    if others:
        raise refuse("unit_not_responsible", f"the {state.noun} was not sent to {', '.join(others)}",
                     fields=["unit_ids"], unit_ids=others)
    return [TrackedItemFollowedUp(item_id=state.item_id, round=state.round, method=cmd.method,
                                  unit_ids=list(cmd.unit_ids or state.unit_ids), followed_up_on=cmd.followed_up_on,
                                  note=cmd.note)]


def _verdict(state: TrackedState, cmd: c.RecordTrackedItemVerdict, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "giving a verdict")
    _require_open(state, "give a verdict")
    if state.reports_this_round == 0:
        since = "it was sent" if state.round == 1 else "it was reopened"
        raise refuse("verdict_needs_report", f"no department has reported on the {state.noun} since {since}; "
                     "a verdict follows a report", round=state.round)
    return [TrackedItemVerdictRecorded(item_id=state.item_id, round=state.round, verdict=cmd.verdict,
                                       given_on=issued.today, notes=cmd.notes)]


def _reopen(state: TrackedState, cmd: c.ReopenTrackedItem, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "reopening follow-up")
    if state.phase is Phase.open:
        raise refuse("tracked_item_open", f"the {state.noun} is still being followed up: it has no verdict to "
                     "reopen from")
    if state.verdict not in UNMET:
        raise refuse("tracked_item_implemented", f"the {state.noun} was found implemented; only a verdict of "
                     "partly or not reopens it")
    require_reason(cmd.reason)
    return [TrackedItemReopened(item_id=state.item_id, round=state.round + 1, reason=cmd.reason,
                                reopened_on=issued.today, due_working_days=cmd.due_working_days,
                                due=due_date(issued.calendar, issued.today, cmd.due_working_days))]


def _lookback(state: TrackedState, cmd: c.RecordTrackedItemLookback, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "looking back")
    if state.verdict is not Verdict.implemented:
        raise refuse("lookback_needs_acceptance", f"a look-back follows acceptance: the {state.noun} has not been "
                     "found implemented", verdict=state.verdict.value if state.verdict else None)
    not_after_today(cmd.looked_back_on, issued.today, "a look-back", "looked_back_on")
    events: Events = [TrackedItemLookedBack(item_id=state.item_id, round=state.round, outcome=cmd.outcome,
                                            looked_back_on=cmd.looked_back_on, notes=cmd.notes)]
    if cmd.outcome in UNMET:
        reason = cmd.notes.strip() or f"回头看: {cmd.outcome.label_zh}"
        events.append(TrackedItemReopened(item_id=state.item_id, round=state.round + 1, reason=reason,
                                          reopened_on=issued.today, due_working_days=cmd.due_working_days,
                                          due=due_date(issued.calendar, issued.today, cmd.due_working_days)))
    return events


def evolve(state: TrackedState, event: DomainEvent) -> TrackedState:
    match event:
        case TrackedItemOpened():
            return TrackedState(item_id=event.item_id, subject=event.subject, source_id=event.source_id,
                                parent_item_id=event.parent_item_id, title=event.title,
                                unit_ids=tuple(event.unit_ids), sent_on=event.sent_on, due=event.due,
                                phase=Phase.open, round=1)
        case TrackedItemProgressReported():
            latest = {**state.latest, event.unit_id: UnitReport(event.status, event.progress, event.reported_on,
                                                                event.round)}
            current = event.round == state.round
            return replace(state, latest=latest, reports_this_round=state.reports_this_round + current)
        case TrackedItemFollowedUp():
            return replace(state, follow_ups=state.follow_ups + 1)
        case TrackedItemVerdictRecorded():
            return replace(state, phase=Phase.concluded, verdict=event.verdict,
                           verdicts=(*state.verdicts, event.verdict))
        case TrackedItemLookedBack():
            return replace(state, lookbacks=(*state.lookbacks, event.outcome))
        case TrackedItemReopened():
            return replace(state, phase=Phase.open, round=event.round, reports_this_round=0, verdict=None,
                           due=event.due)
    raise TypeError(f"a tracked item has no event {type(event).__name__}")


TRACKED: Decider[TrackedState, Issued[object]] = Decider(initial=TrackedState, decide=decide, evolve=evolve)
