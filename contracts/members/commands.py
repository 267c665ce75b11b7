"""Commands of the members service, as its HTTP command API accepts them (one JSON body each).

The actor, the committee and the time are never part of a command: they come from the bearer token and
the service's clock. The gateway builds its mutations from these models; the service's handlers decide on
them (`members.service`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contracts.bounded import (
    STORABLE,
    ActivityTitle,
    AnyDate,
    Base64File,
    BoundedList,
    CheckInCode,
    Count,
    EmailAddress,
    Identifier,
    IdList,
    Label,
    ListItem,
    Moment,
    OptionalListItem,
    OptionalShortText,
    Ordinal,
    OrgName,
    PastDate,
    PersonName,
    PhoneText,
    Reference,
    Roster,
    TextList,
    Venue,
    WholeYuan,
    Year,
)
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
from contracts.members.visit import Pairings

# A year the members service scores or plans (the platform's years; the tighter lower bound is kept).
ScoringYear = Annotated[Year, Field(ge=2000)]
# An import file's name as uploaded (roster, units, organizations): ends in .csv or .xlsx, at most 200 characters.
ImportFileName = Annotated[str, StringConstraints(max_length=200, pattern=r"(?i)\.(csv|xlsx)$"), STORABLE]


# ---- from member ----

class RegisterMember(BaseModel):
    """Register a member (office staff). Contact data is kept privately."""

    model_config = ConfigDict(extra="forbid")

    member_id: Identifier
    name: PersonName
    sector: Sector
    township_id: Reference | None = None
    special_committee_id: Reference | None = None
    standing_committee: bool = False
    chair_role: ChairRole | None = None
    special_supervisor_unit_id: Identifier | None = None
    term: Ordinal
    session: Ordinal = 1
    # Not a PastDate: the office may register a new term's members before the term begins.
    joined_on: AnyDate
    contact: ContactDetails | None = None


class UpdateMember(BaseModel):
    """Change registry fields (only those given) and/or the private contact data (office staff)."""

    model_config = ConfigDict(extra="forbid")

    member_id: Identifier
    name: PersonName | None = None
    sector: Sector | None = None
    township_id: Reference | None = None
    special_committee_id: Reference | None = None
    standing_committee: bool | None = None
    chair_role: ChairRole | None = None
    special_supervisor_unit_id: Identifier | None = None
    clear: IdList = Field(default_factory=list, description="optional fields to empty, e.g. chair_role")
    contact: ContactDetails | None = None


class ChangeMemberStatus(BaseModel):
    """Record a status change over time (suspension, resignation, removal, death, end of term)."""

    model_config = ConfigDict(extra="forbid")

    member_id: Identifier
    status: MemberStatus
    # Not a PastDate: a resignation or the end of a term may be recorded ahead of the day it takes effect.
    effective_on: AnyDate
    reason: OptionalShortText = ""


# ---- from meeting ----

class ScheduleMeeting(BaseModel):
    """Schedule a meeting (office staff); the answer carries the check-in code, which is never published."""

    model_config = ConfigDict(extra="forbid")
    meeting_id: Identifier
    kind: MeetingKind
    title: ActivityTitle
    starts_at: Moment
    ends_at: Moment
    venue: Venue = ""
    term: Ordinal | None = None
    session: Ordinal | None = None


class InviteToMeeting(BaseModel):
    model_config = ConfigDict(extra="forbid")
    meeting_id: Identifier
    member_ids: Roster = Field(min_length=1)


class RequestLeave(BaseModel):
    """A member asks leave of a meeting they are invited to (or office staff record it for them)."""

    model_config = ConfigDict(extra="forbid")
    meeting_id: Identifier
    member_id: Identifier
    reason: LeaveReason


class DecideLeave(BaseModel):
    model_config = ConfigDict(extra="forbid")
    meeting_id: Identifier
    member_id: Identifier
    approved: bool
    note: OptionalShortText = ""


class CheckInWithCode(BaseModel):
    """A member checks in with the meeting's code."""

    model_config = ConfigDict(extra="forbid")
    meeting_id: Identifier
    code: CheckInCode


class RecordAttendance(BaseModel):
    """Office staff record (or correct) a member's attendance."""

    model_config = ConfigDict(extra="forbid")
    meeting_id: Identifier
    member_id: Identifier
    status: AttendanceStatus


class CloseAttendance(BaseModel):
    """Close the roll: invitees without a record are on leave (approved) or absent."""

    model_config = ConfigDict(extra="forbid")
    meeting_id: Identifier


# ---- from registry ----

class RegisterOrganization(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organization_id: Identifier
    name: OrgName
    kind: OrganizationKind
    sector: Sector | None = None


class AddOrganizationMember(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organization_id: Identifier
    member_id: Identifier
    position: Label | None = None


class RegisterUnit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit_id: Identifier
    name: OrgName


class AddUnitStaff(BaseModel):
    """A staff account of a handling unit; phone and email are kept privately (notifications to the unit go
    to them)."""

    model_config = ConfigDict(extra="forbid")
    unit_id: Identifier
    staff_id: Identifier
    name: PersonName
    title: Label | None = None
    is_liaison: bool = False
    phone: PhoneText | None = None
    email: EmailAddress | None = None


class AddLiaisonContact(BaseModel):
    """A hometown talent, private-economy person, new-social-strata person or member enterprise; phone, email
    and address are kept privately."""

    model_config = ConfigDict(extra="forbid")
    contact_id: Identifier
    kind: LiaisonContactKind
    name: OrgName
    township_id: Reference | None = None
    sector: Sector | None = None
    member_id: Identifier | None = None
    based_in: Label | None = None
    phone: PhoneText | None = None
    email: EmailAddress | None = None
    address: OptionalShortText | None = None


# ---- from records ----

class RecordTraining(BaseModel):
    model_config = ConfigDict(extra="forbid")
    training_id: Identifier
    kind: TrainingKind
    title: ActivityTitle
    held_on: PastDate
    member_ids: Roster = Field(min_length=1)


class RecordCharity(BaseModel):
    model_config = ConfigDict(extra="forbid")
    charity_id: Identifier
    kind: CharityKind
    title: ActivityTitle
    done_on: PastDate
    member_ids: Roster = Field(min_length=1)
    amount_yuan: WholeYuan | None = None


class GrantAward(BaseModel):
    model_config = ConfigDict(extra="forbid")
    award_id: Identifier
    title: ActivityTitle
    level: AwardLevel
    granted_on: PastDate
    member_ids: Roster = Field(default_factory=list)
    organization_ids: IdList = Field(default_factory=list)


class RecordLiaisonVisit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    liaison_visit_id: Identifier
    contact_id: Identifier | None = None
    visited_member_id: Identifier | None = None
    visitor_member_ids: IdList = Field(default_factory=list)
    visited_on: PastDate
    purpose: OptionalShortText = ""


# ---- from visit ----

class LogVisit(BaseModel):
    """Log a visit: a member logs their own (office staff may log for them)."""

    model_config = ConfigDict(extra="forbid")
    visit_id: Identifier
    kind: VisitKind
    visitor_member_id: Identifier
    visited_member_ids: IdList = Field(default_factory=list)
    visited_sector: Sector | None = None
    visited_group: OrgName | None = None
    township_id: Reference | None = None
    visited_on: PastDate
    roles: BoundedList[VisitRole] = Field(min_length=1)
    people_reached: Count
    issues_heard: TextList = Field(default_factory=list)
    follow_up: ListItem | None = None


class LinkVisitOutcome(BaseModel):
    """Link a visit to the proposal or public-opinion report it led to."""

    model_config = ConfigDict(extra="forbid")
    visit_id: Identifier
    outcome_kind: VisitOutcomeKind
    outcome_id: Identifier


class SetVisitPlan(BaseModel):
    """The year's visit plan (office staff): coverage targets and optional chair-member pairings."""

    model_config = ConfigDict(extra="forbid")
    year: ScoringYear
    grassroots_visited_by_chair: bool = True
    sector_visits_per_member: Annotated[Count, Field(le=50)] = 1
    pairings: Pairings = Field(default_factory=dict)


# ---- from scoring_year ----

class PublishRulebook(BaseModel):
    """Publish a version of the year's rulebook; without `rulebook`, the shipped default for that year."""

    model_config = ConfigDict(extra="forbid")
    year: ScoringYear
    rulebook: Rulebook | None = None
    note: OptionalListItem = ""


class RescoreYear(BaseModel):
    """Re-score the year under a rulebook version (a correction), saying why."""

    model_config = ConfigDict(extra="forbid")
    year: ScoringYear
    to_version: Ordinal
    reason: ListItem


class GradeYear(BaseModel):
    """Run the year's evaluation: grade every member in office."""

    model_config = ConfigDict(extra="forbid")
    year: ScoringYear


# ---- from file_import: the roster, units and organizations, one mechanism ----

class ImportFile(BaseModel):
    """A registry file (CSV or XLSX, base64) to import: each row becomes the kind's registration command, all
    rows in one transaction; refused rows are reported (row, fields, rule) and skipped."""

    model_config = ConfigDict(extra="forbid")
    filename: ImportFileName
    content_base64: Base64File


class ImportRoster(ImportFile):
    """Import a roster file (CSV or XLSX, base64) as one register-member command per row, in one transaction;
    the answer reports each refused row (office staff)."""


class ImportUnits(ImportFile):
    """Import handling units (CSV or XLSX, base64: 编号/code, 名称/name) as one register-unit command per row, in
    one transaction; a repeated or already registered code or name is refused by row (office staff)."""


class ImportOrganizations(ImportFile):
    """Import organizations (CSV or XLSX, base64: 编号/code, 名称/name, 类别/kind, 界别/sector) as one
    register-organization command per row, in one transaction; a repeated or already registered code or name is
    refused by row (office staff)."""
