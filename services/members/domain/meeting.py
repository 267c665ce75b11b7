"""The meeting aggregate (stream `meeting:{committee}:{meeting_id}`): schedule, invite, leave, attendance.

Attendance is present (checked in with the meeting's code, or on the roll), on leave (an approved request)
or absent without leave; closing the roll records everyone invited who has no record yet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from contracts.envelope import Role
from contracts.members.commands import (
    CloseAttendance,
    DecideLeave,
    InviteToMeeting,
    RecordAttendance,
    RequestLeave,
    ScheduleMeeting,
)
from contracts.members.enums import AttendanceSource, AttendanceStatus, MeetingKind
from contracts.members.meeting import (
    LeaveDecided,
    LeaveRequested,
    MeetingAttendanceClosed,
    MeetingAttendanceRecorded,
    MeetingInvitationSent,
    MeetingScheduled,
)
from contracts.registry import DomainEvent
from eventstore.decider import Decider
from eventstore.errors import DomainError, NotAuthorized
from members.domain.common import (
    Command,
    no_duplicates,
    require_active_members,
    require_office,
    require_self_or_office,
)
from members.scoring.facts import local_date

# Members may check in from this long before the start until the end.
CHECK_IN_OPENS = timedelta(hours=2)


def meeting_stream(committee_id: str, meeting_id: str) -> str:
    return f"meeting:{committee_id}:{meeting_id}"


class CheckIn(BaseModel):
    """The decider's view of a check-in: the handler compared the code with the private one."""

    model_config = ConfigDict(extra="forbid")
    meeting_id: str
    member_id: str
    code_matches: bool


LeaveState = Literal["pending", "approved", "refused"]


@dataclass(frozen=True)
class MeetingState:
    exists: bool = False
    kind: MeetingKind = MeetingKind.plenary
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    invited: frozenset[str] = frozenset()
    leave: dict[str, LeaveState] = field(default_factory=dict)
    attendance: dict[str, AttendanceStatus] = field(default_factory=dict)
    closed: bool = False


def evolve(state: MeetingState, event: DomainEvent) -> MeetingState:
    if isinstance(event, MeetingScheduled):
        return MeetingState(True, event.kind, event.starts_at, event.ends_at)
    if isinstance(event, MeetingInvitationSent):
        return replace(state, invited=state.invited | set(event.member_ids))
    if isinstance(event, LeaveRequested):
        return replace(state, leave={**state.leave, event.member_id: "pending"})
    if isinstance(event, LeaveDecided):
        return replace(state, leave={**state.leave, event.member_id: "approved" if event.approved else "refused"})
    if isinstance(event, MeetingAttendanceRecorded):
        return replace(state, attendance={**state.attendance, event.member_id: event.status})
    if isinstance(event, MeetingAttendanceClosed):
        return replace(state, closed=True)
    return state


def _existing(state: MeetingState, meeting_id: str) -> tuple[datetime, datetime]:
    if not state.exists or state.starts_at is None or state.ends_at is None:
        raise DomainError("unknown_meeting", f"no meeting {meeting_id}")
    return state.starts_at, state.ends_at


def _invited(state: MeetingState, member_id: str) -> None:
    if member_id not in state.invited:
        raise DomainError("not_invited", f"{member_id} is not invited to this meeting")


def _record(state: MeetingState, meeting_id: str, member_id: str, status: AttendanceStatus,
            source: AttendanceSource) -> MeetingAttendanceRecorded:
    assert state.starts_at is not None
    return MeetingAttendanceRecorded(
        meeting_id=meeting_id, meeting_kind=state.kind, member_id=member_id, status=status,
        held_on=local_date(state.starts_at), source=source, corrects_previous=member_id in state.attendance)


def decide(state: MeetingState, cmd: Command[Any]) -> Sequence[DomainEvent]:
    b = cmd.body
    if isinstance(b, ScheduleMeeting):
        require_office(cmd, "schedule meetings")
        if state.exists:
            raise DomainError("meeting_already_scheduled", f"meeting {b.meeting_id} exists")
        if b.ends_at <= b.starts_at:
            raise DomainError("meeting_ends_before_start", "a meeting ends after it starts")
        return [MeetingScheduled(**b.model_dump())]
    starts, ends = _existing(state, b.meeting_id)
    if isinstance(b, InviteToMeeting):
        require_office(cmd, "invite members")
        ids = no_duplicates(b.member_ids, "member")
        if cmd.now >= ends:
            raise DomainError("meeting_over", "the meeting is over")
        fresh = [m for m in ids if m not in state.invited]
        if not fresh:
            raise DomainError("already_invited", "every member named is already invited")
        require_active_members(cmd, fresh)
        return [MeetingInvitationSent(meeting_id=b.meeting_id, meeting_kind=state.kind, member_ids=fresh)]
    if isinstance(b, RequestLeave):
        require_self_or_office(cmd, b.member_id, "ask leave")
        _invited(state, b.member_id)
        if cmd.now >= ends or state.closed:
            raise DomainError("meeting_over", "leave is asked before the meeting ends")
        if state.attendance.get(b.member_id) is AttendanceStatus.present:
            raise DomainError("already_checked_in", f"{b.member_id} is already present")
        if state.leave.get(b.member_id) in ("pending", "approved"):
            raise DomainError("leave_already_requested", f"{b.member_id} has already asked leave")
        return [LeaveRequested(meeting_id=b.meeting_id, member_id=b.member_id, reason=b.reason)]
    if isinstance(b, DecideLeave):
        require_office(cmd, "decide leave requests")
        if state.leave.get(b.member_id) != "pending":
            raise DomainError("no_pending_leave", f"{b.member_id} has no pending leave request")
        return [LeaveDecided(meeting_id=b.meeting_id, member_id=b.member_id, approved=b.approved, note=b.note)]
    if isinstance(b, CheckIn):
        if cmd.actor.role is not Role.member or cmd.actor.member_id != b.member_id:
            raise NotAuthorized("members check themselves in; office staff record attendance instead")
        _invited(state, b.member_id)
        if not b.code_matches:
            raise DomainError("wrong_check_in_code", "the check-in code does not match this meeting")
        if not starts - CHECK_IN_OPENS <= cmd.now <= ends or state.closed:
            raise DomainError("check_in_closed", "check-in is open from two hours before the start to the end")
        if state.attendance.get(b.member_id) is AttendanceStatus.present:
            raise DomainError("already_checked_in", f"{b.member_id} is already present")
        return [_record(state, b.meeting_id, b.member_id, AttendanceStatus.present, AttendanceSource.check_in)]
    if isinstance(b, RecordAttendance):
        require_office(cmd, "record attendance")
        _invited(state, b.member_id)
        if cmd.now < starts:
            raise DomainError("meeting_not_started", "attendance is recorded once the meeting has started")
        if state.attendance.get(b.member_id) is b.status:
            raise DomainError("attendance_unchanged", f"{b.member_id} is already recorded {b.status.value}")
        if b.status is AttendanceStatus.on_leave and state.leave.get(b.member_id) != "approved":
            raise DomainError("leave_not_approved", f"{b.member_id} has no approved leave")
        return [_record(state, b.meeting_id, b.member_id, b.status, AttendanceSource.roll_call)]
    if isinstance(b, CloseAttendance):
        require_office(cmd, "close the roll")
        if cmd.now < starts:
            raise DomainError("meeting_not_started", "the roll is closed once the meeting has started")
        if state.closed:
            raise DomainError("attendance_already_closed", "the roll is already closed")
        events: list[DomainEvent] = []
        statuses = dict(state.attendance)
        for member_id in sorted(state.invited - set(state.attendance)):
            status = AttendanceStatus.on_leave if state.leave.get(member_id) == "approved" else AttendanceStatus.absent
            statuses[member_id] = status
            events.append(_record(state, b.meeting_id, member_id, status, AttendanceSource.closing))
        counts = {s: sum(1 for v in statuses.values() if v is s) for s in AttendanceStatus}
        events.append(MeetingAttendanceClosed(
            meeting_id=b.meeting_id, meeting_kind=state.kind, present=counts[AttendanceStatus.present],
            on_leave=counts[AttendanceStatus.on_leave], absent=counts[AttendanceStatus.absent]))
        return events
    raise TypeError(f"meeting aggregate has no command {type(b).__name__}")


meeting = Decider[MeetingState, Command[Any]](initial=MeetingState, decide=decide, evolve=evolve)
