"""The meeting aggregate (stream `meeting-{committee}-{meeting_id}`): schedule, invite, leave, attendance.

Attendance is present (checked in with the meeting's code, or on the roll), on leave (an approved request)
or absent without leave; closing the roll records everyone invited who has no record yet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from contracts.clock import local_date
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
from eventstore.issued import Issued
from members.domain.common import (
    no_duplicates,
    require_active_members,
    require_office,
    require_self_or_office,
)

# Members may check in from this long before the start until the end.
CHECK_IN_OPENS = timedelta(hours=2)


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
        raise DomainError("unknown_meeting", f"no meeting {meeting_id}", fields=["meeting_id"])
    return state.starts_at, state.ends_at


def _invited(state: MeetingState, member_id: str, fields: Sequence[str] = ("member_id",)) -> None:
    if member_id not in state.invited:
        raise DomainError("not_invited", f"{member_id} is not invited to this meeting", fields=fields)


def _record(state: MeetingState, meeting_id: str, member_id: str, status: AttendanceStatus,
            source: AttendanceSource) -> MeetingAttendanceRecorded:
    assert state.starts_at is not None
    return MeetingAttendanceRecorded(
        meeting_id=meeting_id, meeting_kind=state.kind, member_id=member_id, status=status,
        held_on=local_date(state.starts_at), source=source, corrects_previous=member_id in state.attendance)


def decide(state: MeetingState, issued: Issued[Any]) -> Sequence[DomainEvent]:
    b = issued.command
    if isinstance(b, ScheduleMeeting):
        require_office(issued, "scheduling meetings")
        if state.exists:
            raise DomainError("meeting_already_scheduled", f"meeting {b.meeting_id} exists", fields=["meeting_id"])
        if b.ends_at <= b.starts_at:
            raise DomainError("meeting_ends_before_start", "a meeting ends after it starts", fields=["ends_at"])
        return [MeetingScheduled(**b.model_dump())]
    starts, ends = _existing(state, b.meeting_id)
    if isinstance(b, InviteToMeeting):
        require_office(issued, "inviting members")
        ids = no_duplicates(b.member_ids, "member", "member_ids")
        if issued.now >= ends:
            raise DomainError("meeting_over", "the meeting is over", fields=["meeting_id"])
        fresh = [m for m in ids if m not in state.invited]
        if not fresh:
            raise DomainError("already_invited", "every member named is already invited", fields=["member_ids"])
        require_active_members(issued, fresh, "member_ids")
        return [MeetingInvitationSent(meeting_id=b.meeting_id, meeting_kind=state.kind, member_ids=fresh)]
    if isinstance(b, RequestLeave):
        require_self_or_office(issued, b.member_id, "asking leave")
        _invited(state, b.member_id)
        if issued.now >= ends or state.closed:
            raise DomainError("meeting_over", "leave is asked before the meeting ends", fields=["meeting_id"])
        if state.attendance.get(b.member_id) is AttendanceStatus.present:
            raise DomainError("already_checked_in", f"{b.member_id} is already present", fields=["member_id"])
        if state.leave.get(b.member_id) in ("pending", "approved"):
            raise DomainError("leave_already_requested", f"{b.member_id} has already asked leave",
                              fields=["member_id"])
        return [LeaveRequested(meeting_id=b.meeting_id, member_id=b.member_id, reason=b.reason)]
    if isinstance(b, DecideLeave):
        require_office(issued, "deciding leave requests")
        if state.leave.get(b.member_id) != "pending":
            raise DomainError("no_pending_leave", f"{b.member_id} has no pending leave request", fields=["member_id"])
        return [LeaveDecided(meeting_id=b.meeting_id, member_id=b.member_id, approved=b.approved, note=b.note)]
    if isinstance(b, CheckIn):
        if issued.role is not Role.member or issued.actor.member_id != b.member_id:
            raise NotAuthorized("members check themselves in; office staff record attendance instead")
        # The member is the caller, not a field of the check-in: the refusal names the meeting.
        _invited(state, b.member_id, fields=["meeting_id"])
        if not b.code_matches:
            raise DomainError("wrong_check_in_code", "the check-in code does not match this meeting", fields=["code"])
        if not starts - CHECK_IN_OPENS <= issued.now <= ends or state.closed:
            raise DomainError("check_in_closed", "check-in is open from two hours before the start to the end",
                              fields=["meeting_id"])
        if state.attendance.get(b.member_id) is AttendanceStatus.present:
            raise DomainError("already_checked_in", f"{b.member_id} is already present", fields=["meeting_id"])
        return [_record(state, b.meeting_id, b.member_id, AttendanceStatus.present, AttendanceSource.check_in)]
    if isinstance(b, RecordAttendance):
        require_office(issued, "recording attendance")
        _invited(state, b.member_id)
        if issued.now < starts:
            raise DomainError("meeting_not_started", "attendance is recorded once the meeting has started",
                              fields=["meeting_id"])
        if state.attendance.get(b.member_id) is b.status:
            raise DomainError("attendance_unchanged", f"{b.member_id} is already recorded {b.status.value}",
                              fields=["status"])
        if b.status is AttendanceStatus.on_leave and state.leave.get(b.member_id) != "approved":
            raise DomainError("leave_not_approved", f"{b.member_id} has no approved leave", fields=["status"])
        return [_record(state, b.meeting_id, b.member_id, b.status, AttendanceSource.roll_call)]
    if isinstance(b, CloseAttendance):
        require_office(issued, "closing the roll")
        if issued.now < starts:
            raise DomainError("meeting_not_started", "the roll is closed once the meeting has started",
                              fields=["meeting_id"])
        if state.closed:
            raise DomainError("attendance_already_closed", "the roll is already closed", fields=["meeting_id"])
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


meeting = Decider[MeetingState, Issued[Any]](initial=MeetingState, decide=decide, evolve=evolve)
