"""The committee's look-back interval (one stream per committee), and the rule that dates the look-back
after one found partly implemented (部分落实): the office's date if it gave one, else the interval after today."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from contracts.proposals import LookbackIntervalSet
from contracts.proposals import commands as c
from contracts.registry import DomainEvent
from contracts.roles import OFFICE
from eventstore.decider import Decider
from eventstore.issued import Issued, require_role
from proposals import deadlines
from proposals.domain.refusals import refuse


@dataclass(frozen=True)
class LookbackPolicy:
    months: int = deadlines.LOOKBACK_MONTHS


def decide(state: LookbackPolicy, issued: Issued[c.SetLookbackInterval]) -> Sequence[DomainEvent]:
    require_role(issued, OFFICE, "setting the look-back interval")
    if issued.command.months == state.months:
        return []  # nothing changes: no event
    return [LookbackIntervalSet(months=issued.command.months)]


def evolve(state: LookbackPolicy, event: DomainEvent) -> LookbackPolicy:
    if isinstance(event, LookbackIntervalSet):
        return LookbackPolicy(months=event.months)
    raise TypeError(f"the look-back policy has no event {type(event).__name__}")


LOOKBACK_POLICY: Decider[LookbackPolicy, Issued[c.SetLookbackInterval]] = Decider(
    initial=LookbackPolicy, decide=decide, evolve=evolve)


def next_due(given: date | None, months: int, issued: Issued[object]) -> date:
    """The next look-back's day after a 'partly' conclusion today."""
    if given is None:
        return deadlines.next_lookback_due(issued.today, months, issued.calendar)
    if given <= issued.today:
        raise refuse("next_lookback_not_after_today", "the next look-back falls due after today",
                     fields=["next_lookback_due"])
    return given


@dataclass(frozen=True)
class ConcludeLookback:
    """Concluding a look-back, with the committee's interval the handler read (for a 'partly' outcome)."""

    command: c.ConcludeCommitmentLookback | c.ConcludeRecommendationLookback
    interval_months: int = deadlines.LOOKBACK_MONTHS
