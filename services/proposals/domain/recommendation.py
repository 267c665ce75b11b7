"""Recommendation reports (建议案) and their look-backs: when the look-back falls due the watcher opens it;
the office concludes it; "not implemented" keeps follow-up going until a new look-back date; "partly"
schedules the next look-back (the office's date, else the committee's interval)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from contracts.proposals import (
    LookbackConcluded,
    LookbackOpened,
    LookbackOutcome,
    LookbackScheduled,
    LookbackSubject,
    RecommendationFollowupReopened,
    RecommendationReportRecorded,
)
from contracts.proposals import commands as c
from contracts.registry import DomainEvent
from contracts.roles import OFFICE, SYSTEM
from eventstore.decider import Decider
from eventstore.issued import Issued, require_role
from proposals.domain.lookback_policy import ConcludeLookback, next_due
from proposals.domain.refusals import refuse


@dataclass(frozen=True)
class RecommendationState:
    recommendation_id: str = ""
    exists: bool = False
    lookback_due: date | None = None  # the next look-back; None once concluded for good
    lookbacks: int = 0
    open_lookback: str | None = None


@dataclass(frozen=True)
class Record:
    recommendation_id: str
    command: c.RecordRecommendationReport


@dataclass(frozen=True)
class OpenDueLookback:
    """The watcher's sweep for a recommendation report."""


Events = list[DomainEvent]


def decide(state: RecommendationState, issued: Issued[object]) -> Sequence[DomainEvent]:
    command = issued.command
    if isinstance(command, Record):
        require_role(issued, OFFICE, "recording a recommendation report")
        if state.exists:
            raise refuse("recommendation_exists", "a recommendation report with this id exists")
        r = command.command
        if r.sent_on > issued.today:
            raise refuse("date_in_future", "the report cannot be sent later than today", fields=["sent_on"])
        if r.lookback_due <= r.sent_on:
            raise refuse("lookback_before_sending", "the look-back falls due after the report is sent")
        return [RecommendationReportRecorded(recommendation_id=command.recommendation_id, title=r.title,
                                             summary=r.summary, addressed_to=r.addressed_to, sent_on=r.sent_on,
                                             lookback_due=r.lookback_due)]
    if not state.exists:
        raise refuse("recommendation_not_found", "no such recommendation report in this committee")
    if isinstance(command, OpenDueLookback):
        require_role(issued, SYSTEM, "the deadline sweep")
        if state.open_lookback or state.lookback_due is None or state.lookback_due > issued.today:
            return []
        return [LookbackOpened(lookback_id=f"{state.recommendation_id}-lb{state.lookbacks + 1}",
                               subject=LookbackSubject.recommendation, due=state.lookback_due,
                               recommendation_id=state.recommendation_id)]
    if isinstance(command, ConcludeLookback):
        return _conclude(state, command, issued)
    raise TypeError(f"a recommendation report takes no command {type(command).__name__}")


def _conclude(state: RecommendationState, conclude: ConcludeLookback, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "concluding a look-back")
    cmd = conclude.command
    assert isinstance(cmd, c.ConcludeRecommendationLookback)
    if state.open_lookback != cmd.lookback_id:
        raise refuse("lookback_not_found", "no such open look-back on this report")
    events: Events = [LookbackConcluded(lookback_id=cmd.lookback_id, subject=LookbackSubject.recommendation,
                                        outcome=cmd.outcome, notes=cmd.notes,
                                        recommendation_id=state.recommendation_id)]
    if cmd.outcome is LookbackOutcome.not_implemented:
        if cmd.next_lookback_due is None or cmd.next_lookback_due <= issued.today:
            raise refuse("next_lookback_required", "not implemented: set when to look back again")
        events.append(RecommendationFollowupReopened(
            recommendation_id=state.recommendation_id, lookback_id=cmd.lookback_id,
            next_lookback_due=cmd.next_lookback_due, reason=cmd.notes))
    elif cmd.outcome is LookbackOutcome.partly:
        # The id the watcher will open it under (`OpenDueLookback` numbers look-backs the same way).
        events.append(LookbackScheduled(
            lookback_id=f"{state.recommendation_id}-lb{state.lookbacks + 1}", after_lookback_id=cmd.lookback_id,
            subject=LookbackSubject.recommendation,
            due=next_due(cmd.next_lookback_due, conclude.interval_months, issued),
            recommendation_id=state.recommendation_id))
    elif cmd.next_lookback_due is not None:
        raise refuse("next_lookback_not_expected", "implemented: no further look-back is set",
                     fields=["next_lookback_due"])
    return events


def evolve(state: RecommendationState, event: DomainEvent) -> RecommendationState:
    match event:
        case RecommendationReportRecorded():
            return RecommendationState(recommendation_id=event.recommendation_id, exists=True,
                                       lookback_due=event.lookback_due)
        case LookbackOpened():
            return replace(state, open_lookback=event.lookback_id, lookbacks=state.lookbacks + 1)
        case LookbackConcluded():
            return replace(state, open_lookback=None, lookback_due=None)
        case RecommendationFollowupReopened():
            return replace(state, lookback_due=event.next_lookback_due)
        case LookbackScheduled():
            return replace(state, lookback_due=event.due)
    raise TypeError(f"a recommendation report has no event {type(event).__name__}")


RECOMMENDATION: Decider[RecommendationState, Issued[object]] = Decider(
    initial=RecommendationState, decide=decide, evolve=evolve)
