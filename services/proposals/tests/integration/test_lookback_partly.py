"""A look-back found partly implemented schedules the next one, on the committee's interval, against the real
store and read model; the deadline watcher opens it on its day (injected clock)."""

from __future__ import annotations

from datetime import date

from proposals import streams

from ..flows import assigned
from ..integration_kit import COMMITTEE, Api, FakeClock, ProposalsService
from ..kit import OFFICE, member, unit

WATER = unit("u-water")


async def test_a_commitment_partly_kept_is_looked_back_at_again_after_the_committees_interval(
        api: Api, service: ProposalsService, clock: FakeClock) -> None:
    clock.set(date(2026, 3, 16))
    pid = await assigned(api)
    stream = streams.proposal(COMMITTEE, pid)
    await api.do("reply-to-proposal", {"proposal_id": pid, "result_class": "B", "text": "列入年度计划",
                                       "commitments": [{"text": "6月底前完成管网改造", "due": "2026-06-30"}]}, WATER)
    # The committee's office looks back every four months, not the default three.
    await api.refused("set-lookback-interval", {"months": 4}, member("m-zhang"), "not_authorized")
    await api.do("set-lookback-interval", {"months": 4}, OFFICE)

    clock.set(date(2026, 6, 30))
    await api.caught_up()
    assert len(await service.parts.watcher.tick()) == 1
    opened = (await service.store.read_stream(stream))[-1].event
    concluded = await api.do("conclude-commitment-lookback", {
        "proposal_id": pid, "lookback_id": opened.lookback_id, "outcome": "partly",  # type: ignore[attr-defined]
        "notes": "完成6个村中的4个"}, OFFICE)
    # 30 October 2026 is a Friday, a working day.
    assert concluded["events"] == ["lookback-concluded", "lookback-scheduled"]
    assert concluded["next_lookback_due"] == "2026-10-30"

    clock.set(date(2026, 10, 29))
    await api.caught_up()
    assert await service.parts.watcher.tick() == []
    clock.set(date(2026, 10, 30))
    assert len(await service.parts.watcher.tick()) == 1
    second = (await service.store.read_stream(stream))[-1].event
    assert second.event_type == "lookback-opened"
    assert (second.lookback_id, second.due) == (f"{opened.commitment_id}-lb2", date(2026, 10, 30))  # type: ignore[attr-defined]
    await api.caught_up()
    assert await service.parts.watcher.tick() == [], "opened once"


async def test_a_recommendation_report_partly_implemented_gets_its_next_lookback(
        api: Api, service: ProposalsService, clock: FakeClock) -> None:
    clock.set(date(2026, 5, 20))
    rid = (await api.do("record-recommendation-report", {
        "title": "关于推进县域医共体建设的建议案", "addressed_to": "县委、县政府", "sent_on": "2026-05-20",
        "lookback_due": "2026-08-20"}, OFFICE))["recommendation_id"]
    clock.set(date(2026, 8, 20))
    await api.caught_up()
    assert len(await service.parts.watcher.tick()) == 1
    opened = (await service.store.read_stream(streams.recommendation(COMMITTEE, rid)))[-1].event
    await api.refused("conclude-recommendation-lookback", {
        "recommendation_id": rid, "lookback_id": opened.lookback_id, "outcome": "partly",  # type: ignore[attr-defined]
        "next_lookback_due": "2026-08-01"}, OFFICE, "next_lookback_not_after_today")
    result = await api.do("conclude-recommendation-lookback", {
        "recommendation_id": rid, "lookback_id": opened.lookback_id, "outcome": "partly"}, OFFICE)  # type: ignore[attr-defined]
    # Three months on is Friday 20 November.
    assert result["events"] == ["lookback-concluded", "lookback-scheduled"]
    assert result["next_lookback_due"] == "2026-11-20"
    clock.set(date(2026, 11, 20))
    await api.caught_up()
    assert len(await service.parts.watcher.tick()) == 1
    again = (await service.store.read_stream(streams.recommendation(COMMITTEE, rid)))[-1].event
    assert (again.event_type, again.lookback_id) == ("lookback-opened", f"{rid}-lb2")  # type: ignore[attr-defined]
