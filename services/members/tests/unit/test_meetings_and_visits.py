"""Meetings and visits as pure deciders: leave, check-in, the roll; visit rules; the visit plan's progress."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from contracts.envelope import Actor, Role
from contracts.members.enums import AttendanceStatus, ChairRole, MemberStatus, Sector, VisitKind
from contracts.members.meeting import MeetingAttendanceClosed, MeetingAttendanceRecorded
from contracts.members.member_view import MemberView
from contracts.members.visit import VisitPlanSet
from eventstore.errors import DomainError
from eventstore.issued import Issued
from members.domain import meeting as mtg
from members.domain.visit import VisitRecord, plan_progress

START = datetime(2025, 3, 1, 1, 0, tzinfo=UTC)  # 09:00 in the county
OFFICE = Actor(id="office-1", role=Role.office_staff)
MEMBERS = {m: MemberView(m, MemberStatus.active, Sector.education, None, False, None) for m in ("a", "b", "c")}


def member(member_id: str) -> Actor:
    return Actor(id=member_id, role=Role.member, member_id=member_id)


def cmd(body: BaseModel, actor: Actor = OFFICE, now: datetime = START - timedelta(days=3)) -> Issued[Any]:
    return Issued(body, actor, "county-a", now, members=MEMBERS)


def run(state: mtg.MeetingState, body: BaseModel, actor: Actor = OFFICE,
        now: datetime = START - timedelta(days=3)) -> mtg.MeetingState:
    return mtg.meeting.fold(mtg.meeting.decide(state, cmd(body, actor, now)), state)


def refused(state: mtg.MeetingState, body: BaseModel, actor: Actor = OFFICE,
            now: datetime = START - timedelta(days=3)) -> str:
    with pytest.raises(DomainError) as err:
        mtg.meeting.decide(state, cmd(body, actor, now))
    return err.value.rule


@pytest.fixture
def invited() -> mtg.MeetingState:
    state = run(mtg.MeetingState(), mtg.ScheduleMeeting(
        meeting_id="m1", kind="standing_committee", title="常委会议", starts_at=START,
        ends_at=START + timedelta(hours=4)))
    return run(state, mtg.InviteToMeeting(meeting_id="m1", member_ids=["a", "b", "c"]))


def test_leave_is_asked_by_the_member_and_decided_by_the_office(invited: mtg.MeetingState) -> None:
    ask = mtg.RequestLeave(meeting_id="m1", member_id="a", reason="official_duty")
    assert refused(invited, ask, member("b")) == "not_authorized"
    state = run(invited, ask, member("a"))
    assert refused(state, ask, member("a")) == "leave_already_requested"
    assert refused(state, mtg.DecideLeave(meeting_id="m1", member_id="a", approved=True), member("a")) == \
        "not_authorized"
    state = run(state, mtg.DecideLeave(meeting_id="m1", member_id="a", approved=True))
    assert refused(state, mtg.DecideLeave(meeting_id="m1", member_id="a", approved=False)) == "no_pending_leave"
    assert state.leave == {"a": "approved"}


def test_check_in_needs_the_code_the_invitation_and_the_window(invited: mtg.MeetingState) -> None:
    during = START + timedelta(minutes=10)
    good = mtg.CheckIn(meeting_id="m1", member_id="a", code_matches=True)
    assert refused(invited, mtg.CheckIn(meeting_id="m1", member_id="a", code_matches=False), member("a"),
                   during) == "wrong_check_in_code"
    assert refused(invited, good, member("a"), START - timedelta(hours=3)) == "check_in_closed"
    assert refused(invited, good, member("b"), during) == "not_authorized", "nobody checks in for another"
    state = run(invited, good, member("a"), during)
    assert refused(state, good, member("a"), during) == "already_checked_in"
    outsider = mtg.CheckIn(meeting_id="m1", member_id="z", code_matches=True)
    assert refused(state, outsider, member("z"), during) == "not_invited"


def test_closing_the_roll_records_approved_leave_and_absence(invited: mtg.MeetingState) -> None:
    during = START + timedelta(minutes=10)
    state = run(invited, mtg.RequestLeave(meeting_id="m1", member_id="b", reason="illness"), member("b"))
    state = run(state, mtg.DecideLeave(meeting_id="m1", member_id="b", approved=True))
    state = run(state, mtg.CheckIn(meeting_id="m1", member_id="a", code_matches=True), member("a"), during)
    assert refused(state, mtg.CloseAttendance(meeting_id="m1")) == "meeting_not_started"
    events = mtg.meeting.decide(state, cmd(mtg.CloseAttendance(meeting_id="m1"), now=during))
    records = [(e.member_id, e.status, e.held_on) for e in events if isinstance(e, MeetingAttendanceRecorded)]
    assert records == [("b", AttendanceStatus.on_leave, date(2025, 3, 1)), ("c", AttendanceStatus.absent,
                                                                             date(2025, 3, 1))]
    assert isinstance(events[-1], MeetingAttendanceClosed) and (events[-1].present, events[-1].on_leave,
                                                                 events[-1].absent) == (1, 1, 1)
    closed = mtg.meeting.fold(events, state)
    assert refused(closed, mtg.CloseAttendance(meeting_id="m1"), now=during) == "attendance_already_closed"
    # A correction by the office supersedes the earlier record (same duty fact, corrected).
    [fix] = mtg.meeting.decide(closed, cmd(mtg.RecordAttendance(meeting_id="m1", member_id="c", status="present"),
                                           now=during))
    assert isinstance(fix, MeetingAttendanceRecorded) and fix.corrects_previous


def test_the_visit_plan_progress_counts_grassroots_coverage_and_sector_visits() -> None:
    roster = [MemberView("chair", MemberStatus.active, Sector.cpc, ChairRole.chair, True, None),
              MemberView("a", MemberStatus.active, Sector.education, None, False, "t1"),
              MemberView("b", MemberStatus.active, Sector.economy, None, False, "t2"),
              MemberView("gone", MemberStatus.resigned, Sector.economy, None, False, "t2")]
    plan = VisitPlanSet(year=2025, plan_version=1, sector_visits_per_member=2, pairings={"chair": ["a", "b"]})
    visits = [VisitRecord("chair", VisitKind.chair_visits_member, ("a",), date(2025, 4, 1)),
              VisitRecord("chair", VisitKind.chair_visits_member, ("b",), date(2024, 4, 1)),  # last year
              VisitRecord("a", VisitKind.member_visits_sector, (), date(2025, 5, 1)),
              VisitRecord("a", VisitKind.member_visits_sector, (), date(2025, 6, 1)),
              VisitRecord("b", VisitKind.member_visits_sector, (), date(2025, 6, 1))]
    progress = plan_progress(plan, roster, visits)
    assert (progress.grassroots_total, progress.grassroots_visited, progress.grassroots_not_visited) == (2, 1, ("b",))
    assert progress.members_behind_sector_target == ("b", "chair")
    assert (progress.pairings_total, progress.pairings_done) == (2, 1)
    assert progress.grassroots_coverage == 0.5
