"""The work queue of the caller's role, as clients read it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry

from gateway.read import workqueue as wq
from gateway.schema import enums as e
from gateway.schema.surveys import TrackedItem
from gateway.schema.types import Handling, Meeting, Member, Proposal, Reassignment, member


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

    @strawberry.field
    def total(self) -> int:
        return sum(len(x) for x in (self.to_review, self.to_assign, self.reassignment_requests, self.due_replies,
                                    self.replies_to_cosign, self.to_cosign, self.to_evaluate, self.meetings_to_answer,
                                    self.to_supervise, self.tracked_items))


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
    )


def now() -> datetime:
    from contracts.clock import CHINA_TZ

    return datetime.now(CHINA_TZ)
