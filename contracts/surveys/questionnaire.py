"""Questionnaires (问卷): published with their form, members invited, responses, closed.

An identified response (`questionnaire-response-submitted`) names its member and is written when the member
sends it. An anonymous one never names anyone: it is sent with an invitation ticket alone, kept sealed in the
service's private ballot box, and written as `questionnaire-anonymous-response-recorded` only when the
questionnaire closes, all of them at once in a random order, so neither its actor nor its time says whose it
was (`surveys.questionnaire`). Responses are never public (`public.py`)."""

from __future__ import annotations

from pydantic import Field

from contracts.bounded import Count, RecordedDate, RecordedId, RecordedTitle, Roster
from contracts.registry import DomainEvent, event_type
from contracts.surveys.questionnaire_form import AnswerList, IntroText, QuestionList, ResponseMode
from contracts.topics import SURVEYS


@event_type("questionnaire-published", version=1, topic=SURVEYS)
class QuestionnairePublished(DomainEvent):
    """The office published a questionnaire: its form, how responses are given, and the last day to respond."""

    questionnaire_id: RecordedId
    title: RecordedTitle
    intro: IntroText = ""
    mode: ResponseMode
    closes_on: RecordedDate = Field(description="the last day (in China) a response is accepted")
    questions: QuestionList


@event_type("questionnaire-invitations-sent", version=1, topic=SURVEYS)
class QuestionnaireInvitationsSent(DomainEvent):
    """Members invited to respond (the ones newly invited by this command)."""

    questionnaire_id: RecordedId
    title: RecordedTitle
    mode: ResponseMode
    closes_on: RecordedDate
    member_ids: Roster


@event_type("questionnaire-response-submitted", version=1, topic=SURVEYS)
class QuestionnaireResponseSubmitted(DomainEvent):
    """An identified response (实名), from the member named."""

    questionnaire_id: RecordedId
    response_id: RecordedId
    member_id: RecordedId
    answers: AnswerList


@event_type("questionnaire-anonymous-response-recorded", version=1, topic=SURVEYS)
class QuestionnaireAnonymousResponseRecorded(DomainEvent):
    """An anonymous response (匿名), taken out of the ballot box when the questionnaire closed: no member, no
    ticket, and the closing's time and actor, not the respondent's."""

    questionnaire_id: RecordedId
    response_id: RecordedId
    answers: AnswerList


@event_type("questionnaire-closed", version=1, topic=SURVEYS)
class QuestionnaireClosed(DomainEvent):
    """No more responses: closed by the office, on or before the deadline."""

    questionnaire_id: RecordedId
    closed_on: RecordedDate
    responses: Count = Field(description="responses received")
    invited: Count = Field(description="members invited")
