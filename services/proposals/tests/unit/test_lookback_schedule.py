"""A look-back whose outcome is 'partly' (部分落实) schedules the next look-back: on the office's date if it
gave one, else the committee's interval (3 months unless set) after the conclusion, on a working day; the
watcher opens it under the announced id on that day, not before. Pure deciders, no I/O."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from contracts.proposals import LookbackScheduled
from contracts.proposals import commands as c
from proposals.deadlines import LOOKBACK_MONTHS, add_months
from proposals.domain.committee_setting import Setting
from proposals.domain.lookback_policy import LOOKBACK_POLICY, ConcludeLookback
from proposals.domain.proposal import ApplyDeadlines
from proposals.domain.recommendation import RECOMMENDATION, OpenDueLookback, RecommendationState, Record

from ..kit import OFFICE, WATCHER, Harness, member, types
from .test_other_deciders import conclude_report
from .test_proposal_decider import assigned, conclude_commitment, rated_by_every_proposer, reply


def report_due_for_lookback(lookback_day: date) -> tuple[Harness[RecommendationState], str]:
    """A recommendation report sent a month before `lookback_day`, its look-back opened on that day."""
    h: Harness[RecommendationState] = Harness(RECOMMENDATION, today=lookback_day - timedelta(days=30))
    # Constructed, not validated: `sent_on` is checked against the real today, the decider against the harness's.
    report = c.RecordRecommendationReport.model_construct(
        title="关于推进县域医共体建设的建议案", summary="", addressed_to="", sent_on=h.today, lookback_due=lookback_day)
    h.run(Record("rec1", report), OFFICE)
    h.advance(to=lookback_day)
    (opened,) = h.run(OpenDueLookback(), WATCHER)
    return h, opened.lookback_id  # type: ignore[attr-defined]


def test_a_report_found_partly_implemented_is_looked_back_at_again_three_months_on() -> None:
    h, lb = report_due_for_lookback(date(2026, 9, 1))
    events = h.run(conclude_report("rec1", lb, "partly"), OFFICE)
    assert types(events) == ["lookback-concluded", "lookback-scheduled"]
    nxt = events[1]
    assert isinstance(nxt, LookbackScheduled)
    assert (nxt.lookback_id, nxt.after_lookback_id, nxt.due) == ("rec1-lb2", "rec1-lb1", date(2026, 12, 1))
    h.advance(to=date(2026, 11, 30))
    assert h.run(OpenDueLookback(), WATCHER) == []
    h.advance(to=date(2026, 12, 1))
    (again,) = h.run(OpenDueLookback(), WATCHER)
    assert (again.lookback_id, again.due) == ("rec1-lb2", date(2026, 12, 1))  # type: ignore[attr-defined]


def test_the_office_may_set_the_next_look_back_itself_but_not_in_the_past() -> None:
    h, lb = report_due_for_lookback(date(2026, 9, 1))
    h.refused(conclude_report("rec1", lb, "partly", next_lookback_due=date(2026, 9, 1)), OFFICE,
              "next_lookback_not_after_today")
    events = h.run(conclude_report("rec1", lb, "partly", next_lookback_due=date(2027, 1, 15)), OFFICE)
    assert events[1].due == date(2027, 1, 15)  # type: ignore[attr-defined]


def test_a_b_commitment_found_partly_kept_is_looked_back_at_again_without_reopening_the_handling() -> None:
    h = assigned()
    reply(h, cls="B", commitments=[{"text": "年内完成管网改造", "due": "2026-12-01"}])
    rated_by_every_proposer(h)  # in time: the watcher has no evaluation to lapse
    h.advance(to=date(2026, 12, 1))
    (opened,) = h.run(ApplyDeadlines(), WATCHER)
    events = h.run(conclude_commitment(opened.lookback_id, "partly", months=6), OFFICE)  # type: ignore[attr-defined]
    assert types(events) == ["lookback-concluded", "lookback-scheduled"]
    nxt = events[1]
    assert isinstance(nxt, LookbackScheduled) and nxt.due == date(2027, 6, 1) and nxt.unit_id == "u-water"
    assert not h.state.units["u-water"].open, "partly done is not a re-handling"
    h.advance(to=date(2027, 5, 31))
    assert h.run(ApplyDeadlines(), WATCHER) == []
    h.advance(to=date(2027, 6, 1))
    (second,) = h.run(ApplyDeadlines(), WATCHER)
    assert (second.lookback_id, second.due) == (nxt.lookback_id, date(2027, 6, 1))  # type: ignore[attr-defined]
    assert h.run(ApplyDeadlines(), WATCHER) == [], "one look-back at a time"
    # Found implemented at last: nothing more falls due.
    assert types(h.run(conclude_commitment(nxt.lookback_id, "implemented"), OFFICE)) == ["lookback-concluded"]
    h.advance(to=date(2028, 6, 1))
    assert h.run(ApplyDeadlines(), WATCHER) == []


def test_the_committee_sets_its_look_back_interval() -> None:
    h: Harness[Setting] = Harness(LOOKBACK_POLICY)
    h.refused(c.SetLookbackInterval(months=6), member("m-zhang"), "not_authorized")
    assert types(h.run(c.SetLookbackInterval(months=6), OFFICE)) == ["lookback-interval-set"]
    assert h.run(c.SetLookbackInterval(months=6), OFFICE) == [], "setting the same interval changes nothing"
    assert h.state.value == 6
    assert Harness(LOOKBACK_POLICY).state.value == LOOKBACK_MONTHS == 3


@given(lookback_day=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
       months=st.integers(min_value=1, max_value=24),
       office_date_in=st.none() | st.integers(min_value=1, max_value=800))
def test_the_next_look_back_falls_due_after_the_conclusion_on_the_day_the_rule_gives(
        lookback_day: date, months: int, office_date_in: int | None) -> None:
    h, lb = report_due_for_lookback(lookback_day)
    given_date = lookback_day + timedelta(days=office_date_in) if office_date_in else None
    events = h.run(ConcludeLookback(c.ConcludeRecommendationLookback(
        recommendation_id="rec1", lookback_id=lb, outcome="partly", next_lookback_due=given_date), months), OFFICE)
    nxt = events[-1]
    assert isinstance(nxt, LookbackScheduled) and nxt.due > lookback_day
    if given_date is not None:
        assert nxt.due == given_date
    else:
        # the corresponding day `months` on, or the first working day after it
        assert h.calendar.is_working_day(nxt.due) and nxt.due >= add_months(lookback_day, months)
        assert all(not h.calendar.is_working_day(d) for d in _days(add_months(lookback_day, months), nxt.due))
    h.advance(to=nxt.due - timedelta(days=1))
    assert h.run(OpenDueLookback(), WATCHER) == []
    h.advance(to=nxt.due)
    (opened,) = h.run(OpenDueLookback(), WATCHER)
    assert (opened.lookback_id, opened.due) == (nxt.lookback_id, nxt.due)  # type: ignore[attr-defined]


def _days(start: date, end: date) -> list[date]:
    """The days from `start` up to, not including, `end`."""
    return [start + timedelta(days=i) for i in range((end - start).days)]
