"""Property: no sequence of tracking commands, by anyone, in any order, on any day, reaches a state the
mechanism forbids. Hypothesis generates command sequences on one item; every command either is refused with a
DomainError (and changes nothing) or appends events; an independent monitor re-reads the history and checks
the invariants: no verdict without a report in its round, a reopened item needs a new report before a new
verdict, progress stays in 0..100, only the departments asked report, nothing follows "implemented"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.envelope import Actor
from contracts.registry import DomainEvent
from contracts.surveys import commands as c
from contracts.surveys.tracking import (
    ProgressStatus,
    TrackedItemFollowedUp,
    TrackedItemOpened,
    TrackedItemProgressReported,
    TrackedItemReopened,
    TrackedItemVerdictRecorded,
    TrackedSubject,
    Verdict,
)
from eventstore.errors import DomainError
from eventstore.issued import Issued
from eventstore.workdays import DEFAULT_CALENDAR
from surveys.domain.tracking import TRACKED, Open, Phase, TrackedState, progress_of

from ..kit import COMMITTEE, LEADER, OFFICE, member, on, unit

RESPONSIBLE = ("u-env", "u-water")
ACTORS: tuple[Actor, ...] = (unit("u-env"), unit("u-water"), unit("u-health"), OFFICE, LEADER, member("m-zhang"))
# Early enough that the longest walk (60 steps of up to 6 days) ends before today: the commands' own bounds
# refuse a past fact dated after the real today.
START = date(2020, 3, 2)

steps = st.lists(st.fixed_dictionaries({
    "kind": st.sampled_from(["report", "report", "follow_up", "verdict", "verdict", "reopen", "reopen"]),
    "actor": st.sampled_from(ACTORS),
    "plausible": st.sampled_from([True, True, True, False]),  # mostly someone who may act, so walks get deep
    "status": st.sampled_from(list(ProgressStatus)),
    "progress": st.integers(0, 100),
    "back": st.integers(0, 3),
    "wait": st.integers(0, 6),
    # "implemented" ends a walk; the unmet verdicts, which reopen, come up more often.
    "verdict": st.sampled_from([Verdict.partly, Verdict.not_implemented, Verdict.partly, Verdict.implemented]),
    "days": st.integers(1, 30),
}), min_size=10, max_size=60)


@dataclass
class Walk:
    today: date = START
    events: list[DomainEvent] = field(default_factory=list)
    state: TrackedState = field(default_factory=TrackedState)
    refusals: list[tuple[str, str]] = field(default_factory=list)  # (command kind, rule)

    def run(self, command: object, actor: Actor) -> list[DomainEvent] | None:
        try:
            new = list(TRACKED.decide(self.state, Issued(command, actor, COMMITTEE, on(self.today))))
        except DomainError as err:
            self.refusals.append((type(command).__name__, err.rule))
            return None
        self.events.extend(new)
        self.state = TRACKED.fold(new, self.state)
        return new


def command_for(step: dict[str, Any], today: date) -> tuple[object, Actor]:
    day = max(START, today - timedelta(days=step["back"])).isoformat()
    kind = step["kind"]
    if kind == "report":
        status = step["status"]
        # A plausible report keeps its status and progress in agreement (so walks get past the first refusal).
        progress = step["progress"]
        if step["plausible"]:
            progress = {ProgressStatus.not_started: 0, ProgressStatus.done: 100}.get(status, max(1, min(99, progress)))
        cmd: object = c.ReportTrackedItemProgress.model_validate(
            {"item_id": "o-1", "status": status, "progress": progress, "text": "进展", "reported_on": day})
        actor = unit(RESPONSIBLE[step["progress"] % 2]) if step["plausible"] else step["actor"]
    elif kind == "follow_up":
        cmd = c.FollowUpTrackedItem.model_validate({"item_id": "o-1", "method": "call", "followed_up_on": day})
        actor = OFFICE if step["plausible"] else step["actor"]
    elif kind == "verdict":
        cmd = c.RecordTrackedItemVerdict(item_id="o-1", verdict=step["verdict"])
        actor = OFFICE if step["plausible"] else step["actor"]
    else:
        cmd = c.ReopenTrackedItem(item_id="o-1", reason="仍未落实", due_working_days=step["days"])
        actor = OFFICE if step["plausible"] else step["actor"]
    return cmd, actor


def check_history(events: list[DomainEvent], sent_on: date) -> None:
    """The invariants, re-read from the events alone (not from the decider's state)."""
    assert isinstance(events[0], TrackedItemOpened)
    assert sum(isinstance(e, TrackedItemOpened) for e in events) == 1
    round_, reports_in_round, concluded, final = 1, 0, False, False
    for e in events[1:]:
        assert not final, f"nothing follows an 'implemented' verdict, got {e.event_type}"
        if isinstance(e, TrackedItemProgressReported):
            assert not concluded and e.unit_id in RESPONSIBLE and e.round == round_
            assert 0 <= e.progress <= 100 and sent_on <= e.reported_on
            expected = {ProgressStatus.not_started: range(0, 1), ProgressStatus.done: range(100, 101)}
            assert e.progress in expected.get(e.status, range(1, 100)), "the status and the progress agree"
            reports_in_round += 1
        elif isinstance(e, TrackedItemFollowedUp):
            assert not concluded and set(e.unit_ids) <= set(RESPONSIBLE)
        elif isinstance(e, TrackedItemVerdictRecorded):
            assert not concluded and reports_in_round >= 1, "a verdict needs a report in its round"
            assert e.round == round_
            concluded, final = True, e.verdict is Verdict.implemented
        elif isinstance(e, TrackedItemReopened):
            assert concluded, "only a concluded item is reopened"
            assert e.round == round_ + 1 and DEFAULT_CALENDAR.is_working_day(e.due) and e.due > e.reopened_on
            round_, reports_in_round, concluded = e.round, 0, False
        else:
            raise AssertionError(f"unexpected {e.event_type}")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(walk=steps, subject=st.sampled_from(list(TrackedSubject)))
def test_property_no_walk_breaks_the_tracking_rules(walk: list[dict[str, Any]], subject: TrackedSubject) -> None:
    w = Walk()
    opened = w.run(Open(item_id="o-1", subject=subject, source_id="c-1", title="协商意见", unit_ids=RESPONSIBLE,
                        sent_on=START, due_working_days=10), OFFICE)
    assert opened is not None and DEFAULT_CALENDAR.is_working_day(opened[0].due)  # type: ignore[attr-defined]
    for step in walk:
        w.today += timedelta(days=step["wait"])
        before, state_before = list(w.events), w.state
        reports_before = state_before.reports_this_round
        cmd, actor = command_for(step, w.today)
        written = w.run(cmd, actor)
        if written is None:
            assert w.events == before and w.state == state_before, "a refusal changes nothing"
        if isinstance(cmd, c.RecordTrackedItemVerdict) and reports_before == 0:
            assert written is None, "no verdict without a report in the current round"
            if state_before.phase is Phase.open and actor == OFFICE:
                assert w.refusals[-1][1] == "verdict_needs_report"
        assert 0 <= progress_of(w.state) <= 100
        assert w.state == TRACKED.fold(w.events), "folding the history gives the same state"
    check_history(w.events, START)


def test_a_reopened_item_needs_a_new_report_before_a_new_verdict_whatever_came_before() -> None:
    w = Walk()
    w.run(Open(item_id="o-1", subject=TrackedSubject.rectification, source_id="s-1", title="整改",
               unit_ids=RESPONSIBLE, sent_on=START, due_working_days=10), OFFICE)
    for unmet in (Verdict.partly, Verdict.not_implemented):
        assert w.run(c.ReportTrackedItemProgress.model_validate(
            {"item_id": "o-1", "status": "in_progress", "progress": 30, "text": "进展",
             "reported_on": w.today.isoformat()}), unit("u-env")) is not None
        assert w.run(c.RecordTrackedItemVerdict(item_id="o-1", verdict=unmet), OFFICE) is not None
        assert w.run(c.ReopenTrackedItem(item_id="o-1", reason="再督办", due_working_days=5), OFFICE) is not None
        assert w.run(c.RecordTrackedItemVerdict(item_id="o-1", verdict=Verdict.implemented), OFFICE) is None
        assert w.refusals[-1] == ("RecordTrackedItemVerdict", "verdict_needs_report")
    assert w.state.round == 3 and w.state.phase is Phase.open
    check_history(w.events, START)
