"""Meetings (stream `meeting-{committee}-{meeting_id}`): schedule, invite, leave, attendance. The
per-meeting check-in code is private to the service and never published."""

from __future__ import annotations

from pydantic import Field

from contracts.bounded import (
    Count,
    Identifier,
    Ordinal,
    RecordedActivityTitle,
    RecordedDate,
    RecordedMoment,
    RecordedShortText,
    Roster,
    Venue,
)
from contracts.members.enums import AttendanceSource, AttendanceStatus, LeaveReason, MeetingKind
from contracts.registry import DomainEvent, event_type
from contracts.topics import MEMBERS

# Meeting and member ids are the registry's own (a meeting is scheduled under a checked id; every member
# named is checked against the roster), so they keep its pattern.


@event_type("meeting-scheduled", version=1, topic=MEMBERS)
class MeetingScheduled(DomainEvent):
    meeting_id: Identifier
    kind: MeetingKind
    title: RecordedActivityTitle
    starts_at: RecordedMoment
    ends_at: RecordedMoment
    venue: Venue = ""
    term: Ordinal | None = Field(default=None, description="届")
    session: Ordinal | None = Field(default=None, description="次")


@event_type("meeting-invitation-sent", version=1, topic=MEMBERS)
class MeetingInvitationSent(DomainEvent):
    meeting_id: Identifier
    meeting_kind: MeetingKind
    member_ids: Roster = Field(min_length=1)


@event_type("leave-requested", version=1, topic=MEMBERS)
class LeaveRequested(DomainEvent):
    meeting_id: Identifier
    member_id: Identifier
    reason: LeaveReason


@event_type("leave-decided", version=1, topic=MEMBERS)
class LeaveDecided(DomainEvent):
    meeting_id: Identifier
    member_id: Identifier
    approved: bool
    note: RecordedShortText = ""


@event_type("meeting-attendance-recorded", version=1, topic=MEMBERS)
class MeetingAttendanceRecorded(DomainEvent):
    """A member's attendance of one meeting. A later record for the same member and meeting corrects the
    earlier one (`corrects_previous`)."""

    meeting_id: Identifier
    meeting_kind: MeetingKind
    member_id: Identifier
    status: AttendanceStatus
    held_on: RecordedDate
    source: AttendanceSource
    corrects_previous: bool = False


@event_type("meeting-attendance-closed", version=1, topic=MEMBERS)
class MeetingAttendanceClosed(DomainEvent):
    """The roll is closed: every invitee without a record was recorded on leave or absent."""

    meeting_id: Identifier
    meeting_kind: MeetingKind
    present: Count
    on_leave: Count
    absent: Count
