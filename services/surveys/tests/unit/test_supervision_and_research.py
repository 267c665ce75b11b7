"""Democratic supervision and research decided without I/O: topics, activities and field days, reports whose
findings and recommendations open tracked items, a look-back after acceptance, a special supervisor's part
in an appraisal round, and the bad input each refuses by its rule and field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from contracts.surveys import commands as c
from contracts.surveys.participation import ResearchKind
from contracts.surveys.tracking import TrackedSubject, Verdict
from eventstore.errors import DomainError
from surveys.domain import research as rs
from surveys.domain import supervision as sv
from surveys.domain.tracking import TRACKED, Phase, TrackedState, is_overdue

from ..kit import OFFICE, Harness, member, types, unit

TOPIC = {"year": 2026, "title": "营商环境专项民主监督", "unit_ids": ["u-market", "u-tax"],
         "team_member_ids": ["m-zhang", "m-li"]}


def activity(held_on: str = "2026-04-08", **extra: Any) -> c.LogSupervisionActivity:
    return c.LogSupervisionActivity.model_validate({
        "supervision_id": "s-1", "kind": "forum", "held_on": held_on, "participant_member_ids": ["m-li", "m-wu"],
        "unit_ids": ["u-market"], "summary": "与企业代表座谈", **extra})


def finding(fid: str = "f1", units: list[str] | None = None, days: int = 20) -> dict[str, Any]:
    return {"finding_id": fid, "title": "审批时限偏长", "text": "部分事项超过承诺时限", "due_working_days": days,
            "unit_ids": ["u-market"] if units is None else units}


def sv_report(findings: list[dict[str, Any]] | None = None, on: str = "2026-04-20") -> sv.Report:
    cmd = c.ReportSupervision.model_validate({
        "supervision_id": "s-1", "reported_on": on, "summary": "营商环境专项监督报告",
        "findings": [finding(), finding("f2", ["u-tax", "u-market"], 30)] if findings is None else findings})
    return sv.Report("r-1", cmd)


@pytest.fixture
def topic() -> Harness[sv.SupervisionState]:
    h: Harness[sv.SupervisionState] = Harness(sv.SUPERVISION, today=date(2026, 4, 20))
    h.run(sv.OpenTopic("s-1", c.OpenSupervisionTopic.model_validate(TOPIC)), OFFICE)
    return h


def test_a_report_scores_the_team_and_the_participants_and_asks_each_finding_of_its_departments(
        topic: Harness[sv.SupervisionState]) -> None:
    topic.run(sv.LogActivity("a-1", activity()), OFFICE)
    report = sv_report()
    reported = topic.run(report, OFFICE)
    assert types(reported) == ["supervision-reported", "supervision-report-recorded"]
    scored = reported[0].model_dump()
    assert scored["member_ids"] == ["m-zhang", "m-li", "m-wu"]
    assert (scored["unit_ids"], scored["findings"]) == (["u-market", "u-tax"], 2)
    assert scored["rectification_due"] == date(2026, 6, 3)  # 30 working days, the Labour Day holiday skipped

    opens = sv.finding_tracking(topic.state, report)
    assert [(o.item_id, o.subject, o.unit_ids) for o in opens] == [
        ("r-1.f1", TrackedSubject.rectification, ("u-market",)),
        ("r-1.f2", TrackedSubject.rectification, ("u-tax", "u-market"))]
    item: Harness[TrackedState] = Harness(TRACKED, today=topic.today)
    item.run(opens[0], OFFICE)
    assert item.state.noun == "rectification request"


@pytest.mark.parametrize(("body", "rule", "fields"), [
    ({"findings": []}, "report_without_findings", ["findings"]),
    ({"findings": [finding(units=["u-health"])]}, "unit_not_supervised", ["findings.0.unit_ids"]),
    ({"findings": [finding(), finding()]}, "duplicate_ids", ["findings"]),
    ({"on": "2026-04-07"}, "report_before_activity", ["reported_on"]),
    ({"on": "2026-04-21"}, "date_in_future", ["reported_on"]),
])
def test_a_bad_report_is_refused_naming_the_rule_and_field(
        topic: Harness[sv.SupervisionState], body: dict[str, Any], rule: str, fields: list[str]) -> None:
    topic.run(sv.LogActivity("a-1", activity()), OFFICE)
    error = topic.refused(sv_report(**body), OFFICE, rule)
    assert list(error.fields) == fields


def test_a_finding_sent_to_nobody_is_refused_by_the_tracking_rule_naming_the_finding(
        topic: Harness[sv.SupervisionState]) -> None:
    topic.run(sv.LogActivity("a-1", activity()), OFFICE)
    report = sv_report([finding(), finding("f2", [])])
    topic.run(report, OFFICE)  # the topic's rules pass; the item's refuse (the handler's transaction rolls back)
    item: Harness[TrackedState] = Harness(TRACKED, today=topic.today)
    error = item.refused(sv.finding_tracking(topic.state, report)[1], OFFICE, "no_responsible_unit")
    assert list(error.fields) == ["findings.1.unit_ids"]


def test_a_report_follows_an_activity_and_topics_and_activities_keep_their_rules(
        topic: Harness[sv.SupervisionState]) -> None:
    topic.refused(sv_report(), OFFICE, "supervision_without_activity")
    assert topic.refused(sv.LogActivity("a-1", activity(unit_ids=["u-health"])), OFFICE,
                         "unit_not_supervised").fields == ["unit_ids"]
    topic.run(sv.LogActivity("a-1", activity()), OFFICE)
    topic.refused(sv.LogActivity("a-1", activity()), OFFICE, "activity_exists")
    with pytest.raises(DomainError):
        topic.run(sv.LogActivity("a-2", activity()), member("m-li"))
    unknown: Harness[sv.SupervisionState] = Harness(sv.SUPERVISION, today=date(2026, 4, 20))
    assert unknown.refused(sv_report(), OFFICE, "supervision_topic_not_found").fields == ["supervision_id"]
    assert unknown.refused(sv.OpenTopic("s-2", c.OpenSupervisionTopic.model_validate({**TOPIC, "unit_ids": []})),
                           OFFICE, "no_supervised_unit").fields == ["unit_ids"]


# ---- the rectification's life: the tracking decider's, with a look-back after acceptance ---------------------

@pytest.fixture
def rectification(topic: Harness[sv.SupervisionState]) -> Harness[TrackedState]:
    topic.run(sv.LogActivity("a-1", activity()), OFFICE)
    report = sv_report()
    topic.run(report, OFFICE)
    h: Harness[TrackedState] = Harness(TRACKED, today=topic.today)
    h.run(sv.finding_tracking(topic.state, report)[0], OFFICE)
    return h


def rect_report(on: str, status: str = "done", progress: int = 100) -> c.ReportTrackedItemProgress:
    return c.ReportTrackedItemProgress.model_validate({"item_id": "r-1.f1", "status": status, "progress": progress,
                                                       "text": "压缩审批时限至5个工作日", "reported_on": on})


def lookback(outcome: str, on: str = "2026-09-01") -> c.RecordTrackedItemLookback:
    return c.RecordTrackedItemLookback.model_validate({"item_id": "r-1.f1", "outcome": outcome,
                                                       "looked_back_on": on, "notes": "回头看"})


def test_only_the_departments_asked_report_rectification(rectification: Harness[TrackedState]) -> None:
    rectification.advance(to=date(2026, 5, 6))
    rectification.refused(rect_report("2026-05-06"), unit("u-tax"), "unit_not_responsible")


def test_overdue_then_accepted_then_looked_back_and_reopened_when_it_did_not_hold(
        rectification: Harness[TrackedState]) -> None:
    due = rectification.state.due
    assert due == date(2026, 5, 20)
    assert is_overdue(rectification.state, date(2026, 5, 21))
    rectification.refused(lookback("implemented", on="2026-04-20"), OFFICE, "lookback_needs_acceptance")
    rectification.advance(to=date(2026, 5, 25))
    rectification.run(rect_report("2026-05-25"), unit("u-market"))
    rectification.run(c.RecordTrackedItemVerdict(item_id="r-1.f1", verdict=Verdict.implemented), OFFICE)
    assert rectification.state.phase is Phase.concluded

    rectification.advance(to=date(2026, 9, 1))
    assert types(rectification.run(lookback("implemented"), OFFICE)) == ["tracked-item-looked-back"]
    assert rectification.state.phase is Phase.concluded
    assert rectification.refused(lookback("partly", on="2026-09-02"), OFFICE,
                                 "date_in_future").fields == ["looked_back_on"]
    back = rectification.run(lookback("partly"), OFFICE)
    assert types(back) == ["tracked-item-looked-back", "tracked-item-reopened"]
    state = rectification.state
    assert (state.phase, state.round, state.lookbacks) == (Phase.open, 2, (Verdict.implemented, Verdict.partly))
    rectification.refused(lookback("implemented"), OFFICE, "lookback_needs_acceptance")


def test_a_special_supervisors_appraisal_participation_is_recorded_once_per_department_and_round() -> None:
    h: Harness[sv.AppraisalRoundState] = Harness(sv.APPRAISAL_ROUND, today=date(2026, 6, 10))
    cmd = c.RecordAppraisalParticipation.model_validate({"appraisal_id": "ap-2026", "round_id": "r1",
                                                         "member_id": "m-zhao", "unit_id": "u-police",
                                                         "held_on": "2026-06-10"})
    assert types(h.run(cmd, OFFICE)) == ["appraisal-participation-recorded"]
    h.refused(cmd, OFFICE, "appraisal_participation_exists")
    h.run(cmd.model_copy(update={"unit_id": "u-court"}), OFFICE)


# ---- research and inspection ------------------------------------------------------------------------------------

def plan(kind: str = "embedded_inspection", open_for_application: bool = True) -> rs.PlanTopic:
    return rs.PlanTopic("t-1", c.PlanResearchTopic.model_validate({
        "year": 2026, "title": "乡村振兴融入性视察", "kind": kind, "open_for_application": open_for_application}))


def apply(aid: str = "a-1", org: str = "org-minmeng", on: str = "2026-03-10") -> rs.Apply:
    return rs.Apply(aid, c.ApplyForResearchTopic.model_validate({
        "topic_id": "t-1", "organization_id": org, "applied_on": on, "plan": "分三个乡镇开展"}))


def decision(aid: str = "a-1", approved: bool = True) -> c.DecideResearchApplication:
    return c.DecideResearchApplication(topic_id="t-1", application_id=aid, approved=approved, reason="符合年度重点")


def field_day(aid: str = "d-1", members: list[str] | None = None, on: str = "2026-04-02") -> rs.LogFieldDay:
    return rs.LogFieldDay(aid, c.LogResearchFieldDay.model_validate({
        "topic_id": "t-1", "held_on": on, "member_ids": members or ["m-zhang", "m-li"]}))


def rs_report(recommendations: list[dict[str, Any]] | None = None, on: str = "2026-04-15") -> rs.Report:
    recs = [{"recommendation_id": "k1", "title": "完善农村物流体系", "text": "建设村级物流点",
             "unit_ids": ["u-commerce"], "due_working_days": 30}] if recommendations is None else recommendations
    return rs.Report("rr-1", c.ReportResearch.model_validate({
        "topic_id": "t-1", "reported_on": on, "summary": "视察报告", "recommendations": recs}))


@pytest.fixture
def research() -> Harness[rs.ResearchState]:
    h: Harness[rs.ResearchState] = Harness(rs.RESEARCH, today=date(2026, 4, 15))
    h.run(plan(), OFFICE)
    return h


def test_an_organizations_topic_from_application_to_recommendations_tracked(
        research: Harness[rs.ResearchState]) -> None:
    research.run(apply("a-0", "org-jiusan"), OFFICE)
    research.refused(apply("a-2", "org-jiusan"), OFFICE, "application_pending")
    research.run(decision("a-0", approved=False), OFFICE)
    research.run(apply(), OFFICE)
    assert types(research.run(decision(), OFFICE)) == ["research-application-decided"]
    assert research.state.organization_id == "org-minmeng"
    assert research.refused(apply("a-3", "org-jiusan"), OFFICE, "research_topic_closed").fields == ["topic_id"]

    research.run(c.FormResearchTeam(topic_id="t-1", member_ids=["m-zhang", "m-li"],
                                    organization_ids=["org-minmeng"]), OFFICE)
    assert research.refused(field_day(members=["m-wu"]), OFFICE, "member_not_on_team").fields == ["member_ids"]
    days = research.run(field_day(), OFFICE)
    assert types(days) == ["research-participation-recorded"]
    assert days[0].model_dump()["kind"] == ResearchKind.inspection  # embedded inspection counts as inspection

    report = rs_report()
    assert types(research.run(report, OFFICE)) == ["research-reported"]
    [opened] = rs.recommendation_tracking(research.state, report)
    assert (opened.item_id, opened.subject, opened.source_id) == ("rr-1.k1", TrackedSubject.research_recommendation,
                                                                  "t-1")


@pytest.mark.parametrize(("body", "rule", "fields"), [
    ({"recommendations": []}, "report_without_recommendations", ["recommendations"]),
    ({"on": "2026-04-01"}, "report_before_field_day", ["reported_on"]),
    ({"on": "2026-04-16"}, "date_in_future", ["reported_on"]),
])
def test_a_bad_research_report_is_refused(research: Harness[rs.ResearchState], body: dict[str, Any], rule: str,
                                          fields: list[str]) -> None:
    research.run(c.FormResearchTeam(topic_id="t-1", member_ids=["m-zhang", "m-li"]), OFFICE)
    research.run(field_day(), OFFICE)
    assert list(research.refused(rs_report(**body), OFFICE, rule).fields) == fields


def test_a_topic_closed_to_application_or_unknown_refuses() -> None:
    closed: Harness[rs.ResearchState] = Harness(rs.RESEARCH, today=date(2026, 4, 15))
    closed.run(plan(open_for_application=False), OFFICE)
    closed.refused(apply(), OFFICE, "research_topic_closed")
    closed.refused(rs_report(), OFFICE, "research_without_field_day")
    unknown: Harness[rs.ResearchState] = Harness(rs.RESEARCH, today=date(2026, 4, 15))
    assert unknown.refused(apply(), OFFICE, "research_topic_not_found").fields == ["topic_id"]
    open_: Harness[rs.ResearchState] = Harness(rs.RESEARCH, today=date(2026, 4, 15))
    open_.run(plan(), OFFICE)
    assert open_.refused(apply(on="2026-04-16"), OFFICE, "date_in_future").fields == ["applied_on"]
