"""The office's work queue (`workQueue.officeItems`) against a county scenario computed by hand
(year 2026, as of 2026-07-01):

  R1 submitted 03-01, not yet reviewed                                          -> to review, since 03-01
  A1 accepted 03-05, not yet assigned                                            -> to assign, since 03-05
  P1 joint (m1 + co-signer m2): U1 lead + U2 co, deadline 06-20; U1 replied A 06-10; m1 evaluated, m2 not
                                                                                 -> evaluation missing (m2)
  P2 to U1, deadline 06-15, no reply                                             -> U1 overdue 16 days
  P3 separately to U2 and U3, deadline 06-25; U2 replied B 06-30 (m4 has not evaluated); U3 never replied
                                                                                 -> U3 overdue 6 days,
     evaluation missing (m4); U2's commitment C1 due 06-01, look-back L1 open    -> look-back due 30 days;
     U2's commitment C3 due 06-20, its look-back not yet opened by the watcher   -> look-back due 11 days
  P4 key proposal (leader m3) to U3, assigned 03-20, deadline 09-30, last progress report 05-01
                                                                                 -> key report due 05-31
  P5 to U2; U2 asks to be re-assigned 03-25                                      -> re-assignment request
  RR1 recommendation report: look-back RR1-lb1 concluded partly, RR1-lb2 scheduled for 06-28
                                                                                 -> look-back due 3 days
  RR2 recommendation report, look-back due 06-30, not yet opened                 -> look-back due 1 day
Co-handling U2 on P1 is never chased for a reply. Another committee's proposals never show."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from contracts.envelope import Role
from gateway.tests import events as ev
from gateway.tests.conftest import Stack
from gateway.tests.harness import Feed, token
from gateway.tests.integration.test_live import Subscriber, subscribed
from yizheng.testing.wait import wait_until

AS_OF = "2026-07-01"
QUEUE = """
query Q($d: Date, $k: [OfficeWork!]) {
  workQueue {
    total
    officeItems(asOf: $d, kinds: $k) {
      id kind labelZh reason since due daysOverdue proposalId number title unitId memberIds
      commitmentId lookbackId recommendationId
      proposal { title } unit { name } members { name }
    }
  }
}"""
OVERSIGHT = """
query O($d: Date) {
  oversight(year: 2026, asOf: $d) {
    overdueByUnit { unitId items { proposalId daysOverdue } }
    lookbacks { due { id } }
    commitmentsOverdue { id }
  }
}"""


def on(day: str) -> datetime:
    """A moment of that day in the county (the views date a step by the county's day)."""
    return datetime.fromisoformat(f"{day}T02:00:00").replace(tzinfo=UTC)


async def scenario(feed: Feed) -> None:
    emit = feed.emit
    for m, name, sector in (("m1", "张一", "education"), ("m2", "李二", "education"), ("m3", "王三", "economy"),
                            ("m4", "赵四", "economy")):
        await emit(*ev.member_registered(m, name, sector))
    for unit, name in (("U1", "教育局"), ("U2", "交通局"), ("U3", "卫健委")):
        await emit(*ev.unit_registered(unit, name))
    await emit(*ev.proposal_submitted("R1", "待审查的提案", "m1"), at=on("2026-03-01"))
    await emit(*ev.proposal_submitted("A1", "待交办的提案", "m2"), at=on("2026-03-02"))
    await emit(*ev.proposal_accepted("A1", "2026-010", "m2", sequence=10), at=on("2026-03-05"))
    # P1: joint, the lead replied, one proposer of two evaluated
    await emit(*ev.proposal_submitted("P1", "校车安全", "m1", cosigners=["m2"]))
    await emit(*ev.proposal_accepted("P1", "2026-001", "m1", sequence=1, cosigners=["m2"]))
    await emit(*ev.proposal_assigned("P1", ["U1", "U2"], "2026-06-20"))
    await emit(*ev.replied("P1", "U1", "A", on_time=True, replied_on="2026-06-10", deadline="2026-06-20"))
    await emit(*ev.evaluated("P1", "U1", "m1", "satisfied"))
    # P2: overdue
    await emit(*ev.proposal_submitted("P2", "乡村教师", "m2"))
    await emit(*ev.proposal_accepted("P2", "2026-002", "m2", sequence=2))
    await emit(*ev.proposal_assigned("P2", ["U1"], "2026-06-15"))
    # P3: one unit replied late (B, with commitments), the other never
    await emit(*ev.proposal_submitted("P3", "县道养护", "m4", category="economy"))
    await emit(*ev.proposal_accepted("P3", "2026-003", "m4", sequence=3, category="economy"))
    await emit(*ev.proposal_assigned("P3", ["U2", "U3"], "2026-06-25", mode="separate"))
    await emit(*ev.replied("P3", "U2", "B", on_time=False, replied_on="2026-06-30", deadline="2026-06-25"))
    for cid, due in (("C1", "2026-06-01"), ("C3", "2026-06-20")):
        await emit("commitment-recorded", {"proposal_id": "P3", "commitment_id": cid, "unit_id": "U2", "round": 1,
                                           "text": "年内完成养护", "due": due})
    await emit("lookback-opened", {"lookback_id": "L1", "subject": "commitment", "due": "2026-06-01",
                                   "proposal_id": "P3", "commitment_id": "C1", "unit_id": "U2"})
    # P4: a key proposal whose last progress report is two months old
    await emit(*ev.proposal_submitted("P4", "医共体建设", "m3", category="economy"))
    await emit(*ev.proposal_accepted("P4", "2026-004", "m3", sequence=4, category="economy"))
    await emit("key-proposal-designated", {"proposal_id": "P4", "year": 2026, "supervising_leaders": ["m3"],
                                           "lead_member_id": "m3", "cosigner_member_ids": [], "reason": "民生"})
    await emit(*ev.proposal_assigned("P4", ["U3"], "2026-09-30"))
    await emit("key-proposal-progress-reported", {"proposal_id": "P4", "reported_on": "2026-05-01", "text": "调研"})
    # P5: the unit asks to be re-assigned
    await emit(*ev.proposal_submitted("P5", "公交线路", "m4", category="economy"))
    await emit(*ev.proposal_accepted("P5", "2026-005", "m4", sequence=5, category="economy"))
    await emit(*ev.proposal_assigned("P5", ["U2"], "2026-09-30"))
    await emit("reassignment-requested", {"proposal_id": "P5", "unit_id": "U2", "reason": "不属本单位职责",
                                          "suggested_unit_id": "U3"}, at=on("2026-03-25"))
    # recommendation reports: one looked back at partly and scheduled again, one not yet opened
    await emit("recommendation-report-recorded", {"recommendation_id": "RR1", "title": "关于乡村振兴的建议案",
                                                  "sent_on": "2026-01-10", "lookback_due": "2026-04-01"})
    await emit("lookback-opened", {"lookback_id": "RR1-lb1", "subject": "recommendation", "due": "2026-04-01",
                                   "recommendation_id": "RR1"})
    await emit("lookback-concluded", {"lookback_id": "RR1-lb1", "subject": "recommendation", "outcome": "partly",
                                      "recommendation_id": "RR1"})
    await emit("lookback-scheduled", {"lookback_id": "RR1-lb2", "after_lookback_id": "RR1-lb1",
                                      "subject": "recommendation", "due": "2026-06-28", "recommendation_id": "RR1"})
    await emit("recommendation-report-recorded", {"recommendation_id": "RR2", "title": "关于养老服务的建议案",
                                                  "sent_on": "2026-02-10", "lookback_due": "2026-06-30"})


async def other_committee(stack: Stack, feed: Feed) -> Feed:
    """Another county with work of every kind; none of it may reach this committee's office."""
    other = Feed(feed.producer, stack.prefix, f"{feed.committee}-other")
    await other.emit(*ev.proposal_submitted("X1", "别县待审", "m1"))
    await other.emit(*ev.proposal_submitted("X2", "别县逾期", "m1"))
    await other.emit(*ev.proposal_accepted("X2", "2026-001", "m1"))
    await other.emit(*ev.proposal_assigned("X2", ["U1"], "2026-06-01"))
    await other.emit("lookback-opened", {"lookback_id": "XL", "subject": "commitment", "due": "2026-06-01",
                                         "proposal_id": "X2", "commitment_id": "XC", "unit_id": "U1"})
    return other


async def items(stack: Stack, committee: str, kinds: list[str] | None = None, *, role: Role = Role.office_staff,
                as_of: str = AS_OF) -> list[dict[str, Any]]:
    data = (await stack.api.run(QUEUE, {"d": as_of, "k": kinds}, bearer=token(role, committee))).ok()
    found: list[dict[str, Any]] = data["workQueue"]["officeItems"]
    return found


def brief(found: list[dict[str, Any]]) -> list[tuple[str, str | None, str | None, int]]:
    return [(i["kind"], i["proposalId"] or i["recommendationId"], i["unitId"], i["daysOverdue"]) for i in found]


async def test_the_office_sees_everything_it_must_chase_most_urgent_first(stack: Stack, feed: Feed,
                                                                          committee: str) -> None:
    await scenario(feed)
    other = await other_committee(stack, feed)
    await feed.settle(stack.gateway.projector)
    await other.settle(stack.gateway.projector)

    found = await items(stack, committee)
    assert brief(found) == [
        # past a due date, the longest overdue first
        ("key_report_due", "P4", None, 31),
        ("lookback_due", "P3", "U2", 30),          # L1 at C1
        ("reply_overdue", "P2", "U1", 16),
        ("lookback_due", "P3", "U2", 11),          # C3, not yet opened
        ("reply_overdue", "P3", "U3", 6),
        ("lookback_due", "RR1", None, 3),          # RR1-lb2, after 'partly'
        ("lookback_due", "RR2", None, 1),
        # then the longest waiting
        ("to_review", "R1", None, 0),
        ("to_assign", "A1", None, 0),
        ("reassignment_request", "P5", "U2", 0),
        ("evaluation_missing", "P1", "U1", 0),
        ("evaluation_missing", "P3", "U2", 0),
    ]
    by_id = {i["id"]: i for i in found}
    overdue = by_id["reply_overdue:P2:U1"]
    assert (overdue["since"], overdue["due"], overdue["number"], overdue["labelZh"]) == (
        "2026-06-16", "2026-06-15", "2026-002", "逾期未答复，待催办")
    assert overdue["proposal"] == {"title": "乡村教师"} and overdue["unit"] == {"name": "教育局"}
    assert "16 days past its deadline" in overdue["reason"]
    missing = by_id["evaluation_missing:P1:U1"]
    assert (missing["memberIds"], missing["members"], missing["since"], missing["due"]) == (
        ["m2"], [{"name": "李二"}], "2026-06-10", None)
    key = by_id["key_report_due:P4"]
    assert (key["since"], key["due"], key["memberIds"]) == ("2026-05-01", "2026-05-31", ["m3"])
    assert "still handling" in key["reason"] and "U3" in key["reason"]
    assert by_id["lookback_due:P3:U2:L1"]["commitmentId"] == "C1"
    unopened = by_id["lookback_due:P3:U2:C3"]
    assert (unopened["lookbackId"], unopened["due"]) == (None, "2026-06-20")
    again = by_id["lookback_due:RR1-lb2:RR1"]
    assert again["title"] == "关于乡村振兴的建议案" and "partly" in again["reason"]
    assert (by_id["to_review:R1"]["since"], by_id["to_assign:A1"]["since"]) == ("2026-03-01", "2026-03-05")
    ask = by_id["reassignment_request:P5:U2"]
    assert ask["since"] == "2026-03-25" and ask["title"] == "公交线路" and "U3" in ask["reason"]
    assert not any(i["proposalId"] in ("X1", "X2") or i["lookbackId"] == "XL" for i in found)
    assert not any(i["kind"] == "reply_overdue" and i["unitId"] == "U2" and i["proposalId"] == "P1" for i in found)

    # the filter by kind, and the other committee's office sees only its own
    assert brief(await items(stack, committee, ["reply_overdue", "to_review"])) == [
        ("reply_overdue", "P2", "U1", 16), ("reply_overdue", "P3", "U3", 6), ("to_review", "R1", None, 0)]
    theirs = await items(stack, other.committee)
    assert {(i["kind"], i["proposalId"]) for i in theirs} == {
        ("to_review", "X1"), ("reply_overdue", "X2"), ("lookback_due", "X2")}


async def test_the_overdue_items_agree_with_oversight(stack: Stack, feed: Feed, committee: str) -> None:
    await scenario(feed)
    await feed.settle(stack.gateway.projector)
    for day in ("2026-06-20", AS_OF, "2026-10-15"):
        found = await items(stack, committee, as_of=day)
        o = (await stack.api.run(OVERSIGHT, {"d": day}, bearer=token(Role.leadership, committee))).ok()["oversight"]
        late = {(i["proposalId"], u["unitId"], i["daysOverdue"]) for u in o["overdueByUnit"] for i in u["items"]}
        queued = {(i["proposalId"], i["unitId"], i["daysOverdue"]) for i in found if i["kind"] == "reply_overdue"}
        assert queued == late, day
        due = {lb["id"] for lb in o["lookbacks"]["due"]}
        assert {i["lookbackId"] for i in found if i["kind"] == "lookback_due" and i["lookbackId"]} == due, day
        commitments = {i["commitmentId"] for i in found if i["kind"] == "lookback_due" and i["commitmentId"]}
        assert commitments >= {c["id"] for c in o["commitmentsOverdue"]}, day
    # by 10-15 P4's and P5's deadlines (09-30) passed too
    assert {(i["proposalId"], i["unitId"]) for i in await items(stack, committee, ["reply_overdue"],
                                                                 as_of="2026-10-15")} == {
        ("P2", "U1"), ("P3", "U3"), ("P4", "U3"), ("P5", "U2")}


async def test_each_item_leaves_the_queue_when_handled(stack: Stack, feed: Feed, committee: str) -> None:
    await scenario(feed)
    await feed.settle(stack.gateway.projector)
    emit = feed.emit
    await emit(*ev.proposal_accepted("R1", "2026-011", "m1", sequence=11), at=on("2026-06-29"))  # now to assign
    await emit(*ev.proposal_assigned("A1", ["U1"], "2026-09-30"))                    # assigned
    await emit("reassignment-refused", {"proposal_id": "P5", "unit_id": "U2", "reason": "职责明确"})
    await emit(*ev.replied("P2", "U1", "A", on_time=False, replied_on="2026-06-28", deadline="2026-06-15"))
    await emit(*ev.evaluated("P1", "U1", "m2", "satisfied"))
    await emit("evaluations-completed", {"proposal_id": "P1", "unit_id": "U1", "round": 1, "dissatisfied": False,
                                         "ratings": [{"member_id": "m1", "rating": "satisfied"},
                                                     {"member_id": "m2", "rating": "satisfied"}]})
    await emit("lookback-concluded", {"lookback_id": "L1", "subject": "commitment", "outcome": "implemented",
                                      "proposal_id": "P3", "commitment_id": "C1", "unit_id": "U2"})
    await emit("lookback-opened", {"lookback_id": "C3-lb", "subject": "commitment", "due": "2026-06-20",
                                   "proposal_id": "P3", "commitment_id": "C3", "unit_id": "U2"})
    await emit("key-proposal-progress-reported", {"proposal_id": "P4", "reported_on": "2026-06-20", "text": "推进"})
    await emit("lookback-opened", {"lookback_id": "RR2-lb1", "subject": "recommendation", "due": "2026-06-30",
                                   "recommendation_id": "RR2"})
    await emit("lookback-concluded", {"lookback_id": "RR2-lb1", "subject": "recommendation",
                                      "outcome": "implemented", "recommendation_id": "RR2"})
    await feed.settle(stack.gateway.projector)

    found = await items(stack, committee)
    assert [i["id"] for i in found] == [
        "lookback_due:P3:U2:C3-lb",          # C3's look-back, opened: once, now under its id, to conclude
        "reply_overdue:P3:U3",
        "lookback_due:RR1-lb2:RR1",
        "evaluation_missing:P2:U1",          # P2's late reply (06-28) now waits for m2's evaluation
        "to_assign:R1",                      # accepted 06-29
        "evaluation_missing:P3:U2",          # replied 06-30
    ]
    await emit("key-proposal-progress-reported", {"proposal_id": "P4", "reported_on": "2026-06-25", "text": "推进"})
    await feed.settle(stack.gateway.projector)
    # a month after its last report the key proposal is due again
    assert [i["due"] for i in await items(stack, committee, ["key_report_due"], as_of="2026-07-25")] == ["2026-07-25"]
    await emit(*ev.replied("P4", "U3", "A", on_time=True, replied_on="2026-06-28", deadline="2026-09-30"))
    await feed.settle(stack.gateway.projector)
    assert await items(stack, committee, ["key_report_due"], as_of="2026-12-01") == []   # handled: no more reports


async def test_only_the_office_has_office_items_and_members_and_units_keep_their_queue(
        stack: Stack, feed: Feed, committee: str) -> None:
    await scenario(feed)
    await feed.settle(stack.gateway.projector)
    assert len(await items(stack, committee, role=Role.admin)) == 12
    for viewer in (token(Role.member, committee, member="m2"), token(Role.unit_staff, committee, unit="U1"),
                   token(Role.leadership, committee, member="m3")):
        data = (await stack.api.run(QUEUE, {"d": AS_OF}, bearer=viewer)).ok()["workQueue"]
        assert data["officeItems"] == []
    member = (await stack.api.run("{ workQueue { toEvaluate { proposalId unitId } } }",
                                  bearer=token(Role.member, committee, member="m2"))).ok()["workQueue"]
    assert member["toEvaluate"] == [{"proposalId": "P1", "unitId": "U1"}]
    unit = (await stack.api.run("{ workQueue { dueReplies { handling { proposalId } } } }",
                                bearer=token(Role.unit_staff, committee, unit="U1"))).ok()["workQueue"]
    assert [d["handling"]["proposalId"] for d in unit["dueReplies"]] == ["P2"]


async def test_the_office_hears_when_a_reply_is_evaluated(stack: Stack, feed: Feed, committee: str) -> None:
    await scenario(feed)
    await feed.settle(stack.gateway.projector)
    before = stack.gateway.hub.subscriber_count
    query = ("subscription { workQueueChanged { cause { type } "
             "queue { officeItems(kinds: [evaluation_missing]) { id } } } }")
    async with Subscriber(stack.api, token(Role.office_staff, committee), query) as office:
        await subscribed(stack.gateway.hub, before)
        await feed.emit("evaluations-completed", {"proposal_id": "P3", "unit_id": "U2", "round": 1,
                                                  "dissatisfied": False,
                                                  "ratings": [{"member_id": "m4", "rating": "satisfied"}]})
        await wait_until(lambda: office.received, timeout=10, message="the office queue changed")
        change = office.received[-1][1]["workQueueChanged"]
        assert change["cause"]["type"] == "evaluations-completed"
        assert change["queue"]["officeItems"] == [{"id": "evaluation_missing:P1:U1"}]
