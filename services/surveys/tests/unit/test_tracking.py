"""The one outcome-tracking mechanism, decided without I/O: sending, reports by the departments asked, the
office's follow-up, the verdict after a report, reopening after partly or not, and progress computed from
the departments' reports and from children."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from contracts.surveys import commands as c
from contracts.surveys.tracking import ProgressStatus, TrackedItemOpened, TrackedSubject, Verdict
from surveys.domain.tracking import (
    NOUNS,
    TRACKED,
    Open,
    OpenFields,
    Phase,
    TrackedState,
    is_overdue,
    parent_progress,
    progress_of,
    rollup,
)

from ..kit import ADMIN, LEADER, OFFICE, Harness, member, types, unit

ENV, WATER, HEALTH = unit("u-env"), unit("u-water"), unit("u-health")


def opening(subject: TrackedSubject = TrackedSubject.consultation_outcome, item_id: str = "o-1",
            units: tuple[str, ...] = ("u-env", "u-water"), sent_on: date = date(2026, 4, 24), days: int = 5,
            parent: str | None = None) -> Open:
    return Open(item_id=item_id, subject=subject, source_id="c-1", title="关于加快农村生活污水治理的协商意见",
                unit_ids=units, sent_on=sent_on, due_working_days=days, summary="分年度推进", parent_item_id=parent)


def report(status: str = "in_progress", progress: int = 40, on: str = "2026-05-06", **extra: Any) -> Any:
    return c.ReportTrackedItemProgress.model_validate({"item_id": "o-1", "status": status, "progress": progress,
                                                       "text": "已完成管网招标", "reported_on": on, **extra})


def verdict(value: str = "implemented") -> c.RecordTrackedItemVerdict:
    return c.RecordTrackedItemVerdict(item_id="o-1", verdict=Verdict(value), notes="经实地查看")


def reopen(reason: str = "部分村组尚未完工", days: int = 10) -> c.ReopenTrackedItem:
    return c.ReopenTrackedItem(item_id="o-1", reason=reason, due_working_days=days)


def follow_up(units: list[str] | None = None, on: str = "2026-05-07") -> c.FollowUpTrackedItem:
    return c.FollowUpTrackedItem.model_validate({"item_id": "o-1", "method": "notice", "followed_up_on": on,
                                                 "unit_ids": units or [], "note": "请按期报送落实情况"})


@pytest.fixture
def item() -> Harness[TrackedState]:
    h: Harness[TrackedState] = Harness(TRACKED, today=date(2026, 4, 24))
    h.run(opening(), OFFICE)
    h.advance(to=date(2026, 5, 8))
    return h


def test_an_item_is_due_on_the_working_day_the_calendar_gives() -> None:
    h: Harness[TrackedState] = Harness(TRACKED, today=date(2026, 4, 24))
    (opened,) = h.run(opening(days=5), OFFICE)
    # Five working days after Friday 24 April: the Labour Day holiday (1-5 May) is not counted.
    assert isinstance(opened, TrackedItemOpened) and opened.due == date(2026, 5, 6)
    assert h.state.phase is Phase.open and h.state.round == 1 and progress_of(h.state) == 0


def test_opening_names_the_opening_commands_fields() -> None:
    h: Harness[TrackedState] = Harness(TRACKED, today=date(2026, 4, 24))
    fields = OpenFields(item_id="outcome_id", unit_ids="responsible_unit_ids", sent_on="sent_on")
    nobody = Open(**{**opening().__dict__, "unit_ids": (), "fields": fields})
    assert h.refused(nobody, OFFICE, "no_responsible_unit").fields == ["responsible_unit_ids"]
    twice = Open(**{**opening().__dict__, "unit_ids": ("u-env", "u-env"), "fields": fields})
    assert h.refused(twice, OFFICE, "duplicate_ids").fields == ["responsible_unit_ids"]
    later = Open(**{**opening().__dict__, "sent_on": date(2026, 4, 25)})
    assert h.refused(later, OFFICE, "date_in_future").fields == ["sent_on"]
    h.refused(opening(), unit("u-env"), "not_authorized")
    h.run(opening(), OFFICE)
    assert h.refused(Open(**{**opening().__dict__, "fields": fields}), OFFICE,
                     "tracked_item_exists").fields == ["outcome_id"]


def test_only_the_departments_asked_report_and_their_reports_make_the_progress(item: Harness[TrackedState]) -> None:
    item.refused(report(), HEALTH, "unit_not_responsible")
    item.refused(report(), OFFICE, "not_authorized")
    item.refused(report(), member("m-zhang"), "not_authorized")
    assert types(item.run(report(progress=40), ENV)) == ["tracked-item-progress-reported"]
    assert progress_of(item.state) == 20  # u-water has not reported yet
    item.run(report(status="mostly_done", progress=80, on="2026-05-08"), WATER)
    assert progress_of(item.state) == 60 and item.state.reports_this_round == 2


@pytest.mark.parametrize(("status", "progress"), [("not_started", 10), ("done", 99), ("in_progress", 0),
                                                  ("in_progress", 100), ("mostly_done", 100)])
def test_a_report_whose_status_and_progress_disagree_is_refused_naming_both(
        item: Harness[TrackedState], status: str, progress: int) -> None:
    error = item.refused(report(status=status, progress=progress), ENV, "status_progress_mismatch")
    assert error.fields == ["status", "progress"]


def test_report_dates_are_past_facts_after_the_sending(item: Harness[TrackedState]) -> None:
    assert item.refused(report(on="2026-05-09"), ENV, "date_in_future").fields == ["reported_on"]
    assert item.refused(report(on="2026-04-23"), ENV, "report_before_sending").fields == ["reported_on"]
    late_milestone = report(milestones=[{"reached_on": "2026-04-30", "text": "完成招标"},
                                        {"reached_on": "2026-05-07", "text": "开工"}], on="2026-05-06")
    assert item.refused(late_milestone, ENV, "milestone_after_report").fields == ["milestones.1.reached_on"]
    (reported,) = item.run(report(milestones=[{"reached_on": "2026-04-30", "text": "完成招标"}]), ENV)
    assert [m.text for m in reported.milestones] == ["完成招标"]  # type: ignore[attr-defined]


def test_the_office_or_a_leader_follows_up_with_departments_asked(item: Harness[TrackedState]) -> None:
    (urged,) = item.run(follow_up(), OFFICE)
    assert urged.unit_ids == ["u-env", "u-water"]  # type: ignore[attr-defined]
    item.run(follow_up(["u-water"]), LEADER)
    assert item.refused(follow_up(["u-health"]), OFFICE, "unit_not_responsible").fields == ["unit_ids"]
    item.refused(follow_up(), ENV, "not_authorized")
    assert item.refused(follow_up(on="2026-04-20"), OFFICE, "follow_up_before_sending").fields == ["followed_up_on"]
    assert item.state.follow_ups == 2


def test_no_verdict_before_a_report_and_none_after_a_verdict(item: Harness[TrackedState]) -> None:
    item.refused(verdict(), OFFICE, "verdict_needs_report")
    item.run(report(), ENV)
    item.refused(verdict(), LEADER, "not_authorized")
    item.refused(verdict(), ADMIN, "not_authorized")
    assert types(item.run(verdict("implemented"), OFFICE)) == ["tracked-item-verdict-recorded"]
    assert item.state.phase is Phase.concluded and progress_of(item.state) == 100
    item.refused(verdict("partly"), OFFICE, "tracked_item_concluded")
    item.refused(report(), WATER, "tracked_item_concluded")
    item.refused(follow_up(), OFFICE, "tracked_item_concluded")
    item.refused(reopen(), OFFICE, "tracked_item_implemented")


def test_partly_reopens_follow_up_and_a_new_report_comes_before_a_new_verdict(item: Harness[TrackedState]) -> None:
    item.refused(reopen(), OFFICE, "tracked_item_open")
    item.run(report(), ENV)
    item.run(verdict("partly"), OFFICE)
    assert item.refused(reopen(reason="  "), OFFICE, "reason_required").fields == ["reason"]
    (reopened,) = item.run(reopen(days=10), OFFICE)
    # Ten working days after Friday 8 May; Saturday 9 May is a make-up working day (调休上班).
    assert reopened.round == 2 and reopened.due == date(2026, 5, 21)  # type: ignore[attr-defined]
    assert item.state.phase is Phase.open and item.state.verdict is None
    err = item.refused(verdict(), OFFICE, "verdict_needs_report")
    assert "reopened" in err.message
    item.advance(to=date(2026, 5, 20))
    item.run(report(status="done", progress=100, on="2026-05-20"), WATER)
    item.run(verdict("implemented"), OFFICE)
    assert item.state.verdicts == (Verdict.partly, Verdict.implemented)


def test_an_unknown_item_is_not_found_naming_its_id() -> None:
    h: Harness[TrackedState] = Harness(TRACKED)
    assert h.refused(report(), ENV, "tracked_item_not_found").fields == ["item_id"]


@pytest.mark.parametrize("subject", list(TrackedSubject))
def test_every_subject_lives_the_same_life_in_its_own_words(subject: TrackedSubject) -> None:
    h: Harness[TrackedState] = Harness(TRACKED, today=date(2026, 4, 24))
    h.run(opening(subject), OFFICE)
    h.advance(to=date(2026, 5, 8))
    error = h.refused(report(), HEALTH, "unit_not_responsible")
    assert NOUNS[subject] in error.message
    h.refused(verdict(), OFFICE, "verdict_needs_report")
    h.run(report(), ENV)
    h.run(verdict("not_implemented"), OFFICE)
    h.run(reopen(), OFFICE)
    assert h.state.subject is subject and h.state.round == 2


def test_overdue_is_open_past_the_due_date(item: Harness[TrackedState]) -> None:
    assert item.state.due == date(2026, 5, 6)
    assert not is_overdue(item.state, date(2026, 5, 6)) and is_overdue(item.state, date(2026, 5, 7))
    item.run(report(), ENV)
    item.run(verdict(), OFFICE)
    assert not is_overdue(item.state, date(2026, 6, 1))


def _child(item_id: str, *steps: tuple[Any, Any]) -> TrackedState:
    h: Harness[TrackedState] = Harness(TRACKED, today=date(2026, 4, 24))
    h.run(opening(item_id=item_id, parent="parent-1"), OFFICE)
    h.advance(to=date(2026, 5, 8))
    for command, actor in steps:
        h.run(command, actor)
    return h.state


def test_a_parents_progress_is_computed_from_its_children() -> None:
    done = _child("a", (report(status="done", progress=100), ENV), (verdict("implemented"), OFFICE))
    half = _child("b", (report(progress=50), ENV), (report(progress=50), WATER))
    silent = _child("c")
    partly = _child("d", (report(progress=60), ENV), (verdict("partly"), OFFICE))
    assert [progress_of(k) for k in (done, half, silent, partly)] == [100, 50, 0, 30]
    assert parent_progress([done, half, silent, partly]) == 45
    summary = rollup([done, half, silent, partly, TrackedState()], today=date(2026, 5, 8))
    assert (summary.items, summary.progress, summary.open, summary.overdue) == (4, 45, 2, 2)
    assert (summary.implemented, summary.partly, summary.not_implemented) == (1, 1, 0)
    assert not summary.all_implemented and rollup([done], date(2026, 5, 8)).all_implemented
    assert parent_progress([]) == 0 and rollup([], date(2026, 5, 8)).progress == 0
    assert all(k.parent_item_id == "parent-1" for k in (done, half, silent, partly))


def test_the_ladder_has_labels_for_clients() -> None:
    assert ProgressStatus.labels_zh() == {"not_started": "未启动", "in_progress": "推进中", "mostly_done": "基本完成",
                                          "done": "已完成"}
    assert Verdict.partly.label_zh == "部分落实"
