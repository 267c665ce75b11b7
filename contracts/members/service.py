"""The members service as the platform sees it: the registry, meetings, visits, duty records and the member
scorecard — its commands, who may send each, and its topic."""

from contracts import topics
from contracts.members import commands as c
from contracts.roles import MEMBER, MEMBER_OR_OFFICE_OR_ADMIN, OFFICE_OR_ADMIN
from contracts.service import ServiceContract, command

# The registry and the office's records are kept by office staff and admin; members log their own visits
# and ask their own leave (the deciders check it is their own).
COMMANDS = (
    command("register-member", c.RegisterMember, OFFICE_OR_ADMIN),
    command("update-member", c.UpdateMember, OFFICE_OR_ADMIN),
    command("change-member-status", c.ChangeMemberStatus, OFFICE_OR_ADMIN),
    command("import-roster", c.ImportRoster, OFFICE_OR_ADMIN),
    command("register-organization", c.RegisterOrganization, OFFICE_OR_ADMIN),
    command("add-organization-member", c.AddOrganizationMember, OFFICE_OR_ADMIN),
    command("import-organizations", c.ImportOrganizations, OFFICE_OR_ADMIN),
    command("register-unit", c.RegisterUnit, OFFICE_OR_ADMIN),
    command("import-units", c.ImportUnits, OFFICE_OR_ADMIN),
    command("add-unit-staff", c.AddUnitStaff, OFFICE_OR_ADMIN),
    command("add-liaison-contact", c.AddLiaisonContact, OFFICE_OR_ADMIN),
    command("record-liaison-visit", c.RecordLiaisonVisit, OFFICE_OR_ADMIN, backdatable=True),
    command("schedule-meeting", c.ScheduleMeeting, OFFICE_OR_ADMIN),
    command("invite-to-meeting", c.InviteToMeeting, OFFICE_OR_ADMIN),
    command("request-leave", c.RequestLeave, MEMBER_OR_OFFICE_OR_ADMIN),
    command("decide-leave", c.DecideLeave, OFFICE_OR_ADMIN, backdatable=True),
    command("check-in", c.CheckInWithCode, MEMBER),
    command("record-attendance", c.RecordAttendance, OFFICE_OR_ADMIN),
    command("close-attendance", c.CloseAttendance, OFFICE_OR_ADMIN),
    command("log-visit", c.LogVisit, MEMBER_OR_OFFICE_OR_ADMIN, backdatable=True),
    command("link-visit-outcome", c.LinkVisitOutcome, MEMBER_OR_OFFICE_OR_ADMIN),
    command("set-visit-plan", c.SetVisitPlan, OFFICE_OR_ADMIN),
    command("record-training", c.RecordTraining, OFFICE_OR_ADMIN),
    command("record-charity", c.RecordCharity, OFFICE_OR_ADMIN),
    command("grant-award", c.GrantAward, OFFICE_OR_ADMIN),
    command("publish-rulebook", c.PublishRulebook, OFFICE_OR_ADMIN),
    command("rescore-year", c.RescoreYear, OFFICE_OR_ADMIN),
    command("grade-year", c.GradeYear, OFFICE_OR_ADMIN),
)

SERVICE = ServiceContract("members", 8102, topics.MEMBERS, COMMANDS,
                          "the member registry, meetings, visits, duty records and the member scorecard")
