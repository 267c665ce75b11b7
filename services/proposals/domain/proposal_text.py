"""A proposal's text as one string: what the similar-proposals index compares and what a proposal turned
into a public-opinion report carries."""

from __future__ import annotations

from collections.abc import Iterable

from contracts.proposals import ProposalDrafted, ProposalRevised
from contracts.registry import DomainEvent


def proposal_body(case: str, analysis: str, suggestions: list[str]) -> str:
    return "\n".join([case, analysis, *suggestions])


def latest_text(events: Iterable[DomainEvent]) -> tuple[str, str]:
    """(title, body) of the proposal's latest text."""
    title, body = "", ""
    for e in events:
        if isinstance(e, ProposalDrafted | ProposalRevised):
            title, body = e.title, proposal_body(e.case, e.analysis, e.suggestions)
    return title, body
