"""Handlers of the questionnaire commands (contracts.surveys.questionnaire_service), and the two ticket
operations the routes run (`draw_ticket`, `submit_anonymous`). Every response and the closing take the
questionnaire's advisory lock first, so a response is either in before the closing or refused after it."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Actor, Role
from contracts.surveys import questionnaire_commands as c
from contracts.surveys.questionnaire import QuestionnaireAnonymousResponseRecorded, QuestionnaireResponseSubmitted
from contracts.surveys.questionnaire_form import ResponseMode
from eventstore.command_outcome import CommandOutcome
from eventstore.service import Handler
from eventstore.store import CommandContext
from eventstore.unit_of_work import Tx
from surveys.domain.refusals import refuse
from surveys.parts import SurveysParts
from surveys.questionnaire import streams
from surveys.questionnaire.decider import QUESTIONNAIRE, RESPONSE, Close, Publish, Respond, accept, still_open
from surveys.questionnaire.responses import Responses

# Who an anonymous response is taken by: no person. It writes no event (its answers wait sealed until the
# closing), so this actor is never stored; it names the route in logs.
BALLOT_BOX = Actor(id="questionnaire-ballot-box", role=Role.service)


def _responses(s: SurveysParts) -> Responses:
    return Responses(s.schema)


async def publish_questionnaire(s: SurveysParts, cmd: c.PublishQuestionnaire, ctx: CommandContext) -> CommandOutcome:
    qid = cmd.questionnaire_id or s.ids()
    return await s.uow.decide(ctx, streams.questionnaire(ctx.committee_id, qid), QUESTIONNAIRE, Publish(qid, cmd),
                              {"questionnaire_id": qid})


async def invite_to_questionnaire(s: SurveysParts, cmd: c.InviteToQuestionnaire,
                                  ctx: CommandContext) -> CommandOutcome:
    async def work(tx: Tx) -> dict[str, Any]:
        loaded = await tx.load(streams.questionnaire(tx.committee_id, cmd.questionnaire_id), QUESTIONNAIRE)
        (sent,) = tx.decide(loaded, QUESTIONNAIRE, cmd)
        return {"questionnaire_id": cmd.questionnaire_id, "invited": list(getattr(sent, "member_ids", []))}

    return await s.uow.run(ctx, work)


async def submit_questionnaire_response(s: SurveysParts, cmd: c.SubmitQuestionnaireResponse,
                                        ctx: CommandContext) -> CommandOutcome:
    """An identified response: its event and its row for the results, in one transaction."""
    async def work(tx: Tx) -> dict[str, Any]:
        await tx.lock(streams.lock_key(tx.committee_id, cmd.questionnaire_id))
        q = await tx.load(streams.questionnaire(tx.committee_id, cmd.questionnaire_id), QUESTIONNAIRE)
        mine = await tx.load(streams.response(tx.committee_id, cmd.questionnaire_id, ctx.actor.member_id or "-"),
                             RESPONSE)
        (submitted,) = tx.decide(mine, RESPONSE, Respond(q.state, cmd))
        assert isinstance(submitted, QuestionnaireResponseSubmitted)
        await _responses(s).keep_identified(tx.conn, tx.committee_id, cmd.questionnaire_id, submitted.member_id,
                                            submitted.answers)
        return {"questionnaire_id": cmd.questionnaire_id, "response_id": submitted.response_id}

    return await s.uow.run(ctx, work)


async def close_questionnaire(s: SurveysParts, cmd: c.CloseQuestionnaire, ctx: CommandContext) -> CommandOutcome:
    """Closed, and for an anonymous questionnaire its ballot box opened: each sealed response recorded as an
    event of this transaction (the closing's actor and time, in the random order of their ids)."""
    async def work(tx: Tx) -> dict[str, Any]:
        await tx.lock(streams.lock_key(tx.committee_id, cmd.questionnaire_id))
        q = await tx.load(streams.questionnaire(tx.committee_id, cmd.questionnaire_id), QUESTIONNAIRE)
        box = _responses(s)
        tx.decide(q, QUESTIONNAIRE, Close(cmd, await box.count(tx.conn, tx.committee_id, cmd.questionnaire_id)))
        if q.state.mode is ResponseMode.anonymous:
            opened = await box.unseal(tx.conn, tx.committee_id, cmd.questionnaire_id)
            ballots = await tx.load(streams.ballots(tx.committee_id, cmd.questionnaire_id), QUESTIONNAIRE)
            tx.stage(ballots, [QuestionnaireAnonymousResponseRecorded(
                questionnaire_id=cmd.questionnaire_id, response_id=r.response_id, answers=r.answers) for r in opened])
        return {"questionnaire_id": cmd.questionnaire_id}

    return await s.uow.run(ctx, work)


# ---- by ticket (the routes) -------------------------------------------------------------------------------------

async def draw_ticket(s: SurveysParts, questionnaire_id: str, ctx: CommandContext) -> str:
    """The invited member's one ticket for an anonymous questionnaire (given once: only its hash is kept)."""
    async def work(tx: Tx) -> dict[str, Any]:
        await tx.lock(streams.lock_key(tx.committee_id, questionnaire_id))
        q = (await tx.load(streams.questionnaire(tx.committee_id, questionnaire_id), QUESTIONNAIRE)).state
        member_id = ctx.actor.member_id
        if not q.published or member_id is None or member_id not in q.invited:
            raise refuse("not_invited", "you are not invited to this questionnaire", fields=["questionnaire_id"])
        if q.mode is not ResponseMode.anonymous:
            raise refuse("questionnaire_not_anonymous", "an identified questionnaire is answered under your own "
                         "login, without a ticket", fields=["questionnaire_id"])
        still_open(q, tx.issued(None).today, "no more tickets")
        ticket = await _responses(s).draw_ticket(tx.conn, tx.committee_id, questionnaire_id, member_id)
        if ticket is None:
            raise refuse("ticket_already_drawn", "you have drawn your ticket for this questionnaire already; a "
                         "ticket is given once, and only its fingerprint is kept", fields=["questionnaire_id"])
        return {"ticket": ticket}

    outcome = await s.uow.run(ctx, work)
    return str(outcome.result["ticket"])


async def submit_anonymous(s: SurveysParts, committee_id: str, questionnaire_id: str,
                           body: c.SubmitAnonymousResponse) -> None:
    """An anonymous response, authorized by its ticket alone: the ticket marked used and the answers sealed in
    the ballot box, in one transaction; no event is written until the questionnaire closes."""
    ctx = CommandContext(actor=BALLOT_BOX, committee_id=committee_id)

    async def work(tx: Tx) -> dict[str, Any]:
        await tx.lock(streams.lock_key(committee_id, questionnaire_id))
        q = (await tx.load(streams.questionnaire(committee_id, questionnaire_id), QUESTIONNAIRE)).state
        box = _responses(s)
        used = await box.use_ticket(tx.conn, committee_id, questionnaire_id, body.ticket)
        if used == "unknown" or not q.published:
            raise refuse("ticket_unknown", "this ticket is not one drawn for this questionnaire", fields=["ticket"])
        if used == "spent":
            raise refuse("ticket_used", "this ticket has been used: one response per ticket", fields=["ticket"])
        answers = accept(q, body.answers, tx.issued(None).today)
        await box.seal(tx.conn, committee_id, questionnaire_id, answers)
        return {}

    await s.uow.run(ctx, work)


QUESTIONNAIRE_HANDLERS: dict[str, Handler[SurveysParts]] = {
    "publish-questionnaire": publish_questionnaire,
    "invite-to-questionnaire": invite_to_questionnaire,
    "submit-questionnaire-response": submit_questionnaire_response,
    "close-questionnaire": close_questionnaire,
}
