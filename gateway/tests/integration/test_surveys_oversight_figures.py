"""Oversight of the surveys work against a hand-computed scenario: the consultation plan's progress by month,
consultation outcomes (and every kind of item) not yet reported by department, overdue rectifications, and
research recommendations without result. The expected numbers are written out, derived in the comments."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Role
from gateway.tests.conftest import Stack
from gateway.tests.harness import Feed, token
from gateway.tests.integration.test_surveys_supervision_research_views import item_opened
from gateway.tests.integration.test_surveys_views import (
    held,
    item_recorded,
    plan_adopted,
    plan_drafted,
    plan_item,
    reopened,
    reported,
    scheduled,
    verdict,
)

AS_OF = "2026-07-01"
OUT, RECT, REC = "consultation_outcome", "rectification", "research_recommendation"


async def the_plan(feed: Feed) -> None:
    """I1 (March) held; I2 (March) scheduled, not held; I3 (May) held; I4 (May) held but then withdrawn;
    I5 (September) not yet scheduled; a 2025 item held (another year)."""
    items = {"I1": plan_item("I1", "topic", "农村饮水安全", 3),
             "I2": plan_item("I2", "counterpart", "河道治理", 3, counterpart_unit_id="U-env"),
             "I3": plan_item("I3", "sector", "民营经济", 5, sectors=["工商联"]),
             "I4": plan_item("I4", "proposal_handling", "重点提案办理", 5, proposal_ids=["P1"]),
             "I5": plan_item("I5", "grassroots", "城关镇基层协商", 9, liaison_group="城关镇委员联络组")}
    await feed.emit(*plan_drafted())
    for item in items.values():
        await feed.emit(*item_recorded(item))
    await feed.emit(*plan_adopted(list(items)))
    await feed.emit(*scheduled("C1", items["I1"], "2026-03-20"))
    await feed.emit(*held("C1", "2026-03-20", ["m1"]))
    await feed.emit(*scheduled("C2", items["I2"], "2026-03-28"))
    await feed.emit(*scheduled("C3", items["I3"], "2026-05-12"))
    await feed.emit(*held("C3", "2026-05-12", ["m1"]))
    await feed.emit(*scheduled("C4", items["I4"], "2026-05-20"))
    await feed.emit(*held("C4", "2026-05-20", ["m1"]))
    await feed.emit("consultation-plan-amended", {"year": 2026, "amendment": 1, "reason": "并入其他议题",
                                                  "after_adoption": True, "withdrawn_item_ids": ["I4"]})
    old = plan_item("I9", "topic", "去年的协商", 6)
    await feed.emit("consultation-plan-item-recorded", {"year": 2025, "amendment": 0, "item": old})
    await feed.emit("consultation-scheduled", {"consultation_id": "C9", "year": 2025, "item": old,
                                               "scheduled_on": "2025-06-10"})
    await feed.emit(*held("C9", "2025-06-10", ["m1"]))


async def the_items(feed: Feed) -> None:
    """Outcomes, rectifications and recommendations in every state (see the test for what each counts in)."""
    emit = feed.emit
    # Consultation outcomes
    await emit(*item_opened("O1", ["U-water", "U-env"], "2026-06-01", subject=OUT, source="C1"))
    await emit(*reported("O1", "U-water", "in_progress", 40, "2026-05-20"))
    await emit(*item_opened("O2", ["U-water"], "2026-08-01", subject=OUT, source="C1"))
    await emit(*item_opened("O3", ["U-env"], "2026-06-01", subject=OUT, source="C3"))
    await emit(*reported("O3", "U-env", "done", 100, "2026-05-25"))
    await emit(*verdict("O3", "implemented", "2026-05-30"))
    # Rectifications
    await emit(*item_opened("F1", ["U-water"], "2026-06-15", subject=RECT, source="S1-R1"))
    await emit(*item_opened("F2", ["U-env"], "2026-06-20", subject=RECT, source="S1-R1"))
    await emit(*reported("F2", "U-env", "done", 100, "2026-06-18"))
    await emit(*item_opened("F3", ["U-env"], "2026-06-10", subject=RECT, source="S1-R1"))
    await emit(*reported("F3", "U-env", "mostly_done", 80, "2026-06-05"))
    await emit(*verdict("F3", "partly", "2026-06-08"))
    await emit(*reopened("F3", "2026-06-25"))
    await emit(*item_opened("F4", ["U-water"], "2026-09-01", subject=RECT, source="S1-R1"))
    # Research recommendations
    await emit(*item_opened("X1", ["U-edu"], "2026-08-15", subject=REC, source="R1"))
    await emit(*item_opened("X2", ["U-edu"], "2026-06-01", subject=REC, source="R1"))
    await emit(*reported("X2", "U-edu", "done", 100, "2026-05-20"))
    await emit(*verdict("X2", "implemented", "2026-05-28"))
    await emit(*item_opened("X3", ["U-edu"], "2026-06-01", subject=REC, source="R1"))
    await emit(*reported("X3", "U-edu", "in_progress", 20, "2026-05-20"))
    await emit(*verdict("X3", "not_implemented", "2026-05-28"))
    await emit(*reopened("X3", "2026-09-30"))
    await emit(*item_opened("X4", ["U-edu"], "2026-06-01", subject=REC, source="R1"))
    await emit(*reported("X4", "U-edu", "in_progress", 30, "2026-05-25"))


OVERSIGHT = """query O($asOf: Date, $kind: TrackedSubject) { oversight(year: 2026, asOf: $asOf) {
  planProgress { year planned held rate months { month planned held rate items { id held } } }
  lastYear: planProgress(year: 2025) { planned held }
  notReported: trackedNotReportedByUnit { unitId count items { id } }
  outcomesNotReported: trackedNotReportedByUnit(kind: $kind) { unitId count items { id } }
  trackedOverdue { id }
  rectificationsOverdue { id due overdue }
  recommendationsWithoutResult { id open round } } }"""


def by_unit(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    return {r["unitId"]: [i["id"] for i in r["items"]] for r in rows if r["count"] == len(r["items"])}


async def test_oversight_figures_of_the_surveys_work(stack: Stack, feed: Feed, committee: str) -> None:
    await the_plan(feed)
    await the_items(feed)
    await feed.settle(stack.gateway.projector)
    seen = (await stack.api.run(OVERSIGHT, {"asOf": AS_OF, "kind": OUT},
                                bearer=token(Role.leadership, committee))).ok()["oversight"]

    # Plan progress 2026: I4 is withdrawn, so 4 items count: March I1 (held) + I2 (not held) = 2 planned,
    # 1 held; May I3 (held) = 1 of 1; September I5 = 0 of 1; the other months 0 of 0. Totals 2 of 4 = 0.5.
    plan = seen["planProgress"]
    assert (plan["year"], plan["planned"], plan["held"], plan["rate"]) == (2026, 4, 2, 0.5)
    months = {m["month"]: m for m in plan["months"]}
    assert sorted(months) == list(range(1, 13))
    assert {m: (r["planned"], r["held"], r["rate"]) for m, r in months.items() if r["planned"]} == {
        3: (2, 1, 0.5), 5: (1, 1, 1.0), 9: (1, 0, 0.0)}
    assert months[1] == {"month": 1, "planned": 0, "held": 0, "rate": None, "items": []}
    assert months[3]["items"] == [{"id": "I1", "held": True}, {"id": "I2", "held": False}]
    assert seen["lastYear"] == {"planned": 1, "held": 1}  # 2025: I9, held

    # Not yet reported in the current round, by department (open items only; O3, X2 are closed):
    #   U-env:   O1 (only the water bureau reported), F3 (reopened: round 2 has no report); F2 is reported
    #   U-water: F1, O2, F4 (by due date: 06-15, 08-01, 09-01); O1 is reported by the water bureau
    #   U-edu:   X1, X3 (reopened, round 2); X4 is reported
    assert by_unit(seen["notReported"]) == {"U-edu": ["X1", "X3"], "U-env": ["O1", "F3"],
                                            "U-water": ["F1", "O2", "F4"]}
    # Consultation outcomes only: U-env O1, U-water O2.
    assert by_unit(seen["outcomesNotReported"]) == {"U-env": ["O1"], "U-water": ["O2"]}

    # Overdue on 07-01 (open, due before, some unit not done): O1 (06-01), X4 (06-01), F1 (06-15), F3 (06-25,
    # round 2). Not F2 (every unit reported done), O2/F4/X1/X3 (due later), O3/X2 (closed).
    assert [i["id"] for i in seen["trackedOverdue"]] == ["O1", "X4", "F1", "F3"]
    assert seen["rectificationsOverdue"] == [{"id": "F1", "due": "2026-06-15", "overdue": True},
                                             {"id": "F3", "due": "2026-06-25", "overdue": True}]
    # Recommendations without result (open: no verdict on the current round): X4 (due 06-01), X1 (08-15),
    # X3 (reopened, due 09-30). X2 was found implemented.
    assert seen["recommendationsWithoutResult"] == [{"id": "X4", "open": True, "round": 1},
                                                    {"id": "X1", "open": True, "round": 1},
                                                    {"id": "X3", "open": True, "round": 2}]

    # A week earlier, F3's new due date (06-25) has not passed and F1's (06-15) has: only F1 is overdue.
    earlier = (await stack.api.run(OVERSIGHT, {"asOf": "2026-06-20", "kind": OUT},
                                   bearer=token(Role.office_staff, committee))).ok()["oversight"]
    assert [i["id"] for i in earlier["rectificationsOverdue"]] == ["F1"]
