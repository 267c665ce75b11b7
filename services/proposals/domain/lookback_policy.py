"""The committee's look-back interval (one stream per committee), and the rule that dates the look-back
after one found partly implemented (部分落实): the office's date if it gave one, else the interval after today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts.proposals import LookbackIntervalSet
from contracts.proposals import commands as c
from eventstore.issued import Issued
from proposals import deadlines
from proposals.domain.committee_setting import setting
from proposals.domain.refusals import refuse

LOOKBACK_POLICY = setting(what="the look-back interval", event=LookbackIntervalSet, field="months",
                          default=deadlines.LOOKBACK_MONTHS)


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
