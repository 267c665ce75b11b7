"""Mutations that call the surveys service's own routes rather than its command API (why each is a route:
`contracts.surveys.appraisal_commands`, `contracts.surveys.questionnaire_service`): the office's appraisal
slips, a rater drawing their slip of an online round, casting a ballot with a credential, a member's
questionnaire ticket and an anonymous response. Two take
no login at all (`castAppraisalBallot`, `submitAnonymousQuestionnaireResponse`): the signature, or the ticket,
is the only authorization, and the gateway forwards them with no token (`gateway.read.surveys_routes`).
A refusal comes back as `CommandRefused` (its `rule` the service's code), a malformed body as `CommandInvalid`,
as for the generated command mutations."""

from __future__ import annotations

import enum
import re
from typing import Annotated, Any

import strawberry
from pydantic import ValidationError

from contracts.surveys.appraisal_board import CastBallot
from contracts.surveys.questionnaire_commands import SubmitAnonymousResponse
from contracts.topics import COMMITTEE_ID_PATTERN
from gateway import policy
from gateway.commands.inputs import to_json
from gateway.errors import BadRequest
from gateway.schema.appraisal import CastBallotInput, reader
from gateway.schema.mutation import CommandInvalid, CommandRefused
from gateway.schema.notifications import token_of
from gateway.schema.questionnaires import (
    AnonymousResponseAccepted,
    QuestionnaireTicket,
    SubmitAnonymousResponseInput,
)
from gateway.schema.types import ctx

SERVICE = "surveys"


@strawberry.enum(description="How the slips come back.")
class SlipFormat(enum.Enum):
    html = strawberry.enum_value("html", description="a page ready to print (A4, eight slips a page, QR codes)")
    json = strawberry.enum_value("json", description="the slips as data, for the office's own printing")


@strawberry.type(description="One credential slip (凭证): its code (the private key, typed or scanned on the "
                             "rater's device), its QR payload and its public key. Shown once.")
class AppraisalSlip:
    code: str
    qr: str
    public_key: str


@strawberry.type(description="A round's slips, issued once: nobody can print them again (the service keeps only "
                             "the public keys). Shuffle them; record nobody who draws one.")
class AppraisalSlips:
    appraisal_id: strawberry.ID
    count: int
    html: str | None = strawberry.field(description="the printable page (format html)")
    slips: list[AppraisalSlip] | None = strawberry.field(description="the slips (format json)")


@strawberry.type(description="Your slip (凭证) of an online appraisal round, drawn at random and shown once: its code "
                             "(the private key, typed or scanned on your device), its QR payload and public key. "
                             "Nobody, the office included, can learn which slip you drew; keep it to yourself.")
class DrawnAppraisalSlip:
    appraisal_id: strawberry.ID
    committee_id: strawberry.ID
    code: str
    qr: str
    public_key: str


@strawberry.type(description="The ballot is in the box. Keep the tracker: after close it finds the ballot on the "
                             "board.")
class BallotCast:
    appraisal_id: strawberry.ID
    tracker: str = strawberry.field(description="SHA-256 of the canonical ballot (the rater's receipt)")
    replaced: bool = strawberry.field(description="this credential's earlier ballot was replaced (until close, "
                                                  "the last one counts)")


IssueCredentialsResult = Annotated[AppraisalSlips | CommandRefused, strawberry.union(
    "IssueCredentialsResult", description="The slips, or the service's refusal (e.g. `credentials_issued`).")]
DrawSlipResult = Annotated[DrawnAppraisalSlip | CommandRefused, strawberry.union(
    "DrawAppraisalSlipResult", description="Your slip, or the service's refusal (e.g. `slip_already_drawn`, "
                                           "`not_entitled`, `appraisal_not_online`).")]
CastBallotResult = Annotated[BallotCast | CommandRefused | CommandInvalid, strawberry.union(
    "CastBallotResult", description="The ballot's receipt, a refusal (e.g. `bad_signature`, `appraisal_closed`), "
                                    "or a malformed ballot.")]
def refused(command: str, status: int, error: dict[str, Any]) -> CommandRefused:
    return CommandRefused(service=SERVICE, command=command, rule=str(error.get("code") or f"http_{status}"),
                          message=str(error.get("message") or ""), status=status)


def invalid(command: str, err: ValidationError) -> CommandInvalid:
    errors = err.errors()
    return CommandInvalid(service=SERVICE, command=command,
                          message="; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors),
                          fields=[".".join(str(p) for p in e["loc"]) for e in errors])


def no_store(info: strawberry.Info) -> None:
    """The answer carries a secret shown once: no cache may keep it."""
    response = ctx(info).response
    if response is not None and hasattr(response, "headers"):
        response.headers["Cache-Control"] = "no-store"


async def issue_credentials(self: Any, info: strawberry.Info, appraisal_id: strawberry.ID,
                            format: SlipFormat = SlipFormat.html) -> IssueCredentialsResult:
    viewer = policy.require(ctx(info).viewer, "appraisalCredentials")
    no_store(info)
    html = format is SlipFormat.html
    answer = await reader(info).issue_credentials(token_of(viewer), str(appraisal_id), html=html)
    if not answer.ok:
        return refused("issue-appraisal-credentials", answer.status, answer.error)
    if html:
        return AppraisalSlips(appraisal_id=appraisal_id, count=answer.text.count('class="slip"'), html=answer.text,
                              slips=None)
    slips = [AppraisalSlip(code=s["code"], qr=s["qr"], public_key=s["public_key"]) for s in answer.body["slips"]]
    return AppraisalSlips(appraisal_id=appraisal_id, count=len(slips), html=None, slips=slips)


async def draw_slip(self: Any, info: strawberry.Info, appraisal_id: strawberry.ID) -> DrawSlipResult:
    """Forwarded with the caller's own token to a member: the surveys service decides whether they are a rater
    of the online round."""
    viewer = policy.require(ctx(info).viewer, "appraisalSlip")
    no_store(info)
    answer = await reader(info).draw_slip(token_of(viewer), str(appraisal_id))
    if not answer.ok:
        return refused("draw-appraisal-slip", answer.status, answer.error)
    b = answer.body
    return DrawnAppraisalSlip(appraisal_id=appraisal_id, committee_id=strawberry.ID(str(b["committee_id"])),
                              code=str(b["code"]), qr=str(b["qr"]), public_key=str(b["public_key"]))


async def cast_ballot(self: Any, info: strawberry.Info, appraisal_id: strawberry.ID,
                      input: CastBallotInput) -> CastBallotResult:  # type: ignore[valid-type]
    try:
        cast = CastBallot.model_validate(to_json(input))
    except ValidationError as err:
        return invalid("cast-appraisal-ballot", err)
    answer = await reader(info).cast_ballot(str(appraisal_id), cast.model_dump(mode="json"))
    if answer.status == 400 and answer.error.get("code") == "invalid_ballot":
        return CommandInvalid(service=SERVICE, command="cast-appraisal-ballot",
                              message=str(answer.error.get("message") or ""),
                              fields=[str(f) for f in answer.error.get("fields") or []])
    if not answer.ok:
        return refused("cast-appraisal-ballot", answer.status, answer.error)
    return BallotCast(appraisal_id=appraisal_id, tracker=answer.body["tracker"], replaced=bool(answer.body["replaced"]))


TicketResult = Annotated[QuestionnaireTicket | CommandRefused, strawberry.union(
    "QuestionnaireTicketResult", description="The ticket, or the service's refusal (e.g. one was drawn already).")]
AnonymousResponseResult = Annotated[AnonymousResponseAccepted | CommandRefused | CommandInvalid, strawberry.union(
    "AnonymousResponseResult", description="Accepted, refused (e.g. the ticket was used), or malformed.")]

# ---- mutations ----------------------------------------------------------------------------------------------

async def draw_ticket(self: Any, info: strawberry.Info, questionnaire_id: strawberry.ID) -> TicketResult:
    viewer = policy.require(ctx(info).viewer, "questionnaireTicket")
    no_store(info)
    answer = await reader(info).draw_ticket(token_of(viewer), str(questionnaire_id))
    if not answer.ok:
        return refused("draw-questionnaire-ticket", answer.status, answer.error)
    return QuestionnaireTicket(questionnaire_id=questionnaire_id, committee_id=strawberry.ID(viewer.committee_id),
                               ticket=answer.body["ticket"])


async def submit_anonymous(self: Any, info: strawberry.Info, committee_id: strawberry.ID,
                           questionnaire_id: strawberry.ID,
                           input: SubmitAnonymousResponseInput) -> AnonymousResponseResult:  # type: ignore[valid-type]
    if not re.match(COMMITTEE_ID_PATTERN, str(committee_id)):
        raise BadRequest("committeeId is not a committee id", fields=["committeeId"])
    try:
        body = SubmitAnonymousResponse.model_validate(to_json(input))
    except ValidationError as err:
        return invalid("submit-anonymous-questionnaire-response", err)
    answer = await reader(info).submit_anonymous(str(committee_id), str(questionnaire_id), body.model_dump(mode="json"))
    if answer.status == 400:
        return CommandInvalid(service="surveys", command="submit-anonymous-questionnaire-response",
                              message=str(answer.error.get("message") or ""),
                              fields=[str(f) for f in answer.error.get("fields") or []])
    if not answer.ok:
        return refused("submit-anonymous-questionnaire-response", answer.status, answer.error)
    return AnonymousResponseAccepted(questionnaire_id=questionnaire_id, accepted=True)


MUTATIONS: dict[str, Any] = {
    "issueAppraisalCredentials": strawberry.mutation(
        issue_credentials, name="issueAppraisalCredentials",
        description="The office issues a round's credentials and gets its slips, once (a page ready to print, or "
                    "the slips as data); asking again is refused `credentials_issued`. Office staff only."),
    "drawAppraisalSlip": strawberry.mutation(
        draw_slip, name="drawAppraisalSlip",
        description="A rater of an online appraisal round (网上民主评议), signed in as themselves, draws their one "
                    "slip at random; a second draw is refused `slip_already_drawn`. Nobody records which slip."),
    "castAppraisalBallot": strawberry.mutation(
        cast_ballot, name="castAppraisalBallot",
        description="Cast a ballot signed with a credential (民主评议投票). No login: the signature is the only "
                    "authorization, and the gateway forwards the ballot with no token. A second ballot under "
                    "the same credential replaces the first until close."),
    "drawQuestionnaireTicket": strawberry.mutation(
        draw_ticket, name="drawQuestionnaireTicket",
        description="An invited member draws their one ticket for an anonymous questionnaire (members only)."),
    "submitAnonymousQuestionnaireResponse": strawberry.mutation(
        submit_anonymous, name="submitAnonymousQuestionnaireResponse",
        description="An anonymous response (匿名填写), sent with a ticket. No login: the ticket is the only "
                    "authorization, and the gateway forwards the response with no token."),
}
