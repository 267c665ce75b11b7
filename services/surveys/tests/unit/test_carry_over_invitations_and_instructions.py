"""The consultation pieces that join records, decided without I/O: items of the year's plan carried over to
next year's (结转), a session's invitations and who came uninvited, outcomes that are parts of another outcome
and name the proposals and public-opinion reports they grew from, and the county leaders' instructions on an
outcome (领导批示)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from contracts.surveys import commands as c
from contracts.surveys.consultation_plan import ConsultationPlanItemRecorded, ConsultationPlanItemsCarriedOver
from contracts.surveys.instructions import ConsultationOutcomeInstructionRecorded
from surveys.domain.consultation import (
    CONSULTATION,
    ConsultationState,
    RecordInstruction,
    RecordOutcome,
    Schedule,
    outcome_tracking,
)
from surveys.domain.plan import PLAN, CarryIn, CarryOver, ItemHeld, PlanState, PlanStatus, carried_items
from surveys.domain.tracking import TRACKED, TrackedState, parent_progress

from ..kit import LEADER, OFFICE, Harness, outcome, plan_draft, types, unit

ADOPT = c.AdoptConsultationPlan.model_validate({"year": 2026, "adopted_on": "2026-03-20",
                                                "meeting": "十六届县政协第十二次主席会议"})


def carry(*item_ids: str, reason: str = "年内未能召开，结转下年度", year: int = 2026) -> c.CarryOverPlanItems:
    return c.CarryOverPlanItems.model_validate({"year": year, "item_ids": list(item_ids), "reason": reason})


@pytest.fixture
def adopted() -> Harness[PlanState]:
    h: Harness[PlanState] = Harness(PLAN, today=date(2026, 3, 20))
    h.run(c.DraftConsultationPlan.model_validate(plan_draft()), OFFICE)
    h.run(ADOPT, LEADER)
    h.advance(to=date(2026, 12, 20))
    return h


def carried_to(this: Harness[PlanState], nxt: Harness[PlanState], cmd: c.CarryOverPlanItems) -> list[str]:
    """Both sides, the way the handler runs them: this year's plan decides, next year's receives."""
    (carried,) = this.run(CarryOver(cmd, nxt.state), OFFICE)
    assert isinstance(carried, ConsultationPlanItemsCarriedOver)
    return types(nxt.run(CarryIn(cmd, carried, carried_items(this.state, carried)), OFFICE))


# ---- carried over to next year ------------------------------------------------------------------------------

def test_an_item_not_held_is_carried_over_into_a_plan_the_carry_over_drafts(adopted: Harness[PlanState]) -> None:
    nxt: Harness[PlanState] = Harness(PLAN, today=adopted.today)
    assert carried_to(adopted, nxt, carry("i-grassroots")) == [
        "consultation-plan-drafted", "consultation-plan-items-carried-over", "consultation-plan-item-recorded"]
    # This year's plan keeps the item, marked carried to 2027; next year's holds it, marked where it came from.
    assert adopted.state.carried_over == {"i-grassroots": 2027} and "i-grassroots" in adopted.state.items
    assert nxt.state.status is PlanStatus.draft and nxt.state.year == 2027
    assert nxt.state.title == "2027年度协商监督计划"
    moved = nxt.state.items["i-grassroots"]
    assert moved.carried_over_from == 2026 and moved.liaison_group == "城关镇政协联络组"
    assert nxt.state.carried_over == {}  # the event on next year's stream marks nothing carried out of it


def test_into_a_drafted_next_plan_the_items_join_its_draft(adopted: Harness[PlanState]) -> None:
    nxt: Harness[PlanState] = Harness(PLAN, today=adopted.today)
    nxt.run(c.DraftConsultationPlan.model_validate(plan_draft(2027, items=[
        {"item_id": "i-2027-1", "kind": "topic", "title": "乡村振兴专题协商", "lead": "农业农村委员会",
         "planned_month": 4}])), OFFICE)
    assert carried_to(adopted, nxt, carry("i-grassroots", "i-sector")) == [
        "consultation-plan-items-carried-over", *["consultation-plan-item-recorded"] * 2]
    assert set(nxt.state.items) == {"i-2027-1", "i-grassroots", "i-sector"}
    recorded = [e for e in nxt.events if isinstance(e, ConsultationPlanItemRecorded)]
    assert recorded[-1].amendment == 0 and recorded[-1].item.carried_over_from == 2026


def test_carrying_over_is_refused_by_the_rule_it_breaks(adopted: Harness[PlanState]) -> None:
    nxt: Harness[PlanState] = Harness(PLAN, today=adopted.today)
    adopted.run(c.AmendConsultationPlan.model_validate({"year": 2026, "reason": "并入专题协商",
                                                        "withdraw_item_ids": ["i-sector"]}), OFFICE)
    adopted.run(ItemHeld("c-1", "i-counterpart", date(2026, 4, 10)), OFFICE)
    for ids, rule in ((["i-counterpart"], "plan_item_held"), (["i-sector"], "plan_item_withdrawn"),
                      (["i-nowhere"], "plan_item_not_found"), (["i-topic", "i-topic"], "duplicate_ids")):
        assert adopted.refused(CarryOver(carry(*ids), nxt.state), OFFICE, rule).fields == ["item_ids"]
    assert adopted.refused(CarryOver(carry("i-topic", reason=" "), nxt.state), OFFICE,
                           "reason_required").fields == ["reason"]
    adopted.refused(CarryOver(carry("i-topic"), nxt.state), LEADER, "not_authorized")
    adopted.refused(CarryOver(carry("i-topic"), nxt.state), unit("u-env"), "not_authorized")
    carried_to(adopted, nxt, carry("i-topic"))
    assert adopted.refused(CarryOver(carry("i-topic"), nxt.state), OFFICE,
                           "plan_item_already_carried_over").fields == ["item_ids"]


def test_only_an_adopted_plan_carries_over_and_only_into_a_next_plan_not_yet_adopted() -> None:
    draft: Harness[PlanState] = Harness(PLAN, today=date(2026, 3, 20))
    assert draft.refused(CarryOver(carry("i-topic"), PlanState()), OFFICE, "plan_not_found").fields == ["year"]
    draft.run(c.DraftConsultationPlan.model_validate(plan_draft()), OFFICE)
    assert draft.refused(CarryOver(carry("i-topic"), PlanState()), OFFICE, "plan_not_adopted").fields == ["year"]
    draft.run(ADOPT, LEADER)
    nxt: Harness[PlanState] = Harness(PLAN, today=date(2026, 3, 20))
    nxt.run(c.DraftConsultationPlan.model_validate(plan_draft(2027)), OFFICE)  # the same item ids
    assert draft.refused(CarryOver(carry("i-topic"), nxt.state), OFFICE, "plan_item_exists").fields == ["item_ids"]
    nxt.run(c.AdoptConsultationPlan.model_validate({**ADOPT.model_dump(mode="json"), "year": 2027}), LEADER)
    assert draft.refused(CarryOver(carry("i-topic"), nxt.state), OFFICE, "next_plan_adopted").fields == ["year"]


def test_a_carried_item_is_no_longer_scheduled_or_held_this_year(adopted: Harness[PlanState]) -> None:
    session: Harness[ConsultationState] = Harness(CONSULTATION, today=adopted.today)
    schedule = c.ScheduleConsultation.model_validate({"year": 2026, "item_id": "i-grassroots",
                                                      "scheduled_on": "2026-12-28"})
    session.run(Schedule("c-late", schedule, adopted.state), OFFICE)  # scheduled, then not held in time
    carried_to(adopted, Harness(PLAN, today=adopted.today), carry("i-grassroots"))
    another: Harness[ConsultationState] = Harness(CONSULTATION, today=adopted.today)
    assert another.refused(Schedule("c-2", schedule, adopted.state), OFFICE,
                           "plan_item_carried_over").fields == ["item_id"]
    assert adopted.refused(ItemHeld("c-late", "i-grassroots", date(2026, 12, 20)), OFFICE,
                           "plan_item_carried_over").fields == ["consultation_id"]


# ---- invitations ------------------------------------------------------------------------------------------------

def scheduled(plan: PlanState, **invited: Any) -> Harness[ConsultationState]:
    h: Harness[ConsultationState] = Harness(CONSULTATION, today=date(2026, 4, 1))
    cmd = c.ScheduleConsultation.model_validate({"year": 2026, "item_id": "i-counterpart",
                                                 "scheduled_on": "2026-04-10", **invited})
    h.run(Schedule("c-1", cmd, plan), OFFICE)
    return h


def hold(*participants: str) -> c.HoldConsultation:
    return c.HoldConsultation.model_validate({"consultation_id": "c-1", "held_on": "2026-04-10",
                                              "participant_member_ids": list(participants)})


def test_a_session_invites_members_organizations_and_departments(adopted: Harness[PlanState]) -> None:
    h = scheduled(adopted.state, invited_member_ids=["m-zhang", "m-li"], invited_organization_ids=["o-minmeng"],
                  invited_unit_ids=["u-env", "u-water"])
    event = h.events[0]
    assert event.invited_member_ids == ["m-zhang", "m-li"]  # type: ignore[attr-defined]
    assert event.invited_organization_ids == ["o-minmeng"]  # type: ignore[attr-defined]
    assert event.invited_unit_ids == ["u-env", "u-water"]  # type: ignore[attr-defined]
    # A member who came without an invitation is recorded as such, not refused.
    h.advance(to=date(2026, 4, 10))
    (held,) = h.run(hold("m-zhang", "m-wang"), OFFICE)
    assert held.uninvited_participant_ids == ["m-wang"]  # type: ignore[attr-defined]


def test_a_session_that_invited_no_one_by_name_has_no_uninvited_members(adopted: Harness[PlanState]) -> None:
    h = scheduled(adopted.state, invited_unit_ids=["u-env"])
    h.advance(to=date(2026, 4, 10))
    (held,) = h.run(hold("m-zhang"), OFFICE)
    assert held.uninvited_participant_ids == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("field", ["invited_member_ids", "invited_organization_ids", "invited_unit_ids"])
def test_an_invitation_names_each_once(adopted: Harness[PlanState], field: str) -> None:
    h: Harness[ConsultationState] = Harness(CONSULTATION, today=date(2026, 4, 1))
    cmd = c.ScheduleConsultation.model_validate({"year": 2026, "item_id": "i-counterpart",
                                                 "scheduled_on": "2026-04-10", field: ["x-1", "x-1"]})
    assert h.refused(Schedule("c-1", cmd, adopted.state), OFFICE, "duplicate_ids").fields == [field]


# ---- outcomes: parts, links, instructions -------------------------------------------------------------------------

@pytest.fixture
def held(adopted: Harness[PlanState]) -> Harness[ConsultationState]:
    h = scheduled(adopted.state)
    h.advance(to=date(2026, 4, 24))
    h.run(hold("m-zhang", "m-li"), OFFICE)
    return h


def record(oid: str, **extra: Any) -> RecordOutcome:
    return RecordOutcome(oid, c.RecordConsultationOutcome.model_validate(outcome("c-1", **extra)))


def test_an_outcome_names_what_it_grew_from_and_may_be_part_of_another(held: Harness[ConsultationState]) -> None:
    (parent,) = held.run(record("o-1", proposal_ids=["p-2026-017"], opinion_report_ids=["sq-2026-031"]), OFFICE)
    assert parent.proposal_ids == ["p-2026-017"]  # type: ignore[attr-defined]
    assert parent.opinion_report_ids == ["sq-2026-031"]  # type: ignore[attr-defined]
    assert parent.sent_on == date(2026, 4, 24) and parent.parent_outcome_id is None  # type: ignore[attr-defined]
    assert held.refused(record("o-2", parent_outcome_id="o-nowhere"), OFFICE,
                        "parent_outcome_not_found").fields == ["parent_outcome_id"]
    assert held.refused(record("o-2", parent_outcome_id="o-2"), OFFICE,
                        "parent_outcome_not_found").fields == ["parent_outcome_id"]
    assert held.refused(record("o-2", proposal_ids=["p-1", "p-1"]), OFFICE, "duplicate_ids").fields == [
        "proposal_ids"]
    (child,) = held.run(record("o-2", parent_outcome_id="o-1"), OFFICE)
    assert child.parent_outcome_id == "o-1"  # type: ignore[attr-defined]
    assert outcome_tracking(held.state, record("o-3", parent_outcome_id="o-1")).parent_item_id == "o-1"


def test_a_parents_progress_is_its_childrens() -> None:
    def item(oid: str, parent: str | None) -> Harness[TrackedState]:
        h: Harness[TrackedState] = Harness(TRACKED, today=date(2026, 4, 24))
        state = ConsultationState(consultation_id="c-1", outcomes={"o-1": date(2026, 4, 24)})
        h.run(outcome_tracking(state, record(oid, parent_outcome_id=parent)), OFFICE)
        return h

    a, b = item("o-2", "o-1"), item("o-3", "o-1")
    assert a.state.parent_item_id == "o-1"
    a.advance(to=date(2026, 5, 6))
    a.run(c.ReportTrackedItemProgress.model_validate({"item_id": "o-2", "status": "done", "progress": 100,
                                                      "text": "已完成", "reported_on": "2026-05-06"}), unit("u-env"))
    assert parent_progress([a.state, b.state]) == 25  # one child 50 % (one of its two departments done), one 0 %


def instruction(**extra: Any) -> RecordInstruction:
    return RecordInstruction("in-1", c.RecordOutcomeInstruction.model_validate({
        "consultation_id": "c-1", "outcome_id": "o-1", "leader": "县委书记王建国", "level": "county_party_committee",
        "text": "请县生态环境局、县水利局认真研究落实", "instructed_on": "2026-04-24", **extra}))


def test_a_county_leaders_instruction_is_recorded_on_an_outcome_once_sent(held: Harness[ConsultationState]) -> None:
    assert held.refused(instruction(), OFFICE, "outcome_not_found").fields == ["outcome_id"]
    held.run(record("o-1"), OFFICE)
    assert held.refused(instruction(instructed_on="2026-04-23"), OFFICE,
                        "instruction_before_sending").fields == ["instructed_on"]
    assert held.refused(instruction(instructed_on="2026-04-25"), OFFICE,
                        "date_in_future").fields == ["instructed_on"]
    held.refused(instruction(), LEADER, "not_authorized")
    (event,) = held.run(instruction(), OFFICE)
    assert isinstance(event, ConsultationOutcomeInstructionRecorded)
    assert (event.outcome_id, event.leader, event.level.value) == ("o-1", "县委书记王建国", "county_party_committee")
    assert held.refused(instruction(), OFFICE, "instruction_exists").fields == ["instruction_id"]
