"""The committee's evaluation window (one stream per committee): how many working days after a reply's day
the proposers have to rate it (评议), ten until the office sets its own. The reply handler reads it and the
reply's event carries the deadline it gives, so a later change moves no deadline already set."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from contracts.proposals import EvaluationWindowSet
from contracts.proposals import commands as c
from contracts.registry import DomainEvent
from contracts.roles import OFFICE
from eventstore.decider import Decider
from eventstore.issued import Issued, require_role
from proposals import deadlines


@dataclass(frozen=True)
class EvaluationPolicy:
    working_days: int = deadlines.EVALUATION_WORKING_DAYS


def decide(state: EvaluationPolicy, issued: Issued[c.SetEvaluationWindow]) -> Sequence[DomainEvent]:
    require_role(issued, OFFICE, "setting the evaluation window")
    if issued.command.working_days == state.working_days:
        return []  # nothing changes: no event
    return [EvaluationWindowSet(working_days=issued.command.working_days)]


def evolve(state: EvaluationPolicy, event: DomainEvent) -> EvaluationPolicy:
    if isinstance(event, EvaluationWindowSet):
        return EvaluationPolicy(working_days=event.working_days)
    raise TypeError(f"the evaluation policy has no event {type(event).__name__}")


EVALUATION_POLICY: Decider[EvaluationPolicy, Issued[c.SetEvaluationWindow]] = Decider(
    initial=EvaluationPolicy, decide=decide, evolve=evolve)
