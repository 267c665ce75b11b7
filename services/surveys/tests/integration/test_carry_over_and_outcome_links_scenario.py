"""The year's end of a consultation plan and what joins its records, through the HTTP command API on the real
PostgreSQL, in the domain's words: a counterpart consultation invites members, a democratic party and the two
departments, a member comes uninvited; its outcome on sewage treatment is split into two parts, each sent to
its department, and names the proposal and the public-opinion report it grew from; the county party
secretary instructs on it; at the year's end the grassroots consultation that never took place is carried
over to next year's plan, which the carry-over drafts, while the held consultation cannot be. Each refusal
names its rule, with nothing stored."""

from __future__ import annotations

from datetime import date

from surveys import streams

from ..integration_kit import Api, FakeClock, SurveysService, event_types
from ..kit import COMMITTEE, LEADER, OFFICE, outcome, plan_draft, unit

ADOPT = {"year": 2026, "adopted_on": "2026-03-20", "meeting": "十六届县政协第十二次主席会议"}
SESSION = {"consultation_id": "c-sewage", "year": 2026, "item_id": "i-counterpart", "scheduled_on": "2026-04-10",
           "invited_member_ids": ["m-zhang", "m-li"], "invited_organization_ids": ["o-minjian"],
           "invited_unit_ids": ["u-env", "u-water"]}
HELD = {"consultation_id": "c-sewage", "held_on": "2026-04-10", "participant_member_ids": ["m-zhang", "m-wang"],
        "speaker_member_ids": ["m-wang"]}
INSTRUCTION = {"consultation_id": "c-sewage", "outcome_id": "o-sewage", "instruction_id": "in-1",
               "leader": "县委书记王建国", "level": "county_party_committee",
               "text": "请县生态环境局、县水利局认真研究，抓好落实", "instructed_on": "2026-04-28"}
CARRY = {"year": 2026, "item_ids": ["i-grassroots"], "reason": "城关镇老旧小区改造方案调整，年内未能召开，结转下年度"}


async def test_a_years_consultations_joined_up_and_an_item_carried_over_to_next_year(
        api: Api, service: SurveysService, clock: FakeClock) -> None:
    clock.set(date(2026, 3, 16))
    await api.do("draft-consultation-plan", plan_draft(), OFFICE)
    clock.set(date(2026, 3, 20))
    await api.do("adopt-consultation-plan", ADOPT, LEADER)

    # Invitations go to two members, a democratic party and the two departments; a third member comes too.
    clock.set(date(2026, 4, 1))
    await api.do("schedule-consultation", SESSION, OFFICE)
    clock.set(date(2026, 4, 10))
    held = await api.do("hold-consultation", HELD, OFFICE)
    assert held["events"] == ["consultation-held", "consultation-plan-item-held"]
    stored = [e.event for e in await service.store.read_stream(streams.consultation(COMMITTEE, "c-sewage"))]
    assert stored[0].invited_organization_ids == ["o-minjian"]  # type: ignore[attr-defined]
    assert stored[1].uninvited_participant_ids == ["m-wang"]  # type: ignore[attr-defined]

    # The outcome, from a proposal and a public-opinion report, in two parts: one per department.
    clock.set(date(2026, 4, 24))
    await api.do("record-consultation-outcome", outcome(
        "c-sewage", outcome_id="o-sewage", proposal_ids=["p-2026-017"], opinion_report_ids=["sq-2026-031"]), OFFICE)
    for part, department in (("o-sewage-pipes", "u-env"), ("o-sewage-funds", "u-water")):
        sent = await api.do("record-consultation-outcome", outcome(
            "c-sewage", outcome_id=part, parent_outcome_id="o-sewage", responsible_unit_ids=[department]), OFFICE)
        assert sent["events"] == ["consultation-outcome-recorded", "tracked-item-opened"]
    piece = next(e.event for e in await service.store.read_stream(streams.tracked_item(COMMITTEE, "o-sewage-pipes")))
    assert piece.parent_item_id == "o-sewage"  # type: ignore[attr-defined]
    orphan = await api.refused("record-consultation-outcome", outcome("c-sewage", parent_outcome_id="o-elsewhere"),
                               OFFICE, "parent_outcome_not_found")
    assert orphan["fields"] == ["parent_outcome_id"]

    # The county party secretary instructs on it, after it was sent.
    clock.set(date(2026, 4, 28))
    instructed = await api.do("record-outcome-instruction", INSTRUCTION, OFFICE)
    assert instructed == {"consultation_id": "c-sewage", "outcome_id": "o-sewage", "instruction_id": "in-1",
                          "events": ["consultation-outcome-instruction-recorded"]}
    early = await api.refused("record-outcome-instruction", {**INSTRUCTION, "instruction_id": "in-2",
                                                             "instructed_on": "2026-04-20"},
                              OFFICE, "instruction_before_sending")
    assert early["fields"] == ["instructed_on"]
    await api.refused("record-outcome-instruction", {**INSTRUCTION, "outcome_id": "o-nowhere"}, OFFICE,
                      "outcome_not_found")
    await api.refused("record-outcome-instruction", INSTRUCTION, unit("u-env"), "not_authorized")

    # At the year's end: the grassroots consultation never took place, so it is carried over; the
    # counterpart one was held and stays.
    clock.set(date(2026, 11, 30))
    held_item = await api.refused("carry-over-plan-items", {**CARRY, "item_ids": ["i-counterpart"]}, OFFICE,
                                  "plan_item_held")
    assert held_item["fields"] == ["item_ids"]
    await api.refused("carry-over-plan-items", {**CARRY, "item_ids": ["i-nowhere"]}, OFFICE, "plan_item_not_found")
    await api.refused("carry-over-plan-items", CARRY, LEADER, "not_authorized")
    carried = await api.do("carry-over-plan-items", CARRY, OFFICE)
    assert carried == {"year": 2026, "to_year": 2027, "item_ids": ["i-grassroots"], "events": [
        "consultation-plan-items-carried-over", "consultation-plan-drafted", "consultation-plan-items-carried-over",
        "consultation-plan-item-recorded"]}
    again = await api.refused("carry-over-plan-items", CARRY, OFFICE, "plan_item_already_carried_over")
    assert again["fields"] == ["item_ids"]
    late = await api.refused("schedule-consultation", {"year": 2026, "item_id": "i-grassroots",
                                                       "scheduled_on": "2026-12-30"}, OFFICE,
                             "plan_item_carried_over")
    assert late["fields"] == ["item_id"]

    assert (await event_types(service, streams.consultation_plan(COMMITTEE, 2026)))[-2:] == [
        "consultation-plan-item-held", "consultation-plan-items-carried-over"]
    next_year = [e.event for e in await service.store.read_stream(streams.consultation_plan(COMMITTEE, 2027))]
    assert next_year[0].title == "2027年度协商监督计划"  # type: ignore[attr-defined]
    assert next_year[2].item.carried_over_from == 2026  # type: ignore[attr-defined]
    assert next_year[2].item.item_id == "i-grassroots"  # type: ignore[attr-defined]

    # Next year's plan is adopted by the chair meeting with the carried item; one cannot carry into it then.
    clock.set(date(2026, 12, 1))
    await api.do("adopt-consultation-plan", {**ADOPT, "year": 2027, "adopted_on": "2026-12-01"}, LEADER)
    await api.do("schedule-consultation", {"year": 2027, "item_id": "i-grassroots", "scheduled_on": "2027-03-10"},
                 OFFICE)
    await api.refused("carry-over-plan-items", {**CARRY, "item_ids": ["i-topic"]}, OFFICE, "next_plan_adopted")
