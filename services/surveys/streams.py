"""The surveys service's streams (`eventstore.streams`: `<category>-<committee>-<id>`)."""

from __future__ import annotations

from eventstore.streams import category_of, stream_id


def consultation_plan(committee_id: str, year: int) -> str:
    """The committee's consultation & supervision plan of one year."""
    return stream_id("consultationPlan", committee_id, year)


def consultation(committee_id: str, consultation_id: str) -> str:
    """One consultation session and the outcomes it recorded."""
    return stream_id("consultation", committee_id, consultation_id)


def tracked_item(committee_id: str, item_id: str) -> str:
    """One tracked item: a consultation outcome, a supervision finding's rectification or a research
    recommendation."""
    return stream_id("trackedItem", committee_id, item_id)


def supervision_topic(committee_id: str, supervision_id: str) -> str:
    """One special supervision topic, its activities and reports."""
    return stream_id("supervisionTopic", committee_id, supervision_id)


def appraisal_round(committee_id: str, appraisal_id: str, round_id: str) -> str:
    """One round of a democratic appraisal: the special supervisors who took part."""
    return stream_id("appraisalRound", committee_id, appraisal_id, round_id)


def appraisal(committee_id: str, appraisal_id: str) -> str:
    """One secret-ballot appraisal round (民主评议): opened, credentials issued, closed or voided."""
    return stream_id("appraisal", committee_id, appraisal_id)


def research_topic(committee_id: str, topic_id: str) -> str:
    """One research topic: applications, team, field days, reports."""
    return stream_id("researchTopic", committee_id, topic_id)


__all__ = ["appraisal", "appraisal_round", "category_of", "consultation", "consultation_plan", "research_topic",
           "supervision_topic", "tracked_item"]
