"""Questionnaires (问卷), decided without I/O: the questionnaire's own stream (`QUESTIONNAIRE`: published,
invitations, closed) and one stream per identified response (`RESPONSE`).

- The office publishes (the form checked: `surveys.questionnaire.form.check_form`), invites, closes; the
  last day to respond is today or later at publication (`deadline_passed`).
- No invitation, and no response, once the questionnaire is closed (`questionnaire_closed`) or its last day
  has passed (`deadline_passed`).
- An identified response is the invited member's own (`not_invited`), once (`already_responded`); an
  anonymous questionnaire takes no identified response (`questionnaire_is_anonymous`: its responses go by
  ticket). `accept` is the one check every response passes, by command or by ticket."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from contracts.registry import DomainEvent
from contracts.roles import MEMBER, OFFICE
from contracts.surveys import questionnaire_commands as c
from contracts.surveys.questionnaire import (
    QuestionnaireClosed,
    QuestionnaireInvitationsSent,
    QuestionnairePublished,
    QuestionnaireResponseSubmitted,
)
from contracts.surveys.questionnaire_form import Answer, Question, ResponseMode
from eventstore.decider import Decider
from eventstore.issued import Issued, require_role
from surveys.domain.refusals import distinct, refuse
from surveys.questionnaire.form import check_answers, check_form, open_on


@dataclass(frozen=True)
class QuestionnaireState:
    questionnaire_id: str = ""
    published: bool = False
    title: str = ""
    intro: str = ""
    mode: ResponseMode = ResponseMode.identified
    closes_on: date | None = None
    questions: tuple[Question, ...] = ()
    invited: frozenset[str] = frozenset()
    closed: bool = False
    closed_on: date | None = None


@dataclass(frozen=True)
class Publish:
    questionnaire_id: str
    command: c.PublishQuestionnaire


@dataclass(frozen=True)
class Close:
    command: c.CloseQuestionnaire
    responses: int  # responses received (the handler counts them in the same transaction)


def accept(state: QuestionnaireState, answers: Sequence[Answer], today: date) -> list[Answer]:
    """A response's answers as kept, or the refusal: the questionnaire open today, the answers fitting its form."""
    if not state.published:
        raise refuse("questionnaire_not_found", "no such questionnaire in this committee", fields=["questionnaire_id"])
    if state.closed:
        raise refuse("questionnaire_closed", "the questionnaire is closed: no more responses",
                     fields=["questionnaire_id"])
    assert state.closes_on is not None
    if not open_on(state.closes_on, today):
        raise refuse("deadline_passed", f"the last day to respond was {state.closes_on}", fields=["questionnaire_id"],
                     closes_on=state.closes_on.isoformat())
    return check_answers(state.questions, answers)


def decide(state: QuestionnaireState, issued: Issued[object]) -> Sequence[DomainEvent]:
    command = issued.command
    if isinstance(command, Publish):
        return _publish(state, command, issued)
    if not state.published:
        raise refuse("questionnaire_not_found", "no such questionnaire in this committee", fields=["questionnaire_id"])
    if isinstance(command, c.InviteToQuestionnaire):
        return _invite(state, command, issued)
    if isinstance(command, Close):
        return _close(state, command, issued)
    raise TypeError(f"a questionnaire takes no command {type(command).__name__}")


def still_open(state: QuestionnaireState, today: date, what: str) -> None:
    if state.closed:
        raise refuse("questionnaire_closed", f"the questionnaire is closed: {what}", fields=["questionnaire_id"])
    assert state.closes_on is not None
    if not open_on(state.closes_on, today):
        raise refuse("deadline_passed", f"the last day to respond was {state.closes_on}: {what}",
                     fields=["questionnaire_id"], closes_on=state.closes_on.isoformat())


def _publish(state: QuestionnaireState, cmd: Publish, issued: Issued[object]) -> list[DomainEvent]:
    require_role(issued, OFFICE, "publishing a questionnaire")
    p = cmd.command
    if state.published:
        raise refuse("questionnaire_exists", "a questionnaire with this id exists", fields=["questionnaire_id"])
    if p.closes_on < issued.today:
        raise refuse("deadline_passed", f"the last day to respond ({p.closes_on}) is before today ({issued.today})",
                     fields=["closes_on"])
    check_form(p.questions)
    invited = distinct(p.member_ids, "members invited", "member_ids")
    events: list[DomainEvent] = [QuestionnairePublished(
        questionnaire_id=cmd.questionnaire_id, title=p.title, intro=p.intro, mode=p.mode, closes_on=p.closes_on,
        questions=list(p.questions))]
    if invited:
        events.append(QuestionnaireInvitationsSent(questionnaire_id=cmd.questionnaire_id, title=p.title, mode=p.mode,
                                                   closes_on=p.closes_on, member_ids=invited))
    return events


def _invite(state: QuestionnaireState, cmd: c.InviteToQuestionnaire, issued: Issued[object]) -> list[DomainEvent]:
    require_role(issued, OFFICE, "inviting members to a questionnaire")
    still_open(state, issued.today, "no more invitations")
    new = [m for m in distinct(cmd.member_ids, "members invited", "member_ids") if m not in state.invited]
    if not new:
        raise refuse("already_invited", "every member named is invited already", fields=["member_ids"])
    assert state.closes_on is not None
    return [QuestionnaireInvitationsSent(questionnaire_id=state.questionnaire_id, title=state.title, mode=state.mode,
                                         closes_on=state.closes_on, member_ids=new)]


def _close(state: QuestionnaireState, cmd: Close, issued: Issued[object]) -> list[DomainEvent]:
    require_role(issued, OFFICE, "closing a questionnaire")
    if state.closed:
        raise refuse("questionnaire_closed", "the questionnaire is closed already", fields=["questionnaire_id"])
    return [QuestionnaireClosed(questionnaire_id=state.questionnaire_id, closed_on=issued.today,
                                responses=cmd.responses, invited=len(state.invited))]


def evolve(state: QuestionnaireState, event: DomainEvent) -> QuestionnaireState:
    if isinstance(event, QuestionnairePublished):
        return replace(state, questionnaire_id=event.questionnaire_id, published=True, title=event.title,
                       intro=event.intro, mode=event.mode, closes_on=event.closes_on, questions=tuple(event.questions))
    if isinstance(event, QuestionnaireInvitationsSent):
        return replace(state, invited=state.invited | set(event.member_ids))
    if isinstance(event, QuestionnaireClosed):
        return replace(state, closed=True, closed_on=event.closed_on)
    return state


QUESTIONNAIRE: Decider[QuestionnaireState, Issued[object]] = Decider(QuestionnaireState, decide, evolve)


# ---- one identified response ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ResponseState:
    submitted: bool = False


@dataclass(frozen=True)
class Respond:
    questionnaire: QuestionnaireState
    command: c.SubmitQuestionnaireResponse


def decide_response(state: ResponseState, issued: Issued[object]) -> Sequence[DomainEvent]:
    cmd = issued.command
    if not isinstance(cmd, Respond):
        raise TypeError(f"a questionnaire response takes no command {type(cmd).__name__}")
    require_role(issued, MEMBER, "an identified response")
    q = cmd.questionnaire
    member_id = issued.actor.member_id
    if q.published and q.mode is ResponseMode.anonymous:
        raise refuse("questionnaire_is_anonymous", "an anonymous questionnaire is answered with an invitation ticket, "
                     "not under a login", fields=["questionnaire_id"])
    if q.published and (member_id is None or member_id not in q.invited):
        raise refuse("not_invited", "you are not invited to this questionnaire", fields=["questionnaire_id"])
    if state.submitted:
        raise refuse("already_responded", "you have responded to this questionnaire already",
                     fields=["questionnaire_id"])
    answers = accept(q, cmd.command.answers, issued.today)
    assert member_id is not None
    return [QuestionnaireResponseSubmitted(questionnaire_id=q.questionnaire_id, response_id=member_id,
                                           member_id=member_id, answers=answers)]


def evolve_response(state: ResponseState, event: DomainEvent) -> ResponseState:
    return ResponseState(submitted=True) if isinstance(event, QuestionnaireResponseSubmitted) else state


RESPONSE: Decider[ResponseState, Issued[object]] = Decider(ResponseState, decide_response, evolve_response)
