"""Deadlines of the proposal workflow, as pure functions over a `WorkCalendar`. The gateway and notify
compute due dates with these same functions, so every view agrees with the service.

What "three months, counted in working days" means here — the rule of Chinese law for periods
(民法典 第201–203条; 民事诉讼法 第85条), applied with the working-day calendar:
- the period starts the day after the assignment (the day of assignment is not counted);
- it ends on the corresponding day three calendar months later (the month's last day when that month has
  no such day, e.g. 30 November -> 28/29 February);
- if that day is not a working day (weekend, public holiday or bridged day off), the deadline rolls forward
  to the next working day; a weekend make-up workday (调休上班) counts as a working day.
A reply is on time when it is given on or before the deadline (China's local date); the deadline is
overdue from the following day. Re-handling after a dissatisfied evaluation or a failed look-back gets one
month by the same rule. Short windows are true working-day counts: a unit may ask to be re-assigned until
the 5th working day after assignment; co-signers confirm until the 5th working day after submission.
"""

from __future__ import annotations

import calendar as _gregorian
from datetime import date

from contracts.proposals import DeadlineRule
from eventstore.workdays import WorkCalendar

HANDLING_MONTHS = 3
# From a look-back found partly implemented to the next one. The domain names no interval; three months is
# the default until the committee's office sets its own (`set-lookback-interval`).
LOOKBACK_MONTHS = 3
REHANDLING_MONTHS = 1
REASSIGNMENT_WINDOW_WORKING_DAYS = 5
COSIGN_WINDOW_WORKING_DAYS = 5
# From a reply to the end of its evaluation (评议). The domain names no period; ten working days is the
# default until the committee's office sets its own (`set-evaluation-window`).
EVALUATION_WORKING_DAYS = 10

_RULE_MONTHS = {DeadlineRule.three_months: HANDLING_MONTHS, DeadlineRule.one_month: REHANDLING_MONTHS}


def add_months(start: date, months: int) -> date:
    """The corresponding day `months` later; the month's last day if it has no such day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, _gregorian.monthrange(year, month)[1]))


def period_end(start: date, months: int, calendar: WorkCalendar) -> date:
    """Last day of a period of `months` starting after `start`, rolled forward to a working day."""
    return calendar.next_working_day(add_months(start, months))


def deadline_by_rule(rule: DeadlineRule, start: date, calendar: WorkCalendar) -> date:
    """The deadline a computed rule gives for a period starting after `start`."""
    if rule is DeadlineRule.explicit:
        raise ValueError("an explicit deadline is set on the slip, not computed")
    return period_end(start, _RULE_MONTHS[rule], calendar)


def handling_deadline(assigned_on: date, calendar: WorkCalendar) -> date:
    """The default deadline on an assignment slip: three months, rolled forward to a working day."""
    return deadline_by_rule(DeadlineRule.three_months, assigned_on, calendar)


def rehandling_deadline(reopened_on: date, calendar: WorkCalendar) -> date:
    return deadline_by_rule(DeadlineRule.one_month, reopened_on, calendar)


def reassignment_window_end(assigned_on: date, calendar: WorkCalendar) -> date:
    """Last day a unit may ask to be re-assigned: the 5th working day after the assignment."""
    return calendar.add_working_days(assigned_on, REASSIGNMENT_WINDOW_WORKING_DAYS)


def cosign_deadline(submitted_on: date, calendar: WorkCalendar) -> date:
    """Last day co-signers may confirm by default: the 5th working day after submission."""
    return calendar.add_working_days(submitted_on, COSIGN_WINDOW_WORKING_DAYS)


def next_lookback_due(concluded_on: date, months: int, calendar: WorkCalendar) -> date:
    """When the look-back after a 'partly' one falls due: `months` after the conclusion, on a working day."""
    return period_end(concluded_on, months, calendar)


def evaluation_deadline(replied_on: date, working_days: int, calendar: WorkCalendar) -> date:
    """Last day the proposers rate a reply: the `working_days`-th working day after the day it was given."""
    return calendar.add_working_days(replied_on, working_days)


def is_on_time(replied_on: date, deadline: date) -> bool:
    return replied_on <= deadline


def is_overdue(today: date, deadline: date) -> bool:
    """True from the day after the deadline (for a unit that has not replied)."""
    return today > deadline
