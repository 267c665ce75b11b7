"""The appraisal's routes beside the command API (the gateway calls them):

- `POST /appraisals/{appraisal_id}/credentials` (office staff): issues one credential per entitled rater and
  answers, once, with the slips: JSON (`slips`: code, QR payload, public key), or the printable page with
  `Accept: text/html`. Never stored, never answered again (409 `credentials_issued`). For an online round the
  answer holds no slip (`online: true`, `slips: []`): the slips go into the service's pool for the raters.
- `POST /appraisals/{appraisal_id}/slip` (a member: a special supervisor or member entitled in an online round,
  signed in as themselves): draws their one slip at random and answers it, once, like a printed slip (JSON:
  code, QR payload, public key; or the slip as a page with `Accept: text/html`). 403 `not_entitled`, 409
  `slip_already_drawn` / `appraisal_not_online` / `appraisal_not_voting` / `appraisal_closed` /
  `appraisal_voided`. Nobody, the office included, can learn from the service which slip a rater drew.
- `POST /appraisals/{appraisal_id}/ballots` (no login: the credential's signature is the only authorization):
  body `contracts.surveys.appraisal_board.CastBallot`; answers `{tracker, replaced}`. 400 `invalid_ballot`
  naming the fields, 400 `unknown_credential` / `bad_signature` / `unknown_unit` / `unknown_dimension` /
  `ballot_for_another_appraisal`, 404 `appraisal_not_found`, 409 `appraisal_not_voting` / `appraisal_closed` /
  `appraisal_voided`.
- `GET /appraisals/{appraisal_id}` (any signed-in role): the round's status: phase, online, entitled,
  credentials, ballots in the box and (online) slips drawn while voting (counts), and after close the
  attendance, ballots returned and the head.
- `GET /appraisals/{appraisal_id}/board` and `.../tally` (any signed-in role): after close, the published board
  (sorted by tracker) and its tally; 409 `board_not_sealed` before.
- `GET /appraisal-boards/{committee_id}/{appraisal_id}` and `.../tally` (no login, like a ballot): the same
  sealed board and tally for anyone — an invited representative has no login, and a rater looks for their
  tracker with nothing but the slip. Never before close (409 `board_not_sealed`: the box is not public); 404
  `appraisal_not_found` for an unknown committee or round.

Nothing here logs a request."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from contracts.envelope import Role
from contracts.roles import OFFICE
from contracts.surveys.appraisal_board import CastBallot
from contracts.topics import COMMITTEE_ID_PATTERN
from eventstore.command_api import parse
from eventstore.errors import DomainError
from eventstore.store import CommandContext
from runtime.auth import Principal
from surveys import streams
from surveys.appraisal import handlers
from surveys.appraisal.box import Box
from surveys.appraisal.round import ROUND, Phase, RoundState
from surveys.appraisal.slips import page
from surveys.parts import SurveysParts

NOT_FOUND = frozenset({"appraisal_not_found", "not_found"})
CONFLICTS = frozenset({"appraisal_not_voting", "appraisal_closed", "appraisal_voided", "credentials_issued",
                       "board_not_sealed", "slip_already_drawn", "appraisal_not_online", "no_slips_left"})
FORBIDDEN = frozenset({"not_authorized", "not_entitled"})
PRIVATE = {"Cache-Control": "no-store"}


def _error(status: int, code: str, message: str, fields: list[str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "fields": fields or []}}, status_code=status,
                        headers=PRIVATE)


def _refusal(err: DomainError) -> JSONResponse:
    status = 404 if err.rule in NOT_FOUND else 409 if err.rule in CONFLICTS else \
        403 if err.rule in FORBIDDEN else 400
    return _error(status, err.rule, err.message, list(err.fields))


class Refused(Exception):
    def __init__(self, response: JSONResponse) -> None:
        self.response = response


class AppraisalRoutes:
    def __init__(self, parts: SurveysParts) -> None:
        self.parts = parts
        self.box = Box(parts.schema)

    def routes(self) -> list[Route]:
        return [Route("/appraisals/{appraisal_id}/credentials", self.credentials, methods=["POST"]),
                Route("/appraisals/{appraisal_id}/slip", self.slip, methods=["POST"]),
                Route("/appraisals/{appraisal_id}/ballots", self.cast, methods=["POST"]),
                Route("/appraisals/{appraisal_id}", self.status, methods=["GET"]),
                Route("/appraisals/{appraisal_id}/board", self.board, methods=["GET"]),
                Route("/appraisals/{appraisal_id}/tally", self.tally, methods=["GET"]),
                Route("/appraisal-boards/{committee_id}/{appraisal_id}", self.public_board, methods=["GET"]),
                Route("/appraisal-boards/{committee_id}/{appraisal_id}/tally", self.public_tally, methods=["GET"])]

    def _caller(self, request: Request) -> Principal:
        try:
            who: Principal = self.parts.runtime.authenticate(request.headers.get("authorization"))
        except Exception as err:  # every authentication failure is a 401
            raise Refused(_error(401, "unauthenticated", str(err))) from None
        return who

    async def _round(self, committee_id: str, appraisal_id: str) -> RoundState:
        history = await self.parts.store.read_stream(streams.appraisal(committee_id, appraisal_id))
        state = ROUND.fold(e.event for e in history)
        if state.phase is Phase.none:
            raise Refused(_error(404, "appraisal_not_found", "no such appraisal round in this committee",
                                 ["appraisal_id"]))
        return state

    # ---- the office issues the credentials -----------------------------------------------------------------

    async def credentials(self, request: Request) -> Response:
        try:
            who = self._caller(request)
        except Refused as refused:
            return refused.response
        if who.actor.role not in OFFICE:
            return _error(403, "not_authorized", "issuing credentials is for office staff")
        appraisal_id = request.path_params["appraisal_id"]
        ctx = CommandContext(actor=who.actor, committee_id=who.committee_id)
        try:
            outcome, slips = await handlers.issue_credentials(self.parts, appraisal_id, ctx)
        except DomainError as err:
            return _refusal(err)
        if "text/html" in request.headers.get("accept", ""):
            state = await self._round(who.committee_id, appraisal_id)
            return HTMLResponse(page(state.title, slips), headers=PRIVATE)
        online = not slips and outcome.result.get("online") is True
        return JSONResponse({"appraisal_id": appraisal_id, "online": online,
                             "slips": [{"code": s.code, "qr": s.qr, "public_key": s.public_key} for s in slips]},
                            headers=PRIVATE)

    # ---- a rater of an online round draws a slip -------------------------------------------------------------

    async def slip(self, request: Request) -> Response:
        try:
            who = self._caller(request)
        except Refused as refused:
            return refused.response
        if who.actor.role is not Role.member or who.actor.member_id is None:
            return _error(403, "not_authorized", "a slip is drawn by a rater signed in as themselves (a member)")
        appraisal_id = request.path_params["appraisal_id"]
        ctx = CommandContext(actor=who.actor, committee_id=who.committee_id)
        try:
            slip = await handlers.draw_slip(self.parts, appraisal_id, ctx)
        except DomainError as err:
            return _refusal(err)
        if "text/html" in request.headers.get("accept", ""):
            state = await self._round(who.committee_id, appraisal_id)
            return HTMLResponse(page(state.title, [slip]), headers=PRIVATE)
        return JSONResponse({"appraisal_id": appraisal_id, "committee_id": who.committee_id, "code": slip.code,
                             "qr": slip.qr, "public_key": slip.public_key}, headers=PRIVATE)

    # ---- a rater casts a ballot --------------------------------------------------------------------------------

    async def cast(self, request: Request) -> JSONResponse:
        try:
            cast = parse(CastBallot, await request.body())
        except ValidationError as err:
            fields = [".".join(str(p) for p in e["loc"]) for e in err.errors()]
            detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors())
            return _error(400, "invalid_ballot", detail, fields)
        try:
            answer = await handlers.cast_ballot(self.parts, request.path_params["appraisal_id"], cast)
        except DomainError as err:
            return _refusal(err)
        return JSONResponse(answer, headers=PRIVATE)

    # ---- reads ---------------------------------------------------------------------------------------------------

    async def status(self, request: Request) -> JSONResponse:
        try:
            who = self._caller(request)
            state = await self._round(who.committee_id, request.path_params["appraisal_id"])
        except Refused as refused:
            return refused.response
        body: dict[str, Any] = {
            "appraisal_id": state.appraisal_id, "phase": state.phase.value, "year": state.year,
            "kind": state.kind.value, "title": state.title,
            "held_on": state.held_on.isoformat() if state.held_on else None,
            "unit_ids": list(state.unit_ids), "dimension_ids": list(state.dimension_ids),
            "online": state.online, "entitled": state.entitled, "credentials": len(state.public_keys),
            "credentials_digest": state.keys_digest or None,
        }
        if state.phase is Phase.voting:
            body["ballots_in_box"] = await self.box.count(self.parts.pool, who.committee_id, state.appraisal_id)
            if state.online:
                body["slips_drawn"] = await self.box.drawn_count(self.parts.pool, who.committee_id, state.appraisal_id)
        if state.closed is not None:
            c = state.closed
            body |= {"issued": c.issued, "returned": c.returned, "board_head": c.board_head,
                     "top_unit_ids": c.top_unit_ids, "bottom_unit_ids": c.bottom_unit_ids}
        return JSONResponse(body)

    async def _sealed(self, committee_id: str, appraisal_id: str) -> str:
        state = await self._round(committee_id, appraisal_id)
        board = await self.box.board(self.parts.pool, committee_id, state.appraisal_id)
        if board is None:
            raise Refused(_error(409, "board_not_sealed", f"the board is published at close; the round is "
                                 f"{state.phase.value}"))
        return board

    async def _signed_in_board(self, request: Request) -> str:
        who = self._caller(request)
        return await self._sealed(who.committee_id, request.path_params["appraisal_id"])

    async def _public_board(self, request: Request) -> str:
        """The sealed board for anyone: the committee comes from the path, any Authorization header is ignored."""
        committee_id = request.path_params["committee_id"]
        if not re.match(COMMITTEE_ID_PATTERN, committee_id):
            raise Refused(_error(404, "appraisal_not_found", "no such committee", ["committee_id"]))
        return await self._sealed(committee_id, request.path_params["appraisal_id"])

    async def board(self, request: Request) -> Response:
        return await _answer(self._signed_in_board(request), tally=False)

    async def tally(self, request: Request) -> Response:
        return await _answer(self._signed_in_board(request), tally=True)

    async def public_board(self, request: Request) -> Response:
        return await _answer(self._public_board(request), tally=False)

    async def public_tally(self, request: Request) -> Response:
        return await _answer(self._public_board(request), tally=True)


async def _answer(sealed: Awaitable[str], *, tally: bool) -> Response:
    """The sealed board as stored (byte for byte, so its hashes verify), or its tally; or the refusal."""
    try:
        board = await sealed
    except Refused as refused:
        return refused.response
    if tally:
        return JSONResponse(_tally_of(json.loads(board)))
    return Response(board, media_type="application/json")


def _tally_of(board: dict[str, Any]) -> dict[str, Any]:
    return {"appraisal_id": board["appraisal_id"], "head": board["head"], "entitled": board["entitled"],
            "issued": board["issued"], "returned": board["returned"], **board["tally"]}
