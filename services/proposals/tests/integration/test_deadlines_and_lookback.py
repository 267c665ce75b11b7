"""Deadlines against the real store and read model, driven by the watcher on an injected clock."""

from __future__ import annotations

from datetime import date

from proposals import streams

from ..flows import assigned
from ..integration_kit import COMMITTEE, Api, FakeClock, ProposalsService, event_types
from ..kit import OFFICE, member, unit

WATER, HEALTH = unit("u-water"), unit("u-health")


async def test_overdue_is_detected_across_the_national_day_holiday(api: Api, service: ProposalsService,
                                                                   clock: FakeClock) -> None:
    clock.set(date(2026, 7, 1))
    pid = await assigned(api, mode="separate", unit_ids=["u-water", "u-health"])
    stream = streams.proposal(COMMITTEE, pid)

    # 1 October + the holiday: the deadline is Thursday 8 October, and that whole day is still on time.
    clock.set(date(2026, 10, 8), hour=23)
    await api.caught_up()
    assert await service.parts.watcher.tick() == []
    on_time = await api.do("reply-to-proposal", {"proposal_id": pid, "result_class": "A", "text": "已解决"}, WATER)
    assert on_time["events"] == ["proposal-replied"]

    clock.set(date(2026, 10, 9), hour=9)
    await api.caught_up()
    written = await service.parts.watcher.tick()
    assert len(written) == 1 and (await event_types(service, stream))[-1] == "handling-overdue"
    history = await service.store.read_stream(stream)
    overdue = history[-1].event
    assert (overdue.unit_id, overdue.deadline) == ("u-health", date(2026, 10, 8))  # type: ignore[attr-defined]
    await api.caught_up()
    assert await service.parts.watcher.tick() == [], "flagged once"

    await api.do("reply-to-proposal", {"proposal_id": pid, "result_class": "C", "text": "留作参考"}, HEALTH)
    replies = [e.event for e in await service.store.read_stream(stream) if e.envelope.type == "proposal-replied"]
    assert [(r.unit_id, r.on_time) for r in replies] == [("u-water", True), ("u-health", False)]  # type: ignore[attr-defined]


async def test_a_b_commitment_falling_due_opens_a_lookback_that_reopens_followup(
        api: Api, service: ProposalsService, clock: FakeClock) -> None:
    clock.set(date(2026, 3, 16))
    pid = await assigned(api)
    stream = streams.proposal(COMMITTEE, pid)
    await api.do("reply-to-proposal", {"proposal_id": pid, "result_class": "B", "text": "列入年度计划",
                                       "commitments": [{"text": "6月底前完成管网改造", "due": "2026-06-30"}]}, WATER)
    # Rated in time: the watcher has no evaluation to lapse.
    await api.do("evaluate-reply", {"proposal_id": pid, "unit_id": "u-water", "rating": "satisfied",
                                    "attitude": "satisfied", "contact": "satisfied"}, member("m-zhang"))

    clock.set(date(2026, 6, 29))
    await api.caught_up()
    assert await service.parts.watcher.tick() == []
    clock.set(date(2026, 6, 30))
    assert len(await service.parts.watcher.tick()) == 1
    opened = (await service.store.read_stream(stream))[-1].event
    assert opened.event_type == "lookback-opened"
    await api.caught_up()
    assert await service.parts.watcher.tick() == [], "one look-back per commitment"

    concluded = await api.do("conclude-commitment-lookback", {
        "proposal_id": pid, "lookback_id": opened.lookback_id, "outcome": "not",  # type: ignore[attr-defined]
        "notes": "仅完成3个村"}, OFFICE)
    assert concluded["events"] == ["lookback-concluded", "handling-reopened"]
    again = await api.do("reply-to-proposal", {"proposal_id": pid, "result_class": "A", "text": "已全部完成"}, WATER)
    assert again["events"] == ["proposal-replied"]
    reply = (await service.store.read_stream(stream))[-1].event
    assert reply.round == 2  # type: ignore[attr-defined]


async def test_recording_the_official_schedule_moves_a_deadline_due_next_year(
        api: Api, service: ProposalsService, clock: FakeClock) -> None:
    clock.set(date(2026, 11, 6))
    pid = await assigned(api)
    stream = streams.proposal(COMMITTEE, pid)
    assigned_event = next(e.event for e in await service.store.read_stream(stream)
                          if e.envelope.type == "proposal-assigned")
    assert assigned_event.deadline == date(2027, 2, 11)  # type: ignore[attr-defined]  # rule-based 2027

    clock.set(date(2026, 11, 20))
    await api.do("record-holiday-schedule", {
        "year": 2027, "days_off": [f"2027-02-{d:02d}" for d in range(5, 14)], "workdays": ["2027-01-31"],
        "source": "国办发明电〔2026〕X号"}, OFFICE)
    await api.caught_up()
    await service.parts.watcher.tick()
    moved = (await service.store.read_stream(stream))[-1].event
    assert moved.event_type == "handling-deadline-recomputed"
    assert (moved.previous_deadline, moved.deadline) == (date(2027, 2, 11), date(2027, 2, 15))  # type: ignore[attr-defined]
    await api.caught_up()
    assert await service.parts.watcher.tick() == []


async def test_a_recommendation_report_is_looked_back_at_when_due(api: Api, service: ProposalsService,
                                                                  clock: FakeClock) -> None:
    clock.set(date(2026, 5, 20))
    rid = (await api.do("record-recommendation-report", {
        "title": "关于推进县域医共体建设的建议案", "addressed_to": "县委、县政府", "sent_on": "2026-05-20",
        "lookback_due": "2026-11-20"}, OFFICE))["recommendation_id"]
    clock.set(date(2026, 11, 20))
    await api.caught_up()
    assert len(await service.parts.watcher.tick()) == 1
    opened = (await service.store.read_stream(streams.recommendation(COMMITTEE, rid)))[-1].event
    assert opened.event_type == "lookback-opened"
    result = await api.do("conclude-recommendation-lookback", {
        "recommendation_id": rid, "lookback_id": opened.lookback_id, "outcome": "partly"}, OFFICE)  # type: ignore[attr-defined]
    assert result["events"] == ["lookback-concluded", "lookback-scheduled"]  # partly: looked back at again
