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
- ballots: `POST /appraisals/{id}/ballots` with no Authorization header, whatever the caller sent: the
  credential's signature is the only authorization, and no login travels with a ballot.
- anonymous responses: `POST /questionnaire-responses/{committee}/{id}`, likewise with no token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from gateway.read.routes import ServiceRoutes, error_of


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

    async def issue_credentials(self, token: str, appraisal_id: str, *, html: bool) -> Answered:
        """The slips, once: JSON, or the printable page (`html`)."""
        response = await self.request("POST", f"/appraisals/{_seg(appraisal_id)}/credentials", token,
                                      accept="text/html" if html else "application/json")
        return _answered(response, text=html)

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


def _seg(value: str) -> str:
    """A path segment: the ids are the contracts' identifiers, but nothing a caller typed goes into a path
    unquoted."""
    return quote(str(value), safe="")
