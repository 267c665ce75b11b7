"""Lists: filters, cursor pagination (Relay connections), and a fixed number of database round trips per
request whatever the page size (DataLoaders built per request: no N+1)."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Role
from gateway.tests import events as ev
from gateway.tests.conftest import Stack
from gateway.tests.harness import Feed, token

NESTED = """
query N($first: Int) {
  proposals(first: $first) {
    edges { node { id number leadMember { name sector } cosigners { state member { name } }
      handling { unit { name } replies { resultClass } evaluations { rating member { name } } contacts { kind } } } }
  }
}"""


async def twelve_proposals(feed: Feed) -> None:
    for i in range(1, 13):
        await feed.emit(*ev.member_registered(f"m{i}", f"委员{i:02d}", "education" if i % 2 else "economy",
                                              f"t-{i % 3}"))
    for i in range(1, 13):
        pid = f"P{i:02d}"
        await feed.emit(*ev.unit_registered(f"U{i % 4}", f"单位{i % 4}"))
        await feed.emit(*ev.proposal_submitted(pid, f"提案{i:02d}", f"m{i}", cosigners=[f"m{(i % 12) + 1}"],
                                               category="education" if i % 2 else "economy"))
        await feed.emit(*ev.proposal_accepted(pid, f"2026-{i:03d}", f"m{i}", sequence=i,
                                              category="education" if i % 2 else "economy"))
        await feed.emit(*ev.proposal_assigned(pid, [f"U{i % 4}", f"U{(i + 1) % 4}"], "2026-08-01"))
        await feed.emit(*ev.replied(pid, f"U{i % 4}", "A", on_time=True, replied_on="2026-05-01",
                                    deadline="2026-08-01"))
        await feed.emit(*ev.evaluated(pid, f"U{i % 4}", f"m{i}", "satisfied"))


async def test_nested_lists_cost_the_same_queries_for_any_page_size(stack: Stack, feed: Feed,
                                                                     committee: str) -> None:
    await twelve_proposals(feed)
    await feed.settle(stack.gateway.projector)
    office = token(Role.office_staff, committee)
    small = await stack.api.run(NESTED, {"first": 2}, bearer=office)
    large = await stack.api.run(NESTED, {"first": 12}, bearer=office)
    assert len(small.ok()["proposals"]["edges"]) == 2 and len(large.ok()["proposals"]["edges"]) == 12
    node = large.ok()["proposals"]["edges"][0]["node"]
    assert node["leadMember"]["name"] and node["handling"][0]["unit"]["name"] and node["cosigners"][0]["member"]
    # Loaders batch per kind of row: a fixed budget (how batches fall across event-loop ticks may move it by
    # one), where one query per row would take more than 12 x 6.
    budget = 12
    assert small.extensions["dbQueries"] <= budget and large.extensions["dbQueries"] <= budget, (
        small.extensions, large.extensions)


async def test_proposals_paginate_in_order_with_filters(stack: Stack, feed: Feed, committee: str) -> None:
    await twelve_proposals(feed)
    await feed.settle(stack.gateway.projector)
    office = token(Role.office_staff, committee)
    query = """query P($first: Int, $after: String, $f: ProposalFilter) {
      proposals(first: $first, after: $after, filter: $f) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { id } } } }"""
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = (await stack.api.run(query, {"first": 5, "after": after}, bearer=office)).ok()["proposals"]
        assert page["totalCount"] == 12
        seen += [e["node"]["id"] for e in page["edges"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == 3 and seen == [f"P{i:02d}" for i in range(1, 13)]
    economy = (await stack.api.run(query, {"f": {"category": "economy"}}, bearer=office)).ok()["proposals"]
    assert [e["node"]["id"] for e in economy["edges"]] == [f"P{i:02d}" for i in range(2, 13, 2)]
    by_unit = (await stack.api.run(query, {"f": {"unitId": "U1"}}, bearer=office)).ok()["proposals"]
    assert {e["node"]["id"] for e in by_unit["edges"]} == {"P01", "P05", "P09", "P04", "P08", "P12"}
    search = (await stack.api.run(query, {"f": {"search": "提案07"}}, bearer=office)).ok()["proposals"]
    assert [e["node"]["id"] for e in search["edges"]] == ["P07"]
    bad = await stack.api.run(query, {"after": "not-a-cursor"}, bearer=office)
    assert bad.codes == ["BAD_REQUEST"]
    too_many = await stack.api.run(query, {"first": 101}, bearer=office)
    assert too_many.codes == ["BAD_REQUEST"]


async def test_members_meetings_visits_and_reports_filter_and_page(stack: Stack, feed: Feed, committee: str) -> None:
    await twelve_proposals(feed)
    for i in range(1, 4):
        await feed.emit("meeting-scheduled", {"meeting_id": f"G{i}", "kind": "plenary" if i < 3 else "consultation",
                                              "title": f"会议{i}", "starts_at": f"2026-0{i + 2}-01T09:00:00+08:00",
                                              "ends_at": f"2026-0{i + 2}-01T12:00:00+08:00"})
        await feed.emit(*ev.visit(f"V{i}", f"m{i}", on=f"2026-0{i + 3}-02", roles=["policy_explainer"] if i == 2
                                  else ["service_provider"]))
        await feed.emit("opinion-report-submitted", {"report_id": f"R{i}", "author_member_id": f"m{i}",
                                                     "title": f"社情{i}", "body": "正文"})
    await feed.emit("opinion-report-adopted", {"report_id": "R2", "level": "county", "author_member_id": "m2",
                                               "adopted_on": "2026-05-05"})
    await feed.settle(stack.gateway.projector)
    office = token(Role.office_staff, committee)

    async def page(query: str) -> dict[str, Any]:
        data: dict[str, Any] = (await stack.api.run(query, bearer=office)).ok()
        return data

    members = await page('{ members(first: 3, filter: {sector: education}) { totalCount edges { node { id } } } }')
    assert members["members"]["totalCount"] == 6 and len(members["members"]["edges"]) == 3
    town = await page('{ members(filter: {townshipId: "t-0"}) { edges { node { id } } } }')
    assert {e["node"]["id"] for e in town["members"]["edges"]} == {"m3", "m6", "m9", "m12"}
    meetings = await page("{ meetings { edges { node { id } } } plenary: meetings(filter: {kind: plenary}) "
                          "{ totalCount } }")
    assert [e["node"]["id"] for e in meetings["meetings"]["edges"]] == ["G3", "G2", "G1"]  # latest first
    assert meetings["plenary"]["totalCount"] == 2
    visits = await page("{ visits(filter: {role: policy_explainer}) { edges { node { id visitor { name } } } } }")
    assert visits["visits"]["edges"] == [{"node": {"id": "V2", "visitor": {"name": "委员02"}}}]
    reports = await page("{ opinionReports(filter: {adopted: true}) { edges { node { id adoptedLevel author "
                         "{ id } } } } }")
    assert reports["opinionReports"]["edges"] == [{"node": {"id": "R2", "adoptedLevel": "county",
                                                            "author": {"id": "m2"}}}]
