"""Questionnaires (问卷) as clients read and answer them: the list (the gateway's view: staff all, a member the
ones they are invited to), the form, the results and the exports (the surveys service's routes, with the
caller's token), a member's ticket for an anonymous questionnaire, and the anonymous response itself — which,
like an appraisal ballot, takes no login: the ticket is its only authorization, and the gateway forwards it
with no token (`gateway.read.surveys_routes`). Identified responses are the generated mutation
`submitQuestionnaireResponse`; publishing, inviting and closing are the office's commands."""

from __future__ import annotations

import base64
import enum
from datetime import date
from typing import TYPE_CHECKING, Any

import strawberry

from contracts.surveys.questionnaire_commands import SubmitAnonymousResponse
from contracts.surveys.questionnaire_form import ResponseMode as ContractMode
from gateway import policy
from gateway.commands.inputs import input_for
from gateway.schema.appraisal import reader
from gateway.schema.enums import mirror
from gateway.schema.notifications import token_of
from gateway.schema.scalars import JSON
from gateway.schema.types import ctx

if TYPE_CHECKING:
    ResponseMode = str
else:
    ResponseMode = mirror(ContractMode)

SubmitAnonymousResponseInput = input_for(SubmitAnonymousResponse, "SubmitAnonymousResponseInput")


@strawberry.type(description="A questionnaire (问卷) as published: identified (实名) or anonymous (匿名).")
class Questionnaire:
    id: strawberry.ID
    title: str
    mode: ResponseMode | None
    closes_on: date | None = strawberry.field(description="the last day a response is accepted")
    published_on: date | None
    closed: bool
    closed_on: date | None
    responses: int = strawberry.field(description="responses received (an anonymous questionnaire's are counted "
                                                  "when it closes)")
    invited: int = strawberry.field(description="members invited")
    invited_me: bool = strawberry.field(description="the caller (a member) is invited")
    responded: bool = strawberry.field(description="the caller (a member) has sent an identified response; "
                                                   "always false for an anonymous questionnaire")

    @classmethod
    def of(cls, r: Any) -> Questionnaire:
        return cls(id=strawberry.ID(r["questionnaire_id"]), title=r["title"], mode=r["mode"], closes_on=r["closes_on"],
                   published_on=r["published_on"], closed=r["closed"], closed_on=r["closed_on"],
                   responses=r["responses"], invited=int(r["invited_count"]), invited_me=bool(r["invited"]),
                   responded=bool(r["responded"]))


@strawberry.type(description="A questionnaire's form, as respondents see it (from the surveys service).")
class QuestionnaireForm:
    id: strawberry.ID
    title: str
    intro: str
    mode: ResponseMode
    closes_on: date | None
    closed: bool
    questions: JSON = strawberry.field(description="the questions in order (kind, options, rows, conditions), as "
                                                   "published")
    responded: bool | None = strawberry.field(description="for a member, of an identified questionnaire: whether "
                                                          "they have responded")

    @classmethod
    def of(cls, b: dict[str, Any]) -> QuestionnaireForm:
        return cls(id=strawberry.ID(b["questionnaire_id"]), title=b["title"], intro=b.get("intro") or "",
                   mode=b["mode"], closes_on=date.fromisoformat(b["closes_on"]) if b.get("closes_on") else None,
                   closed=bool(b["closed"]), questions=JSON(b["questions"]), responded=b.get("responded"))


@strawberry.enum(description="An export's file format.")
class ExportFormat(enum.Enum):
    xlsx = strawberry.enum_value("xlsx", description="Excel workbook")
    csv = strawberry.enum_value("csv", description="CSV, UTF-8 with a byte-order mark")


@strawberry.type(description="A questionnaire's responses as a file (staff only).")
class QuestionnaireExport:
    filename: str
    content_type: str
    base64: str = strawberry.field(description="the file's bytes, base64-encoded")


@strawberry.type(description="The caller's one ticket for an anonymous questionnaire: send the response with it "
                             "(`submitAnonymousQuestionnaireResponse`, no login). Shown once; nothing stores who "
                             "drew which.")
class QuestionnaireTicket:
    questionnaire_id: strawberry.ID
    committee_id: strawberry.ID
    ticket: str


@strawberry.type(description="The anonymous response is sealed in the box until the questionnaire closes.")
class AnonymousResponseAccepted:
    questionnaire_id: strawberry.ID
    accepted: bool


# ---- queries ------------------------------------------------------------------------------------------------

async def form(info: strawberry.Info, questionnaire_id: str) -> QuestionnaireForm:
    viewer = policy.require(ctx(info).viewer, "questionnaire")
    return QuestionnaireForm.of(await reader(info).questionnaire_form(token_of(viewer), questionnaire_id))


async def results(info: strawberry.Info, questionnaire_id: str) -> JSON:
    viewer = policy.require(ctx(info).viewer, "questionnaireResults")
    return JSON(await reader(info).questionnaire_results(token_of(viewer), questionnaire_id))


async def export(info: strawberry.Info, questionnaire_id: str, fmt: ExportFormat) -> QuestionnaireExport:
    viewer = policy.require(ctx(info).viewer, "questionnaireExport")
    found = await reader(info).questionnaire_export(token_of(viewer), questionnaire_id, str(fmt.value))
    return QuestionnaireExport(filename=found.filename, content_type=found.content_type,
                               base64=base64.b64encode(found.content).decode("ascii"))
