"""Read endpoints of the proposals service's own read model: the proposals most like a given one — reviewed
proposals of earlier years and submitted proposals of the same year (the candidates for merging, 并案).
Authorized by the same policy as the gateway (`contracts.access`, row `similarProposals`); the committee comes
from the bearer token."""

from __future__ import annotations

import re
from collections.abc import Callable

import asyncpg
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from contracts.access import may_read
from contracts.bounded import IDENTIFIER_PATTERN
from proposals.read_model import ProposalsReadModel
from runtime.auth import Principal

_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
_BOOLEAN = {"true": True, "false": False}


def _error(status: int, code: str, message: str, fields: list[str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "fields": fields or []}}, status_code=status)


class ProposalQueries:
    def __init__(self, read_model: ProposalsReadModel, pool: asyncpg.Pool,
                 authenticate: Callable[[str | None], Principal]) -> None:
        self.read_model = read_model
        self.pool = pool
        self.authenticate = authenticate

    def routes(self) -> list[Route]:
        return [Route("/proposals/{proposal_id}/similar", self.similar, methods=["GET"])]

    async def similar(self, request: Request) -> JSONResponse:
        try:
            who = self.authenticate(request.headers.get("authorization"))
        except Exception as err:  # every authentication failure is a 401
            return _error(401, "unauthenticated", str(err))
        if not may_read(who.role, "similarProposals"):
            return _error(403, "not_authorized", "office staff, leadership and admin look for similar proposals")
        proposal_id = request.path_params["proposal_id"]
        if not _IDENTIFIER.fullmatch(proposal_id):
            return _error(400, "invalid_identifier", f"proposal_id must match {IDENTIFIER_PATTERN}", ["proposal_id"])
        same_year = _BOOLEAN.get(request.query_params.get("same_year", "true"))
        if same_year is None:
            return _error(400, "invalid_boolean", "same_year must be true or false", ["same_year"])
        text = await self.read_model.text_of(self.pool, who.committee_id, proposal_id)
        if text is None:
            return _error(404, "not_found", f"no submitted proposal {proposal_id!r} in this committee",
                          ["proposal_id"])
        earlier = await self.read_model.similar(self.pool, who.committee_id, title=text.title,
                                                body=text.body, before_year=text.year, exclude=proposal_id)
        this_year = await self.read_model.similar(
            self.pool, who.committee_id, title=text.title, body=text.body,
            before_year=text.year, exclude=proposal_id, same_year=True) if same_year else []
        return JSONResponse({"proposal_id": proposal_id, "year": text.year,
                             "earlier_years": [f.as_dict() for f in earlier],
                             "same_year": [f.as_dict() for f in this_year]})
