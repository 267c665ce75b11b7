"""Commands of questionnaires (问卷), as the command API accepts them, and the body of the one route that takes
an anonymous response (`SubmitAnonymousResponse`: authorized by its invitation ticket alone, never by a login).

The form's own rules (a condition on an earlier choice question, caps, matrices with a scale) are checked at
publication by the decider (`surveys.questionnaire.form`), naming the field and the rule."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contracts.bounded import STORABLE, AnyDate, Identifier, Roster, ShortText
from contracts.surveys.questionnaire_form import AnswerList, IntroText, QuestionList, ResponseMode

# An invitation ticket as the service handed it out: 20-100 URL-safe characters.
TicketText = Annotated[str, StringConstraints(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]{20,100}$"),
                       STORABLE]


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PublishQuestionnaire(Command):
    """Publish a questionnaire (发布问卷): its form, identified or anonymous responses, the last day to respond,
    and the members invited (more may be invited later)."""

    questionnaire_id: Identifier | None = Field(default=None, description="optional; generated if absent")
    title: ShortText
    intro: IntroText = ""
    mode: ResponseMode = ResponseMode.identified
    closes_on: AnyDate = Field(description="the last day (in China) a response is accepted")
    questions: QuestionList
    member_ids: Roster = Field(default_factory=list, description="members invited")


class InviteToQuestionnaire(Command):
    """Invite more members (邀请填写); those invited already are left as they are."""

    questionnaire_id: Identifier
    member_ids: Roster


class SubmitQuestionnaireResponse(Command):
    """A member's own identified response (实名填写); one per member."""

    questionnaire_id: Identifier
    answers: AnswerList


class CloseQuestionnaire(Command):
    """Close a questionnaire (结束问卷), on or before its last day; anonymous responses are unsealed."""

    questionnaire_id: Identifier


class SubmitAnonymousResponse(Command):
    """An anonymous response (匿名填写), sent with the invitation ticket the member drew; one per ticket."""

    ticket: TicketText
    answers: AnswerList
