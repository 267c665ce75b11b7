"""Which units owe a reply, proposal by proposal, as the office reads it — and as the oversight totals count it.

P1 (deadline 2026-06-20) goes to U1 as lead with U2 and U3 co-handling; U3 asks to be re-assigned and the office
moves its part to U4. As of 2026-07-01, without any reply, only U1 owes one and is overdue: a co-handling unit
contributes to the lead's reply, and a unit re-assigned away owes nothing. Once U1 has replied and U2 co-signed,
nobody owes anything."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Role
from gateway.tests import events as ev
from gateway.tests.conftest import Stack
from gateway.tests.harness import Feed, token

HANDLING = """
query H($id: ID!, $d: Date) {
  proposal(id: $id) { handling { unitId role active awaitingReply overdue(asOf: $d) } }
  oversight(year: 2026, asOf: $d) { overdueByUnit { unitId count } }
}"""


async def _handling(stack: Stack, committee: str) -> tuple[dict[str, tuple[Any, ...]], int]:
    office = token(Role.office_staff, committee)
    data = (await stack.api.run(HANDLING, {"id": "P1", "d": "2026-07-01"}, bearer=office)).ok()
    rows = {h["unitId"]: (h["role"], h["active"], h["awaitingReply"], h["overdue"])
            for h in data["proposal"]["handling"]}
    return rows, sum(u["count"] for u in data["oversight"]["overdueByUnit"])


async def test_only_the_lead_owes_the_reply_and_a_unit_moved_away_owes_nothing(
        stack: Stack, feed: Feed, committee: str) -> None:
    await feed.emit(*ev.member_registered("m1", "张一"))
    for unit_id, name in (("U1", "县教育局"), ("U2", "县财政局"), ("U3", "县人社局"), ("U4", "县住建局")):
        await feed.emit(*ev.unit_registered(unit_id, name))
    await feed.emit(*ev.proposal_submitted("P1", "关于校车安全的提案", "m1"))
    await feed.emit(*ev.proposal_accepted("P1", "2026-001", "m1"))
    await feed.emit(*ev.proposal_assigned("P1", ["U1", "U2", "U3"], "2026-06-20"))
    await feed.emit("reassignment-requested", {"proposal_id": "P1", "unit_id": "U3", "reason": "不属本局职责",
                                               "suggested_unit_id": "U4"})
    await feed.emit("reassignment-granted", {
        "proposal_id": "P1", "unit_id": "U3", "new_unit_id": "U4", "role": "co", "reason": "同意",
        "granted_on": "2026-03-24", "deadline": "2026-06-20", "reassignment_window_ends": "2026-03-27",
        "lead_unit_id": "U1", "co_unit_ids": ["U2", "U4"], "unit_ids": ["U1", "U2", "U4"]})
    await feed.settle(stack.gateway.projector)

    rows, overdue = await _handling(stack, committee)
    assert rows == {"U1": ("lead", True, True, True), "U2": ("co", True, False, False),
                    "U3": ("co", False, False, False), "U4": ("co", True, False, False)}
    assert overdue == sum(1 for *_, late in rows.values() if late) == 1, "the fields agree with the totals"

    await feed.emit(*ev.replied("P1", "U1", "A", on_time=False, replied_on="2026-06-25", deadline="2026-06-20"))
    await feed.emit("reply-cosigned", {"proposal_id": "P1", "unit_id": "U2", "lead_unit_id": "U1", "round": 1})
    await feed.settle(stack.gateway.projector)
    rows, overdue = await _handling(stack, committee)
    assert not any(awaiting or late for _, _, awaiting, late in rows.values()) and overdue == 0
