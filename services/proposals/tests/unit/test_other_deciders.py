"""Numbering, solicitation, public-opinion reports, recommendation reports, holiday schedules: pure."""

from __future__ import annotations

from datetime import date

from contracts.proposals import commands as c
from proposals.deadlines import LOOKBACK_MONTHS
from proposals.domain.holiday_schedule import HOLIDAY_SCHEDULE
from proposals.domain.lookback_policy import ConcludeLookback
from proposals.domain.numbering import NUMBERING, ReserveNumber
from proposals.domain.opinion_report import OPINION_REPORT, ConvertFromProposal, ReportState, Submit
from proposals.domain.recommendation import RECOMMENDATION, OpenDueLookback, Record
from proposals.domain.solicitation import SOLICITATION, Publish

from ..kit import ADMIN, OFFICE, WATCHER, Harness, member, types, unit


def test_numbers_run_on_without_gaps_and_never_twice() -> None:
    h = Harness(NUMBERING)
    numbers = [h.run(ReserveNumber(f"p{i}", 2026), OFFICE)[0].number for i in range(1, 4)]  # type: ignore[attr-defined]
    assert numbers == ["2026-001", "2026-002", "2026-003"]
    h.refused(ReserveNumber("p2", 2026), OFFICE, "already_numbered")


def test_a_solicitation_has_a_sensible_window() -> None:
    h = Harness(SOLICITATION)
    cmd = c.PublishSolicitation.model_validate({
        "year": 2027, "title": "2027年提案征集参考要目", "opens_on": "2026-12-01", "closes_on": "2026-11-01",
        "topics": [{"title": "县域经济高质量发展", "category": "economy"}]})
    h.refused(Publish("s1", cmd), OFFICE, "window_invalid")
    ok = cmd.model_copy(update={"closes_on": date(2027, 1, 15)})
    h.refused(Publish("s1", ok), member("m-zhang"), "not_authorized")
    h.run(Publish("s1", ok), OFFICE)
    h.refused(Publish("s1", ok), OFFICE, "solicitation_exists")


def report_harness() -> Harness[ReportState]:
    h = Harness(OPINION_REPORT)
    h.run(Submit("r1", c.SubmitOpinionReport(title="关于乡村客运班线的情况反映", body="……")), member("m-zhang"))
    return h


def test_a_report_is_adopted_and_instructed_only_where_it_was_forwarded() -> None:
    h = report_harness()
    adopt = c.RecordOpinionReportAdoption(report_id="r1", level="city", adopted_by="市政协")
    h.refused(adopt, OFFICE, "not_forwarded_to_level")
    h.run(c.ForwardOpinionReport(report_id="r1", level="city", recipient="市政协办公室"), OFFICE)
    h.refused(c.ForwardOpinionReport(report_id="r1", level="city"), OFFICE, "already_forwarded")
    h.refused(adopt, member("m-zhang"), "not_authorized")
    (adopted,) = h.run(adopt, OFFICE)
    assert adopted.author_member_id == "m-zhang"  # type: ignore[attr-defined]
    h.refused(adopt, OFFICE, "already_adopted")
    instruct = c.RecordOpinionReportInstruction(report_id="r1", leader="市委副书记", level="city", instruction="请研究")
    h.run(instruct, OFFICE)
    h.refused(instruct, OFFICE, "already_instructed")


def test_the_author_edits_until_the_office_forwards_and_nobody_after_publication() -> None:
    h = report_harness()
    edit = c.EditOpinionReport(report_id="r1", title="新标题", body="新正文")
    h.run(edit, member("m-zhang"))
    h.refused(edit, member("m-li"), "not_authorized")
    h.run(c.ForwardOpinionReport(report_id="r1", level="county"), OFFICE)
    h.refused(edit, member("m-zhang"), "already_forwarded")
    h.run(edit, OFFICE)
    h.run(c.PublishOpinionReport(report_id="r1", issue="2026年第5期"), OFFICE)
    h.refused(edit, OFFICE, "already_published")
    h.refused(c.PublishOpinionReport(report_id="r1", issue="2026年第6期"), OFFICE, "already_published")


def test_who_submits_a_report() -> None:
    h = Harness(OPINION_REPORT)
    h.refused(Submit("r1", c.SubmitOpinionReport(title="t", body="b", author_member_id="m-li")), member("m-zhang"),
              "not_authorized")
    h.refused(Submit("r1", c.SubmitOpinionReport(title="t", body="b")), OFFICE, "author_required")
    h.refused(Submit("r1", c.SubmitOpinionReport(title="t", body="b")), unit("u-water"), "not_authorized")
    h.run(Submit("r1", c.SubmitOpinionReport(title="t", body="b", direct_report_point_id="pt-town-3")), OFFICE)
    h.refused(ConvertFromProposal("r1", "p1", "m-zhang", "t", "b", None), OFFICE, "report_exists")
    h.refused(c.PublishOpinionReport(report_id="r1", issue="x"), member("m-zhang"), "not_authorized")
    h2 = Harness(OPINION_REPORT)
    h2.refused(c.PublishOpinionReport(report_id="r9", issue="x"), OFFICE, "report_not_found")


def conclude_report(rid: str, lookback_id: str, outcome: str, *, months: int = LOOKBACK_MONTHS,
                    next_lookback_due: date | None = None) -> ConcludeLookback:
    return ConcludeLookback(c.ConcludeRecommendationLookback(
        recommendation_id=rid, lookback_id=lookback_id, outcome=outcome,  # type: ignore[arg-type]
        next_lookback_due=next_lookback_due), months)


def test_a_recommendation_report_is_looked_back_at_until_implemented() -> None:
    h = Harness(RECOMMENDATION, today=date(2026, 6, 1))
    h.run(Record("rec1", c.RecordRecommendationReport(title="关于推进县域医共体建设的建议案", sent_on=date(2026, 5, 20),
                                                     lookback_due=date(2026, 12, 1))), OFFICE)
    assert h.run(OpenDueLookback(), WATCHER) == []
    h.advance(to=date(2026, 12, 1))
    (opened,) = h.run(OpenDueLookback(), WATCHER)
    assert h.run(OpenDueLookback(), WATCHER) == []
    lb = opened.lookback_id  # type: ignore[attr-defined]
    h.refused(conclude_report("rec1", lb, "not"), OFFICE, "next_lookback_required")
    events = h.run(conclude_report("rec1", lb, "not", next_lookback_due=date(2027, 3, 1)), OFFICE)
    assert types(events) == ["lookback-concluded", "recommendation-followup-reopened"]
    h.advance(to=date(2027, 3, 1))
    (again,) = h.run(OpenDueLookback(), WATCHER)
    assert again.lookback_id == "rec1-lb2"  # type: ignore[attr-defined]
    h.refused(conclude_report("rec1", "rec1-lb2", "implemented", next_lookback_due=date(2027, 9, 1)), OFFICE,
              "next_lookback_not_expected")
    h.run(conclude_report("rec1", "rec1-lb2", "implemented"), OFFICE)
    h.advance(to=date(2027, 9, 1))
    assert h.run(OpenDueLookback(), WATCHER) == []


def test_holiday_schedules_are_checked() -> None:
    h = Harness(HOLIDAY_SCHEDULE)
    h.refused(c.RecordHolidaySchedule(year=2027, days_off=[date(2027, 2, 8)], workdays=[date(2027, 2, 8)]), OFFICE,
              "schedule_contradiction")
    h.refused(c.RecordHolidaySchedule(year=2027, days_off=[date(2029, 2, 8)]), OFFICE, "schedule_wrong_year")
    h.refused(c.RecordHolidaySchedule(year=2027, days_off=[date(2027, 2, 8)], workdays=[date(2027, 2, 1)]), OFFICE,
              "workday_not_weekend")
    h.refused(c.RecordHolidaySchedule(year=2027, days_off=[date(2027, 2, 8)]), member("m-zhang"), "not_authorized")
    h.run(c.RecordHolidaySchedule(year=2027, days_off=[date(2027, 2, 8)], workdays=[date(2027, 1, 31)]), ADMIN)
