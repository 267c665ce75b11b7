"""The entity types clients read: members, units, proposals and their handling, reports, meetings, visits.
Each wraps a view row; related entities are resolved through the request's DataLoaders."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import strawberry

from contracts.proposals.enums import owes_reply
from gateway import policy
from gateway.schema import enums as e

if TYPE_CHECKING:
    from gateway.context import Context



def ctx(info: strawberry.Info) -> Context:
    context: Context = info.context
    return context


# ---- the registry -----------------------------------------------------------------------------------

@strawberry.type(description="A committee member (委员): public registry fields only, never contact data.")
class Member:
    id: strawberry.ID
    name: str
    family_name: str | None
    sector: e.Sector | None
    township_id: str | None
    special_committee_id: str | None
    standing_committee: bool
    chair_role: e.ChairRole | None
    special_supervisor_unit_id: str | None
    term: int | None
    joined_on: date | None
    status: e.MemberStatus

    @classmethod
    def of(cls, r: Any) -> Member:
        return cls(id=strawberry.ID(r["member_id"]), name=r["name"], family_name=r["family_name"], sector=r["sector"],
                   township_id=r["township_id"], special_committee_id=r["special_committee_id"],
                   standing_committee=r["standing_committee"], chair_role=r["chair_role"],
                   special_supervisor_unit_id=r["special_supervisor_unit_id"], term=r["term"],
                   joined_on=r["joined_on"], status=r["status"])

    @strawberry.field(description="Phone and address (office staff, admin, or the member themself), from the "
                                  "members service; the resident ID number is never exposed here.")
    async def contact(self, info: strawberry.Info) -> MemberContact | None:
        c = ctx(info)
        policy.require_contact(c.viewer, str(self.id))
        found = await c.loaders.contact.load(str(self.id))
        return MemberContact(phone=found.get("phone"), address=found.get("address")) if found else None


@strawberry.type(description="A member's private contact data, read from the members service for office staff, "
                             "admin or the member themself; the gateway never stores it.")
class MemberContact:
    phone: str | None
    address: str | None


@strawberry.type(description="A handling unit (承办单位): a county government department.")
class Unit:
    id: strawberry.ID
    name: str

    @classmethod
    def of(cls, r: Any) -> Unit:
        return cls(id=strawberry.ID(r["unit_id"]), name=r["name"])


@strawberry.type(description="A democratic party, the federation of industry and commerce, or a people's organization.")
class Organization:
    id: strawberry.ID
    name: str
    kind: e.OrganizationKind | None

    @classmethod
    def of(cls, r: Any) -> Organization:
        return cls(id=strawberry.ID(r["organization_id"]), name=r["name"], kind=r["kind"])


async def member(info: strawberry.Info, member_id: str | None) -> Member | None:
    if not member_id:
        return None
    row = await ctx(info).loaders.member.load(member_id)
    return Member.of(row) if row else None


async def members(info: strawberry.Info, member_ids: list[str]) -> list[Member]:
    rows = await ctx(info).loaders.member.load_many(member_ids)
    return [Member.of(r) for r in rows if r]


async def unit(info: strawberry.Info, unit_id: str | None) -> Unit | None:
    if not unit_id:
        return None
    row = await ctx(info).loaders.unit.load(unit_id)
    return Unit.of(row) if row else Unit(id=strawberry.ID(unit_id), name=unit_id)


# ---- proposals ---------------------------------------------------------------------------------------

@strawberry.type(description="A co-signer of a joint proposal and their answer.")
class Cosigner:
    member_id: strawberry.ID
    state: e.CosignerState
    deadline: date | None

    @strawberry.field
    async def member(self, info: strawberry.Info) -> Member | None:
        return await member(info, self.member_id)


@strawberry.type(description="A reply (答复) of a unit in one round.")
class Reply:
    unit_id: strawberry.ID
    round: int
    result_class: e.ResultClass
    on_time: bool
    replied_on: date | None
    deadline: date | None
    text: str

    @classmethod
    def of(cls, r: Any) -> Reply:
        return cls(unit_id=strawberry.ID(r["unit_id"]), round=r["round"], result_class=r["result_class"],
                   on_time=r["on_time"], replied_on=r["replied_on"], deadline=r["deadline"], text=r["text"])


@strawberry.type(description="A proposer's feedback form on a unit's reply (评议).")
class Evaluation:
    proposal_id: strawberry.ID
    unit_id: strawberry.ID
    round: int
    member_id: strawberry.ID
    rating: e.Rating
    attitude: e.Rating | None
    contact: e.Rating | None
    comment: str
    evaluated_on: date | None

    @classmethod
    def of(cls, r: Any) -> Evaluation:
        return cls(proposal_id=strawberry.ID(r["proposal_id"]), unit_id=strawberry.ID(r["unit_id"]), round=r["round"],
                   member_id=strawberry.ID(r["member_id"]), rating=r["rating"], attitude=r["attitude"],
                   contact=r["contact"], comment=r["comment"] or "", evaluated_on=r["evaluated_on"])

    @strawberry.field
    async def member(self, info: strawberry.Info) -> Member | None:
        return await member(info, self.member_id)

    @strawberry.field
    async def proposal(self, info: strawberry.Info) -> Proposal | None:
        row = await ctx(info).loaders.proposal.load(self.proposal_id)
        return Proposal.of(row) if row else None

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await unit(info, self.unit_id)


@strawberry.type(description="A contact or meeting of the unit with the proposers (办理协商).")
class HandlingContact:
    unit_id: strawberry.ID
    kind: e.ContactKind
    held_on: date | None
    member_ids: list[strawberry.ID]
    summary: str


@strawberry.type(description="A unit's request to be re-assigned (申请调整) and its decision.")
class Reassignment:
    proposal_id: strawberry.ID
    unit_id: strawberry.ID
    state: e.ReassignmentState
    reason: str | None
    suggested_unit_id: strawberry.ID | None
    new_unit_id: strawberry.ID | None
    decision_reason: str | None
    requested_on: date | None
    decided_on: date | None

    @classmethod
    def of(cls, r: Any) -> Reassignment:
        return cls(proposal_id=strawberry.ID(r["proposal_id"]), unit_id=strawberry.ID(r["unit_id"]), state=r["state"],
                   reason=r["reason"], suggested_unit_id=r["suggested_unit_id"], new_unit_id=r["new_unit_id"],
                   decision_reason=r["decision_reason"], requested_on=r["requested_on"], decided_on=r["decided_on"])

    @strawberry.field
    async def proposal(self, info: strawberry.Info) -> Proposal | None:
        row = await ctx(info).loaders.proposal.load(self.proposal_id)
        return Proposal.of(row) if row else None

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await unit(info, self.unit_id)


@strawberry.type(description="One unit's part in handling a proposal (主办, 协办 or 分办).")
class Handling:
    proposal_id: strawberry.ID
    unit_id: strawberry.ID
    role: e.UnitRole
    active: bool
    assigned_on: date | None
    round: int = strawberry.field(description="the round the next (or last) reply carries")
    deadline: date | None
    replied_round: int | None
    replied_on: date | None
    result_class: e.ResultClass | None = strawberry.field(description="the class of the latest reply")
    on_time: bool | None
    contacted: bool
    met: bool = strawberry.field(description="the unit met the proposers in person (见面协商)")
    cosigned_round: int | None
    evaluation_due: date | None = strawberry.field(
        default=None, description="the day the proposers' ratings of the latest reply are due; after it the round "
                                  "completes with the ratings given")

    @classmethod
    def of(cls, r: Any) -> Handling:
        return cls(proposal_id=strawberry.ID(r["proposal_id"]), unit_id=strawberry.ID(r["unit_id"]), role=r["role"],
                   active=r["active"], assigned_on=r["assigned_on"], round=r["round"], deadline=r["deadline"],
                   replied_round=r["replied_round"], replied_on=r["replied_on"], result_class=r["result_class"],
                   on_time=r["on_time"], contacted=r["contacted"], met=r["met"], cosigned_round=r["cosigned_round"],
                   evaluation_due=r.get("evaluation_due"))

    @strawberry.field(description="This unit owes this round's reply: it is on the slip and its role replies "
                                  "(a co-handling unit never does: it co-signs the lead's).")
    def awaiting_reply(self) -> bool:
        return owes_reply(self.role, self.active, self.replied_round, self.round)

    @strawberry.field(description="Past its deadline without the reply it owes, as of the given day "
                                  "(default: today).")
    def overdue(self, as_of: date | None = None) -> bool:
        from contracts.clock import today

        day = as_of or today()
        return self.awaiting_reply() and self.deadline is not None and self.deadline < day

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await unit(info, self.unit_id)

    @strawberry.field
    async def replies(self, info: strawberry.Info) -> list[Reply]:
        rows = await ctx(info).loaders.replies.load(self.proposal_id)
        return [Reply.of(r) for r in rows if r["unit_id"] == self.unit_id]

    @strawberry.field(description="Ratings of this unit's replies. They are sealed until every proposer has "
                                  "rated the reply: before that only the office and the proposer themself "
                                  "see one.")
    async def evaluations(self, info: strawberry.Info) -> list[Evaluation]:
        c = ctx(info)
        rows = await c.loaders.evaluations.load(self.proposal_id)
        rounds = await c.loaders.evaluation_rounds.load(self.proposal_id)
        completed = {r["round"] for r in rounds if r["unit_id"] == self.unit_id}
        return [Evaluation.of(r) for r in rows if r["unit_id"] == self.unit_id
                and policy.sees_evaluation(c.viewer, dict(r), r["round"] in completed)]

    @strawberry.field
    async def contacts(self, info: strawberry.Info) -> list[HandlingContact]:
        rows = await ctx(info).loaders.contacts.load(self.proposal_id)
        return [HandlingContact(unit_id=strawberry.ID(r["unit_id"]), kind=r["kind"], held_on=r["held_on"],
                                member_ids=[strawberry.ID(m) for m in r["member_ids"]], summary=r["summary"] or "")
                for r in rows if r["unit_id"] == self.unit_id]


@strawberry.type(description="A progress report on a key proposal (重点提案).")
class KeyProgressReport:
    reported_on: date | None
    text: str
    unit_id: strawberry.ID | None


@strawberry.type(description="A suggestion that became policy, a plan or a project (成果转化).")
class ProposalResult:
    id: strawberry.ID
    description: str | None
    document_ref: str | None
    adopted_on: date | None


@strawberry.type(description="A B-class promise, tracked until its look-back (回头看).")
class Commitment:
    id: strawberry.ID
    proposal_id: strawberry.ID
    unit_id: strawberry.ID
    text: str
    due: date
    outcome: e.LookbackOutcome | None
    concluded_on: date | None

    @classmethod
    def of(cls, r: Any) -> Commitment:
        return cls(id=strawberry.ID(r["commitment_id"]), proposal_id=strawberry.ID(r["proposal_id"]),
                   unit_id=strawberry.ID(r["unit_id"]), text=r["text"], due=r["due"], outcome=r["outcome"],
                   concluded_on=r["concluded_on"])

    @strawberry.field
    async def proposal(self, info: strawberry.Info) -> Proposal | None:
        row = await ctx(info).loaders.proposal.load(self.proposal_id)
        return Proposal.of(row) if row else None

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await unit(info, self.unit_id)


@strawberry.type(description="A proposal (提案).")
class Proposal:
    id: strawberry.ID
    number: str | None
    year: int | None
    status: e.ProposalStatus
    title: str
    category: e.Category | None
    submitter_kind: e.SubmitterKind | None
    lead_member_id: strawberry.ID | None
    organization_id: strawberry.ID | None
    special_committee: str | None
    sector: str | None
    submitted_on: date | None
    decided_on: date | None
    decision_reason: str | None
    converted_to: e.NotAcceptedConversion | None
    merged_into: strawberry.ID | None
    is_key: bool
    supervising_leader_ids: list[strawberry.ID]
    mode: e.AssignmentMode | None
    assigned_on: date | None
    deadline: date | None
    reassignment_window_ends: date | None

    @classmethod
    def of(cls, r: Any) -> Proposal:
        return cls(id=strawberry.ID(r["proposal_id"]), number=r["number"], year=r["year"], status=r["status"],
                   title=r["title"], category=r["category"], submitter_kind=r["submitter_kind"],
                   lead_member_id=r["lead_member_id"], organization_id=r["organization_id"],
                   special_committee=r["special_committee"], sector=r["sector"], submitted_on=r["submitted_on"],
                   decided_on=r["decided_on"], decision_reason=r["decision_reason"], converted_to=r["converted_to"],
                   merged_into=r["merged_into"], is_key=r["is_key"],
                   supervising_leader_ids=[strawberry.ID(x) for x in r["key_leaders"]], mode=r["mode"],
                   assigned_on=r["assigned_on"], deadline=r["deadline"],
                   reassignment_window_ends=r["reassignment_window_ends"])

    @strawberry.field
    async def lead_member(self, info: strawberry.Info) -> Member | None:
        return await member(info, self.lead_member_id)

    @strawberry.field
    async def organization(self, info: strawberry.Info) -> Organization | None:
        if not self.organization_id:
            return None
        row = await ctx(info).loaders.organization.load(self.organization_id)
        return Organization.of(row) if row else None

    @strawberry.field
    async def cosigners(self, info: strawberry.Info) -> list[Cosigner]:
        rows = await ctx(info).loaders.cosigners.load(self.id)
        return [Cosigner(member_id=strawberry.ID(r["member_id"]), state=r["state"], deadline=r["deadline"])
                for r in rows]

    @strawberry.field
    async def supervising_leaders(self, info: strawberry.Info) -> list[Member]:
        return await members(info, list(self.supervising_leader_ids))

    @strawberry.field(description="Every unit handling it, lead (or separate) units first.")
    async def handling(self, info: strawberry.Info) -> list[Handling]:
        c = ctx(info)
        rows = await c.loaders.handling.load(self.id)
        return [Handling.of(r) for r in rows]

    @strawberry.field
    async def key_progress(self, info: strawberry.Info) -> list[KeyProgressReport]:
        rows = await ctx(info).loaders.key_progress.load(self.id)
        return [KeyProgressReport(reported_on=r["reported_on"], text=r["text"], unit_id=r["unit_id"]) for r in rows]

    @strawberry.field
    async def commitments(self, info: strawberry.Info) -> list[Commitment]:
        return [Commitment.of(r) for r in await ctx(info).loaders.commitments.load(self.id)]

    @strawberry.field
    async def reassignments(self, info: strawberry.Info) -> list[Reassignment]:
        return [Reassignment.of(r) for r in await ctx(info).loaders.reassignments.load(self.id)]

    @strawberry.field
    async def results(self, info: strawberry.Info) -> list[ProposalResult]:
        rows = await ctx(info).loaders.results.load(self.id)
        return [ProposalResult(id=strawberry.ID(r["result_id"]), description=r["description"],
                               document_ref=r["document_ref"], adopted_on=r["adopted_on"]) for r in rows]


# ---- public-opinion reports ----------------------------------------------------------------------------

@strawberry.type(description="A step in a report's life: edited, forwarded, adopted, instructed, published.")
class ReportStep:
    step: str
    level: e.ReportLevel | None
    on_date: date | None
    detail: str | None


@strawberry.type(description="A public-opinion report (社情民意信息).")
class OpinionReport:
    id: strawberry.ID
    title: str
    category: e.Category | None
    author_member_id: strawberry.ID | None
    direct_report_point_id: strawberry.ID | None
    from_proposal_id: strawberry.ID | None
    year: int | None
    status: e.ReportStatus
    submitted_on: date | None
    forwarded_level: e.ReportLevel | None
    adopted_level: e.ReportLevel | None
    adopted_on: date | None
    instructed: bool
    instruction_count: int
    published_issue: str | None
    published_on: date | None

    @classmethod
    def of(cls, r: Any) -> OpinionReport:
        return cls(id=strawberry.ID(r["report_id"]), title=r["title"], category=r["category"],
                   author_member_id=r["author_member_id"], direct_report_point_id=r["direct_report_point_id"],
                   from_proposal_id=r["from_proposal_id"], year=r["year"], status=r["status"],
                   submitted_on=r["submitted_on"], forwarded_level=r["forwarded_level"],
                   adopted_level=r["adopted_level"], adopted_on=r["adopted_on"], instructed=r["instructed"],
                   instruction_count=r["instruction_count"], published_issue=r["published_issue"],
                   published_on=r["published_on"])

    @strawberry.field
    async def author(self, info: strawberry.Info) -> Member | None:
        return await member(info, self.author_member_id)

    @strawberry.field
    async def steps(self, info: strawberry.Info) -> list[ReportStep]:
        rows = await ctx(info).loaders.report_steps.load(self.id)
        return [ReportStep(step=r["step"], level=r["level"], on_date=r["on_date"], detail=r["detail"]) for r in rows]


# ---- meetings ------------------------------------------------------------------------------------------

@strawberry.type(description="An invitee's answer and attendance.")
class Attendance:
    meeting_id: strawberry.ID
    member_id: strawberry.ID
    invited: bool
    leave_reason: e.LeaveReason | None
    leave_state: e.LeaveState | None
    status: e.AttendanceStatus | None

    @classmethod
    def of(cls, r: Any) -> Attendance:
        return cls(meeting_id=strawberry.ID(r["meeting_id"]), member_id=strawberry.ID(r["member_id"]),
                   invited=r["invited"], leave_reason=r["leave_reason"], leave_state=r["leave_state"],
                   status=r["attendance"])

    @strawberry.field
    async def member(self, info: strawberry.Info) -> Member | None:
        return await member(info, self.member_id)


@strawberry.type(description="Head counts of a meeting's attendance.")
class AttendanceCounts:
    invited: int
    present: int
    on_leave: int
    absent: int


@strawberry.type(description="A meeting: plenary, standing committee, chair meeting, consultation, training class.")
class Meeting:
    id: strawberry.ID
    kind: e.MeetingKind | None
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    venue: str | None
    term: int | None
    session: int | None
    closed: bool

    @classmethod
    def of(cls, r: Any) -> Meeting:
        return cls(id=strawberry.ID(r["meeting_id"]), kind=r["kind"], title=r["title"], starts_at=r["starts_at"],
                   ends_at=r["ends_at"], venue=r["venue"], term=r["term"], session=r["session"], closed=r["closed"])

    @strawberry.field
    async def counts(self, info: strawberry.Info) -> AttendanceCounts:
        rows = await ctx(info).loaders.invitees.load(self.id)
        return AttendanceCounts(invited=sum(1 for r in rows if r["invited"]),
                                present=sum(1 for r in rows if r["attendance"] == "present"),
                                on_leave=sum(1 for r in rows if r["attendance"] == "on_leave"),
                                absent=sum(1 for r in rows if r["attendance"] == "absent"))

    @strawberry.field(description="Every invitee (office staff, leadership, admin); a member sees only themself.")
    async def attendance(self, info: strawberry.Info) -> list[Attendance]:
        c = ctx(info)
        rows = await c.loaders.invitees.load(self.id)
        if policy.sees_all_attendance(c.viewer):
            return [Attendance.of(r) for r in rows]
        return [Attendance.of(r) for r in rows if c.viewer.is_member(r["member_id"])]


# ---- visits --------------------------------------------------------------------------------------------

@strawberry.type(description="A proposal or report a visit led to.")
class VisitOutcome:
    kind: str
    id: strawberry.ID


@strawberry.type(description="A visit (两访三做): who, whom, where, when, in which roles, what was heard.")
class Visit:
    id: strawberry.ID
    kind: e.VisitKind
    visitor_member_id: strawberry.ID
    visited_member_ids: list[strawberry.ID]
    visited_sector: e.Sector | None
    visited_group: str | None
    township_id: str | None
    visited_on: date
    roles: list[e.VisitRole]
    people_reached: int
    issues_heard: list[str]
    follow_up: str | None

    @classmethod
    def of(cls, r: Any) -> Visit:
        return cls(id=strawberry.ID(r["visit_id"]), kind=r["kind"], visitor_member_id=r["visitor_member_id"],
                   visited_member_ids=[strawberry.ID(x) for x in r["visited_member_ids"]],
                   visited_sector=r["visited_sector"], visited_group=r["visited_group"], township_id=r["township_id"],
                   visited_on=r["visited_on"], roles=list(r["roles"]), people_reached=r["people_reached"],
                   issues_heard=list(r["issues_heard"]), follow_up=r["follow_up"])

    @strawberry.field
    async def visitor(self, info: strawberry.Info) -> Member | None:
        return await member(info, self.visitor_member_id)

    @strawberry.field
    async def visited_members(self, info: strawberry.Info) -> list[Member]:
        return await members(info, list(self.visited_member_ids))

    @strawberry.field
    async def outcomes(self, info: strawberry.Info) -> list[VisitOutcome]:
        rows = await ctx(info).loaders.visit_outcomes.load(self.id)
        return [VisitOutcome(kind=r["outcome_kind"], id=strawberry.ID(r["outcome_id"])) for r in rows]
