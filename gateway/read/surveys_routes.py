"""The surveys service's own routes beside its command API (`surveys.appraisal.routes`,
`surveys.questionnaire.routes`), called the one way (`gateway.read.routes`): with the caller's token, or with
none for the two that take no login.

Why routes and not views. What these answer is either never in an event (the slips' private parts, a ballot,
a questionnaire's responses and free text, an anonymous questionnaire's ticket) or is the service's to
compute from its private tables (the sealed board, its tally, the results and exports, the count of ballots
in the box). What the events do carry — a round's subjects and, at close, its results; a questionnaire's
title, mode, deadline and invitations — the gateway projects into views of its own (`gateway.views.appraisals`,
`gateway.views.questionnaires`), and `oversight.latestAppraisal` reads those.

- slips: `POST /appraisals/{id}/credentials` answers once (the service refuses a second issue); the answer is
  handed to the caller and kept nowhere, not in a cache, not in a log.
- an online round's slip: `POST /appraisals/{id}/slip` with the rater's own token; the service answers their one
  slip, once, and the gateway hands it to the caller and keeps it nowhere.
- ballots: `POST /appraisals/{id}/ballots` with no Authorization header, whatever the caller sent: the
  credential's signature is the only authorization, and no login travels with a ballot.
- anonymous responses: `POST /questionnaire-responses/{committee}/{id}`, likewise with no token.
- the public board: the gateway's own `GET /appraisal-boards/{committee}/{id}/board.json` (and `tally.json`),
  for anyone — an invited representative has no login, a rater has only their slip and tracker — forwarded
  with no token to the service's `GET /appraisal-boards/{committee}/{id}` (`.../tally`), which answers only a
  sealed board (409 `board_not_sealed` before close: the ballot box is never public). The board comes back
  byte for byte as the service published it, ready for `yizheng appraisal verify` or the stand-alone script."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from contracts.bounded import IDENTIFIER_PATTERN
from contracts.topics import COMMITTEE_ID_PATTERN
from gateway.errors import ServiceUnavailable
from gateway.read.routes import ServiceRoutes, error_of

PUBLIC_BOARD_PATH = "/appraisal-boards/{committee_id}/{appraisal_id}/{part}"
PUBLIC_PARTS = {"board.json": "", "tally.json": "/tally"}


@dataclass(frozen=True)
class Answered:
    """A route's answer as a mutation reports it: the body (ok), or the service's refusal."""

    status: int
    body: dict[str, Any]
    text: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def error(self) -> dict[str, Any]:
        err = self.body.get("error")
        return err if isinstance(err, dict) else {"code": f"http_{self.status}", "message": ""}


def _answered(response: httpx.Response, *, text: bool = False) -> Answered:
    if response.status_code >= 300:
        return Answered(response.status_code, {"error": error_of(response)})
    if text:
        return Answered(response.status_code, {}, response.text)
    try:
        body = response.json()
    except ValueError:
        body = {}
    return Answered(response.status_code, body if isinstance(body, dict) else {})


@dataclass(frozen=True)
class Download:
    filename: str
    content_type: str
    content: bytes


class SurveysReader(ServiceRoutes):
    def __init__(self, client: httpx.AsyncClient, surveys_url: str | None) -> None:
        super().__init__(client, surveys_url, "surveys")

    # ---- appraisal --------------------------------------------------------------------------------------

    async def appraisal_status(self, token: str, appraisal_id: str) -> dict[str, Any]:
        return await self.get_json(f"/appraisals/{_seg(appraisal_id)}", token)

    async def appraisal_board(self, token: str, appraisal_id: str) -> dict[str, Any]:
        return await self.get_json(f"/appraisals/{_seg(appraisal_id)}/board", token)

    async def appraisal_tally(self, token: str, appraisal_id: str) -> dict[str, Any]:
        return await self.get_json(f"/appraisals/{_seg(appraisal_id)}/tally", token)

    async def public_board(self, committee_id: str, appraisal_id: str, tally: bool = False) -> httpx.Response:
        """A sealed board (or its tally) for anyone: asked with no token at all."""
        path = f"/appraisal-boards/{_seg(committee_id)}/{_seg(appraisal_id)}{'/tally' if tally else ''}"
        return await self.request("GET", path, None)

    async def issue_credentials(self, token: str, appraisal_id: str, *, html: bool) -> Answered:
        """The slips, once: JSON, or the printable page (`html`)."""
        response = await self.request("POST", f"/appraisals/{_seg(appraisal_id)}/credentials", token,
                                      accept="text/html" if html else "application/json")
        return _answered(response, text=html)

    async def draw_slip(self, token: str, appraisal_id: str) -> Answered:
        """An online round's rater draws their one slip, with their own token."""
        return _answered(await self.request("POST", f"/appraisals/{_seg(appraisal_id)}/slip", token,
                                            accept="application/json"))

    async def cast_ballot(self, appraisal_id: str, body: dict[str, Any]) -> Answered:
        """A signed ballot, posted with no token at all."""
        return _answered(await self.request("POST", f"/appraisals/{_seg(appraisal_id)}/ballots", None, json=body))

    # ---- questionnaires ---------------------------------------------------------------------------------

    async def questionnaire_form(self, token: str, questionnaire_id: str) -> dict[str, Any]:
        return await self.get_json(f"/questionnaires/{_seg(questionnaire_id)}", token)

    async def questionnaire_results(self, token: str, questionnaire_id: str) -> dict[str, Any]:
        return await self.get_json(f"/questionnaires/{_seg(questionnaire_id)}/results", token)

    async def questionnaire_export(self, token: str, questionnaire_id: str, ext: str) -> Download:
        response = await self.request("GET", f"/questionnaires/{_seg(questionnaire_id)}/export.{ext}", token)
        self.raise_for(response)
        disposition = response.headers.get("content-disposition", "")
        name = disposition.split("filename=", 1)[1].strip('"') if "filename=" in disposition \
            else f"questionnaire-{questionnaire_id}.{ext}"
        return Download(name, response.headers.get("content-type", "application/octet-stream"), response.content)

    async def draw_ticket(self, token: str, questionnaire_id: str) -> Answered:
        return _answered(await self.request("POST", f"/questionnaires/{_seg(questionnaire_id)}/ticket", token))

    async def submit_anonymous(self, committee_id: str, questionnaire_id: str, body: dict[str, Any]) -> Answered:
        """An anonymous response, posted with no token at all."""
        path = f"/questionnaire-responses/{_seg(committee_id)}/{_seg(questionnaire_id)}"
        return _answered(await self.request("POST", path, None, json=body))


def public_board_route(surveys: SurveysReader | None) -> Route:
    """`GET /appraisal-boards/{committee_id}/{appraisal_id}/board.json` (or `tally.json`): no login."""

    def error(status: int, code: str, message: str, fields: list[str] | None = None) -> JSONResponse:
        return JSONResponse({"error": {"code": code, "message": message, "fields": fields or []}},
                            status_code=status)

    async def public_board(request: Request) -> Response:
        committee_id, appraisal_id = request.path_params["committee_id"], request.path_params["appraisal_id"]
        part = request.path_params["part"]
        if part not in PUBLIC_PARTS:
            return error(404, "not_found", f"no {part!r}: a round publishes {' and '.join(PUBLIC_PARTS)}")
        if not re.match(COMMITTEE_ID_PATTERN, committee_id):
            return error(400, "invalid_request", "committee_id: not a committee id", ["committee_id"])
        if not re.match(IDENTIFIER_PATTERN, appraisal_id):
            return error(400, "invalid_request", "appraisal_id: not an identifier", ["appraisal_id"])
        if surveys is None:
            return error(503, "service_unavailable", "no address configured for the surveys service")
        try:
            answer = await surveys.public_board(committee_id, appraisal_id, tally=part == "tally.json")
        except ServiceUnavailable as err:
            return error(503, "service_unavailable", str(err))
        if answer.status_code >= 300:
            e = error_of(answer)
            return error(answer.status_code, str(e.get("code") or ""), str(e.get("message") or ""),
                         [str(f) for f in e.get("fields") or []])
        return Response(answer.content, media_type="application/json")

    return Route(PUBLIC_BOARD_PATH, public_board, methods=["GET"])


def _seg(value: str) -> str:
    """A path segment: the ids are the contracts' identifiers, but nothing a caller typed goes into a path
    unquoted."""
    return quote(str(value), safe="")
