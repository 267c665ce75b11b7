"""Proposal numbers: one stream per committee and year whose version is the count of numbers given.

The acceptance appends to this stream and to the proposal's stream in one transaction, at the versions it
read: two acceptances racing for the same number conflict, one is retried with the next number, and no
number is ever skipped or given twice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from contracts.proposals import ProposalNumberAssigned
from contracts.registry import DomainEvent
from eventstore.decider import Decider
from eventstore.issued import Issued
from proposals.domain.refusals import refuse


@dataclass(frozen=True)
class NumberingState:
    last_sequence: int = 0
    numbered: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ReserveNumber:
    proposal_id: str
    year: int


def format_number(year: int, sequence: int) -> str:
    """2026-017: the year, then the sequence in at least three digits."""
    return f"{year}-{sequence:03d}"


def decide(state: NumberingState, issued: Issued[ReserveNumber]) -> Sequence[DomainEvent]:
    cmd = issued.command
    if cmd.proposal_id in state.numbered:
        raise refuse("already_numbered", "the proposal has a number already")
    sequence = state.last_sequence + 1
    return [ProposalNumberAssigned(proposal_id=cmd.proposal_id, year=cmd.year, sequence=sequence,
                                   number=format_number(cmd.year, sequence))]


def evolve(state: NumberingState, event: DomainEvent) -> NumberingState:
    if isinstance(event, ProposalNumberAssigned):
        return replace(state, last_sequence=event.sequence, numbered=state.numbered | {event.proposal_id})
    raise TypeError(f"numbering has no event {type(event).__name__}")


NUMBERING: Decider[NumberingState, Issued[ReserveNumber]] = Decider(initial=NumberingState, decide=decide,
                                                                     evolve=evolve)
