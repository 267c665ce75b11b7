"""Commands of the members service, as its HTTP command API accepts them (one JSON body each).

The actor, the committee and the time are never part of a command: they come from the bearer token and
the service's clock. The gateway builds its mutations from these models; the service's handlers decide on
them (`members.service`)."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.members.contact_details import ContactDetails
from contracts.members.enums import (
    AttendanceStatus,
    AwardLevel,
    ChairRole,
    CharityKind,
    LeaveReason,
    LiaisonContactKind,
    MeetingKind,
    MemberStatus,
    OrganizationKind,
    Sector,
    TrainingKind,
    VisitKind,
    VisitOutcomeKind,
    VisitRole,
)
from contracts.members.rulebook import Rulebook
from contracts.service import CommandContract, command

_ID = r"^[A-Za-z0-9_.\-]+$"


# ---- from member ----

class RegisterMember(BaseModel):
    """Register a member (office staff). Contact data is kept privately."""

    model_config = ConfigDict(extra="forbid")

    member_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    name: str = Field(min_length=1, max_length=40)
    sector: Sector
    township_id: str | None = None
    special_committee_id: str | None = None
    standing_committee: bool = False
    chair_role: ChairRole | None = None
    special_supervisor_unit_id: str | None = None
    term: int = Field(ge=1)
    session: int = Field(default=1, ge=1)
    joined_on: date
    contact: ContactDetails | None = None


class UpdateMember(BaseModel):
    """Change registry fields (only those given) and/or the private contact data (office staff)."""

    model_config = ConfigDict(extra="forbid")

    member_id: str
    name: str | None = Field(default=None, min_length=1, max_length=40)
    sector: Sector | None = None
    township_id: str | None = None
    special_committee_id: str | None = None
    standing_committee: bool | None = None
    chair_role: ChairRole | None = None
    special_supervisor_unit_id: str | None = None
    clear: list[str] = Field(default_factory=list, description="optional fields to empty, e.g. chair_role")
    contact: ContactDetails | None = None


class ChangeMemberStatus(BaseModel):
    """Record a status change over time (suspension, resignation, removal, death, end of term)."""

    model_config = ConfigDict(extra="forbid")

    member_id: str
    status: MemberStatus
    effective_on: date
    reason: str = Field(default="", max_length=200)


# ---- from meeting ----

class ScheduleMeeting(BaseModel):
    """Schedule a meeting (office staff); the answer carries the check-in code, which is never published."""

    model_config = ConfigDict(extra="forbid")
    meeting_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    kind: MeetingKind
    title: str = Field(min_length=1, max_length=120)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    venue: str = Field(default="", max_length=80)
    term: int | None = Field(default=None, ge=1)
    session: int | None = Field(default=None, ge=1)


class InviteToMeeting(BaseModel):
    model_config = ConfigDict(extra="forbid")
    meeting_id: str
    member_ids: list[str] = Field(min_length=1)


class RequestLeave(BaseModel):
    """A member asks leave of a meeting they are invited to (or office staff record it for them)."""

    model_config = ConfigDict(extra="forbid")
    meeting_id: str
    member_id: str
    reason: LeaveReason


class DecideLeave(BaseModel):
    model_config = ConfigDict(extra="forbid")
    meeting_id: str
    member_id: str
    approved: bool
    note: str = Field(default="", max_length=200)


class CheckInWithCode(BaseModel):
    """A member checks in with the meeting's code."""

    model_config = ConfigDict(extra="forbid")
    meeting_id: str
    code: str = Field(min_length=4, max_length=12)


class RecordAttendance(BaseModel):
    """Office staff record (or correct) a member's attendance."""

    model_config = ConfigDict(extra="forbid")
    meeting_id: str
    member_id: str
    status: AttendanceStatus


class CloseAttendance(BaseModel):
    """Close the roll: invitees without a record are on leave (approved) or absent."""

    model_config = ConfigDict(extra="forbid")
    meeting_id: str


# ---- from registry ----

class RegisterOrganization(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organization_id: str = Field(min_length=1, max_length=64, pattern=_ID)
    name: str = Field(min_length=1, max_length=80)
    kind: OrganizationKind
    sector: Sector | None = None


class AddOrganizationMember(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organization_id: str
    member_id: str
    position: str | None = Field(default=None, max_length=40)


class RegisterUnit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit_id: str = Field(min_length=1, max_length=64, pattern=_ID)
    name: str = Field(min_length=1, max_length=80)


class AddUnitStaff(BaseModel):
    """A staff account of a handling unit; the phone is kept privately."""

    model_config = ConfigDict(extra="forbid")
    unit_id: str
    staff_id: str = Field(min_length=1, max_length=64, pattern=_ID)
    name: str = Field(min_length=1, max_length=40)
    title: str | None = Field(default=None, max_length=40)
    is_liaison: bool = False
    phone: str | None = Field(default=None, max_length=20)


class AddLiaisonContact(BaseModel):
    """A hometown talent, private-economy person, new-social-strata person or member enterprise; phone and
    address are kept privately."""

    model_config = ConfigDict(extra="forbid")
    contact_id: str = Field(min_length=1, max_length=64, pattern=_ID)
    kind: LiaisonContactKind
    name: str = Field(min_length=1, max_length=80)
    township_id: str | None = None
    sector: Sector | None = None
    member_id: str | None = None
    based_in: str | None = Field(default=None, max_length=40)
    phone: str | None = Field(default=None, max_length=20)
    address: str | None = Field(default=None, max_length=200)


# ---- from records ----

class RecordTraining(BaseModel):
    model_config = ConfigDict(extra="forbid")
    training_id: str = Field(min_length=1, max_length=64, pattern=_ID)
    kind: TrainingKind
    title: str = Field(min_length=1, max_length=120)
    held_on: date
    member_ids: list[str] = Field(min_length=1)


class RecordCharity(BaseModel):
    model_config = ConfigDict(extra="forbid")
    charity_id: str = Field(min_length=1, max_length=64, pattern=_ID)
    kind: CharityKind
    title: str = Field(min_length=1, max_length=120)
    done_on: date
    member_ids: list[str] = Field(min_length=1)
    amount_yuan: int | None = Field(default=None, ge=0)


class GrantAward(BaseModel):
    model_config = ConfigDict(extra="forbid")
    award_id: str = Field(min_length=1, max_length=64, pattern=_ID)
    title: str = Field(min_length=1, max_length=120)
    level: AwardLevel
    granted_on: date
    member_ids: list[str] = Field(default_factory=list)
    organization_ids: list[str] = Field(default_factory=list)


class RecordLiaisonVisit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    liaison_visit_id: str = Field(min_length=1, max_length=64, pattern=_ID)
    contact_id: str | None = None
    visited_member_id: str | None = None
    visitor_member_ids: list[str] = Field(default_factory=list)
    visited_on: date
    purpose: str = Field(default="", max_length=200)


# ---- from visit ----

class LogVisit(BaseModel):
    """Log a visit: a member logs their own (office staff may log for them)."""

    model_config = ConfigDict(extra="forbid")
    visit_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    kind: VisitKind
    visitor_member_id: str
    visited_member_ids: list[str] = Field(default_factory=list)
    visited_sector: Sector | None = None
    visited_group: str | None = Field(default=None, max_length=80)
    township_id: str | None = None
    visited_on: date
    roles: list[VisitRole] = Field(min_length=1)
    people_reached: int = Field(ge=0)
    issues_heard: list[str] = Field(default_factory=list, max_length=50)
    follow_up: str | None = Field(default=None, max_length=500)


class LinkVisitOutcome(BaseModel):
    """Link a visit to the proposal or public-opinion report it led to."""

    model_config = ConfigDict(extra="forbid")
    visit_id: str
    outcome_kind: VisitOutcomeKind
    outcome_id: str = Field(min_length=1, max_length=64)


class SetVisitPlan(BaseModel):
    """The year's visit plan (office staff): coverage targets and optional chair-member pairings."""

    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=2000, le=2200)
    grassroots_visited_by_chair: bool = True
    sector_visits_per_member: int = Field(default=1, ge=0, le=50)
    pairings: dict[str, list[str]] = Field(default_factory=dict)


# ---- from scoring_year ----

class PublishRulebook(BaseModel):
    """Publish a version of the year's rulebook; without `rulebook`, the shipped default for that year."""

    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=2000, le=2200)
    rulebook: Rulebook | None = None
    note: str = Field(default="", max_length=500)


class RescoreYear(BaseModel):
    """Re-score the year under a rulebook version (a correction), saying why."""

    model_config = ConfigDict(extra="forbid")
    year: int
    to_version: int = Field(ge=1)
    reason: str = Field(min_length=1, max_length=500)


class GradeYear(BaseModel):
    """Run the year's evaluation: grade every member in office."""

    model_config = ConfigDict(extra="forbid")
    year: int


# ---- from roster_import ----

class ImportRoster(BaseModel):
    """Import a roster file (CSV or XLSX, base64) as one register-member command per row (office staff)."""

    model_config = ConfigDict(extra="forbid")
    filename: str = Field(pattern=r"(?i)\.(csv|xlsx)$")
    content_base64: str = Field(min_length=1)


COMMANDS: tuple[CommandContract, ...] = (
    command("register-member", RegisterMember),
    command("update-member", UpdateMember),
    command("change-member-status", ChangeMemberStatus),
    command("register-organization", RegisterOrganization),
    command("add-organization-member", AddOrganizationMember),
    command("register-unit", RegisterUnit),
    command("add-unit-staff", AddUnitStaff),
    command("add-liaison-contact", AddLiaisonContact),
    command("record-liaison-visit", RecordLiaisonVisit),
    command("schedule-meeting", ScheduleMeeting),
    command("invite-to-meeting", InviteToMeeting),
    command("request-leave", RequestLeave),
    command("decide-leave", DecideLeave),
    command("check-in", CheckInWithCode),
    command("record-attendance", RecordAttendance),
    command("close-attendance", CloseAttendance),
    command("log-visit", LogVisit),
    command("link-visit-outcome", LinkVisitOutcome),
    command("set-visit-plan", SetVisitPlan),
    command("record-training", RecordTraining),
    command("record-charity", RecordCharity),
    command("grant-award", GrantAward),
    command("publish-rulebook", PublishRulebook),
    command("rescore-year", RescoreYear),
    command("grade-year", GradeYear),
    command("import-roster", ImportRoster),
)
