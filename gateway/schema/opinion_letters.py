"""`opinionLetters`: the opinion letters (转意见建议函) proposals not accepted became, as a Relay connection with
filters — for the office whether each unit acknowledged its letter, for a unit the letters sent to it. The SQL
and who sees which rows: `gateway/read/opinion_letters.py`; the query root inherits the field."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry

from gateway import policy
from gateway.read import lists
from gateway.read import opinion_letters as ol
from gateway.schema import enums as e
from gateway.schema.connection import Connection, connection
from gateway.schema.types import Proposal, Unit, ctx, unit

First = Annotated[int | None, strawberry.argument(description="page size (default 20, at most 100)")]
After = Annotated[str | None, strawberry.argument(description="the endCursor of the previous page")]


@strawberry.type(description="An opinion letter (转意见建议函): a proposal not accepted, sent to a unit with its text "
                             "(the proposal's, or the office's edited text), tracked until the unit acknowledges it.")
class OpinionLetter:
    id: strawberry.ID
    proposal_id: strawberry.ID
    unit_id: strawberry.ID
    title: str
    text: str
    edited_by_office: bool = strawberry.field(description="the text is the office's, not the proposal's own")
    category: e.Category | None
    sent_on: date
    acknowledged_on: date | None = strawberry.field(description="the day the unit acknowledged it (签收)")

    @strawberry.field(description="The unit acknowledged the letter.")
    def acknowledged(self) -> bool:
        return self.acknowledged_on is not None

    @classmethod
    def of(cls, r: Any) -> OpinionLetter:
        return cls(id=strawberry.ID(r["letter_id"]), proposal_id=strawberry.ID(r["proposal_id"]),
                   unit_id=strawberry.ID(r["unit_id"]), title=r["title"], text=r["text"],
                   edited_by_office=r["edited_by_office"], category=r["category"], sent_on=r["sent_on"],
                   acknowledged_on=r["acknowledged_on"])

    @strawberry.field(description="The unit it is addressed to.")
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await unit(info, str(self.unit_id))

    @strawberry.field(description="The proposal not accepted, as the caller may see it.")
    async def proposal(self, info: strawberry.Info) -> Proposal | None:
        row = await lists.proposal_visible(ctx(info).db, ctx(info).viewer, str(self.proposal_id))
        return Proposal.of(row) if row else None


@strawberry.input
class OpinionLetterFilter:
    year: int | None = strawberry.field(default=None, description="the year it was sent")
    acknowledged: bool | None = strawberry.field(default=None, description="true: acknowledged; false: awaiting "
                                                                           "the unit's acknowledgement")
    unit_id: strawberry.ID | None = None
    proposal_id: strawberry.ID | None = None


@strawberry.type
class OpinionLetterQuery:
    @strawberry.field(description="Opinion letters, the latest sent first: office, leadership and admin all; unit "
                                  "staff those sent to their unit.")
    async def opinion_letters(self, info: strawberry.Info, filter: OpinionLetterFilter | None = None,
                              first: First = None, after: After = None) -> Connection[OpinionLetter]:
        c = ctx(info)
        policy.require(c.viewer, "opinionLetters")
        f = filter or OpinionLetterFilter()
        flt = ol.OpinionLetterFilter(year=f.year, acknowledged=f.acknowledged,
                                     unit_id=str(f.unit_id) if f.unit_id else None,
                                     proposal_id=str(f.proposal_id) if f.proposal_id else None)
        return connection(await ol.opinion_letters(c.db, c.viewer, flt, first, after), OpinionLetter.of)
