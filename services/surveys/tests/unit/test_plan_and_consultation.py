"""The yearly consultation plan and its sessions, decided without I/O: items of each kind drafted, adopted by
the chair meeting, amended with a reason; a session only from an item of an adopted plan; outcomes only from
a held session, sent to someone, each opening a tracked item."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from contracts.surveys import commands as c
from contracts.surveys.consultation import ConsultationKind, ConsultationOutcomeRecorded
from contracts.surveys.consultation_plan import ConsultationPlanAmended, ConsultationScheduled
from contracts.surveys.tracking import TrackedSubject
from surveys.domain.consultation import CONSULTATION, ConsultationState, RecordOutcome, Schedule, outcome_tracking
from surveys.domain.plan import PLAN, PlanState, PlanStatus
from surveys.domain.tracking import TRACKED, TrackedState

from ..kit import LEADER, OFFICE, Harness, member, outcome, plan_draft, plan_items, types, unit


def draft(**extra: Any) -> c.DraftConsultationPlan:
    return c.DraftConsultationPlan.model_validate({**plan_draft(), **extra})


def amend(reason: str = "县委新增专题协商任务", items: list[dict[str, Any]] | None = None,
          withdraw: list[str] | None = None) -> c.AmendConsultationPlan:
    return c.AmendConsultationPlan.model_validate({"year": 2026, "reason": reason, "items": items or [],
                                                   "withdraw_item_ids": withdraw or []})


ADOPT = c.AdoptConsultationPlan.model_validate({"year": 2026, "adopted_on": "2026-03-20",
                                                "meeting": "十六届县政协第十二次主席会议"})


@pytest.fixture
def plan() -> Harness[PlanState]:
    h: Harness[PlanState] = Harness(PLAN, today=date(2026, 3, 20))
    h.run(draft(), OFFICE)
    return h


@pytest.fixture
def adopted(plan: Harness[PlanState]) -> Harness[PlanState]:
    plan.run(ADOPT, LEADER)
    return plan


# ---- the plan -------------------------------------------------------------------------------------------------

def test_the_office_drafts_a_plan_with_items_of_every_kind(plan: Harness[PlanState]) -> None:
    assert types(plan.events) == ["consultation-plan-drafted"] + ["consultation-plan-item-recorded"] * 5
    assert plan.state.status is PlanStatus.draft
    assert {i.kind for i in plan.state.items.values()} == set(ConsultationKind)
    assert plan.state.items["i-sector"].sectors == ["经济界", "工商联"]
    assert plan.refused(draft(), OFFICE, "plan_exists").fields == ["year"]


def test_drafting_is_for_the_office() -> None:
    h: Harness[PlanState] = Harness(PLAN)
    h.refused(draft(), LEADER, "not_authorized")
    h.refused(draft(), unit("u-env"), "not_authorized")


@pytest.mark.parametrize(("index", "change", "rule", "field"), [
    (1, {"counterpart_unit_id": None}, "plan_item_incomplete", "items.1.counterpart_unit_id"),
    (2, {"sectors": []}, "plan_item_incomplete", "items.2.sectors"),
    (3, {"proposal_ids": []}, "plan_item_incomplete", "items.3.proposal_ids"),
    (4, {"liaison_group": None}, "plan_item_incomplete", "items.4.liaison_group"),
    (0, {"sectors": ["经济界"]}, "plan_item_field_not_for_kind", "items.0.sectors"),
    (1, {"liaison_group": "城关镇政协联络组"}, "plan_item_field_not_for_kind", "items.1.liaison_group"),
    (2, {"sectors": ["经济界", "经济界"]}, "duplicate_ids", "items.2.sectors"),
])
def test_an_item_fills_exactly_its_kinds_fields(index: int, change: dict[str, Any], rule: str, field: str) -> None:
    items = plan_items()
    items[index] = {**items[index], **change}
    h: Harness[PlanState] = Harness(PLAN)
    assert h.refused(draft(items=items), OFFICE, rule).fields == [field]


def test_two_items_with_one_id_are_refused() -> None:
    items = plan_items()
    items[1] = {**items[1], "item_id": "i-topic"}
    h: Harness[PlanState] = Harness(PLAN)
    assert h.refused(draft(items=items), OFFICE, "duplicate_ids").fields == ["items"]


def test_the_chair_meeting_adopts_once_on_a_past_day(plan: Harness[PlanState]) -> None:
    plan.refused(ADOPT, unit("u-env"), "not_authorized")
    future = c.AdoptConsultationPlan.model_validate({**ADOPT.model_dump(), "adopted_on": "2026-03-21"})
    assert plan.refused(future, LEADER, "date_in_future").fields == ["adopted_on"]
    (event,) = plan.run(ADOPT, OFFICE)  # the office records the chair meeting's decision, or a leader does
    assert event.item_ids == list(plan.state.items)  # type: ignore[attr-defined]
    plan.refused(ADOPT, LEADER, "plan_already_adopted")


def test_an_adopted_plan_is_amended_with_a_reason(adopted: Harness[PlanState]) -> None:
    new = {"item_id": "i-new", "kind": "topic", "title": "优化营商环境专题协商", "lead": "经济委员会",
           "planned_month": 10}
    assert adopted.refused(amend(reason=" "), OFFICE, "reason_required").fields == ["reason"]
    assert adopted.refused(amend(), OFFICE, "amendment_empty").fields == ["items", "withdraw_item_ids"]
    assert adopted.refused(amend(items=[new], withdraw=["i-nope"]), OFFICE,
                           "plan_item_not_found").fields == ["withdraw_item_ids"]
    assert adopted.refused(amend(items=[new], withdraw=["i-new"]), OFFICE,
                           "plan_item_not_found").fields == ["withdraw_item_ids"]
    adopted.refused(amend(items=[new]), LEADER, "not_authorized")
    header, recorded = adopted.run(amend(items=[new], withdraw=["i-grassroots"]), OFFICE)
    assert isinstance(header, ConsultationPlanAmended) and header.after_adoption and header.amendment == 1
    assert header.withdrawn_item_ids == ["i-grassroots"] and header.recorded_item_ids == ["i-new"]
    assert recorded.item.item_id == "i-new" and recorded.amendment == 1  # type: ignore[attr-defined]
    assert set(adopted.state.items) == {"i-topic", "i-counterpart", "i-sector", "i-proposal", "i-new"}
    assert adopted.state.status is PlanStatus.adopted
    all_ids = list(adopted.state.items)
    assert adopted.refused(amend(withdraw=all_ids), OFFICE, "plan_without_items").fields == ["withdraw_item_ids"]
    both = amend(items=[new], withdraw=["i-new"])
    assert adopted.refused(both, OFFICE, "item_recorded_and_withdrawn").fields == ["items", "withdraw_item_ids"]


def test_an_unknown_plan_is_not_found_naming_the_year() -> None:
    h: Harness[PlanState] = Harness(PLAN)
    assert h.refused(ADOPT, LEADER, "plan_not_found").fields == ["year"]


# ---- sessions ---------------------------------------------------------------------------------------------------

def schedule(plan: PlanState, item_id: str = "i-counterpart", cid: str = "c-1") -> Schedule:
    cmd = c.ScheduleConsultation.model_validate({"year": 2026, "item_id": item_id, "scheduled_on": "2026-04-10",
                                                 "venue": "县政协三楼会议室"})
    return Schedule(cid, cmd, plan)


HOLD = c.HoldConsultation.model_validate({"consultation_id": "c-1", "held_on": "2026-04-10",
                                          "participant_member_ids": ["m-zhang", "m-li"],
                                          "summary": "县生态环境局通报情况"})


def test_a_session_is_scheduled_only_from_an_item_of_an_adopted_plan(plan: Harness[PlanState]) -> None:
    h: Harness[ConsultationState] = Harness(CONSULTATION, today=date(2026, 4, 1))
    assert h.refused(schedule(PlanState()), OFFICE, "plan_not_found").fields == ["year"]
    assert h.refused(schedule(plan.state), OFFICE, "plan_not_adopted").fields == ["year"]
    plan.run(ADOPT, LEADER)
    assert h.refused(schedule(plan.state, "i-nope"), OFFICE, "plan_item_not_found").fields == ["item_id"]
    h.refused(schedule(plan.state), unit("u-env"), "not_authorized")
    (event,) = h.run(schedule(plan.state), OFFICE)
    assert isinstance(event, ConsultationScheduled) and event.item.counterpart_unit_id == "u-env"
    assert h.refused(schedule(plan.state), OFFICE, "consultation_exists").fields == ["consultation_id"]


def test_a_withdrawn_item_schedules_nothing(adopted: Harness[PlanState]) -> None:
    adopted.run(amend(withdraw=["i-grassroots"]), OFFICE)
    h: Harness[ConsultationState] = Harness(CONSULTATION)
    h.refused(schedule(adopted.state, "i-grassroots"), OFFICE, "plan_item_not_found")


@pytest.fixture
def held(adopted: Harness[PlanState]) -> Harness[ConsultationState]:
    h: Harness[ConsultationState] = Harness(CONSULTATION, today=date(2026, 4, 1))
    h.run(schedule(adopted.state), OFFICE)
    h.advance(to=date(2026, 4, 24))
    h.run(HOLD, OFFICE)
    return h


def record(**extra: Any) -> RecordOutcome:
    return RecordOutcome("o-1", c.RecordConsultationOutcome.model_validate(outcome("c-1", **extra)))


def test_a_session_is_held_once_on_a_past_day(adopted: Harness[PlanState]) -> None:
    h: Harness[ConsultationState] = Harness(CONSULTATION, today=date(2026, 4, 9))
    assert h.refused(HOLD, OFFICE, "consultation_not_found").fields == ["consultation_id"]
    h.run(schedule(adopted.state), OFFICE)
    h.refused(record(), OFFICE, "consultation_not_held")
    assert h.refused(HOLD, OFFICE, "date_in_future").fields == ["held_on"]
    twice = c.HoldConsultation.model_validate({**HOLD.model_dump(mode="json"),
                                               "participant_member_ids": ["m-zhang", "m-zhang"]})
    h.advance(to=date(2026, 4, 10))
    assert h.refused(twice, OFFICE, "duplicate_ids").fields == ["participant_member_ids"]
    h.run(HOLD, OFFICE)
    h.refused(HOLD, OFFICE, "consultation_already_held")


def test_an_outcome_goes_to_the_party_committee_or_the_government(held: Harness[ConsultationState]) -> None:
    assert held.refused(record(sent_to=[]), OFFICE, "outcome_sent_to_nobody").fields == ["sent_to"]
    assert held.refused(record(sent_to=["county_government"] * 2), OFFICE, "duplicate_ids").fields == ["sent_to"]
    assert held.refused(record(sent_on="2026-04-09"), OFFICE, "outcome_before_session").fields == ["sent_on"]
    held.refused(record(), member("m-zhang"), "not_authorized")
    (event,) = held.run(record(), OFFICE)
    assert isinstance(event, ConsultationOutcomeRecorded)
    assert event.kind is ConsultationKind.counterpart and event.held_on == date(2026, 4, 10)
    assert event.sent_to == ["county_party_committee", "county_government"]
    assert event.participant_member_ids == ["m-zhang", "m-li"]
    assert event.implementation_due == date(2026, 5, 6)  # five working days, the Labour Day holiday skipped
    assert held.refused(record(), OFFICE, "outcome_exists").fields == ["outcome_id"]


def test_each_outcome_is_a_tracked_item_sent_to_its_departments(held: Harness[ConsultationState]) -> None:
    opening = outcome_tracking(held.state, record())
    assert opening.subject is TrackedSubject.consultation_outcome and opening.source_id == "c-1"
    assert opening.unit_ids == ("u-env", "u-water") and opening.item_id == "o-1"
    item: Harness[TrackedState] = Harness(TRACKED, today=held.today)
    (opened,) = item.run(opening, OFFICE)
    assert opened.due == date(2026, 5, 6)  # type: ignore[attr-defined]  # the outcome's implementation_due
    nobody = outcome_tracking(held.state, record(responsible_unit_ids=[]))
    fresh: Harness[TrackedState] = Harness(TRACKED, today=held.today)
    assert fresh.refused(nobody, OFFICE, "no_responsible_unit").fields == ["responsible_unit_ids"]
