"""Rectification due dates count working days on the committee's own calendar — the one its office records
in the proposals service — through the running platform (real PostgreSQL, real Kafka).

A supervision report on Thursday 24 September 2026 asks the market regulator to rectify within one working
day. Friday 25 is the Mid-Autumn Festival, so on the holidays package's calendar the rectification is due on
Monday 28. Then the office records the year's official schedule, which bridges Monday 28 September to the
festival weekend (调休放假, made up on Saturday 19 September): a second report sent the same day is due on
Tuesday 29 — the surveys service heard of the schedule from the proposals service; it keeps no copy of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import asyncpg
import holidays
import pytest_asyncio

from eventstore.holiday_calendar import recorded_calendar
from yizheng.infra import Endpoints
from yizheng.testing.command_client import COMMITTEE, OFFICE, CommandClient
from yizheng.testing.platform import InProcessPlatform, in_process_platform
from yizheng.testing.wait import WaitUntil

BRIDGED, MADE_UP = date(2026, 9, 28), date(2026, 9, 19)


@pytest_asyncio.fixture(loop_scope="session")
async def platform(infra: Endpoints, pg_pool: asyncpg.Pool) -> AsyncIterator[InProcessPlatform]:
    async with in_process_platform(infra, pg_pool, label="workdays", pool_max_size=5) as running:
        yield running


def official_schedule_2026() -> dict[str, Any]:
    """The year's schedule as the office records it: the published holidays and make-up days, with the
    Mid-Autumn bridge this county's notice adds."""
    china = holidays.China(years=2026)
    days_off = sorted({d for d in china if d.year == 2026} | {BRIDGED})
    workdays = sorted({d for d in china.weekend_workdays if d.year == 2026} | {MADE_UP})
    return {"year": 2026, "days_off": [d.isoformat() for d in days_off],
            "workdays": [d.isoformat() for d in workdays], "source": "县政府办公室关于2026年中秋节调休的通知"}


async def _report(surveys: CommandClient, n: int) -> dict[str, Any]:
    """A supervision topic, its forum and its report of 24 September, the finding due in one working day."""
    topic = f"s-{n}"
    await surveys.do("open-supervision-topic", {
        "supervision_id": topic, "year": 2026, "title": "优化营商环境专项民主监督", "unit_ids": ["u-market"],
        "team_member_ids": ["m-zhang"]}, OFFICE)
    await surveys.do("log-supervision-activity", {
        "supervision_id": topic, "activity_id": f"{topic}-forum", "kind": "forum", "held_on": "2026-09-22",
        "participant_member_ids": ["m-zhang"], "unit_ids": ["u-market"], "summary": "与企业代表座谈"}, OFFICE)
    return await surveys.do("report-supervision", {
        "supervision_id": topic, "report_id": f"{topic}-r", "reported_on": "2026-09-24", "summary": "监督报告",
        "findings": [{"finding_id": "f1", "title": "涉企审批时限偏长", "text": "部分事项超过承诺办结时限",
                      "unit_ids": ["u-market"], "due_working_days": 1}]}, OFFICE)


async def _recorded_in_surveys(platform: InProcessPlatform) -> bool:
    return (await recorded_calendar(platform.surveys.store, COMMITTEE)).basis(2026) == "recorded"


async def test_a_rectification_is_due_on_the_working_day_the_offices_schedule_says(
        platform: InProcessPlatform, wait_until: WaitUntil) -> None:
    async with CommandClient.over(platform.surveys) as surveys, CommandClient.over(platform.proposals) as proposals:
        before = await _report(surveys, 1)
        assert [(i["item_id"], i["due"]) for i in before["items"]] == [("s-1-r.f1", "2026-09-28")]

        await proposals.do("record-holiday-schedule", official_schedule_2026(), OFFICE)
        await wait_until(lambda: _recorded_in_surveys(platform), timeout=30,
                         message="the surveys service heard of the recorded schedule")

        after = await _report(surveys, 2)
        assert [(i["item_id"], i["due"]) for i in after["items"]] == [("s-2-r.f1", "2026-09-29")]
