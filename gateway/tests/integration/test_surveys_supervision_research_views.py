"""Democratic supervision and research as each role reads them through the gateway: a supervision topic
with its activities, its report and the rectifications it sent; a research topic an organization applied
for, its team, field days, report and recommendations; and the tracking they share — milestones, look-backs,
a parent outcome's progress computed from its children — and a department's live work queue."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Role
from gateway.tests import events as ev
from gateway.tests.conftest import Stack
from gateway.tests.harness import Feed, token
from gateway.tests.integration.test_live import Subscriber, subscribed
from gateway.tests.integration.test_surveys_views import reopened, reported, verdict
from yizheng.testing.wait import wait_until

Event = tuple[str, dict[str, Any]]
YEAR = 2026


def item_opened(item_id: str, units: list[str], due: str, *, subject: str, source: str,
                parent: str | None = None, title: str | None = None, sent_on: str = "2026-05-06") -> Event:
    return "tracked-item-opened", {
        "item_id": item_id, "subject": subject, "source_id": source, "parent_item_id": parent,
        "title": title or f"事项{item_id}", "unit_ids": units, "sent_on": sent_on, "due_working_days": 20,
        "due": due}


def looked_back(item_id: str, outcome: str, on: str, round: int = 1) -> Event:
    return "tracked-item-looked-back", {"item_id": item_id, "round": round, "outcome": outcome,
                                        "looked_back_on": on, "notes": "回头看"}


def progress(item_id: str, unit: str, pct: int, on: str, milestones: list[tuple[str, str]],
             status: str = "in_progress") -> Event:
    return "tracked-item-progress-reported", {
        "item_id": item_id, "unit_id": unit, "round": 1, "status": status, "progress": pct, "text": "整改推进中",
        "reported_on": on, "milestones": [{"reached_on": d, "text": t} for d, t in milestones]}


async def supervision_topic(feed: Feed, sid: str = "S1", units: tuple[str, ...] = ("U-water", "U-env")) -> None:
    """A topic on the water bureau and the environment branch, a forum, and a report with two findings: one
    rectification for each department."""
    await feed.emit("supervision-topic-opened", {"supervision_id": sid, "year": YEAR, "title": "河长制落实专项监督",
                                                 "unit_ids": list(units), "team_member_ids": ["m1", "m2"]})
    await feed.emit("supervision-activity-logged", {
        "supervision_id": sid, "activity_id": f"{sid}-A1", "kind": "forum", "held_on": "2026-04-10",
        "participant_member_ids": ["m1"], "unit_ids": list(units), "summary": "听取部门汇报"})
    await feed.emit("supervision-reported", {
        "supervision_id": sid, "report_id": f"{sid}-R1", "topic_title": "河长制落实专项监督",
        "reported_on": "2026-05-06", "member_ids": ["m1", "m2"], "unit_ids": list(units), "findings": 2,
        "rectification_due": "2026-08-01"})
    await feed.emit("supervision-report-recorded", {
        "supervision_id": sid, "report_id": f"{sid}-R1", "reported_on": "2026-05-06", "summary": "发现问题两项",
        "item_ids": [f"{sid}-R1.F1", f"{sid}-R1.F2"]})
    await feed.emit(*item_opened(f"{sid}-R1.F1", [units[0]], "2026-07-01", subject="rectification",
                                 source=f"{sid}-R1", title="河道垃圾清理整改"))
    await feed.emit(*item_opened(f"{sid}-R1.F2", [units[-1]], "2026-08-01", subject="rectification",
                                 source=f"{sid}-R1", title="排污口排查整改"))


async def research_topic(feed: Feed, tid: str = "R1") -> None:
    """An experiential research topic the democratic league applied for (approved; another party declined),
    its team, two field days and a report with one recommendation to the education bureau."""
    stream = f"researchTopic-{feed.committee}-{tid}"
    await feed.emit("research-topic-planned", {"topic_id": tid, "year": YEAR, "title": "乡村教师队伍建设调研",
                                               "kind": "experiential", "open_for_application": True}, stream=stream)
    await feed.emit("research-application-recorded", {"topic_id": tid, "application_id": "A1",
                                                      "organization_id": "O-league", "applied_on": "2026-03-01",
                                                      "plan": "走访三所乡村学校"}, stream=stream)
    await feed.emit("research-application-recorded", {"topic_id": tid, "application_id": "A2",
                                                      "organization_id": "O-party", "applied_on": "2026-03-02"},
                    stream=stream)
    await feed.emit("research-application-decided", {"topic_id": tid, "application_id": "A1",
                                                     "organization_id": "O-league", "approved": True,
                                                     "reason": "方案具体", "decided_on": "2026-03-10"}, stream=stream)
    await feed.emit("research-application-decided", {"topic_id": tid, "application_id": "A2",
                                                     "organization_id": "O-party", "approved": False,
                                                     "reason": "课题已由民盟承担", "decided_on": "2026-03-10"},
                    stream=stream)
    await feed.emit("research-team-formed", {"topic_id": tid, "member_ids": ["m1", "m2"],
                                             "organization_ids": ["O-league"]}, stream=stream)
    for day, on in (("D1", "2026-04-01"), ("D2", "2026-04-15")):
        await feed.emit("research-participation-recorded", {
            "activity_id": f"{tid}-{day}", "kind": "research", "title": "乡村教师队伍建设调研", "held_on": on,
            "member_ids": ["m1", "m2"] if day == "D1" else ["m1"]}, stream=stream)
    await feed.emit("research-reported", {"topic_id": tid, "report_id": f"{tid}-P1", "reported_on": "2026-05-06",
                                          "summary": "建议三条", "item_ids": [f"{tid}-P1.X1"]}, stream=stream)
    await feed.emit(*item_opened(f"{tid}-P1.X1", ["U-edu"], "2026-08-01", subject="research_recommendation",
                                 source=tid, title="提高乡村教师补贴"))


async def registry(feed: Feed) -> None:
    await feed.emit(*ev.member_registered("m1", "王委员"))
    await feed.emit(*ev.member_registered("m2", "李委员"))
    for uid, name in (("U-water", "县水利局"), ("U-env", "县生态环境分局"), ("U-edu", "县教育局")):
        await feed.emit(*ev.unit_registered(uid, name))
    await feed.emit("organization-registered", {"organization_id": "O-league", "name": "民盟县委",
                                                "kind": "democratic_party"})


SUPERVISION = """query S($year: Int, $unitId: ID, $first: Int, $after: String) {
  supervisionTopics(year: $year, unitId: $unitId, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id title year unitIds units { name } team { name }
      activities { id kind labelZh heldOn participants { name } }
      reports { id reportedOn summary findingCount unitIds rectificationDue itemIds
                rectifications { id title kind unitIds } }
      rectifications { id } } } } }"""

RESEARCH = """query R($year: Int, $kind: ResearchTopicKind, $org: ID) {
  researchTopics(year: $year, kind: $kind, organizationId: $org) {
    totalCount edges { node { id title kind labelZh organizationId organization { name } team { name }
      teamOrganizationIds
      applications { id organizationId approved reason appliedOn }
      fieldDays { id heldOn kind members { name } }
      reports { id summary itemIds recommendations { id title } }
      recommendations { id kind unitIds open } } } } }"""


def nodes(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return [e["node"] for e in data[key]["edges"]]


async def test_a_supervision_topic_with_its_report_and_rectifications_as_each_role_sees_it(
        stack: Stack, feed: Feed, committee: str) -> None:
    await registry(feed)
    await supervision_topic(feed)
    await feed.emit("supervision-topic-opened", {"supervision_id": "S0", "year": 2025, "title": "去年的监督",
                                                 "unit_ids": ["U-edu"], "team_member_ids": []})
    await feed.settle(stack.gateway.projector)

    office = token(Role.office_staff, committee)
    seen = (await stack.api.run(SUPERVISION, {"year": YEAR}, bearer=office)).ok()
    [topic] = nodes(seen, "supervisionTopics")
    assert topic["title"] == "河长制落实专项监督" and topic["unitIds"] == ["U-water", "U-env"]
    assert [u["name"] for u in topic["units"]] == ["县水利局", "县生态环境分局"]
    assert [m["name"] for m in topic["team"]] == ["王委员", "李委员"]
    assert topic["activities"] == [{"id": "S1-A1", "kind": "forum", "labelZh": "座谈会", "heldOn": "2026-04-10",
                                    "participants": [{"name": "王委员"}]}]
    [report] = topic["reports"]
    assert report["findingCount"] == 2 and report["summary"] == "发现问题两项"
    assert report["rectificationDue"] == "2026-08-01" and report["itemIds"] == ["S1-R1.F1", "S1-R1.F2"]
    assert report["rectifications"] == [
        {"id": "S1-R1.F1", "title": "河道垃圾清理整改", "kind": "rectification", "unitIds": ["U-water"]},
        {"id": "S1-R1.F2", "title": "排污口排查整改", "kind": "rectification", "unitIds": ["U-env"]}]
    assert [r["id"] for r in topic["rectifications"]] == ["S1-R1.F1", "S1-R1.F2"]
    every = (await stack.api.run(SUPERVISION, {}, bearer=office)).ok()
    assert [t["id"] for t in nodes(every, "supervisionTopics")] == ["S1", "S0"]  # the latest year first
    by_unit = (await stack.api.run(SUPERVISION, {"unitId": "U-edu"}, bearer=office)).ok()
    assert [t["id"] for t in nodes(by_unit, "supervisionTopics")] == ["S0"]

    water = token(Role.unit_staff, committee, unit="U-water")
    [mine] = nodes((await stack.api.run(SUPERVISION, {}, bearer=water)).ok(), "supervisionTopics")
    assert mine["id"] == "S1" and [r["id"] for r in mine["rectifications"]] == ["S1-R1.F1"]  # its own only
    assert [r["id"] for r in mine["reports"][0]["rectifications"]] == ["S1-R1.F1"]
    edu = token(Role.unit_staff, committee, unit="U-edu")
    assert [t["id"] for t in nodes((await stack.api.run(SUPERVISION, {}, bearer=edu)).ok(),
                                   "supervisionTopics")] == ["S0"]

    member = token(Role.member, committee, member="m1")
    [as_member] = nodes((await stack.api.run(SUPERVISION, {"year": YEAR}, bearer=member)).ok(), "supervisionTopics")
    assert as_member["reports"][0]["findingCount"] == 2 and as_member["rectifications"] == []  # no department's items
    assert (await stack.api.run(SUPERVISION, {}, bearer=token(Role.service, committee))).codes == ["FORBIDDEN"]


async def test_a_research_topic_from_application_to_recommendation_as_each_role_sees_it(
        stack: Stack, feed: Feed, committee: str) -> None:
    await registry(feed)
    await research_topic(feed)
    await feed.emit("research-topic-planned", {"topic_id": "R2", "year": YEAR, "title": "融入性视察：农贸市场",
                                               "kind": "embedded_inspection", "open_for_application": False})
    await feed.settle(stack.gateway.projector)

    office = token(Role.office_staff, committee)
    seen = (await stack.api.run(RESEARCH, {"year": YEAR}, bearer=office)).ok()
    topics = {t["id"]: t for t in nodes(seen, "researchTopics")}
    assert list(topics) == ["R1", "R2"]
    r1 = topics["R1"]
    assert r1["kind"] == "experiential" and r1["labelZh"] == "体验式调研"
    assert r1["organizationId"] == "O-league" and r1["organization"] == {"name": "民盟县委"}
    assert r1["teamOrganizationIds"] == ["O-league"] and [m["name"] for m in r1["team"]] == ["王委员", "李委员"]
    assert r1["applications"] == [
        {"id": "A1", "organizationId": "O-league", "approved": True, "reason": "方案具体", "appliedOn": "2026-03-01"},
        {"id": "A2", "organizationId": "O-party", "approved": False, "reason": "课题已由民盟承担",
         "appliedOn": "2026-03-02"}]
    assert [(d["id"], d["heldOn"], d["kind"], len(d["members"])) for d in r1["fieldDays"]] == [
        ("R1-D1", "2026-04-01", "research", 2), ("R1-D2", "2026-04-15", "research", 1)]
    assert r1["reports"] == [{"id": "R1-P1", "summary": "建议三条", "itemIds": ["R1-P1.X1"],
                              "recommendations": [{"id": "R1-P1.X1", "title": "提高乡村教师补贴"}]}]
    assert r1["recommendations"] == [{"id": "R1-P1.X1", "kind": "research_recommendation", "unitIds": ["U-edu"],
                                      "open": True}]
    inspections = (await stack.api.run(RESEARCH, {"kind": "embedded_inspection"}, bearer=office)).ok()
    assert [t["id"] for t in nodes(inspections, "researchTopics")] == ["R2"]
    for org in ("O-league", "O-party"):  # taken on, or applied for (declined)
        found = (await stack.api.run(RESEARCH, {"org": org}, bearer=office)).ok()
        assert [t["id"] for t in nodes(found, "researchTopics")] == ["R1"]

    edu = token(Role.unit_staff, committee, unit="U-edu")
    [only] = nodes((await stack.api.run(RESEARCH, {}, bearer=edu)).ok(), "researchTopics")
    assert only["id"] == "R1" and [r["id"] for r in only["recommendations"]] == ["R1-P1.X1"]
    water = token(Role.unit_staff, committee, unit="U-water")
    assert (await stack.api.run(RESEARCH, {}, bearer=water)).ok()["researchTopics"]["totalCount"] == 0
    member = token(Role.member, committee, member="m2")
    as_member = {t["id"]: t for t in nodes((await stack.api.run(RESEARCH, {}, bearer=member)).ok(), "researchTopics")}
    assert list(as_member) == ["R1", "R2"] and as_member["R1"]["recommendations"] == []


ITEM = """query I($kind: TrackedSubject) { trackedItems(kind: $kind, first: 50) { edges { node {
  id parentItemId progress computedProgress children { id }
  lookbackCount lastLookbackOutcome lastLookedBackOn lookbacks { round outcome lookedBackOn notes }
  milestones { unitId round reachedOn text } open round due verdict } } } }"""


async def test_milestones_look_backs_and_a_parent_outcomes_progress_from_its_children(
        stack: Stack, feed: Feed, committee: str) -> None:
    await registry(feed)
    out = "consultation_outcome"
    await feed.emit(*item_opened("P", ["U-water", "U-env"], "2026-09-01", subject=out, source="C1"))
    await feed.emit(*item_opened("P.1", ["U-water"], "2026-09-01", subject=out, source="C1", parent="P"))
    await feed.emit(*item_opened("P.2", ["U-env"], "2026-09-01", subject=out, source="C1", parent="P"))
    await feed.emit(*item_opened("P.3", ["U-env"], "2026-09-01", subject=out, source="C1", parent="P"))
    await feed.emit(*item_opened("P.3.a", ["U-env"], "2026-09-01", subject=out, source="C1", parent="P.3"))
    await feed.emit(*item_opened("P.3.b", ["U-env"], "2026-09-01", subject=out, source="C1", parent="P.3"))
    await feed.emit(*progress("P.1", "U-water", 60, "2026-05-20", [("2026-05-10", "完成管网招标")]))
    await feed.emit(*progress("P.1", "U-water", 80, "2026-06-01",
                              [("2026-05-10", "完成管网招标"), ("2026-05-28", "开工建设")]))
    await feed.emit(*progress("P.3.a", "U-env", 50, "2026-05-20", []))
    await feed.emit(*progress("P.3.b", "U-env", 100, "2026-05-25", [], status="done"))
    # P.2 has no report yet: it counts 0.
    await feed.settle(stack.gateway.projector)
    office = token(Role.office_staff, committee)
    items = {n["id"]: n for n in nodes((await stack.api.run(ITEM, {}, bearer=office)).ok(), "trackedItems")}
    # P.3 = mean(50, 100) = 75; P = mean(P.1 80, P.2 0, P.3 75) = 155 / 3 = 51.67
    assert items["P.3"]["computedProgress"] == 75.0 and items["P.3"]["progress"] is None
    assert items["P"]["computedProgress"] == 51.67
    assert [c["id"] for c in items["P"]["children"]] == ["P.1", "P.2", "P.3"]
    assert items["P.1"]["computedProgress"] == 80.0 and items["P.2"]["computedProgress"] is None
    assert items["P.1"]["milestones"] == [  # the second report repeated the first milestone: kept once
        {"unitId": "U-water", "round": 1, "reachedOn": "2026-05-10", "text": "完成管网招标"},
        {"unitId": "U-water", "round": 1, "reachedOn": "2026-05-28", "text": "开工建设"}]
    water = token(Role.unit_staff, committee, unit="U-water")
    mine = {n["id"]: n for n in nodes((await stack.api.run(ITEM, {}, bearer=water)).ok(), "trackedItems")}
    assert [c["id"] for c in mine["P"]["children"]] == ["P.1"]  # a department sees only its own children

    # P.1 is implemented, looked back at (holds), then looked back at again (no longer holds) and reopened.
    await feed.emit(*reported("P.1", "U-water", "done", 100, "2026-06-20"))
    await feed.emit(*verdict("P.1", "implemented", "2026-06-25"))
    await feed.emit(*looked_back("P.1", "implemented", "2026-09-10"))
    await feed.emit(*looked_back("P.1", "partly", "2026-11-10"))
    await feed.emit(*reopened("P.1", "2026-12-10"))
    await feed.settle(stack.gateway.projector)
    items = {n["id"]: n for n in nodes((await stack.api.run(ITEM, {}, bearer=office)).ok(), "trackedItems")}
    p1 = items["P.1"]
    assert p1["lookbackCount"] == 2 and p1["lastLookbackOutcome"] == "partly"
    assert p1["lastLookedBackOn"] == "2026-11-10"
    assert p1["lookbacks"] == [
        {"round": 1, "outcome": "implemented", "lookedBackOn": "2026-09-10", "notes": "回头看"},
        {"round": 1, "outcome": "partly", "lookedBackOn": "2026-11-10", "notes": "回头看"}]
    assert p1["open"] and p1["round"] == 2 and p1["due"] == "2026-12-10" and p1["verdict"] == "implemented"
    # reopened: its current round has no report yet, so it counts 0 in its parent: mean(0, 0, 75) = 25
    assert items["P"]["computedProgress"] == 25.0


UNIT_QUEUE = "subscription { workQueueChanged { cause { type } queue { trackedItems { id open } } } }"


async def test_a_departments_queue_changes_with_the_tracked_item_events_that_concern_it(
        stack: Stack, feed: Feed, committee: str) -> None:
    before = stack.gateway.hub.subscriber_count
    async with Subscriber(stack.api, token(Role.unit_staff, committee, unit="U-water"), UNIT_QUEUE) as water, \
            Subscriber(stack.api, token(Role.unit_staff, committee, unit="U-env"), UNIT_QUEUE) as env:
        await subscribed(stack.gateway.hub, before + 1)
        await feed.emit(*item_opened("W1", ["U-water"], "2026-07-01", subject="rectification", source="S1-R1"))
        await feed.emit("tracked-item-followed-up", {"item_id": "W1", "round": 1, "method": "visit",
                                                     "unit_ids": ["U-water"], "followed_up_on": "2026-06-01"})
        await feed.emit(*reported("W1", "U-water", "done", 100, "2026-06-10"))
        await feed.emit(*verdict("W1", "implemented", "2026-06-15"))
        await feed.emit(*looked_back("W1", "not_implemented", "2026-09-01"))
        await feed.emit(*reopened("W1", "2026-10-01"))
        await feed.emit(*item_opened("E1", ["U-env"], "2026-07-01", subject="rectification", source="S1-R1"))
        expected = ["tracked-item-opened", "tracked-item-followed-up", "tracked-item-progress-reported",
                    "tracked-item-verdict-recorded", "tracked-item-looked-back", "tracked-item-reopened"]

        def causes(sub: Subscriber) -> list[str]:
            return [i["workQueueChanged"]["cause"]["type"] for _, i in sub.received]

        await wait_until(lambda: len(causes(water)) >= len(expected) and causes(env), timeout=20,
                         message="both departments' queues changed")
        assert causes(water) == expected  # E1 concerns the environment branch only
        # Each change carries the queue as read when it was delivered (later events may already show in it):
        # after the last one, the reopened rectification is back in the queue.
        assert water.received[-1][1]["workQueueChanged"]["queue"]["trackedItems"] == [{"id": "W1", "open": True}]
        assert causes(env) == ["tracked-item-opened"]
        assert env.received[0][1]["workQueueChanged"]["queue"]["trackedItems"] == [{"id": "E1", "open": True}]
