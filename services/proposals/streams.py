"""Stream ids. Every stream is named within its committee, so a proposal of committee A cannot be read or
written by a caller of committee B, whatever id they send."""

from __future__ import annotations


def proposal(committee_id: str, proposal_id: str) -> str:
    return f"proposal:{committee_id}:{proposal_id}"


def numbering(committee_id: str, year: int) -> str:
    """The committee's proposal numbers of one year."""
    return f"proposal-numbers:{committee_id}:{year}"


def opinion_report(committee_id: str, report_id: str) -> str:
    return f"opinion-report:{committee_id}:{report_id}"


def solicitation(committee_id: str, solicitation_id: str) -> str:
    return f"solicitation:{committee_id}:{solicitation_id}"


def recommendation(committee_id: str, recommendation_id: str) -> str:
    return f"recommendation:{committee_id}:{recommendation_id}"


def holiday_schedule(committee_id: str) -> str:
    return f"holiday-schedule:{committee_id}"


def kind_of(stream_id: str) -> str:
    return stream_id.split(":", 1)[0]
