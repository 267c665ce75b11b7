"""A year's scoring (stream `rulebook-{committee}-{year}`): rulebook versions, the version in force,
explicit re-scoring under a corrected version, and grading. The first version published is in force at
once; a later one only when `rescore-year` adopts it, so a year's score never changes silently."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from contracts.members.commands import GradeYear, PublishRulebook, RescoreYear
from contracts.members.rulebook import Rulebook
from contracts.members.scoring import RulebookPublished, YearGraded, YearRescored
from contracts.registry import DomainEvent
from eventstore.decider import Decider
from eventstore.errors import DomainError
from eventstore.issued import Issued
from members.domain.common import require_office
from members.scoring.rulebook import default_rulebook


@dataclass(frozen=True)
class YearState:
    versions: dict[int, Rulebook] = field(default_factory=dict)
    in_force: int | None = None
    graded: bool = False


def evolve(state: YearState, event: DomainEvent) -> YearState:
    if isinstance(event, RulebookPublished):
        return replace(state, versions={**state.versions, event.version: event.rulebook},
                       in_force=event.version if event.in_force else state.in_force)
    if isinstance(event, YearRescored):
        return replace(state, in_force=event.to_version)
    if isinstance(event, YearGraded):
        return replace(state, graded=True)
    return state


def decide(state: YearState, issued: Issued[Any]) -> Sequence[DomainEvent]:
    b = issued.command
    if isinstance(b, PublishRulebook):
        require_office(issued, "publishing rulebooks")
        rulebook = b.rulebook or default_rulebook(b.year)
        if rulebook.year != b.year:
            raise DomainError("rulebook_year_mismatch", f"the rulebook is for {rulebook.year}, not {b.year}",
                              fields=["rulebook.year"])
        version = max(state.versions, default=0) + 1
        return [RulebookPublished(year=b.year, version=version, rulebook=rulebook, in_force=state.in_force is None,
                                  note=b.note)]
    if isinstance(b, RescoreYear):
        require_office(issued, "re-scoring a year")
        if b.to_version not in state.versions:
            raise DomainError("unknown_rulebook_version", f"{b.year} has no rulebook version {b.to_version}",
                              fields=["to_version"])
        assert state.in_force is not None
        return [YearRescored(year=b.year, from_version=state.in_force, to_version=b.to_version, reason=b.reason,
                             rescored_by=issued.actor.id)]
    if isinstance(b, GradeYear):
        require_office(issued, "grading a year")
        if state.in_force is None:
            raise DomainError("no_rulebook_in_force", f"{b.year} has no rulebook yet", fields=["year"])
        return [YearGraded(year=b.year, rulebook_version=state.in_force, graded_by=issued.actor.id)]
    raise TypeError(type(b).__name__)


scoring_year = Decider[YearState, Issued[Any]](YearState, decide, evolve)
