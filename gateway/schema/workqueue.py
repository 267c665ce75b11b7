"""The work queue of the caller's role, as clients read it."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from gateway.read import workqueue as wq
from gateway.schema import enums as e
from gateway.schema.surveys import TrackedItem
from gateway.schema.types import Handling, Meeting, Member, Proposal, Reassignment, Unit, ctx, member, members, unit

if TYPE_CHECKING:
    OfficeWork = str
else:
    OfficeWork = e.mirror(wq.OfficeWork)


@strawberry.type(description="An invitation to co-sign a joint proposal.")
class CosignInvitation:
    proposal_id: strawberry.ID
    title: str
    lead_member_id: strawberry.ID | None
    deadline: date | None

    @strawberry.field
    async def lead_member(self, info: strawberry.Info) -> Member | None:
        return await member(info, self.lead_member_id)


@strawberry.type(description="A reply the caller has yet to evaluate.")
class ReplyToEvaluate:
    proposal_id: strawberry.ID
    number: str | None
    title: str
    unit_id: strawberry.ID
    round: int
    result_class: e.ResultClass
    replied_on: date | None


@strawberry.type(description="An assignment of the caller's unit and its proposal.")
class Assignment:
    handling: Handling
    number: str | None
    title: str


@strawberry.type(description="Something the office must chase (office staff, admin): what it is about (a proposal, "
                             "a unit, a recommendation report), why it is there, since when and by when.")
class OfficeWorkItem:
    id: strawberry.ID = strawberry.field(description="the kind and what it is about, e.g. reply_overdue:P2:U1")
    kind: OfficeWork
    reason: str = strawberry.field(description="why it is there, with its particulars")
    since: date | None = strawberry.field(description="since when it waits (submitted, accepted, asked, the day "
                                                      "after the deadline, replied, due, last reported)")
    due: date | None = strawberry.field(description="its due date, where one exists")
    days_overdue: int = strawberry.field(description="days past the due date as of the queue's day (0 if none)")
    proposal_id: strawberry.ID | None
    number: str | None
    title: str = strawberry.field(description="the proposal's title, or the recommendation report's")
    unit_id: strawberry.ID | None = strawberry.field(description="the unit it concerns (overdue, replied, asking)")
    member_ids: list[strawberry.ID] = strawberry.field(
        description="evaluation missing: the proposers yet to evaluate; key report due: the supervising leaders")
    commitment_id: strawberry.ID | None
    lookback_id: strawberry.ID | None = strawberry.field(description="none until the look-back is opened")
    recommendation_id: strawberry.ID | None

    @classmethod
    def of(cls, i: wq.OfficeItem, as_of: date) -> OfficeWorkItem:
        def sid(v: str | None) -> strawberry.ID | None:
            return strawberry.ID(v) if v else None

        return cls(id=strawberry.ID(i.id), kind=i.kind.value, reason=i.reason, since=i.since, due=i.due,
                   days_overdue=i.days_overdue(as_of), proposal_id=sid(i.proposal_id), number=i.number,
                   title=i.title, unit_id=sid(i.unit_id), member_ids=[strawberry.ID(m) for m in i.member_ids],
                   commitment_id=sid(i.commitment_id), lookback_id=sid(i.lookback_id),
                   recommendation_id=sid(i.recommendation_id))

    @strawberry.field(description="the kind's Chinese label")
    def label_zh(self) -> str:
        return wq.OfficeWork(e.value_of(self.kind)).label_zh

    @strawberry.field
    async def proposal(self, info: strawberry.Info) -> Proposal | None:
        if not self.proposal_id:
            return None
        row = await ctx(info).loaders.proposal.load(self.proposal_id)
        return Proposal.of(row) if row else None

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await unit(info, self.unit_id)

    @strawberry.field
    async def members(self, info: strawberry.Info) -> list[Member]:
        return await members(info, list(self.member_ids))


@strawberry.type(description="What waits for the caller. Only the sections of the caller's role are filled.")
class WorkQueue:
    to_review: list[Proposal] = strawberry.field(description="office: submitted proposals to review (审查立案)")
    to_assign: list[Proposal] = strawberry.field(description="office: accepted proposals to assign (交办)")
    reassignment_requests: list[Reassignment] = strawberry.field(description="office: units asking to be re-assigned")
    due_replies: list[Assignment] = strawberry.field(
        description="unit: assignments awaiting the unit's reply, nearest deadline first")
    replies_to_cosign: list[Assignment] = strawberry.field(description="unit: lead units' replies to co-sign")
    to_cosign: list[CosignInvitation] = strawberry.field(description="member: invitations to co-sign")
    to_evaluate: list[ReplyToEvaluate] = strawberry.field(description="member: replies to evaluate (评议)")
    meetings_to_answer: list[Meeting] = strawberry.field(
        description="member: upcoming meetings with neither leave asked nor attendance recorded")
    to_supervise: list[Proposal] = strawberry.field(description="leadership: key proposals the caller supervises")
    tracked_items: list[TrackedItem] = strawberry.field(
        default_factory=list,
        description="unit: open tracked items the unit is responsible for (outcomes to implement, rectifications, "
                    "recommendations), nearest due date first")
    office: strawberry.Private[list[wq.OfficeItem]] = dataclasses.field(default_factory=list)
    as_of: strawberry.Private[date | None] = None

    @strawberry.field(description="office (office staff, admin): everything the office must chase, most urgent "
                                  "first (past a due date, the longest overdue first; then the longest waiting). "
                                  "`kinds` narrows it; replies overdue follow oversight's rule for the same `asOf`.")
    async def office_items(self, info: strawberry.Info, kinds: list[OfficeWork] | None = None,
                           as_of: Annotated[date | None, strawberry.argument(
                               description="the day due and overdue are judged on (default: today)")] = None,
                           ) -> list[OfficeWorkItem]:
        if self.as_of is None:  # not the office's queue
            return []
        wanted = {wq.OfficeWork(e.value_of(k)) for k in kinds} if kinds else None
        day = as_of or self.as_of
        if day == self.as_of:
            found = [i for i in self.office if wanted is None or i.kind in wanted]
        else:
            found = await wq.office_items(ctx(info).db, ctx(info).viewer.committee_id, day, kinds=wanted)
        return [OfficeWorkItem.of(i, day) for i in found]

    @strawberry.field(description="how many items wait (the office: its items; the old office sections are among them)")
    def total(self) -> int:
        sections = (self.due_replies, self.replies_to_cosign, self.to_cosign, self.to_evaluate,
                    self.meetings_to_answer, self.to_supervise, self.tracked_items)
        if self.as_of is not None:
            return len(self.office) + sum(len(x) for x in sections)
        return sum(len(x) for x in (self.to_review, self.to_assign, self.reassignment_requests, *sections))


def _assignment(r: Any) -> Assignment:
    return Assignment(handling=Handling.of(r), number=r["number"], title=r["title"])


def work_queue(q: wq.WorkQueue) -> WorkQueue:
    return WorkQueue(
        to_review=[Proposal.of(r) for r in q.to_review],
        to_assign=[Proposal.of(r) for r in q.to_assign],
        reassignment_requests=[Reassignment.of(r) for r in q.reassignment_requests],
        due_replies=[_assignment(r) for r in q.due_replies],
        replies_to_cosign=[_assignment(r) for r in q.replies_to_cosign],
        to_cosign=[CosignInvitation(proposal_id=strawberry.ID(r["proposal_id"]), title=r["title"],
                                    lead_member_id=r["lead_member_id"], deadline=r["deadline"]) for r in q.to_cosign],
        to_evaluate=[ReplyToEvaluate(proposal_id=strawberry.ID(r["proposal_id"]), number=r["number"], title=r["title"],
                                     unit_id=strawberry.ID(r["unit_id"]), round=r["round"],
                                     result_class=r["result_class"], replied_on=r["replied_on"])
                     for r in q.to_evaluate],
        meetings_to_answer=[Meeting.of(r) for r in q.meetings_to_answer],
        to_supervise=[Proposal.of(r) for r in q.to_supervise],
        tracked_items=[TrackedItem.of(r, now().date()) for r in q.tracked_items],
        office=q.office,
        as_of=q.as_of,
    )


def now() -> datetime:
    from contracts.clock import CHINA_TZ

    return datetime.now(CHINA_TZ)
