"""Opinion letters (转意见建议函): a proposal not accepted, sent to a unit with its text (or the office's edited
text) in the same transaction as the review decision, and tracked until that unit's staff acknowledge it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from contracts.envelope import Role
from contracts.proposals import Category, OpinionLetterAcknowledged, OpinionLetterSent
from contracts.proposals import commands as c
from contracts.registry import DomainEvent
from contracts.roles import OFFICE, UNIT
from eventstore.decider import Decider
from eventstore.issued import Issued, require_role
from proposals.domain.refusals import refuse


@dataclass(frozen=True)
class LetterState:
    letter_id: str = ""
    exists: bool = False
    proposal_id: str = ""
    unit_id: str = ""
    acknowledged_on: date | None = None


@dataclass(frozen=True)
class SendFromProposal:
    """The letter a proposal not accepted becomes; the handler completes it with the proposal's text."""

    letter_id: str
    proposal_id: str
    unit_id: str
    title: str
    text: str
    edited_by_office: bool
    category: Category | None


Events = list[DomainEvent]


def _send(state: LetterState, cmd: SendFromProposal, issued: Issued[object]) -> Events:
    require_role(issued, OFFICE, "sending an opinion letter")
    if state.exists:
        raise refuse("letter_exists", "an opinion letter with this id exists")
    return [OpinionLetterSent(letter_id=cmd.letter_id, proposal_id=cmd.proposal_id, unit_id=cmd.unit_id,
                              title=cmd.title, text=cmd.text, edited_by_office=cmd.edited_by_office,
                              category=cmd.category, sent_on=issued.today)]


def _acknowledge(state: LetterState, cmd: c.AcknowledgeOpinionLetter, issued: Issued[object]) -> Events:
    require_role(issued, UNIT, "acknowledging an opinion letter")
    # Another unit's letter is unknown to its staff, as another unit's proposal is.
    if not state.exists or issued.role is not Role.unit_staff or issued.actor.unit_id != state.unit_id:
        raise refuse("letter_not_found", "no such opinion letter sent to your unit", fields=["letter_id"])
    if state.acknowledged_on is not None:
        raise refuse("already_acknowledged", "your unit acknowledged this letter already",
                     acknowledged_on=state.acknowledged_on.isoformat())
    return [OpinionLetterAcknowledged(letter_id=state.letter_id, proposal_id=state.proposal_id, unit_id=state.unit_id,
                                      acknowledged_on=issued.today)]


def decide(state: LetterState, issued: Issued[object]) -> Sequence[DomainEvent]:
    command = issued.command
    if isinstance(command, SendFromProposal):
        return _send(state, command, issued)
    if isinstance(command, c.AcknowledgeOpinionLetter):
        return _acknowledge(state, command, issued)
    raise TypeError(f"an opinion letter takes no command {type(command).__name__}")


def evolve(state: LetterState, event: DomainEvent) -> LetterState:
    match event:
        case OpinionLetterSent():
            return LetterState(letter_id=event.letter_id, exists=True, proposal_id=event.proposal_id,
                               unit_id=event.unit_id)
        case OpinionLetterAcknowledged():
            return replace(state, acknowledged_on=event.acknowledged_on)
    raise TypeError(f"an opinion letter has no event {type(event).__name__}")


OPINION_LETTER: Decider[LetterState, Issued[object]] = Decider(initial=LetterState, decide=decide, evolve=evolve)
