"""The proposals service's streams (`eventstore.streams`: `<category>-<committee>-<id>`)."""

from __future__ import annotations

from eventstore.streams import category_of, stream_id


def proposal(committee_id: str, proposal_id: str) -> str:
    return stream_id("proposal", committee_id, proposal_id)


def numbering(committee_id: str, year: int) -> str:
    """The committee's proposal numbers of one year."""
    return stream_id("proposalNumbers", committee_id, year)


def opinion_report(committee_id: str, report_id: str) -> str:
    return stream_id("opinionReport", committee_id, report_id)


def opinion_letter(committee_id: str, letter_id: str) -> str:
    return stream_id("opinionLetter", committee_id, letter_id)


def solicitation(committee_id: str, solicitation_id: str) -> str:
    return stream_id("solicitation", committee_id, solicitation_id)


def recommendation(committee_id: str, recommendation_id: str) -> str:
    return stream_id("recommendation", committee_id, recommendation_id)


def holiday_schedule(committee_id: str) -> str:
    return stream_id("holidaySchedule", committee_id)


def lookback_policy(committee_id: str) -> str:
    """The committee's look-back interval."""
    return stream_id("lookbackPolicy", committee_id)


def evaluation_policy(committee_id: str) -> str:
    """The committee's evaluation window."""
    return stream_id("evaluationPolicy", committee_id)


__all__ = ["category_of", "evaluation_policy", "holiday_schedule", "lookback_policy", "numbering", "opinion_letter",
           "opinion_report", "proposal", "recommendation", "solicitation"]


def past_proposal(committee_id: str, proposal_id: str) -> str:
    """A proposal of an earlier year imported from the office's files (`past:<year>-<sequence>`)."""
    return stream_id("pastProposal", committee_id, proposal_id)
