"""Meetings (stream `meeting:{committee}:{meeting_id}`): schedule, invite, leave, attendance. The
per-meeting check-in code is private to the service and never published."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from contracts.members.enums import AttendanceSource, AttendanceStatus, LeaveReason, MeetingKind
from contracts.registry import DomainEvent, event_type
from contracts.topics import MEMBERS


@event_type("meeting-scheduled", version=1, topic=MEMBERS)
class MeetingScheduled(DomainEvent):
    meeting_id: str = Field(min_length=1)
    kind: MeetingKind
    title: str = Field(min_length=1, max_length=120)
    starts_at: datetime
    ends_at: datetime
    venue: str = Field(default="", max_length=80)
    term: int | None = Field(default=None, ge=1, description="届")
    session: int | None = Field(default=None, ge=1, description="次")


@event_type("meeting-invitation-sent", version=1, topic=MEMBERS)
class MeetingInvitationSent(DomainEvent):
    meeting_id: str
    meeting_kind: MeetingKind
    member_ids: list[str] = Field(min_length=1)


@event_type("leave-requested", version=1, topic=MEMBERS)
class LeaveRequested(DomainEvent):
    meeting_id: str
    member_id: str
    reason: LeaveReason


@event_type("leave-decided", version=1, topic=MEMBERS)
class LeaveDecided(DomainEvent):
    meeting_id: str
    member_id: str
    approved: bool
    note: str = Field(default="", max_length=200)


@event_type("meeting-attendance-recorded", version=1, topic=MEMBERS)
class MeetingAttendanceRecorded(DomainEvent):
    """A member's attendance of one meeting. A later record for the same member and meeting corrects the
    earlier one (`corrects_previous`)."""

    meeting_id: str
    meeting_kind: MeetingKind
    member_id: str
    status: AttendanceStatus
    held_on: date
    source: AttendanceSource
    corrects_previous: bool = False


@event_type("meeting-attendance-closed", version=1, topic=MEMBERS)
class MeetingAttendanceClosed(DomainEvent):
    """The roll is closed: every invitee without a record was recorded on leave or absent."""

    meeting_id: str
    meeting_kind: MeetingKind
    present: int = Field(ge=0)
    on_leave: int = Field(ge=0)
    absent: int = Field(ge=0)
