"""Consultation (协商议政) through the HTTP command API on the real PostgreSQL, in the domain's words: the
office drafts the year's plan, the chair meeting adopts it, a counterpart consultation is scheduled from one
of its items and held, its outcome goes to the county party committee and government and to the two
departments responsible, one department's report comes back, the office follows up with the other, finds
the outcome partly implemented, reopens follow-up, and after the second department's report finds it
implemented. Then the bad input the office and the departments send, each refused by its rule and field,
with nothing stored."""

from __future__ import annotations

from datetime import date
from typing import Any

from surveys import streams

from ..integration_kit import OTHER_COMMITTEE, Api, FakeClock, SurveysService, event_types
from ..kit import COMMITTEE, LEADER, OFFICE, member, outcome, plan_draft, unit

ENV, WATER, HEALTH = unit("u-env"), unit("u-water"), unit("u-health")
ADOPT = {"year": 2026, "adopted_on": "2026-03-20", "meeting": "十六届县政协第十二次主席会议"}
SESSION = {"consultation_id": "c-sewage", "year": 2026, "item_id": "i-counterpart", "scheduled_on": "2026-04-10",
           "venue": "县政协三楼会议室"}
HELD = {"consultation_id": "c-sewage", "held_on": "2026-04-10", "participant_member_ids": ["m-zhang", "m-li"],
        "summary": "县生态环境局通报农村生活污水治理情况，委员协商讨论"}


def report(on: str, status: str = "in_progress", progress: int = 60, **extra: Any) -> dict[str, Any]:
    return {"item_id": "o-sewage", "status": status, "progress": progress, "reported_on": on,
            "text": "已完成12个村污水管网建设，其余村组正在施工", **extra}


async def held_session(api: Api, clock: FakeClock) -> None:
    """The plan drafted and adopted, the counterpart consultation scheduled and held."""
    clock.set(date(2026, 3, 16))
    await api.do("draft-consultation-plan", plan_draft(), OFFICE)
    clock.set(date(2026, 3, 20))
    await api.do("adopt-consultation-plan", ADOPT, LEADER)
    clock.set(date(2026, 4, 1))
    await api.do("schedule-consultation", SESSION, OFFICE)
    clock.set(date(2026, 4, 10))
    await api.do("hold-consultation", HELD, OFFICE)


async def sent_outcome(api: Api, clock: FakeClock) -> dict[str, Any]:
    await held_session(api, clock)
    clock.set(date(2026, 4, 24))
    return await api.do("record-consultation-outcome", outcome("c-sewage", outcome_id="o-sewage"), OFFICE)


async def test_a_consultation_from_plan_item_to_an_outcome_implemented_after_a_returned_report(
        api: Api, service: SurveysService, clock: FakeClock) -> None:
    clock.set(date(2026, 3, 16))
    drafted = await api.do("draft-consultation-plan", plan_draft(), OFFICE)
    assert drafted["events"] == ["consultation-plan-drafted", *["consultation-plan-item-recorded"] * 5]

    # The chair meeting adopts the plan; the office amends it afterwards, keeping the reason.
    clock.set(date(2026, 3, 20))
    await api.do("adopt-consultation-plan", ADOPT, LEADER)
    clock.set(date(2026, 3, 25))
    amended = await api.do("amend-consultation-plan", {
        "year": 2026, "reason": "县委交办：增加优化营商环境专题协商",
        "items": [{"item_id": "i-business", "kind": "topic", "title": "优化营商环境专题协商", "lead": "经济委员会",
                   "planned_month": 10}]}, OFFICE)
    assert amended["events"] == ["consultation-plan-amended", "consultation-plan-item-recorded"]

    # A counterpart consultation with the ecology and environment bureau, from the adopted plan's item.
    clock.set(date(2026, 4, 1))
    scheduled = await api.do("schedule-consultation", SESSION, OFFICE)
    assert scheduled == {"consultation_id": "c-sewage", "events": ["consultation-scheduled"]}
    clock.set(date(2026, 4, 10))
    await api.do("hold-consultation", HELD, OFFICE)

    # The outcome goes to the party committee and the government, and to the two departments responsible,
    # due five working days later (the Labour Day holiday is not counted).
    clock.set(date(2026, 4, 24))
    sent = await api.do("record-consultation-outcome", outcome("c-sewage", outcome_id="o-sewage"), OFFICE)
    assert sent["events"] == ["consultation-outcome-recorded", "tracked-item-opened"]
    assert (sent["item_id"], sent["due"], sent["phase"], sent["progress"]) == ("o-sewage", "2026-05-06", "open", 0)

    # The ecology and environment bureau reports back; the water bureau does not, so the office follows up.
    clock.set(date(2026, 5, 6))
    first = await api.do("report-tracked-item-progress", report("2026-05-06", milestones=[
        {"reached_on": "2026-04-30", "text": "完成管网建设招标"}]), ENV)
    assert (first["progress"], first["round"]) == (30, 1)  # 60 % from one of two departments
    clock.set(date(2026, 5, 7))
    await api.do("follow-up-tracked-item", {"item_id": "o-sewage", "method": "notice", "followed_up_on": "2026-05-07",
                                            "unit_ids": ["u-water"], "note": "请县水利局按期报送落实情况"}, OFFICE)
    clock.set(date(2026, 5, 8))
    partly = await api.do("record-tracked-item-verdict", {"item_id": "o-sewage", "verdict": "partly",
                                                          "notes": "水利局负责部分未落实"}, OFFICE)
    assert partly["phase"] == "concluded"

    # Partly implemented: follow-up reopens, and a new report must come back before a new verdict.
    reopened = await api.do("reopen-tracked-item", {"item_id": "o-sewage", "reason": "水利局负责部分尚未落实",
                                                    "due_working_days": 10}, OFFICE)
    assert (reopened["round"], reopened["due"], reopened["phase"]) == (2, "2026-05-21", "open")
    await api.refused("record-tracked-item-verdict", {"item_id": "o-sewage", "verdict": "implemented"}, OFFICE,
                      "verdict_needs_report")
    clock.set(date(2026, 5, 20))
    await api.do("report-tracked-item-progress", report("2026-05-20", status="done", progress=100), WATER)
    done = await api.do("record-tracked-item-verdict", {"item_id": "o-sewage", "verdict": "implemented",
                                                        "notes": "经实地查看，已全部落实"}, OFFICE)
    assert (done["phase"], done["progress"]) == ("concluded", 100)
    await api.refused("reopen-tracked-item", {"item_id": "o-sewage", "reason": "再看看"}, OFFICE,
                      "tracked_item_implemented")

    assert await event_types(service, streams.consultation(COMMITTEE, "c-sewage")) == [
        "consultation-scheduled", "consultation-held", "consultation-outcome-recorded"]
    assert await event_types(service, streams.tracked_item(COMMITTEE, "o-sewage")) == [
        "tracked-item-opened", "tracked-item-progress-reported", "tracked-item-followed-up",
        "tracked-item-verdict-recorded", "tracked-item-reopened", "tracked-item-progress-reported",
        "tracked-item-verdict-recorded"]
    recorded = next(e.event for e in await service.store.read_stream(streams.consultation(COMMITTEE, "c-sewage"))
                    if e.envelope.type == "consultation-outcome-recorded")
    assert recorded.model_dump(mode="json") == {
        "consultation_id": "c-sewage", "outcome_id": "o-sewage", "kind": "counterpart",
        "title": "关于加快农村生活污水治理的协商意见", "held_on": "2026-04-10",
        "participant_member_ids": ["m-zhang", "m-li"],
        "sent_to": ["county_party_committee", "county_government"], "implementation_due": "2026-05-06",
        "sent_on": "2026-04-24", "parent_outcome_id": None, "proposal_ids": [], "opinion_report_ids": []}


async def test_a_session_for_an_item_not_in_an_adopted_plan_is_refused(api: Api, clock: FakeClock) -> None:
    clock.set(date(2026, 3, 16))
    no_plan = await api.refused("schedule-consultation", SESSION, OFFICE, "plan_not_found")
    assert no_plan["fields"] == ["year"]
    await api.do("draft-consultation-plan", plan_draft(), OFFICE)
    draft_only = await api.refused("schedule-consultation", SESSION, OFFICE, "plan_not_adopted")
    assert draft_only["fields"] == ["year"] and "adopted" in draft_only["message"]
    clock.set(date(2026, 3, 20))
    await api.do("adopt-consultation-plan", ADOPT, OFFICE)
    not_an_item = await api.refused("schedule-consultation", {**SESSION, "item_id": "i-nowhere"}, OFFICE,
                                    "plan_item_not_found")
    assert not_an_item["fields"] == ["item_id"]
    # Another committee's plan names nothing here.
    await api.refused("schedule-consultation", SESSION, OFFICE, "plan_not_found", committee=OTHER_COMMITTEE)
    # Withdrawn by an amendment: no longer in the plan.
    await api.do("amend-consultation-plan", {"year": 2026, "reason": "并入专题协商",
                                             "withdraw_item_ids": ["i-counterpart"]}, OFFICE)
    await api.refused("schedule-consultation", SESSION, OFFICE, "plan_item_not_found")


async def test_a_progress_report_by_a_department_not_asked_is_refused(api: Api, clock: FakeClock) -> None:
    await sent_outcome(api, clock)
    clock.set(date(2026, 5, 6))
    error = await api.refused("report-tracked-item-progress", report("2026-05-06"), HEALTH, "unit_not_responsible")
    assert "u-health" in error["message"]
    await api.refused("report-tracked-item-progress", report("2026-05-06"), OFFICE, "not_authorized")
    urged = await api.refused("follow-up-tracked-item", {"item_id": "o-sewage", "method": "call",
                                                         "followed_up_on": "2026-05-06", "unit_ids": ["u-health"]},
                              OFFICE, "unit_not_responsible")
    assert urged["fields"] == ["unit_ids"]


async def test_a_verdict_before_any_report_is_refused(api: Api, clock: FakeClock) -> None:
    await sent_outcome(api, clock)
    clock.set(date(2026, 5, 8))
    error = await api.refused("record-tracked-item-verdict", {"item_id": "o-sewage", "verdict": "not_implemented"},
                              OFFICE, "verdict_needs_report")
    assert "since it was sent" in error["message"]
    await api.refused("record-tracked-item-verdict", {"item_id": "o-nowhere", "verdict": "implemented"}, OFFICE,
                      "tracked_item_not_found")


async def test_a_past_fact_dated_in_the_future_is_refused_naming_its_field(api: Api, clock: FakeClock) -> None:
    await held_session(api, clock)
    clock.set(date(2026, 4, 24))
    # Later than the service's today: the decider's rule.
    tomorrow = await api.refused("record-consultation-outcome",
                                 outcome("c-sewage", outcome_id="o-sewage", sent_on="2026-04-25"), OFFICE,
                                 "date_in_future")
    assert tomorrow["fields"] == ["sent_on"]
    # Later than today on any clock: the command's own bound (PastDate), before any handler runs.
    far = await api.refused("record-consultation-outcome", outcome("c-sewage", sent_on="2099-01-01"), OFFICE,
                            "invalid_command")
    assert far["fields"] == ["sent_on"] and "later than today" in far["message"]
    await api.do("record-consultation-outcome", outcome("c-sewage", outcome_id="o-sewage"), OFFICE)
    clock.set(date(2026, 5, 6))
    report_ahead = await api.refused("report-tracked-item-progress", report("2026-05-07"), ENV, "date_in_future")
    assert report_ahead["fields"] == ["reported_on"]
    milestone = await api.refused("report-tracked-item-progress", report("2026-05-06", milestones=[
        {"reached_on": "2099-05-01", "text": "完工"}]), ENV, "invalid_command")
    assert milestone["fields"] == ["milestones.0.reached_on"]


async def test_an_outcome_sent_to_nobody_is_refused(api: Api, clock: FakeClock) -> None:
    await held_session(api, clock)
    clock.set(date(2026, 4, 24))
    nobody = await api.refused("record-consultation-outcome", outcome("c-sewage", sent_to=[]), OFFICE,
                               "outcome_sent_to_nobody")
    assert nobody["fields"] == ["sent_to"]
    no_department = await api.refused("record-consultation-outcome", outcome("c-sewage", responsible_unit_ids=[]),
                                      OFFICE, "no_responsible_unit")
    assert no_department["fields"] == ["responsible_unit_ids"]
    unknown = await api.refused("record-consultation-outcome", outcome("c-sewage", sent_to=["county_court"]),
                                OFFICE, "invalid_command")
    assert unknown["fields"] == ["sent_to.0"]
    await api.refused("record-consultation-outcome", outcome("c-sewage"), member("m-zhang"), "not_authorized")


async def test_an_outcome_comes_only_from_a_held_session(api: Api, clock: FakeClock) -> None:
    clock.set(date(2026, 3, 16))
    await api.do("draft-consultation-plan", plan_draft(), OFFICE)
    clock.set(date(2026, 3, 20))
    await api.do("adopt-consultation-plan", ADOPT, LEADER)
    await api.do("schedule-consultation", SESSION, OFFICE)
    await api.refused("record-consultation-outcome", outcome("c-sewage", sent_on="2026-03-20"), OFFICE,
                      "consultation_not_held")
    await api.refused("record-consultation-outcome", outcome("c-nowhere", sent_on="2026-03-20"), OFFICE,
                      "consultation_not_found")
