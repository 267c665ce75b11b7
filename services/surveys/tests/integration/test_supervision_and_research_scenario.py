"""Democratic supervision and research through the HTTP command API on the real PostgreSQL, in the domain's
words. A special supervision topic on the business environment: the team holds a forum, reports two findings
as rectification requests to the market regulator and the tax bureau; the market regulator's rectification
runs past its due date, the office urges it, the regulator reports it done, the office accepts it, and a
look-back (回头看) months later finds it did not hold and reopens it. A special supervisor's part in the
police bureau's appraisal round is recorded. A democratic party applies for an embedded-inspection topic, the
office approves it, the team's field day is recorded for the scorecard, the report's recommendation goes to
the commerce bureau and turns into a result. Then the bad input, refused by its rule and field, nothing
stored."""

from __future__ import annotations

from datetime import date
from typing import Any

from surveys import streams
from surveys.domain.tracking import TRACKED, Phase, is_overdue

from ..integration_kit import Api, FakeClock, SurveysService, event_types
from ..kit import COMMITTEE, OFFICE, unit

MARKET, TAX, COMMERCE = unit("u-market"), unit("u-tax"), unit("u-commerce")
TOPIC = {"supervision_id": "s-business", "year": 2026, "title": "优化营商环境专项民主监督",
         "unit_ids": ["u-market", "u-tax"], "team_member_ids": ["m-zhang", "m-li"]}
FORUM = {"supervision_id": "s-business", "activity_id": "a-forum", "kind": "forum", "held_on": "2026-04-08",
         "participant_member_ids": ["m-li", "m-wu"], "unit_ids": ["u-market"], "summary": "与企业代表座谈"}


def finding(fid: str, units: list[str], days: int) -> dict[str, Any]:
    return {"finding_id": fid, "title": "涉企审批时限偏长", "text": "部分事项超过承诺办结时限", "unit_ids": units,
            "due_working_days": days}


def supervision_report(**extra: Any) -> dict[str, Any]:
    return {"supervision_id": "s-business", "report_id": "r-1", "reported_on": "2026-04-20",
            "summary": "关于优化营商环境专项民主监督的报告",
            "findings": [finding("f1", ["u-market"], 20), finding("f2", ["u-tax"], 30)], **extra}


def rectified(on: str, status: str = "done", progress: int = 100) -> dict[str, Any]:
    return {"item_id": "r-1.f1", "status": status, "progress": progress, "reported_on": on,
            "text": "涉企审批事项压缩至5个工作日办结"}


async def reported_topic(api: Api, clock: FakeClock) -> dict[str, Any]:
    clock.set(date(2026, 3, 2))
    await api.do("open-supervision-topic", TOPIC, OFFICE)
    clock.set(date(2026, 4, 8))
    await api.do("log-supervision-activity", FORUM, OFFICE)
    clock.set(date(2026, 4, 20))
    return await api.do("report-supervision", supervision_report(), OFFICE)


async def test_a_rectification_runs_overdue_is_accepted_and_a_look_back_reopens_it(
        api: Api, service: SurveysService, clock: FakeClock) -> None:
    sent = await reported_topic(api, clock)
    assert sent["events"] == ["supervision-reported", "supervision-report-recorded", "tracked-item-opened",
                              "tracked-item-opened"]
    assert [(i["item_id"], i["due"]) for i in sent["items"]] == [("r-1.f1", "2026-05-20"), ("r-1.f2", "2026-06-03")]
    scored = next(e.event for e in await service.store.read_stream(streams.supervision_topic(COMMITTEE, "s-business"))
                  if e.envelope.type == "supervision-reported")
    assert scored.model_dump()["member_ids"] == ["m-zhang", "m-li", "m-wu"]

    # The tax bureau was not asked to rectify this finding.
    clock.set(date(2026, 5, 6))
    error = await api.refused("report-tracked-item-progress", rectified("2026-05-06"), TAX, "unit_not_responsible")
    assert "u-tax" in error["message"]

    # No report by its due date: the rectification is overdue on the service's clock, and the office urges it.
    clock.set(date(2026, 5, 21))
    item = TRACKED.fold([e.event for e in await service.store.read_stream(streams.tracked_item(COMMITTEE, "r-1.f1"))])
    assert item.phase is Phase.open and is_overdue(item, clock.today)
    await api.do("follow-up-tracked-item", {"item_id": "r-1.f1", "method": "notice", "followed_up_on": "2026-05-21"},
                 OFFICE)

    clock.set(date(2026, 5, 25))
    await api.do("report-tracked-item-progress", rectified("2026-05-25"), MARKET)
    accepted = await api.do("record-tracked-item-verdict", {"item_id": "r-1.f1", "verdict": "implemented"}, OFFICE)
    assert (accepted["phase"], accepted["progress"]) == ("concluded", 100)

    # Look-backs: in September it holds; in November complaints are back, so follow-up starts again.
    clock.set(date(2026, 9, 1))
    held = await api.do("record-tracked-item-lookback", {"item_id": "r-1.f1", "outcome": "implemented",
                                                          "looked_back_on": "2026-09-01"}, OFFICE)
    assert (held["events"], held["phase"]) == (["tracked-item-looked-back"], "concluded")
    clock.set(date(2026, 11, 2))
    slipped = await api.do("record-tracked-item-lookback", {
        "item_id": "r-1.f1", "outcome": "partly", "looked_back_on": "2026-10-30", "notes": "部分事项办结时限反弹"},
        OFFICE)
    assert slipped["events"] == ["tracked-item-looked-back", "tracked-item-reopened"]
    assert (slipped["phase"], slipped["round"]) == ("open", 2)
    assert await event_types(service, streams.tracked_item(COMMITTEE, "r-1.f1")) == [
        "tracked-item-opened", "tracked-item-followed-up", "tracked-item-progress-reported",
        "tracked-item-verdict-recorded", "tracked-item-looked-back", "tracked-item-looked-back",
        "tracked-item-reopened"]


async def test_a_special_supervisors_appraisal_participation_is_recorded_for_the_scorecard(api: Api,
                                                                                       clock: FakeClock) -> None:
    clock.set(date(2026, 6, 10))
    body = {"appraisal_id": "ap-2026", "round_id": "r1", "member_id": "m-zhao", "unit_id": "u-police",
            "held_on": "2026-06-10"}
    assert (await api.do("record-appraisal-participation", body, OFFICE))["events"] == [
        "appraisal-participation-recorded"]
    await api.refused("record-appraisal-participation", body, OFFICE, "appraisal_participation_exists")


async def test_bad_supervision_input_is_refused_naming_the_rule_and_field(api: Api, clock: FakeClock) -> None:
    clock.set(date(2026, 4, 8))
    unknown = await api.refused("report-supervision", supervision_report(reported_on="2026-04-08"), OFFICE,
                                "supervision_topic_not_found")
    assert unknown["fields"] == ["supervision_id"]
    await api.do("open-supervision-topic", TOPIC, OFFICE)
    ahead = await api.refused("log-supervision-activity", {**FORUM, "held_on": "2026-04-09"}, OFFICE,
                              "date_in_future")
    assert ahead["fields"] == ["held_on"]
    await api.do("log-supervision-activity", FORUM, OFFICE)
    clock.set(date(2026, 4, 20))
    empty = await api.refused("report-supervision", supervision_report(findings=[]), OFFICE, "report_without_findings")
    assert empty["fields"] == ["findings"]
    # The topic would record the report, but the second finding is sent to nobody: nothing at all is stored.
    nobody = await api.refused("report-supervision", supervision_report(
        findings=[finding("f1", ["u-market"], 20), finding("f2", [], 20)]), OFFICE, "no_responsible_unit")
    assert nobody["fields"] == ["findings.1.unit_ids"]
    outside = await api.refused("report-supervision", supervision_report(findings=[finding("f1", ["u-health"], 20)]),
                                OFFICE, "unit_not_supervised")
    assert outside["fields"] == ["findings.0.unit_ids"]


# ---- research and inspection ------------------------------------------------------------------------------------

RESEARCH_TOPIC = {"topic_id": "t-village", "year": 2026, "title": "乡村振兴农村物流融入性视察",
                  "kind": "embedded_inspection"}


def recommendation(units: list[str]) -> dict[str, Any]:
    return {"recommendation_id": "k1", "title": "完善县乡村三级物流体系", "text": "每个行政村建设一个物流服务点",
            "unit_ids": units, "due_working_days": 30}


def research_report(**extra: Any) -> dict[str, Any]:
    return {"topic_id": "t-village", "report_id": "rr-1", "reported_on": "2026-04-15", "summary": "视察报告",
            "recommendations": [recommendation(["u-commerce"])], **extra}


async def test_a_partys_research_topic_from_application_to_a_recommendation_turned_into_a_result(
        api: Api, service: SurveysService, clock: FakeClock) -> None:
    clock.set(date(2026, 3, 2))
    await api.do("plan-research-topic", RESEARCH_TOPIC, OFFICE)
    clock.set(date(2026, 3, 10))
    applied = await api.do("apply-for-research-topic", {"topic_id": "t-village", "application_id": "ap-minmeng",
                                                        "organization_id": "org-minmeng", "applied_on": "2026-03-10",
                                                        "plan": "分三个乡镇开展视察"}, OFFICE)
    assert applied["events"] == ["research-application-recorded"]
    await api.do("decide-research-application", {"topic_id": "t-village", "application_id": "ap-minmeng",
                                                 "approved": True, "reason": "列入年度重点课题"}, OFFICE)
    closed = await api.refused("apply-for-research-topic", {"topic_id": "t-village", "organization_id": "org-jiusan",
                                                            "applied_on": "2026-03-10"}, OFFICE,
                               "research_topic_closed")
    assert "org-minmeng" in closed["message"]
    await api.do("form-research-team", {"topic_id": "t-village", "member_ids": ["m-zhang", "m-li"],
                                        "organization_ids": ["org-minmeng"]}, OFFICE)

    clock.set(date(2026, 4, 2))
    day = await api.do("log-research-field-day", {"topic_id": "t-village", "activity_id": "d-1",
                                                  "held_on": "2026-04-02", "member_ids": ["m-zhang", "m-li"]}, OFFICE)
    assert day["events"] == ["research-participation-recorded"]

    clock.set(date(2026, 4, 15))
    empty = await api.refused("report-research", research_report(recommendations=[]), OFFICE,
                              "report_without_recommendations")
    assert empty["fields"] == ["recommendations"]
    nobody = await api.refused("report-research", research_report(recommendations=[recommendation([])]), OFFICE,
                               "no_responsible_unit")
    assert nobody["fields"] == ["recommendations.0.unit_ids"]
    sent = await api.do("report-research", research_report(), OFFICE)
    assert sent["events"] == ["research-reported", "tracked-item-opened"]
    assert sent["items"][0]["item_id"] == "rr-1.k1"

    clock.set(date(2026, 5, 20))
    await api.do("report-tracked-item-progress", {"item_id": "rr-1.k1", "status": "done", "progress": 100,
                                                  "reported_on": "2026-05-20", "text": "已建成村级物流点126个"},
                 COMMERCE)
    result = await api.do("record-tracked-item-verdict", {"item_id": "rr-1.k1", "verdict": "implemented"}, OFFICE)
    assert (result["phase"], result["progress"]) == ("concluded", 100)
    assert await event_types(service, streams.research_topic(COMMITTEE, "t-village")) == [
        "research-topic-planned", "research-application-recorded", "research-application-decided",
        "research-team-formed", "research-participation-recorded", "research-reported"]
