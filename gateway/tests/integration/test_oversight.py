"""Leadership oversight against a scenario computed by hand (year 2026, as of 2026-07-01).

  P1 education, lead m1: U1 lead + U2 co, deadline 06-20; U1 met the proposer, replied A on time 06-10;
     m1 satisfied.
  P2 education, lead m2: U1, deadline 06-15; no reply                          -> U1 overdue 16 days
  P3 economy, lead m4: separately to U2 and U3, deadline 06-25; U2 replied B late (06-30); m4 dissatisfied,
     U2 re-handles (round 2, deadline 08-30); U3 never replied               -> U3 overdue 6 days;
     B-class commitment C1 of U2 due 06-01, look-back L1 open                -> commitment overdue, look-back due
  P4 economy, lead m3, key proposal (leader m3): U3, deadline 09-30, only a phone contact, replied C on time;
     m3 basically satisfied; 2 progress reports; commitment C2 looked back: partly.
Rows counted (co-handling excluded): P1·U1, P2·U1, P3·U2, P3·U3, P4·U3.
  reply on time (replied, or deadline passed): U1 1/2, U2 0/1, U3 1/2; overall 2/5
  meeting (of rows replied): U1 1/1, U2 0/1, U3 0/1; overall 1/3
  satisfaction (latest evaluated round): U1 1/1, U2 0/1, U3 1/1; overall 2/3
  classes: U1 A 1, U2 B 1, U3 C 1; economy B ½, C ½
Visits (plan: 1 sector visit each): m1 visited their sector; chair-meeting member m3 visited m2.
  by sector: education visiting 1/2, visited 1/2; economy visiting 0/2, visited 0/1 (m3 is a chair member)
  by township: t-1 visiting 1/2, visited 0/1; t-2 visiting 0/2, visited 1/2."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Role
from gateway.tests import events as ev
from gateway.tests.conftest import Stack
from gateway.tests.harness import Feed, token

FIGURES = "numerator denominator value"
RATES = f"""
  assigned replied unitId category
  replyOnTime {{ {FIGURES} items {{ proposalId unitId counted }} }}
  meeting {{ {FIGURES} }}
  satisfaction {{ {FIGURES} items {{ counted evaluation {{ memberId rating }} }} }}
  classes {{ resultClass count share items {{ proposalId }} }}
"""
OVERSIGHT = f"""
query O($y: Int!, $d: Date) {{
  oversight(year: $y, asOf: $d) {{
    asOf
    overdueByUnit {{ unitId count unit {{ name }}
                     items {{ proposalId number daysOverdue deadline proposal {{ title }} }} }}
    byUnit {{ {RATES} }}
    byCategory {{ {RATES} }}
    overall {{ {RATES} }}
    dissatisfied {{ number rehandled evaluation {{ memberId unitId round rating member {{ name }} }} }}
    keyProposals {{ proposalId reports lastReportedOn supervisingLeaderIds }}
    lookbacks {{ due {{ id commitmentId due }} results {{ outcome count items {{ id }} }} }}
    commitmentsOverdue {{ id proposalId unitId due }}
    visitCoverageBySector {{ sector visiting {{ {FIGURES} items {{ memberId counted sectorVisits }} }}
                             visited {{ {FIGURES} }} }}
    visitCoverageByTownship {{ townshipId visiting {{ {FIGURES} }} visited {{ {FIGURES} }} }}
    membersFlagged {{ memberId flag member {{ name }} }}
  }}
}}"""


async def scenario(feed: Feed) -> None:
    emit = feed.emit
    await emit(*ev.member_registered("m1", "张一", "education", "t-1"))
    await emit(*ev.member_registered("m2", "李二", "education", "t-2"))
    await emit(*ev.member_registered("m3", "王三", "economy", "t-1", chair_role="vice_chair"))
    await emit(*ev.member_registered("m4", "赵四", "economy", "t-2"))
    for unit, name in (("U1", "教育局"), ("U2", "交通局"), ("U3", "卫健委")):
        await emit(*ev.unit_registered(unit, name))
    # P1
    await emit(*ev.proposal_submitted("P1", "校车安全", "m1"))
    await emit(*ev.proposal_accepted("P1", "2026-001", "m1", sequence=1))
    await emit(*ev.proposal_assigned("P1", ["U1", "U2"], "2026-06-20"))
    await emit(*ev.contact("P1", "U1", "meeting"))
    await emit(*ev.replied("P1", "U1", "A", on_time=True, replied_on="2026-06-10", deadline="2026-06-20"))
    await emit(*ev.evaluated("P1", "U1", "m1", "satisfied"))
    # P2
    await emit(*ev.proposal_submitted("P2", "乡村教师", "m2"))
    await emit(*ev.proposal_accepted("P2", "2026-002", "m2", sequence=2))
    await emit(*ev.proposal_assigned("P2", ["U1"], "2026-06-15"))
    # P3
    await emit(*ev.proposal_submitted("P3", "县道养护", "m4", category="economy"))
    await emit(*ev.proposal_accepted("P3", "2026-003", "m4", sequence=3, category="economy"))
    await emit(*ev.proposal_assigned("P3", ["U2", "U3"], "2026-06-25", mode="separate"))
    await emit(*ev.replied("P3", "U2", "B", on_time=False, replied_on="2026-06-30", deadline="2026-06-25"))
    await emit("commitment-recorded", {"proposal_id": "P3", "commitment_id": "C1", "unit_id": "U2", "round": 1,
                                       "text": "年内完成养护", "due": "2026-06-01"})
    await emit(*ev.evaluated("P3", "U2", "m4", "dissatisfied"))
    await emit("handling-reopened", {"proposal_id": "P3", "unit_id": "U2", "round": 2, "reason_kind": "dissatisfied",
                                     "reason": "不满意", "deadline": "2026-08-30",
                                     "reopened_on": "2026-07-01"})
    await emit("lookback-opened", {"lookback_id": "L1", "subject": "commitment", "due": "2026-06-01",
                                   "proposal_id": "P3", "commitment_id": "C1", "unit_id": "U2"})
    # P4
    await emit(*ev.proposal_submitted("P4", "医共体建设", "m3", category="economy"))
    await emit(*ev.proposal_accepted("P4", "2026-004", "m3", sequence=4, category="economy"))
    await emit(*ev.proposal_assigned("P4", ["U3"], "2026-09-30"))
    await emit("key-proposal-designated", {"proposal_id": "P4", "year": 2026, "supervising_leaders": ["m3"],
                                           "lead_member_id": "m3", "cosigner_member_ids": [], "reason": "民生"})
    await emit("key-proposal-progress-reported", {"proposal_id": "P4", "reported_on": "2026-05-01", "text": "调研"})
    await emit("key-proposal-progress-reported", {"proposal_id": "P4", "reported_on": "2026-06-01", "text": "推进"})
    await emit(*ev.contact("P4", "U3", "contact"))
    await emit(*ev.replied("P4", "U3", "C", on_time=True, replied_on="2026-05-01", deadline="2026-09-30"))
    await emit(*ev.evaluated("P4", "U3", "m3", "basically_satisfied"))
    await emit("commitment-recorded", {"proposal_id": "P4", "commitment_id": "C2", "unit_id": "U3", "round": 1,
                                       "text": "纳入规划", "due": "2026-06-15"})
    await emit("lookback-opened", {"lookback_id": "L2", "subject": "commitment", "due": "2026-06-15",
                                   "proposal_id": "P4", "commitment_id": "C2", "unit_id": "U3"})
    await emit("lookback-concluded", {"lookback_id": "L2", "subject": "commitment", "outcome": "partly",
                                      "proposal_id": "P4", "commitment_id": "C2", "unit_id": "U3"})
    # visits and flags
    await emit("visit-plan-set", {"year": 2026, "plan_version": 1, "grassroots_visited_by_chair": True,
                                  "sector_visits_per_member": 1, "pairings": {}})
    await emit(*ev.visit("V1", "m1"))
    await emit(*ev.visit("V2", "m3", kind="chair_visits_member", visited=["m2"]))
    await emit(*ev.flagged("m4", 2026, "absent-twice", None))


def rate(r: dict[str, Any]) -> tuple[int, int, float | None]:
    return r["numerator"], r["denominator"], r["value"]


async def oversight(stack: Stack, feed: Feed, committee: str) -> dict[str, Any]:
    await scenario(feed)
    await feed.settle(stack.gateway.projector)
    result = await stack.api.run(OVERSIGHT, {"y": 2026, "d": "2026-07-01"}, bearer=token(Role.leadership, committee))
    data: dict[str, Any] = result.ok()["oversight"]
    return data


async def test_what_is_late_by_unit_with_its_items(stack: Stack, feed: Feed, committee: str) -> None:
    o = await oversight(stack, feed, committee)
    late = {u["unitId"]: u for u in o["overdueByUnit"]}
    assert set(late) == {"U1", "U3"}
    assert late["U1"]["count"] == 1 and late["U1"]["unit"] == {"name": "教育局"}
    assert late["U1"]["items"] == [{"proposalId": "P2", "number": "2026-002", "daysOverdue": 16,
                                    "deadline": "2026-06-15", "proposal": {"title": "乡村教师"}}]
    assert [(i["proposalId"], i["daysOverdue"]) for i in late["U3"]["items"]] == [("P3", 6)]
    assert [(c["id"], c["unitId"]) for c in o["commitmentsOverdue"]] == [("C1", "U2")]
    assert [(lb["id"], lb["commitmentId"]) for lb in o["lookbacks"]["due"]] == [("L1", "C1")]
    results = {r["outcome"]: (r["count"], [i["id"] for i in r["items"]]) for r in o["lookbacks"]["results"]}
    assert results == {"implemented": (0, []), "partly": (1, ["L2"]), "not_implemented": (0, [])}
    [dis] = o["dissatisfied"]
    assert dis["number"] == "2026-003" and dis["rehandled"] is True
    assert dis["evaluation"] == {"memberId": "m4", "unitId": "U2", "round": 1, "rating": "dissatisfied",
                                 "member": {"name": "赵四"}}
    assert o["keyProposals"] == [{"proposalId": "P4", "reports": 2, "lastReportedOn": "2026-06-01",
                                  "supervisingLeaderIds": ["m3"]}]
    assert [(f["memberId"], f["flag"], f["member"]["name"]) for f in o["membersFlagged"]] == [
        ("m4", "absent-twice", "赵四")]


async def test_rates_and_shares_per_unit_and_category(stack: Stack, feed: Feed, committee: str) -> None:
    o = await oversight(stack, feed, committee)
    units = {u["unitId"]: u for u in o["byUnit"]}
    assert set(units) == {"U1", "U2", "U3"}
    u1, u2, u3 = units["U1"], units["U2"], units["U3"]
    assert (u1["assigned"], u1["replied"], u2["assigned"], u3["assigned"]) == (2, 1, 1, 2)
    assert rate(u1["replyOnTime"]) == (1, 2, 0.5)
    assert [(i["proposalId"], i["counted"]) for i in u1["replyOnTime"]["items"]] == [("P1", True), ("P2", False)]
    assert rate(u2["replyOnTime"]) == (0, 1, 0.0) and rate(u3["replyOnTime"]) == (1, 2, 0.5)
    assert rate(u1["meeting"]) == (1, 1, 1.0) and rate(u2["meeting"]) == (0, 1, 0.0)
    assert rate(u3["meeting"]) == (0, 1, 0.0)
    assert rate(u1["satisfaction"]) == (1, 1, 1.0) and rate(u2["satisfaction"]) == (0, 1, 0.0)
    assert rate(u3["satisfaction"]) == (1, 1, 1.0)
    assert u2["satisfaction"]["items"] == [
        {"counted": False, "evaluation": {"memberId": "m4", "rating": "dissatisfied"}}]
    shares = {u: {c["resultClass"]: (c["count"], c["share"]) for c in units[u]["classes"]} for u in units}
    assert shares["U1"] == {"A": (1, 1.0), "B": (0, 0.0), "C": (0, 0.0)}
    assert shares["U2"]["B"] == (1, 1.0) and shares["U3"]["C"] == (1, 1.0)

    cats = {c["category"]: c for c in o["byCategory"]}
    economy = cats["economy"]
    assert rate(economy["replyOnTime"]) == (1, 3, 0.3333)
    assert rate(economy["meeting"]) == (0, 2, 0.0) and rate(economy["satisfaction"]) == (1, 2, 0.5)
    assert {c["resultClass"]: c["share"] for c in economy["classes"]} == {"A": 0.0, "B": 0.5, "C": 0.5}
    assert rate(cats["education"]["replyOnTime"]) == (1, 2, 0.5)

    overall = o["overall"]
    assert rate(overall["replyOnTime"]) == (2, 5, 0.4)
    assert rate(overall["meeting"]) == (1, 3, 0.3333) and rate(overall["satisfaction"]) == (2, 3, 0.6667)
    assert overall["assigned"] == 5 and overall["replied"] == 3


async def test_visit_coverage_by_sector_and_township(stack: Stack, feed: Feed, committee: str) -> None:
    o = await oversight(stack, feed, committee)
    sectors = {s["sector"]: s for s in o["visitCoverageBySector"]}
    assert rate(sectors["education"]["visiting"]) == (1, 2, 0.5)
    assert [(i["memberId"], i["counted"], i["sectorVisits"]) for i in sectors["education"]["visiting"]["items"]] == [
        ("m1", True, 1), ("m2", False, 0)]
    assert rate(sectors["education"]["visited"]) == (1, 2, 0.5)
    assert rate(sectors["economy"]["visiting"]) == (0, 2, 0.0) and rate(sectors["economy"]["visited"]) == (0, 1, 0.0)
    towns = {t["townshipId"]: t for t in o["visitCoverageByTownship"]}
    assert rate(towns["t-1"]["visiting"]) == (1, 2, 0.5) and rate(towns["t-1"]["visited"]) == (0, 1, 0.0)
    assert rate(towns["t-2"]["visiting"]) == (0, 2, 0.0) and rate(towns["t-2"]["visited"]) == (1, 2, 0.5)


async def test_overdue_proposals_list_uses_the_same_rule(stack: Stack, feed: Feed, committee: str) -> None:
    await scenario(feed)
    await feed.settle(stack.gateway.projector)
    query = "query($d: Date) { proposals(filter: {overdueAsOf: $d}) { edges { node { id } } } }"
    office = token(Role.office_staff, committee)
    data = (await stack.api.run(query, {"d": "2026-07-01"}, bearer=office)).ok()
    assert [e["node"]["id"] for e in data["proposals"]["edges"]] == ["P2", "P3"]
    data = (await stack.api.run(query, {"d": "2026-06-16"}, bearer=office)).ok()
    assert [e["node"]["id"] for e in data["proposals"]["edges"]] == ["P2"]
    # on the deadline day itself nothing is late yet, in the list and in the figures alike
    data = (await stack.api.run(query, {"d": "2026-06-15"}, bearer=office)).ok()
    assert data["proposals"]["edges"] == []
    figures = """query($d: Date) { oversight(year: 2026, asOf: $d) { overdueByUnit { unitId }
                 byUnit { unitId overdue { proposalId } } } }"""
    on_the_day = (await stack.api.run(figures, {"d": "2026-06-15"}, bearer=office)).ok()["oversight"]
    assert on_the_day["overdueByUnit"] == [] and all(u["overdue"] == [] for u in on_the_day["byUnit"])
    next_day = (await stack.api.run(figures, {"d": "2026-06-16"}, bearer=office)).ok()["oversight"]
    assert next_day["overdueByUnit"] == [{"unitId": "U1"}]
