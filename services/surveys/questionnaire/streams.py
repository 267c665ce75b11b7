"""The streams of questionnaires (`eventstore.streams`: `<category>-<committee>-<id>`)."""

from __future__ import annotations

from eventstore.streams import stream_id


def questionnaire(committee_id: str, questionnaire_id: str) -> str:
    """One questionnaire: published, invitations, closed."""
    return stream_id("questionnaire", committee_id, questionnaire_id)


def response(committee_id: str, questionnaire_id: str, member_id: str) -> str:
    """One member's identified response."""
    return stream_id("questionnaireResponse", committee_id, questionnaire_id, member_id)


def ballots(committee_id: str, questionnaire_id: str) -> str:
    """An anonymous questionnaire's responses, recorded together when it closes."""
    return stream_id("questionnaireBallots", committee_id, questionnaire_id)


def lock_key(committee_id: str, questionnaire_id: str) -> str:
    """The advisory lock every response and the closing take, so no response slips in beside the closing."""
    return f"questionnaire:{committee_id}:{questionnaire_id}"
