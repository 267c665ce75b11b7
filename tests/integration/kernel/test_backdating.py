"""Back-dated steps, through the proposals service's command API (the kernel's mechanism, any back-datable command):
the office enters on Wednesday 25 March 2026 a reply letter the water bureau sent on Wednesday 18 March, for a
proposal assigned on Monday 2 March with its deadline on Friday 20 March. The reply counts as given on the 18th,
on time, although it was recorded after the deadline; the event keeps who recorded it and when.

What is refused, each by its rule and storing nothing: a member or a unit giving the day, a day later than today,
a day in another year, a day before the step it follows, and a day on a command no paper ever dates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
import pytest_asyncio

from contracts.clock import CHINA_TZ, local_date
from proposals.service import DEFINITION
from runtime.service_host import HostConfig, ServiceHost, build_service
from yizheng.testing.command_client import OFFICE, CommandClient, FakeClock, member, unit

ZHANG = member("m-zhang")
WATER = unit("u-water")
ASSIGNED, DEADLINE, LETTER, RECORDED = date(2026, 3, 2), date(2026, 3, 20), date(2026, 3, 18), date(2026, 3, 25)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()  # Monday 2 March 2026, 10:00 in China


@pytest_asyncio.fixture(loop_scope="session")
async def proposals(database_url: str, fresh_schema: str, clock: FakeClock) -> AsyncIterator[CommandClient]:
    service: ServiceHost[Any] = await build_service(DEFINITION, HostConfig(
        dsn=database_url, schema=fresh_schema, clock=clock, run_workers=False, pool_max_size=5))
    await service.start()
    try:
        async with CommandClient.over(service) as client:
            yield client
    finally:
        await service.stop()


async def _assigned(api: CommandClient) -> str:
    """A proposal submitted, accepted and assigned to the water bureau on 2 March, due on 20 March."""
    pid: str = (await api.do("draft-proposal", {
        "submitter_kind": "individual", "category": "society", "title": "关于加强农村饮用水安全保障的建议",
        "case": "部分村组饮用水水质不稳定", "analysis": "管网老化，监测不足", "suggestions": ["更新管网"]},
        ZHANG))["proposal_id"]
    await api.do("submit-proposal", {"proposal_id": pid}, ZHANG)
    await api.do("accept-proposal", {"proposal_id": pid, "reason": "符合立案标准"}, OFFICE)
    await api.do("assign-proposal", {"proposal_id": pid, "mode": "separate", "unit_ids": ["u-water"],
                                     "deadline": DEADLINE.isoformat()}, OFFICE)
    return pid


def _reply(pid: str, occurred_on: date | None, **extra: Any) -> dict[str, Any]:
    body = {"proposal_id": pid, "result_class": "A", "text": "已完成管网改造", **extra}
    return {**body, "occurred_on": occurred_on.isoformat()} if occurred_on else body


async def _stored_reply(api: CommandClient, pid: str) -> Any:
    stream = next(s for s in await _streams(api) if pid in s)
    return next(e for e in await api.service.store.read_stream(stream) if e.envelope.type == "proposal-replied")


async def _streams(api: CommandClient) -> list[str]:
    rows = await api.service.pool.fetch(f"SELECT DISTINCT stream_id FROM {api.service.store.schema}.events")
    return [r["stream_id"] for r in rows]


async def test_a_reply_letter_entered_after_the_deadline_counts_on_the_day_it_was_sent(
        proposals: CommandClient, clock: FakeClock) -> None:
    pid = await _assigned(proposals)
    clock.set(RECORDED)

    await proposals.do("reply-to-proposal", _reply(pid, LETTER, unit_id="u-water"), OFFICE)

    reply = await _stored_reply(proposals, pid)
    assert reply.event.replied_on == LETTER and reply.event.on_time, "replied on the 18th, before the deadline"
    assert reply.envelope.occurred_at == datetime.combine(LETTER, time(23, 59, 59), CHINA_TZ)
    assert reply.envelope.recorded_at is not None and reply.envelope.recorded_at > reply.envelope.occurred_at
    assert reply.envelope.actor.id == OFFICE.id, "who recorded it"


async def test_only_the_office_gives_a_step_the_day_it_happened(proposals: CommandClient, clock: FakeClock) -> None:
    pid = await _assigned(proposals)
    clock.set(RECORDED)
    error = await proposals.refused("reply-to-proposal", _reply(pid, LETTER), WATER, "backdating_not_allowed")
    assert error["fields"] == ["occurred_on"]
    other = (await proposals.do("draft-proposal", {
        "submitter_kind": "individual", "category": "economy", "title": "关于减轻企业负担的建议",
        "case": "案由", "analysis": "分析", "suggestions": ["建议"]}, ZHANG))["proposal_id"]
    await proposals.refused("submit-proposal", {"proposal_id": other, "occurred_on": "2026-03-20"}, ZHANG,
                            "backdating_not_allowed")


async def test_a_day_later_than_today_or_in_another_year_is_refused(
        proposals: CommandClient, clock: FakeClock) -> None:
    pid = await _assigned(proposals)
    clock.set(RECORDED)
    error = await proposals.refused("reply-to-proposal", _reply(pid, date(2026, 3, 26), unit_id="u-water"), OFFICE,
                                    "occurred_in_future")
    assert error["details"]["today"] == "2026-03-25"
    await proposals.refused("reply-to-proposal", _reply(pid, date(2025, 12, 30), unit_id="u-water"), OFFICE,
                            "occurred_outside_year")


async def test_a_reply_dated_before_the_assignment_is_refused(proposals: CommandClient, clock: FakeClock) -> None:
    clock.set(date(2026, 3, 2), hour=9)
    pid = await _assigned(proposals)
    clock.set(RECORDED)
    error = await proposals.refused("reply-to-proposal", _reply(pid, date(2026, 3, 1), unit_id="u-water"), OFFICE,
                                    "occurred_before_previous_step")
    assert error["details"]["previous_step"] == "proposal-assigned"
    assert error["details"]["previous_on"] == ASSIGNED.isoformat()
    # The same day as the assignment follows it.
    await proposals.do("reply-to-proposal", _reply(pid, ASSIGNED, unit_id="u-water"), OFFICE)
    assert local_date((await _stored_reply(proposals, pid)).envelope.occurred_at) == ASSIGNED


async def test_a_step_no_paper_dates_takes_no_day(proposals: CommandClient, clock: FakeClock) -> None:
    pid = await _assigned(proposals)
    response = await proposals.post("cosign-reply", {"proposal_id": pid, "occurred_on": "2026-03-02"}, WATER)
    assert response.status_code == 400 and response.json()["error"]["fields"] == ["occurred_on"]


async def test_today_given_as_the_day_is_an_ordinary_step(proposals: CommandClient, clock: FakeClock) -> None:
    pid = await _assigned(proposals)
    clock.set(RECORDED, hour=15)
    await proposals.do("reply-to-proposal", _reply(pid, RECORDED, unit_id="u-water"), OFFICE)
    reply = await _stored_reply(proposals, pid)
    assert reply.envelope.occurred_at == clock.now.astimezone(UTC) and not reply.event.on_time


async def test_a_feedback_form_collected_at_a_meeting_is_entered_on_its_day(
        proposals: CommandClient, clock: FakeClock) -> None:
    pid = await _assigned(proposals)
    clock.set(RECORDED)
    await proposals.do("reply-to-proposal", _reply(pid, LETTER, unit_id="u-water"), OFFICE)
    form = {"proposal_id": pid, "unit_id": "u-water", "rating": "satisfied", "attitude": "satisfied",
            "contact": "satisfied", "occurred_on": "2026-03-24"}
    await proposals.refused("evaluate-reply", form, ZHANG, "backdating_not_allowed")
    await proposals.refused("evaluate-reply", form, OFFICE, "member_required")
    await proposals.do("evaluate-reply", {**form, "member_id": "m-zhang"}, OFFICE)

    stream = next(s for s in await _streams(proposals) if pid in s)
    evaluated = next(e for e in await proposals.service.store.read_stream(stream)
                     if e.envelope.type == "proposal-evaluated")
    assert evaluated.envelope.data["member_id"] == "m-zhang"
    assert local_date(evaluated.envelope.occurred_at) == date(2026, 3, 24)
    assert evaluated.envelope.actor.id == OFFICE.id


async def test_a_letter_sent_in_time_is_on_time_though_the_watcher_already_marked_it_overdue(
        proposals: CommandClient, clock: FakeClock) -> None:
    """The deadline watcher's mark is the platform's, not a step the reply follows: the letter is entered anyway."""
    pid = await _assigned(proposals)
    clock.set(RECORDED)
    await proposals.service.projectors["read_model"].catch_up()
    assert len(await proposals.service.parts.watcher.tick()) == 1, "the handling is marked overdue on the 25th"

    await proposals.do("reply-to-proposal", _reply(pid, LETTER, unit_id="u-water"), OFFICE)
    reply = await _stored_reply(proposals, pid)
    assert reply.event.replied_on == LETTER and reply.event.on_time
