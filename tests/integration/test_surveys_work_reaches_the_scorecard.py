"""A member's scorecard credited for each kind of surveys work, through the running platform (real PostgreSQL,
real Kafka): the office sends the surveys service its commands — a consultation where 张委员 speaks and
李委员 sends a written opinion, a supervision report with 张委员 on the team, a research field day and an
embedded-inspection field day with 李委员, 张委员's part in a department's democratic appraisal — and each
member's scorecard in the members service shows every credit, by rule, with the right total."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest_asyncio

from yizheng.infra import Endpoints
from yizheng.testing.command_client import LEADER, OFFICE, CommandClient, member, token
from yizheng.testing.platform import InProcessPlatform, in_process_platform
from yizheng.testing.wait import WaitUntil

YEAR = 2026
ZHANG, LI = "m-zhang", "m-li"


@pytest_asyncio.fixture(loop_scope="session")
async def platform(infra: Endpoints, pg_pool: asyncpg.Pool) -> AsyncIterator[InProcessPlatform]:
    async with in_process_platform(infra, pg_pool, label="scored", pool_max_size=5) as running:
        yield running


async def _read(platform: InProcessPlatform, member_id: str, bearer: str) -> httpx.Response:
    """The members service's read route, as the gateway calls it."""
    async with CommandClient.over(platform.members) as members:
        return await members.http.get(f"/scorecards/{YEAR}/{member_id}", headers={"Authorization": f"Bearer {bearer}"})


async def _card(platform: InProcessPlatform, member_id: str, bearer: str) -> dict[str, Any] | None:
    response = await _read(platform, member_id, bearer)
    return response.json() if response.status_code == 200 else None


async def _card_at(platform: InProcessPlatform, member_id: str, total: int) -> dict[str, Any] | None:
    card = await _card(platform, member_id, token(OFFICE))
    return card if card is not None and card["total"] == total else None


def _credits(card: dict[str, Any]) -> list[tuple[str, int, str]]:
    return sorted((i["rule"], i["points"], i["source_event_type"]) for i in card["items"])


async def _the_year_in_surveys(surveys: CommandClient) -> None:
    # A counterpart consultation from the adopted plan: 张 speaks, 李 (not present) sends a written opinion.
    await surveys.do("draft-consultation-plan", {"year": YEAR, "title": f"县政协{YEAR}年度协商监督计划", "items": [
        {"item_id": "i-sewage", "kind": "counterpart", "title": "农村生活污水治理对口协商",
         "lead": "人口资源环境委员会", "participating_unit_ids": ["u-env"], "planned_month": 4,
         "counterpart_unit_id": "u-env"}]}, OFFICE)
    await surveys.do("adopt-consultation-plan", {"year": YEAR, "adopted_on": "2026-03-20",
                                                 "meeting": "十六届县政协第十二次主席会议"}, LEADER)
    await surveys.do("schedule-consultation", {"consultation_id": "c-sewage", "year": YEAR, "item_id": "i-sewage",
                                               "scheduled_on": "2026-04-10", "venue": "县政协三楼会议室"}, OFFICE)
    await surveys.do("hold-consultation", {
        "consultation_id": "c-sewage", "held_on": "2026-04-10", "participant_member_ids": [ZHANG, "m-wu"],
        "speaker_member_ids": [ZHANG], "written_opinion_member_ids": [LI],
        "summary": "县生态环境局通报农村生活污水治理情况，委员协商讨论"}, OFFICE)
    # Democratic supervision of the business environment, 张 on the team; a forum, then the report.
    await surveys.do("open-supervision-topic", {"supervision_id": "s-business", "year": YEAR,
                                                "title": "优化营商环境专项民主监督", "unit_ids": ["u-market"],
                                                "team_member_ids": [ZHANG]}, OFFICE)
    await surveys.do("log-supervision-activity", {
        "supervision_id": "s-business", "activity_id": "a-forum", "kind": "forum", "held_on": "2026-04-08",
        "participant_member_ids": [ZHANG], "unit_ids": ["u-market"], "summary": "与企业代表座谈"}, OFFICE)
    await surveys.do("report-supervision", {
        "supervision_id": "s-business", "report_id": "r-1", "reported_on": "2026-04-20",
        "summary": "关于优化营商环境专项民主监督的报告", "findings": [
            {"finding_id": "f1", "title": "涉企审批时限偏长", "text": "部分事项超过承诺办结时限",
             "unit_ids": ["u-market"], "due_working_days": 20}]}, OFFICE)
    # 李's field days: one of a research topic, one of an embedded inspection (融入性视察).
    field_days = (("t-elderly", "research", "农村养老服务调研", "2026-05-12"),
                  ("t-village", "embedded_inspection", "乡村振兴农村物流融入性视察", "2026-05-20"))
    for topic_id, kind, title, day in field_days:
        await surveys.do("plan-research-topic", {"topic_id": topic_id, "year": YEAR, "title": title, "kind": kind,
                                                 "open_for_application": False}, OFFICE)
        await surveys.do("form-research-team", {"topic_id": topic_id, "member_ids": [LI]}, OFFICE)
        await surveys.do("log-research-field-day", {"topic_id": topic_id, "activity_id": f"{topic_id}-d1",
                                                    "held_on": day, "member_ids": [LI]}, OFFICE)
    # 张, a special supervisor, in the police bureau's democratic appraisal round.
    await surveys.do("record-appraisal-participation", {"appraisal_id": "ap-2026", "round_id": "r1",
                                                        "member_id": ZHANG, "unit_id": "u-police",
                                                        "held_on": "2026-06-10"}, OFFICE)


async def test_each_kind_of_surveys_work_is_credited_on_the_members_scorecard(
        platform: InProcessPlatform, wait_until: WaitUntil) -> None:
    async with CommandClient.over(platform.members) as members:
        await members.do("publish-rulebook", {"year": YEAR, "note": "默认规则"}, OFFICE)
        for member_id, name in ((ZHANG, "张明"), (LI, "李华"), ("m-wu", "吴刚")):
            await members.do("register-member", {"member_id": member_id, "name": name, "sector": "education",
                                                 "term": 16, "joined_on": "2022-01-10"}, OFFICE)
    async with CommandClient.over(platform.surveys) as surveys:
        await _the_year_in_surveys(surveys)

    # By hand: 张 70 base + 3 (spoke) + 2 (supervision) + 2 (appraisal) = 77;
    #          李 70 base + 2 (written opinion) + 2 (research) + 2 (inspection) = 76;
    #          吴 took part in the consultation without speaking or writing: 70.
    zhang = await wait_until(lambda: _card_at(platform, ZHANG, 77), timeout=30, message="张's card at 77")
    li = await wait_until(lambda: _card_at(platform, LI, 76), timeout=30, message="李's card at 76")
    assert _credits(zhang) == [
        ("appraisal.participated", 2, "appraisal-participation-recorded"), ("base", 70, "member-registered"),
        ("consultation.spoke", 3, "consultation-held"), ("supervision.participated", 2, "supervision-reported")]
    assert _credits(li) == [
        ("base", 70, "member-registered"), ("consultation.written", 2, "consultation-held"),
        ("research.inspection", 2, "research-participation-recorded"),
        ("research.research", 2, "research-participation-recorded")]
    wu = await _card(platform, "m-wu", token(OFFICE))
    assert wu is not None and _credits(wu) == [("base", 70, "member-registered")]

    # 张 reads his own card; 李 may not.
    own = await _card(platform, ZHANG, token(member(ZHANG)))
    assert own is not None and own["total"] == 77
    assert (await _read(platform, ZHANG, token(member(LI)))).status_code == 403
