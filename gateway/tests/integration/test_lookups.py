"""The lookups the office and members need, as each role reads them: handling units and organizations,
solicitations with their reference topics, rulebooks and their versions, recommendation reports and their
look-backs, liaison contacts, trainings, charity and awards.

One county year is fed once (the tests only read): 张一 (m1) and 李二 (m2), two departments, two parties; a
neighbouring committee holds rows under the very same ids, which never show."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest_asyncio
from aiokafka import AIOKafkaProducer

from contracts.envelope import Role
from gateway.tests import events as ev
from gateway.tests.conftest import Stack
from gateway.tests.harness import Feed, token


@dataclass(frozen=True)
class County:
    committee: str
    neighbour: str

    def office(self) -> str:
        return token(Role.office_staff, self.committee)

    def member(self, member_id: str) -> str:
        return token(Role.member, self.committee, member=member_id)

    def unit(self, unit_id: str) -> str:
        return token(Role.unit_staff, self.committee, unit=unit_id)


async def _year(feed: Feed, *, neighbour: bool = False) -> None:
    """The county's year; the neighbour's copy has the same ids under other names."""
    emit = feed.emit
    tag = "外县" if neighbour else ""
    for member_id, name in (("m1", "张一"), ("m2", "李二")):
        await emit(*ev.member_registered(member_id, f"{tag}{name}"))
    for unit_id, name in (("U1", "县教育局"), ("U2", "县财政局")):
        await emit(*ev.unit_registered(unit_id, f"{tag}{name}"))
    await emit("organization-registered", {"organization_id": "O1", "name": f"{tag}民盟县委",
                                           "kind": "democratic_party", "sector": "democratic_league"})
    await emit("organization-registered", {"organization_id": "O2", "name": f"{tag}县妇联",
                                           "kind": "peoples_organization"})
    await emit("solicitation-published", {
        "solicitation_id": "S2026", "year": 2026, "title": f"{tag}2026年提案征集", "opens_on": "2026-01-05",
        "closes_on": "2026-02-28", "topics": [
            {"title": "乡村振兴产业发展", "category": "agriculture", "description": "特色产业、集体经济"},
            {"title": "义务教育均衡发展", "category": "education", "description": ""}]})
    await emit("solicitation-published", {
        "solicitation_id": "S2025", "year": 2025, "title": f"{tag}2025年提案征集", "opens_on": "2025-01-06",
        "closes_on": "2025-02-28", "topics": [{"title": "养老服务体系", "category": "society"}]})
    await emit(*ev.rulebook_published(2025, [("excellent", 90), ("good", 80), ("competent", 60),
                                             ("incompetent", None)]))
    await emit(*ev.rulebook_published(2026, [("excellent", 85), ("good", 75), ("competent", 60),
                                             ("incompetent", None)]))
    correction = ev.rulebook_published(2026, [("excellent", 88), ("good", 78), ("competent", 60),
                                              ("incompetent", None)], version=2)
    await emit(correction[0], {**correction[1], "in_force": False})
    # Recommendation reports: RR1 found partly implemented (follow-up goes on), RR2 implemented.
    for rid, title, outcome in (("RR1", "关于乡村振兴的建议案", "partly"),
                                ("RR2", "关于养老服务的建议案", "implemented")):
        await emit("recommendation-report-recorded", {
            "recommendation_id": rid, "title": f"{tag}{title}", "summary": "摘要", "addressed_to": "县委、县政府",
            "sent_on": "2026-03-01", "lookback_due": "2026-06-01"})
        await emit("lookback-opened", {"lookback_id": f"L-{rid}", "subject": "recommendation", "due": "2026-06-01",
                                       "recommendation_id": rid})
        await emit("lookback-concluded", {"lookback_id": f"L-{rid}", "subject": "recommendation", "outcome": outcome,
                                          "notes": "办公室核查记录", "recommendation_id": rid})
    # B-class commitments of m1's proposal (U1) and of m2's (U2), looked back at later.
    for pid, lead, unit, due in (("P1", "m1", "U1", "2026-08-01"), ("P2", "m2", "U2", "2026-09-01")):
        await emit(*ev.proposal_submitted(pid, f"{lead}的提案", lead))
        await emit("lookback-opened", {"lookback_id": f"L-{pid}", "subject": "commitment", "due": due,
                                       "proposal_id": pid, "commitment_id": f"C-{pid}", "unit_id": unit})
    await emit("liaison-contact-added", {"contact_id": "K1", "kind": "hometown_talent", "name": f"{tag}陈先生",
                                         "township_id": "t-1", "based_in": "深圳"})
    await emit("liaison-contact-added", {"contact_id": "K2", "kind": "member_enterprise", "name": f"{tag}张一农业公司",
                                         "member_id": "m1", "sector": "economy"})
    for visit_id, day in (("LV1", "2026-04-01"), ("LV2", "2026-05-10")):
        await emit("liaison-visit-recorded", {"liaison_visit_id": visit_id, "contact_id": "K1",
                                              "visitor_member_ids": ["m2"], "visited_on": day, "purpose": "联谊"})
    await emit("training-recorded", {"training_id": "T1", "kind": "theory_study", "title": f"{tag}理论学习",
                                     "held_on": "2026-03-10", "member_ids": ["m1", "m2"]})
    await emit("training-recorded", {"training_id": "T2", "kind": "capacity_training", "title": f"{tag}履职培训",
                                     "held_on": "2026-05-01", "member_ids": ["m2"]})
    await emit("training-recorded", {"training_id": "T0", "kind": "other", "title": f"{tag}去年的培训",
                                     "held_on": "2025-11-01", "member_ids": ["m1"]})
    await emit("charity-recorded", {"charity_id": "CH1", "kind": "school_donation", "title": f"{tag}捐资助学",
                                    "done_on": "2026-04-20", "member_ids": ["m1"], "amount_yuan": 5000})
    await emit("award-granted", {"award_id": "A1", "title": f"{tag}优秀委员", "level": "city",
                                 "granted_on": "2026-04-30", "member_ids": ["m2"]})
    await emit("award-granted", {"award_id": "A2", "title": f"{tag}参政议政先进集体", "level": "county",
                                 "granted_on": "2026-05-30", "organization_ids": ["O1"]})


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def county(stack: Stack, producer: AIOKafkaProducer) -> County:
    here = County(f"c-look-{uuid.uuid4().hex[:8]}", f"c-next-{uuid.uuid4().hex[:8]}")
    feeds = [stack.feed(producer, here.committee), stack.feed(producer, here.neighbour)]
    await _year(feeds[0])
    await _year(feeds[1], neighbour=True)
    for feed in feeds:
        await feed.settle(stack.gateway.projector)
    return here


async def _ok(stack: Stack, query: str, bearer: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    return (await stack.api.run(query, variables, bearer=bearer)).ok()


async def _refused(stack: Stack, query: str, bearer: str) -> list[str]:
    return (await stack.api.run(query, bearer=bearer)).codes


def _names(conn: dict[str, Any], key: str = "name") -> list[Any]:
    return [n[key] for n in conn["nodes"]]


async def test_everyone_looks_up_units_and_organizations_by_name_and_kind(stack: Stack, county: County) -> None:
    q = """query($u: UnitFilter, $o: OrganizationFilter) {
      units(filter: $u) { totalCount nodes { id name } }
      organizations(filter: $o) { totalCount nodes { id name kind } } }"""
    for bearer in (county.office(), county.member("m1"), county.unit("U2")):
        data = await _ok(stack, q, bearer)
        assert _names(data["units"]) == ["县教育局", "县财政局"]
        assert _names(data["organizations"]) == ["县妇联", "民盟县委"]  # by name, as the database orders it
    data = await _ok(stack, q, county.office(), {"u": {"search": "财政"}, "o": {"kind": "peoples_organization"}})
    assert data["units"]["nodes"] == [{"id": "U2", "name": "县财政局"}]
    assert data["organizations"]["nodes"] == [{"id": "O2", "name": "县妇联", "kind": "peoples_organization"}]
    data = await _ok(stack, q, county.office(), {"o": {"sector": "democratic_league"}})
    assert _names(data["organizations"]) == ["民盟县委"]


async def test_a_member_reads_the_solicitations_and_their_reference_topics(stack: Stack, county: County) -> None:
    q = """query($f: SolicitationFilter) { solicitations(filter: $f) { totalCount nodes {
      id year title opensOn closesOn open(asOf: "2026-02-01") topics { title category description } } } }"""
    everything = (await _ok(stack, q, county.member("m2")))["solicitations"]
    assert [(s["id"], s["title"]) for s in everything["nodes"]] == [("S2026", "2026年提案征集"),
                                                                    ("S2025", "2025年提案征集")]
    this_year = everything["nodes"][0]
    assert this_year["open"] is True and this_year["topics"] == [
        {"title": "乡村振兴产业发展", "category": "agriculture", "description": "特色产业、集体经济"},
        {"title": "义务教育均衡发展", "category": "education", "description": ""}]
    open_then = (await _ok(stack, q, county.member("m2"), {"f": {"openOn": "2025-02-10"}}))["solicitations"]
    assert [s["id"] for s in open_then["nodes"]] == ["S2025"]
    by_topic = (await _ok(stack, q, county.unit("U1"), {"f": {"category": "society"}}))["solicitations"]
    assert [s["id"] for s in by_topic["nodes"]] == ["S2025"]
    by_year = (await _ok(stack, q, county.office(), {"f": {"year": 2026}}))["solicitations"]
    assert by_year["totalCount"] == 1


async def test_a_member_reads_the_rulebooks_and_their_versions(stack: Stack, county: County) -> None:
    q = """query($f: RulebookFilter) { rulebooks(filter: $f) { totalCount nodes {
      year version inForce title basePoints grades { grade minTotal } rules } } }"""
    books = (await _ok(stack, q, county.member("m1")))["rulebooks"]["nodes"]
    assert [(b["year"], b["version"], b["inForce"]) for b in books] == [(2026, 2, False), (2026, 1, True),
                                                                        (2025, 1, True)]
    in_force = (await _ok(stack, q, county.member("m1"), {"f": {"year": 2026, "inForceOnly": True}}))["rulebooks"]
    [book] = in_force["nodes"]
    assert book["title"] == "2026年度委员履职考评办法" and book["basePoints"] == 60
    assert book["grades"][0] == {"grade": "excellent", "minTotal": 85.0}
    assert book["rules"]["rules"][0]["id"] == "attend"


async def test_the_office_follows_recommendation_reports_through_their_lookbacks(stack: Stack, county: County) -> None:
    q = """query($f: RecommendationReportFilter) { recommendationReports(filter: $f) { totalCount nodes {
      id title addressedTo sentOn lookbackDue lookbacks { id outcome notes } } } }"""
    reports = (await _ok(stack, q, county.office()))["recommendationReports"]
    assert reports["totalCount"] == 2
    rr1 = next(r for r in reports["nodes"] if r["id"] == "RR1")
    assert rr1["addressedTo"] == "县委、县政府" and rr1["lookbacks"] == [
        {"id": "L-RR1", "outcome": "partly", "notes": "办公室核查记录"}]
    awaiting = (await _ok(stack, q, token(Role.leadership, county.committee),
                          {"f": {"awaitingLookback": True, "year": 2026}}))["recommendationReports"]
    assert [r["id"] for r in awaiting["nodes"]] == ["RR1"], "RR2 was found implemented"
    for bearer in (county.member("m1"), county.unit("U1")):
        assert await _refused(stack, "{ recommendationReports { totalCount } }", bearer) == ["FORBIDDEN"]


async def test_lookbacks_as_the_office_a_unit_and_a_proposer_read_them(stack: Stack, county: County) -> None:
    q = """query($f: LookbackFilter) { lookbacks(filter: $f) { totalCount nodes { id subject unitId proposalId
      outcome notes due } } }"""
    office = (await _ok(stack, q, county.office()))["lookbacks"]
    assert [n["id"] for n in office["nodes"]] == ["L-RR1", "L-RR2", "L-P1", "L-P2"], "nearest due first"
    open_commitments = (await _ok(stack, q, county.office(), {"f": {"subject": "commitment", "concluded": False,
                                                                    "dueBefore": "2026-08-15"}}))["lookbacks"]
    assert [n["id"] for n in open_commitments["nodes"]] == ["L-P1"]
    assert [n["id"] for n in (await _ok(stack, q, county.unit("U2")))["lookbacks"]["nodes"]] == ["L-P2"]
    mine = (await _ok(stack, q, county.member("m1")))["lookbacks"]["nodes"]
    assert [(n["id"], n["unitId"]) for n in mine] == [("L-P1", "U1")]
    implemented = (await _ok(stack, q, county.member("m1"), {"f": {"outcome": "implemented"}}))["lookbacks"]
    assert implemented["totalCount"] == 0, "a member never sees the recommendation reports' look-backs"
    notes = (await _ok(stack, q, county.unit("U1"), {"f": {"proposalId": "P1"}}))["lookbacks"]["nodes"]
    assert [n["notes"] for n in notes] == [None], "the office's notes are the office's"


async def test_liaison_contacts_are_the_offices_and_a_member_sees_their_own_enterprise(
        stack: Stack, county: County) -> None:
    q = """query($f: LiaisonContactFilter) { liaisonContacts(filter: $f) { totalCount nodes {
      id kind name basedIn visits lastVisitedOn member { name } } } }"""
    contacts = (await _ok(stack, q, county.office()))["liaisonContacts"]["nodes"]
    assert [(c["name"], c["visits"], c["lastVisitedOn"]) for c in contacts] == [
        ("张一农业公司", 0, None), ("陈先生", 2, "2026-05-10")]
    talents = (await _ok(stack, q, county.office(), {"f": {"kind": "hometown_talent"}}))["liaisonContacts"]
    assert _names(talents) == ["陈先生"] and talents["nodes"][0]["basedIn"] == "深圳"
    own = (await _ok(stack, q, county.member("m1")))["liaisonContacts"]["nodes"]
    assert [(c["name"], c["member"]["name"]) for c in own] == [("张一农业公司", "张一")]
    assert (await _ok(stack, q, county.member("m2")))["liaisonContacts"]["totalCount"] == 0
    assert await _refused(stack, "{ liaisonContacts { totalCount } }", county.unit("U1")) == ["FORBIDDEN"]


TRAININGS = """query($f: TrainingFilter, $first: Int, $after: String) {
  trainings(filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id title kind heldOn memberIds members { name } } } }"""


async def test_a_member_sees_their_own_trainings_and_no_one_elses(stack: Stack, county: County) -> None:
    mine = (await _ok(stack, TRAININGS, county.member("m2")))["trainings"]["nodes"]
    assert [(t["id"], t["memberIds"]) for t in mine] == [("T2", ["m2"]), ("T1", ["m2"])], \
        "the shared training names only the reader"
    others = (await _ok(stack, TRAININGS, county.member("m2"), {"f": {"memberId": "m1"}}))["trainings"]
    assert [(t["id"], t["memberIds"], [m["name"] for m in t["members"]]) for t in others["nodes"]] == [
        ("T1", ["m2"], ["李二"])], "of m1's trainings only the one m2 attended too, and m1 is not named in it"
    assert await _refused(stack, "{ trainings { totalCount } }", county.unit("U1")) == ["FORBIDDEN"]


async def test_the_office_looks_up_trainings_by_member_and_year_page_by_page(stack: Stack, county: County) -> None:
    of_m1 = (await _ok(stack, TRAININGS, county.office(), {"f": {"memberId": "m1", "year": 2026}}))["trainings"]
    assert [(t["id"], [m["name"] for m in t["members"]]) for t in of_m1["nodes"]] == [("T1", ["张一", "李二"])]
    first = (await _ok(stack, TRAININGS, county.office(), {"first": 2}))["trainings"]
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"]
    rest = (await _ok(stack, TRAININGS, county.office(), {"first": 2, "after": first["pageInfo"]["endCursor"]}))
    assert [t["id"] for t in first["nodes"] + rest["trainings"]["nodes"]] == ["T2", "T1", "T0"]
    theory = (await _ok(stack, TRAININGS, county.office(), {"f": {"kind": "theory_study"}}))["trainings"]
    assert [t["title"] for t in theory["nodes"]] == ["理论学习"]


async def test_charity_and_awards_by_member_year_and_party(stack: Stack, county: County) -> None:
    q = """query($c: CharityFilter, $a: AwardFilter) {
      charityRecords(filter: $c) { totalCount nodes { id kind doneOn amountYuan memberIds } }
      awards(filter: $a) { totalCount nodes { id title level memberIds organizations { name } } } }"""
    office = await _ok(stack, q, county.office(), {"c": {"year": 2026}, "a": {"year": 2026}})
    assert office["charityRecords"]["nodes"] == [{"id": "CH1", "kind": "school_donation", "doneOn": "2026-04-20",
                                                  "amountYuan": 5000, "memberIds": ["m1"]}]
    assert [(a["id"], a["memberIds"], [o["name"] for o in a["organizations"]]) for a in office["awards"]["nodes"]] \
        == [("A2", [], ["民盟县委"]), ("A1", ["m2"], [])]
    by_party = await _ok(stack, q, county.office(), {"a": {"organizationId": "O1"}})
    assert [a["id"] for a in by_party["awards"]["nodes"]] == ["A2"]
    by_level = await _ok(stack, q, county.office(), {"a": {"level": "city"}, "c": {"memberId": "m2"}})
    assert [a["id"] for a in by_level["awards"]["nodes"]] == ["A1"]
    assert by_level["charityRecords"]["totalCount"] == 0
    m1 = await _ok(stack, q, county.member("m1"))
    assert [c["id"] for c in m1["charityRecords"]["nodes"]] == ["CH1"] and m1["awards"]["totalCount"] == 0
    m2 = await _ok(stack, q, county.member("m2"))
    assert m2["charityRecords"]["totalCount"] == 0 and [a["id"] for a in m2["awards"]["nodes"]] == ["A1"]


async def test_another_committees_rows_never_show(stack: Stack, county: County) -> None:
    q = """{ units { nodes { name } } organizations { nodes { name } } solicitations { nodes { title } }
      rulebooks { totalCount } recommendationReports { nodes { title } } lookbacks { totalCount }
      liaisonContacts { nodes { name } } trainings { nodes { title } } charityRecords { nodes { title } }
      awards { nodes { title } } }"""
    here = await _ok(stack, q, county.office())
    neighbour = await _ok(stack, q, token(Role.office_staff, county.neighbour))
    texts = [str(v) for v in here.values()]
    assert not any("外县" in t for t in texts), here
    assert here["rulebooks"]["totalCount"] == neighbour["rulebooks"]["totalCount"] == 3
    assert here["lookbacks"]["totalCount"] == neighbour["lookbacks"]["totalCount"] == 4
    assert all(n["name"].startswith("外县") for n in neighbour["units"]["nodes"])
    assert len(neighbour["trainings"]["nodes"]) == len(here["trainings"]["nodes"]) == 3
