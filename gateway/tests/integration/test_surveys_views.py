"""The consultation plan, its sessions and the tracking of outcomes to implementation, as each role reads
them: the office sees the year's plan and an outcome's tracked item progress to implemented; a department
sees only the items it is responsible for, and finds the open ones in its work queue; another department
sees none; members see the plan and its sessions but no tracked items."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Role
from gateway.tests import events as ev
from gateway.tests.conftest import Stack
from gateway.tests.harness import Feed, token

Event = tuple[str, dict[str, Any]]
YEAR = 2026


def plan_item(item_id: str, kind: str, title: str, month: int, **extra: Any) -> dict[str, Any]:
    return {"item_id": item_id, "kind": kind, "title": title, "lead": "经济科技委员会", "planned_month": month,
            **extra}


def plan_drafted(title: str = "2026年度协商监督计划") -> Event:
    return "consultation-plan-drafted", {"year": YEAR, "title": title}


def item_recorded(item: dict[str, Any], amendment: int = 0) -> Event:
    return "consultation-plan-item-recorded", {"year": YEAR, "amendment": amendment, "item": item}


def plan_adopted(item_ids: list[str]) -> Event:
    return "consultation-plan-adopted", {"year": YEAR, "adopted_on": "2026-02-20", "meeting": "十六届主席会议第3次",
                                         "item_ids": item_ids}


def scheduled(consultation_id: str, item: dict[str, Any], on: str) -> Event:
    return "consultation-scheduled", {"consultation_id": consultation_id, "year": YEAR, "item": item,
                                      "scheduled_on": on, "venue": "县政协三楼会议室"}


def held(consultation_id: str, on: str, participants: list[str]) -> Event:
    return "consultation-held", {"consultation_id": consultation_id, "held_on": on,
                                 "participant_member_ids": participants, "summary": "形成协商意见三条"}


def outcome(consultation_id: str, outcome_id: str, title: str, held_on: str) -> Event:
    return "consultation-outcome-recorded", {
        "consultation_id": consultation_id, "outcome_id": outcome_id, "kind": "topic", "title": title,
        "held_on": held_on, "sent_to": ["县委", "县政府"], "implementation_due": "2026-09-30"}


def opened(item_id: str, units: list[str], due: str, *, subject: str = "consultation_outcome",
           source: str = "C1", title: str | None = None) -> Event:
    return "tracked-item-opened", {
        "item_id": item_id, "subject": subject, "source_id": source, "title": title or f"落实事项{item_id}",
        "unit_ids": units, "sent_on": "2026-05-06", "due_working_days": 20, "due": due}


def reported(item_id: str, unit: str, status: str, progress: int, on: str, round: int = 1) -> Event:
    return "tracked-item-progress-reported", {
        "item_id": item_id, "unit_id": unit, "round": round, "status": status, "progress": progress,
        "text": "已按协商意见推进", "reported_on": on}


def followed_up(item_id: str, units: list[str], on: str) -> Event:
    return "tracked-item-followed-up", {"item_id": item_id, "round": 1, "method": "call", "unit_ids": units,
                                        "followed_up_on": on}


def verdict(item_id: str, value: str, on: str, round: int = 1) -> Event:
    return "tracked-item-verdict-recorded", {"item_id": item_id, "round": round, "verdict": value, "given_on": on}


def reopened(item_id: str, due: str, round: int = 2) -> Event:
    return "tracked-item-reopened", {"item_id": item_id, "round": round, "reason": "部分落实，继续跟进",
                                     "reopened_on": "2026-07-01", "due_working_days": 15, "due": due}


PLAN = """query P($year: Int!) { consultationPlan(year: $year) {
  year title adopted adoptedOn adoptedAtMeeting
  items { id kind labelZh title plannedMonth sessions held } } }"""

SESSIONS = """query S($year: Int, $first: Int, $after: String) { consultations(year: $year, first: $first,
  after: $after) { totalCount pageInfo { hasNextPage endCursor }
  edges { node { id itemId kind labelZh held heldOn participants { name } outcomes { id title sentTo } } } } }"""

TRACKED = """query T($kind: TrackedSubject, $unitId: ID, $overdueOnly: Boolean, $first: Int, $after: String,
  $asOf: Date) {
  trackedItems(kind: $kind, unitId: $unitId, overdueOnly: $overdueOnly, first: $first, after: $after, asOf: $asOf) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id kind title due unitIds units { id name } status progress verdict open reopenedCount round
      overdue unitProgress { unitId status progress } } } } }"""

QUEUE = "{ workQueue { total trackedItems { id title due kind } dueReplies { title } } }"


async def a_year_of_consultation(feed: Feed) -> None:
    await feed.emit(*ev.member_registered("m1", "王委员"))
    await feed.emit(*ev.member_registered("m2", "李委员"))
    await feed.emit(*ev.unit_registered("U-water", "县水利局"))
    await feed.emit(*ev.unit_registered("U-env", "县生态环境分局"))
    water = plan_item("I1", "topic", "农村饮水安全专题协商", 5)
    env = plan_item("I2", "counterpart", "河道治理对口协商", 9, counterpart_unit_id="U-env")
    await feed.emit(*plan_drafted())
    await feed.emit(*item_recorded(water))
    await feed.emit(*item_recorded(env))
    await feed.emit(*plan_adopted(["I1", "I2"]))
    await feed.emit(*scheduled("C1", water, "2026-05-05"))
    await feed.emit(*held("C1", "2026-05-05", ["m1", "m2"]))
    await feed.emit(*outcome("C1", "O1", "关于保障农村饮水安全的协商意见", "2026-05-05"))
    await feed.emit(*opened("T1", ["U-water", "U-env"], "2026-06-03", title="农村饮水安全协商成果落实"))


async def test_the_office_sees_the_plan_and_an_outcome_tracked_to_implemented(stack: Stack, feed: Feed,
                                                                             committee: str) -> None:
    await a_year_of_consultation(feed)
    await feed.emit(*reported("T1", "U-water", "in_progress", 40, "2026-05-20"))
    await feed.settle(stack.gateway.projector)
    office = token(Role.office_staff, committee)

    plan = (await stack.api.run(PLAN, {"year": YEAR}, bearer=office)).ok()["consultationPlan"]
    assert plan["adopted"] and plan["adoptedOn"] == "2026-02-20" and plan["title"] == "2026年度协商监督计划"
    assert plan["items"] == [
        {"id": "I1", "kind": "topic", "labelZh": "专题协商", "title": "农村饮水安全专题协商", "plannedMonth": 5,
         "sessions": 1, "held": True},
        {"id": "I2", "kind": "counterpart", "labelZh": "对口协商", "title": "河道治理对口协商", "plannedMonth": 9,
         "sessions": 0, "held": False},
    ]
    sessions = (await stack.api.run(SESSIONS, {"year": YEAR}, bearer=office)).ok()["consultations"]
    [session] = [e["node"] for e in sessions["edges"]]
    assert session["itemId"] == "I1" and session["held"] and session["labelZh"] == "专题协商"
    assert {p["name"] for p in session["participants"]} == {"王委员", "李委员"}
    assert session["outcomes"] == [
        {"id": "O1", "title": "关于保障农村饮水安全的协商意见", "sentTo": ["县委", "县政府"]}]

    under_way = (await stack.api.run(TRACKED, {"asOf": "2026-05-25"}, bearer=office)).ok()["trackedItems"]
    [item] = [e["node"] for e in under_way["edges"]]
    assert item["kind"] == "consultation_outcome" and item["status"] == "in_progress" and item["progress"] == 40
    assert item["open"] and item["verdict"] is None and not item["overdue"]
    assert {u["name"] for u in item["units"]} == {"县水利局", "县生态环境分局"}
    late = (await stack.api.run(TRACKED, {"overdueOnly": True, "asOf": "2026-06-10"}, bearer=office)).ok()
    assert [e["node"]["id"] for e in late["trackedItems"]["edges"]] == ["T1"]

    await feed.emit(*followed_up("T1", ["U-env"], "2026-05-28"))
    await feed.emit(*reported("T1", "U-water", "done", 100, "2026-06-01"))
    await feed.emit(*reported("T1", "U-env", "done", 100, "2026-06-02"))
    await feed.emit(*verdict("T1", "implemented", "2026-06-05"))
    await feed.settle(stack.gateway.projector)
    done = (await stack.api.run(TRACKED, {"asOf": "2026-06-10"}, bearer=office)).ok()["trackedItems"]
    [item] = [e["node"] for e in done["edges"]]
    assert item["status"] == "done" and item["progress"] == 100 and item["verdict"] == "implemented"
    assert not item["open"] and not item["overdue"]
    assert sorted((p["unitId"], p["status"], p["progress"]) for p in item["unitProgress"]) == [
        ("U-env", "done", 100), ("U-water", "done", 100)]
    none_late = (await stack.api.run(TRACKED, {"overdueOnly": True, "asOf": "2026-06-10"}, bearer=office)).ok()
    assert none_late["trackedItems"]["totalCount"] == 0

    leadership = token(Role.leadership, committee)
    assert (await stack.api.run(TRACKED, bearer=leadership)).ok()["trackedItems"]["totalCount"] == 1


async def test_members_see_the_plan_and_sessions_but_no_tracked_items(stack: Stack, feed: Feed,
                                                                      committee: str) -> None:
    await a_year_of_consultation(feed)
    await feed.settle(stack.gateway.projector)
    member = token(Role.member, committee, member="m1")
    plan = (await stack.api.run(PLAN, {"year": YEAR}, bearer=member)).ok()["consultationPlan"]
    assert [i["id"] for i in plan["items"]] == ["I1", "I2"]
    sessions = (await stack.api.run(SESSIONS, {"year": YEAR}, bearer=member)).ok()["consultations"]
    assert sessions["totalCount"] == 1
    assert (await stack.api.run(TRACKED, bearer=member)).codes == ["FORBIDDEN"]
    unit = token(Role.unit_staff, committee, unit="U-water")
    assert (await stack.api.run(PLAN, {"year": YEAR}, bearer=unit)).codes == ["FORBIDDEN"]
    assert (await stack.api.run(PLAN, {"year": 2025}, bearer=member)).ok()["consultationPlan"] is None


async def test_a_department_sees_only_its_items_and_finds_the_open_ones_in_its_work_queue(
        stack: Stack, feed: Feed, committee: str) -> None:
    await a_year_of_consultation(feed)
    await feed.emit(*opened("T2", ["U-water"], "2026-07-15", subject="rectification", source="S1",
                            title="供水管网漏损整改"))
    await feed.emit(*opened("T3", ["U-env"], "2026-06-20", subject="research_recommendation", source="R1"))
    await feed.emit(*opened("T4", ["U-water"], "2026-06-01", title="已落实事项"))
    await feed.emit(*reported("T4", "U-water", "done", 100, "2026-05-30"))
    await feed.emit(*verdict("T4", "partly", "2026-06-05"))
    await feed.emit(*reopened("T4", "2026-08-01"))
    await feed.emit(*opened("T5", ["U-water"], "2026-06-10", title="另一已落实事项"))
    await feed.emit(*reported("T5", "U-water", "done", 100, "2026-06-01"))
    await feed.emit(*verdict("T5", "implemented", "2026-06-05"))
    await feed.settle(stack.gateway.projector)

    water = token(Role.unit_staff, committee, unit="U-water")
    mine = (await stack.api.run(TRACKED, {"asOf": "2026-06-20"}, bearer=water)).ok()["trackedItems"]
    nodes = [e["node"] for e in mine["edges"]]
    assert [n["id"] for n in nodes] == ["T1", "T5", "T2", "T4"]  # nearest due date first
    assert all("U-water" in n["unitIds"] for n in nodes)
    t4 = next(n for n in nodes if n["id"] == "T4")
    assert t4["reopenedCount"] == 1 and t4["round"] == 2 and t4["open"] and t4["status"] is None
    assert t4["verdict"] == "partly" and t4["due"] == "2026-08-01"
    rectifications = (await stack.api.run(TRACKED, {"kind": "rectification"}, bearer=water)).ok()["trackedItems"]
    assert [e["node"]["id"] for e in rectifications["edges"]] == ["T2"]
    # asking for another unit's items narrows within the caller's own: nothing of U-env alone
    others = (await stack.api.run(TRACKED, {"unitId": "U-env"}, bearer=water)).ok()["trackedItems"]
    assert [e["node"]["id"] for e in others["edges"]] == ["T1"]

    queue = (await stack.api.run(QUEUE, bearer=water)).ok()["workQueue"]
    assert [t["id"] for t in queue["trackedItems"]] == ["T1", "T2", "T4"]  # open only, nearest due first
    assert queue["trackedItems"][1] == {"id": "T2", "title": "供水管网漏损整改", "due": "2026-07-15",
                                        "kind": "rectification"}
    assert queue["total"] == 3

    env = token(Role.unit_staff, committee, unit="U-env")
    env_items = (await stack.api.run(TRACKED, bearer=env)).ok()["trackedItems"]
    assert [e["node"]["id"] for e in env_items["edges"]] == ["T1", "T3"]
    stranger = token(Role.unit_staff, committee, unit="U-edu")
    assert (await stack.api.run(TRACKED, bearer=stranger)).ok()["trackedItems"]["totalCount"] == 0
    assert (await stack.api.run(QUEUE, bearer=stranger)).ok()["workQueue"]["trackedItems"] == []


async def test_tracked_items_and_sessions_paginate(stack: Stack, feed: Feed, committee: str) -> None:
    item = plan_item("I1", "grassroots", "乡镇基层协商", 3, liaison_group="城关镇委员联络组")
    await feed.emit(*plan_drafted())
    await feed.emit(*item_recorded(item))
    for i in range(1, 6):
        await feed.emit(*scheduled(f"C{i}", item, f"2026-0{i + 2}-1{i}"))
    for i in range(1, 8):
        await feed.emit(*opened(f"T{i}", ["U-water"], f"2026-07-{i:02d}"))
    await feed.settle(stack.gateway.projector)
    office = token(Role.office_staff, committee)
    seen: list[str] = []
    after = None
    while True:
        page = (await stack.api.run(TRACKED, {"first": 3, "after": after}, bearer=office)).ok()["trackedItems"]
        assert page["totalCount"] == 7
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"T{i}" for i in range(1, 8)]
    first = (await stack.api.run(SESSIONS, {"first": 2}, bearer=office)).ok()["consultations"]
    assert [e["node"]["id"] for e in first["edges"]] == ["C1", "C2"] and first["pageInfo"]["hasNextPage"]
    rest = (await stack.api.run(SESSIONS, {"first": 10, "after": first["pageInfo"]["endCursor"]},
                                bearer=office)).ok()["consultations"]
    assert [e["node"]["id"] for e in rest["edges"]] == ["C3", "C4", "C5"]
    assert not rest["pageInfo"]["hasNextPage"]
    assert (await stack.api.run(TRACKED, {"after": "nonsense"}, bearer=office)).codes == ["BAD_REQUEST"]


OVERSIGHT = """query O($asOf: Date) { oversight(year: 2026, asOf: $asOf) {
  trackedNotReportedByUnit { unitId count unit { name } items { id } }
  trackedOverdue { id due overdue } } }"""


async def test_oversight_shows_unreported_items_by_department_and_the_overdue(stack: Stack, feed: Feed,
                                                                            committee: str) -> None:
    await a_year_of_consultation(feed)  # T1: U-water and U-env, due 2026-06-03
    await feed.emit(*opened("T2", ["U-water"], "2026-07-15", subject="rectification", source="S1"))
    await feed.emit(*reported("T1", "U-water", "in_progress", 60, "2026-05-20"))
    await feed.settle(stack.gateway.projector)
    leadership = token(Role.leadership, committee)
    seen = (await stack.api.run(OVERSIGHT, {"asOf": "2026-06-10"}, bearer=leadership)).ok()["oversight"]
    by_unit = {u["unitId"]: u for u in seen["trackedNotReportedByUnit"]}
    assert by_unit["U-env"]["count"] == 1 and [i["id"] for i in by_unit["U-env"]["items"]] == ["T1"]
    assert by_unit["U-env"]["unit"]["name"] == "县生态环境分局"
    assert [i["id"] for i in by_unit["U-water"]["items"]] == ["T2"]  # T1 is reported by the water bureau
    assert seen["trackedOverdue"] == [{"id": "T1", "due": "2026-06-03", "overdue": True}]
    earlier = (await stack.api.run(OVERSIGHT, {"asOf": "2026-06-01"}, bearer=leadership)).ok()["oversight"]
    assert earlier["trackedOverdue"] == []


JOINED = """query J($year: Int!) {
  thisYear: consultationPlan(year: $year) { items { id carriedOverTo carriedOverFrom carriedOverReason } }
  nextYear: consultationPlan(year: 2027) { title adopted items { id title carriedOverFrom carriedOverReason } }
  consultations(year: $year) { edges { node { id invitedMemberIds invitedMembers { name }
    invitedOrganizationIds invitedUnits { name } uninvitedParticipantIds
    outcomes { id parentOutcomeId proposalIds opinionReportIds sentOn
      instructions { leader level text instructedOn }
      tracking { id computedProgress children { id } } } } } } }"""


async def test_the_office_sees_invitations_outcome_parts_links_instructions_and_an_item_carried_over(
        stack: Stack, feed: Feed, committee: str) -> None:
    await a_year_of_consultation(feed)  # I1 held as C1, its outcome O1
    await feed.emit("consultation-scheduled", {
        "consultation_id": "C2", "year": YEAR, "item": plan_item("I3", "topic", "乡村振兴专题协商", 6),
        "scheduled_on": "2026-06-10", "invited_member_ids": ["m1"], "invited_organization_ids": ["O-minmeng"],
        "invited_unit_ids": ["U-water"]})
    await feed.emit("consultation-held", {"consultation_id": "C2", "held_on": "2026-06-10",
                                          "participant_member_ids": ["m1", "m2"], "uninvited_participant_ids": ["m2"]})
    parent = {"consultation_id": "C2", "kind": "topic", "held_on": "2026-06-10", "sent_to": ["county_government"],
              "sent_on": "2026-06-12", "implementation_due": "2026-09-30"}
    await feed.emit("consultation-outcome-recorded", {**parent, "outcome_id": "O2", "title": "乡村振兴协商意见",
                                                      "proposal_ids": ["P-7"], "opinion_report_ids": ["R-3"]})
    for child in ("O2a", "O2b"):
        await feed.emit("consultation-outcome-recorded", {**parent, "outcome_id": child, "title": f"意见{child}",
                                                          "parent_outcome_id": "O2"})
    await feed.emit(*opened("O2", ["U-water"], "2026-09-30", source="C2"))
    for child in ("O2a", "O2b"):
        await feed.emit("tracked-item-opened", {**opened(child, ["U-water"], "2026-09-30", source="C2")[1],
                                                "parent_item_id": "O2"})
    await feed.emit(*reported("O2a", "U-water", "in_progress", 60, "2026-07-01"))
    await feed.emit("consultation-outcome-instruction-recorded", {
        "consultation_id": "C2", "outcome_id": "O2", "instruction_id": "in-1", "leader": "县长李明",
        "level": "county_government", "text": "请县水利局牵头落实", "instructed_on": "2026-06-20"})
    # I2 carried over to 2027: recorded on both plans' streams, then the item in next year's draft.
    carried = {"year": YEAR, "to_year": 2027, "item_ids": ["I2"], "reason": "年内未能召开，结转下年度",
               "carried_on": "2026-11-30"}
    await feed.emit("consultation-plan-items-carried-over", carried)
    await feed.emit("consultation-plan-drafted", {"year": 2027, "title": "2027年度协商监督计划"})
    await feed.emit("consultation-plan-items-carried-over", carried)
    await feed.emit("consultation-plan-item-recorded", {"year": 2027, "amendment": 0, "item": plan_item(
        "I2", "counterpart", "河道治理对口协商", 9, counterpart_unit_id="U-env", carried_over_from=YEAR)})
    await feed.settle(stack.gateway.projector)

    seen = (await stack.api.run(JOINED, {"year": YEAR}, bearer=token(Role.office_staff, committee))).ok()
    this_year = {i["id"]: i for i in seen["thisYear"]["items"]}
    assert this_year["I2"] == {"id": "I2", "carriedOverTo": 2027, "carriedOverFrom": None,
                               "carriedOverReason": "年内未能召开，结转下年度"}
    assert this_year["I1"]["carriedOverTo"] is None
    assert seen["nextYear"] == {"title": "2027年度协商监督计划", "adopted": False, "items": [
        {"id": "I2", "title": "河道治理对口协商", "carriedOverFrom": 2026,
         "carriedOverReason": "年内未能召开，结转下年度"}]}

    sessions = {e["node"]["id"]: e["node"] for e in seen["consultations"]["edges"]}
    c2 = sessions["C2"]
    assert c2["invitedMemberIds"] == ["m1"] and [m["name"] for m in c2["invitedMembers"]] == ["王委员"]
    assert c2["invitedOrganizationIds"] == ["O-minmeng"] and c2["invitedUnits"] == [{"name": "县水利局"}]
    assert c2["uninvitedParticipantIds"] == ["m2"]
    assert sessions["C1"]["invitedMemberIds"] == [] and sessions["C1"]["uninvitedParticipantIds"] == []
    outcomes = {o["id"]: o for o in c2["outcomes"]}
    o2 = outcomes["O2"]
    assert (o2["proposalIds"], o2["opinionReportIds"], o2["sentOn"]) == (["P-7"], ["R-3"], "2026-06-12")
    assert o2["instructions"] == [{"leader": "县长李明", "level": "county_government", "text": "请县水利局牵头落实",
                                   "instructedOn": "2026-06-20"}]
    # The parent's progress is its parts': 60 % and 0 % reported, so 30 %.
    assert o2["tracking"]["computedProgress"] == 30.0
    assert sorted(c["id"] for c in o2["tracking"]["children"]) == ["O2a", "O2b"]
    assert outcomes["O2a"]["parentOutcomeId"] == "O2" and outcomes["O2a"]["instructions"] == []
    assert sessions["C1"]["outcomes"][0]["tracking"] is None  # its tracked item is T1, under another id

    # Members see the sessions and outcomes but not their tracking.
    member = (await stack.api.run(JOINED, {"year": YEAR}, bearer=token(Role.member, committee, member="m1"))).ok()
    member_c2 = next(e["node"] for e in member["consultations"]["edges"] if e["node"]["id"] == "C2")
    assert all(o["tracking"] is None for o in member_c2["outcomes"])
