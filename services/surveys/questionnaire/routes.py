"""Routes of questionnaires beside the command API, for the gateway (with the caller's bearer token; who may
read what is `contracts.access`) and for respondents:

- `GET /questionnaires/{id}`: the form (`questionnaire`; a member reads only one they are invited to);
- `GET /questionnaires/{id}/results`: counts and shares per question, free text listed (`questionnaireResults`);
- `GET /questionnaires/{id}/export.xlsx` and `/export.csv` (UTF-8 with a BOM) (`questionnaireExport`);
  an anonymous questionnaire's results and export wait until it is closed (409 `results_sealed`);
- `POST /questionnaires/{id}/ticket`: an invited member draws their one ticket for an anonymous questionnaire
  (`questionnaireTicket`); the answer is the only place the ticket ever appears;
- `POST /questionnaire-responses/{committee_id}/{id}`: an anonymous response, body
  `contracts.surveys.questionnaire_commands.SubmitAnonymousResponse`. The ticket is its only authorization:
  any Authorization header is ignored, so no login can be stored with it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from contracts.access import may_read
from contracts.envelope import Role
from contracts.surveys.questionnaire_commands import SubmitAnonymousResponse
from contracts.surveys.questionnaire_form import ResponseMode
from contracts.topics import COMMITTEE_ID_PATTERN
from eventstore.command_api import parse
from eventstore.errors import DomainError
from eventstore.store import CommandContext
from runtime.auth import Principal
from surveys.parts import SurveysParts
from surveys.questionnaire import streams
from surveys.questionnaire.decider import QUESTIONNAIRE, QuestionnaireState
from surveys.questionnaire.export import to_csv, to_xlsx
from surveys.questionnaire.handlers import draw_ticket, submit_anonymous
from surveys.questionnaire.responses import Responses
from surveys.questionnaire.results import results

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _error(status: int, code: str, message: str, fields: list[str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "fields": fields or []}}, status_code=status)


def _refused(err: DomainError) -> JSONResponse:
    return _error(403 if err.rule == "not_authorized" else 422, err.rule, err.message, err.fields)


class Refused(Exception):
    def __init__(self, response: JSONResponse) -> None:
        self.response = response


class QuestionnaireRoutes:
    def __init__(self, parts: SurveysParts) -> None:
        self.parts = parts
        self.authenticate: Callable[[str | None], Principal] = parts.runtime.authenticate
        self.responses = Responses(parts.schema)

    def routes(self) -> list[Route]:
        return [Route("/questionnaires/{questionnaire_id}", self.form, methods=["GET"]),
                Route("/questionnaires/{questionnaire_id}/results", self.results, methods=["GET"]),
                Route("/questionnaires/{questionnaire_id}/export.xlsx", self.xlsx, methods=["GET"]),
                Route("/questionnaires/{questionnaire_id}/export.csv", self.csv, methods=["GET"]),
                Route("/questionnaires/{questionnaire_id}/ticket", self.ticket, methods=["POST"]),
                Route("/questionnaire-responses/{committee_id}/{questionnaire_id}", self.anonymous,
                      methods=["POST"])]

    # ---- who is asking, and what ------------------------------------------------------------------------------

    def _caller(self, request: Request, operation: str) -> Principal:
        try:
            who = self.authenticate(request.headers.get("authorization"))
        except Exception as err:  # every authentication failure is a 401
            raise Refused(_error(401, "unauthenticated", str(err))) from None
        if not may_read(who.role, operation):
            raise Refused(_error(403, "not_authorized", f"{operation} is not available to the {who.role.value} role"))
        return who

    async def _questionnaire(self, who: Principal, request: Request) -> QuestionnaireState:
        qid = request.path_params["questionnaire_id"]
        history = await self.parts.store.read_stream(streams.questionnaire(who.committee_id, qid))
        state = QUESTIONNAIRE.fold(e.event for e in history)
        invited = who.actor.member_id in state.invited
        if not state.published or (who.role is Role.member and not invited):
            raise Refused(_error(404, "questionnaire_not_found", "no such questionnaire for you", ["questionnaire_id"]))
        return state

    async def _unsealed(self, request: Request, operation: str) -> tuple[QuestionnaireState, list[Any]]:
        who = self._caller(request, operation)
        state = await self._questionnaire(who, request)
        if state.mode is ResponseMode.anonymous and not state.closed:
            raise Refused(_error(409, "results_sealed", "an anonymous questionnaire's responses are read once it is "
                                 "closed", ["questionnaire_id"]))
        return state, await self.responses.all(self.parts.pool, who.committee_id, state.questionnaire_id)

    # ---- reads ------------------------------------------------------------------------------------------------

    async def form(self, request: Request) -> JSONResponse:
        try:
            who = self._caller(request, "questionnaire")
            state = await self._questionnaire(who, request)
        except Refused as refused:
            return refused.response
        body: dict[str, Any] = {
            "questionnaire_id": state.questionnaire_id, "title": state.title, "intro": state.intro,
            "mode": state.mode.value, "closes_on": state.closes_on.isoformat() if state.closes_on else None,
            "closed": state.closed, "questions": [q.model_dump(mode="json") for q in state.questions]}
        if who.role is Role.member and state.mode is ResponseMode.identified and who.actor.member_id:
            body["responded"] = await self.responses.responded(self.parts.pool, who.committee_id,
                                                               state.questionnaire_id, who.actor.member_id)
        return JSONResponse(body)

    async def results(self, request: Request) -> JSONResponse:
        try:
            state, found = await self._unsealed(request, "questionnaireResults")
        except Refused as refused:
            return refused.response
        return JSONResponse(results(state, [r.answers for r in found]))

    async def xlsx(self, request: Request) -> Response:
        try:
            state, found = await self._unsealed(request, "questionnaireExport")
        except Refused as refused:
            return refused.response
        return Response(to_xlsx(state, found), media_type=XLSX, headers=_attachment(state, "xlsx"))

    async def csv(self, request: Request) -> Response:
        try:
            state, found = await self._unsealed(request, "questionnaireExport")
        except Refused as refused:
            return refused.response
        return Response(to_csv(state, found), media_type="text/csv; charset=utf-8", headers=_attachment(state, "csv"))

    # ---- tickets ----------------------------------------------------------------------------------------------

    async def ticket(self, request: Request) -> JSONResponse:
        try:
            who = self._caller(request, "questionnaireTicket")
        except Refused as refused:
            return refused.response
        qid = request.path_params["questionnaire_id"]
        try:
            ticket = await draw_ticket(self.parts, qid, CommandContext(actor=who.actor, committee_id=who.committee_id))
        except DomainError as err:
            return _refused(err)
        return JSONResponse({"ticket": ticket, "submit_to": f"/questionnaire-responses/{who.committee_id}/{qid}"},
                            headers={"Cache-Control": "no-store"})

    async def anonymous(self, request: Request) -> JSONResponse:
        committee_id, qid = request.path_params["committee_id"], request.path_params["questionnaire_id"]
        if not re.match(COMMITTEE_ID_PATTERN, committee_id):
            return _error(404, "questionnaire_not_found", "no such committee", ["committee_id"])
        try:
            body = parse(SubmitAnonymousResponse, await request.body())
        except ValidationError as err:
            fields = [".".join(str(p) for p in e["loc"]) for e in err.errors()]
            detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors())
            return _error(400, "invalid_command", detail, fields)
        try:
            await submit_anonymous(self.parts, committee_id, qid, body)
        except DomainError as err:
            return _refused(err)
        return JSONResponse({"accepted": True})


def _attachment(state: QuestionnaireState, ext: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="questionnaire-{state.questionnaire_id}.{ext}"'}
