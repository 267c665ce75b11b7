"""What other county systems may know of the members service's facts (`members.public.<committee>`).

Members' names, sectors and roles are public (the committee publishes its roster); their contact data never is
(it is not in the events at all). Leave reasons, status reasons and what a visit heard stay inside. The people
a liaison station lists are citizens, not members: withheld. Individual points, grades and flags are
published only by a committee that publishes its assessment (`Publication.member_performance`). Who did a
thing (`graded_by`, `rescored_by`, a unit staff account's `staff_id`) is a staff login, never public."""

from __future__ import annotations

from contracts.members import duty, meeting, member, organization, scoring, visit
from contracts.public import PUBLIC, publish, withhold

PERFORMANCE = "member_performance"

VIEWS = [
    publish(member.MemberRegistered, omit={"contact_on_file"}),
    publish(member.MemberUpdated),
    publish(member.MemberStatusChanged, omit={"reason"}),
    publish(organization.OrganizationRegistered),
    publish(organization.OrganizationMemberAdded),
    publish(organization.UnitRegistered),
    # A handling unit's staff are named to the office, not to the county's other systems; the account's id is
    # its login (the token subject): that the unit has a staff account, and its title, are public.
    publish(organization.UnitStaffAdded, omit={"name", "staff_id"}),
    withhold(organization.LiaisonContactAdded,
             because="a liaison station's contact is a citizen whose name and township the office keeps"),
    publish(organization.LiaisonVisitRecorded, omit={"purpose"}),
    publish(meeting.MeetingScheduled),
    publish(meeting.MeetingInvitationSent),
    publish(meeting.MeetingAttendanceRecorded),
    publish(meeting.MeetingAttendanceClosed),
    publish(meeting.LeaveRequested, omit={"reason"}),
    publish(meeting.LeaveDecided, omit={"note"}),
    publish(duty.TrainingRecorded),
    publish(duty.AwardGranted),
    publish(duty.CharityRecorded),
    publish(visit.VisitLogged, omit={"issues_heard", "follow_up"}),
    publish(visit.VisitOutcomeLinked),
    publish(visit.VisitPlanSet),
    # The committee's rule: its points, grade bands and flag rules describe no member.
    publish(scoring.RulebookPublished, omit={"note"},
            not_personal={"points", "grade", "flags", "max_grade", "label_zh"}),
    publish(scoring.DutyPointsAwarded, only_if=PERFORMANCE),
    publish(scoring.DutyPointsWithdrawn, omit={"reason"}, only_if=PERFORMANCE),
    publish(scoring.MemberGraded, only_if=PERFORMANCE),
    publish(scoring.MemberFlagged, only_if=PERFORMANCE),
    publish(scoring.MemberFlagCleared, only_if=PERFORMANCE),
    publish(scoring.YearGraded, omit={"graded_by"}),
    publish(scoring.YearRescored, omit={"reason", "rescored_by"}),
]
PUBLIC.declare(VIEWS)
