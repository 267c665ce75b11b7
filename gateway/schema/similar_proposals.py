"""`similarProposals`: for a proposal under review, the proposals most like it — reviewed proposals of earlier
years, and the same year's submitted proposals (the candidates for merging, 并案). The proposals service's
similarity index answers (`gateway.read.proposals_routes`); the query root inherits the field."""

from __future__ import annotations

from typing import Any

import strawberry

from gateway import policy
from gateway.errors import ServiceUnavailable
from gateway.read import lists
from gateway.schema.notifications import token_of
from gateway.schema.types import Proposal, ctx


@strawberry.type(description="A proposal like the one asked about, with how alike (0–1, shared character pairs).")
class SimilarProposal:
    id: strawberry.ID
    number: str | None
    year: int
    title: str
    score: float

    @strawberry.field(description="The proposal itself, as the caller may see it.")
    async def proposal(self, info: strawberry.Info) -> Proposal | None:
        row = await lists.proposal_visible(ctx(info).db, ctx(info).viewer, str(self.id))
        return Proposal.of(row) if row else None

    @classmethod
    def of(cls, d: dict[str, Any]) -> SimilarProposal:
        return cls(id=strawberry.ID(d["proposal_id"]), number=d.get("number"), year=int(d["year"]),
                   title=d["title"], score=float(d["score"]))


@strawberry.type
class SimilarProposals:
    proposal_id: strawberry.ID
    earlier_years: list[SimilarProposal] = strawberry.field(description="reviewed proposals of earlier years")
    same_year: list[SimilarProposal] = strawberry.field(
        description="submitted proposals of the same year (neither drafts nor withdrawn): candidates for merging")


@strawberry.type
class SimilarProposalsQuery:
    @strawberry.field(description="For office staff, leadership and admin: the proposals most like this one, of "
                                  "earlier years and (sameYear, default true) of its own year.")
    async def similar_proposals(self, info: strawberry.Info, proposal_id: strawberry.ID,
                                same_year: bool = True) -> SimilarProposals:
        c = ctx(info)
        viewer = policy.require(c.viewer, "similarProposals")
        reader = c.services.proposals
        if reader is None:
            raise ServiceUnavailable("no address configured for the proposals service")
        body = await reader.similar(token_of(viewer), str(proposal_id), same_year=same_year)
        return SimilarProposals(proposal_id=proposal_id,
                                earlier_years=[SimilarProposal.of(d) for d in body["earlier_years"]],
                                same_year=[SimilarProposal.of(d) for d in body["same_year"]])
