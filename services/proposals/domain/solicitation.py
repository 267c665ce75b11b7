"""The solicitation of proposals (提案征集): reference topics and the submission window."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from contracts.proposals import SolicitationPublished
from contracts.proposals import commands as c
from contracts.registry import DomainEvent
from contracts.roles import OFFICE
from eventstore.decider import Decider
from eventstore.issued import Issued, require_role
from proposals.domain.refusals import refuse


@dataclass(frozen=True)
class SolicitationState:
    published: SolicitationPublished | None = None


@dataclass(frozen=True)
class Publish:
    solicitation_id: str
    command: c.PublishSolicitation


def decide(state: SolicitationState, issued: Issued[Publish]) -> Sequence[DomainEvent]:
    require_role(issued, OFFICE, "publishing a solicitation")
    cmd = issued.command.command
    if state.published is not None:
        raise refuse("solicitation_exists", "a solicitation with this id exists")
    if cmd.closes_on < cmd.opens_on:
        raise refuse("window_invalid", "the window closes before it opens")
    if cmd.closes_on < issued.today:
        raise refuse("window_in_past", "the window has closed already")
    titles = [t.title for t in cmd.topics]
    if len(set(titles)) != len(titles):
        raise refuse("duplicate_ids", "two reference topics have the same title")
    return [SolicitationPublished(solicitation_id=issued.command.solicitation_id, year=cmd.year, title=cmd.title,
                                  topics=list(cmd.topics), opens_on=cmd.opens_on, closes_on=cmd.closes_on)]


def evolve(state: SolicitationState, event: DomainEvent) -> SolicitationState:
    if isinstance(event, SolicitationPublished):
        return SolicitationState(event)
    raise TypeError(f"a solicitation has no event {type(event).__name__}")


def window_open(state: SolicitationState, today: date) -> bool:
    p = state.published
    return p is not None and p.opens_on <= today <= p.closes_on


SOLICITATION: Decider[SolicitationState, Issued[Publish]] = Decider(initial=SolicitationState, decide=decide,
                                                                     evolve=evolve)
