"""Events of the members service (topic `members.internal`; their public forms: `public.py`)."""

from contracts.members import duty, enums, meeting, member, organization, rulebook, scoring, visit
from contracts.members.duty import AwardGranted, CharityRecorded, TrainingRecorded
from contracts.members.meeting import (
    LeaveDecided,
    LeaveRequested,
    MeetingAttendanceClosed,
    MeetingAttendanceRecorded,
    MeetingInvitationSent,
    MeetingScheduled,
)
from contracts.members.member import MemberRegistered, MemberStatusChanged, MemberUpdated
from contracts.members.organization import (
    LiaisonContactAdded,
    LiaisonVisitRecorded,
    OrganizationMemberAdded,
    OrganizationRegistered,
    UnitRegistered,
    UnitStaffAdded,
)
from contracts.members.rulebook import Rulebook
from contracts.members.scoring import (
    DutyPointsAwarded,
    DutyPointsWithdrawn,
    MemberFlagCleared,
    MemberFlagged,
    MemberGraded,
    RulebookPublished,
    YearGraded,
    YearRescored,
)
from contracts.members.visit import VisitLogged, VisitOutcomeLinked, VisitPlanSet

__all__ = [
    "AwardGranted",
    "CharityRecorded",
    "DutyPointsAwarded",
    "DutyPointsWithdrawn",
    "LeaveDecided",
    "LeaveRequested",
    "LiaisonContactAdded",
    "LiaisonVisitRecorded",
    "MeetingAttendanceClosed",
    "MeetingAttendanceRecorded",
    "MeetingInvitationSent",
    "MeetingScheduled",
    "MemberFlagCleared",
    "MemberFlagged",
    "MemberGraded",
    "MemberRegistered",
    "MemberStatusChanged",
    "MemberUpdated",
    "OrganizationMemberAdded",
    "OrganizationRegistered",
    "Rulebook",
    "RulebookPublished",
    "TrainingRecorded",
    "UnitRegistered",
    "UnitStaffAdded",
    "VisitLogged",
    "VisitOutcomeLinked",
    "VisitPlanSet",
    "YearGraded",
    "YearRescored",
    "duty",
    "enums",
    "meeting",
    "member",
    "organization",
    "rulebook",
    "scoring",
    "visit",
]
