"""The committee's evaluation window (one stream per committee): how many working days after a reply's day
the proposers have to rate it (评议), ten until the office sets its own. The reply handler reads it and the
reply's event carries the deadline it gives, so a later change moves no deadline already set."""

from __future__ import annotations

from contracts.proposals import EvaluationWindowSet
from proposals import deadlines
from proposals.domain.committee_setting import setting

EVALUATION_POLICY = setting(what="the evaluation window", event=EvaluationWindowSet, field="working_days",
                            default=deadlines.EVALUATION_WORKING_DAYS)
