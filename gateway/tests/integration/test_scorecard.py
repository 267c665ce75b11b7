"""The member scorecard against a scenario computed by hand.

Rulebook 2026 (bands: ≥85 excellent, ≥75 good, ≥60 competent, below incompetent):
  m1 education/t-1: base 60 + attendance 2 (+2 withdrawn) + proposals 15 + reports 10 (12 before a cap) = 87
  m2 education/t-2: base 60 + visits 5 + training 4                                                  = 69
  m3 economy/t-1:   base 60 + proposals 15 - attendance 6                                            = 69
                    flagged `absent-twice` with grade ceiling `incompetent`
  m4 economy/t-2:   base 60                                                                          = 60
Committee ranks 1, 2, 2, 4 (m2 and m3 tie); sector ranks: education m1 1, m2 2; economy m3 1, m4 2.
m1 is graded officially (member-graded: excellent); the others are provisional.
2025 has no rulebook: m1's 88 points fall in the default band 80–89 (good), 2 short of excellent at 90."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Role
from gateway.tests import events as ev
from gateway.tests.conftest import Stack
from gateway.tests.harness import Feed, token

CARD = """
query Card($m: ID!, $y: Int!) {
  memberScorecard(memberId: $m, year: $y) {
    memberId year total grade gradeByPoints graded rank sectorRank committeeSize sectorSize rulebookVersion
    member { name sector townshipId }
    categories { category labelZh points items { itemId points nominalPoints capped rule sourceEventType } }
    flags { flag labelZh maxGrade count }
    attendance { present onLeave absent items { refId status } }
    proposals { submitted accepted key asLead }
    reports { submitted adopted instructed published }
    visits { count peopleReached byRole { role count } }
    training { count } charity { count } awards { count items { title } }
    gradeBands { grade minTotal }
    nextGrade { grade minTotal pointsNeeded blockedByFlags }
  }
}"""

LIST = """
query List($y: Int!, $f: ScorecardFilter, $first: Int, $after: String) {
  scorecards(year: $y, filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { memberId total grade rank sectorRank } }
  }
}"""


async def scenario(feed: Feed) -> None:
    for member_id, name, sector, township in (("m1", "张一", "education", "t-1"), ("m2", "李二", "education", "t-2"),
                                              ("m3", "王三", "economy", "t-1"), ("m4", "赵四", "economy", "t-2")):
        await feed.emit(*ev.member_registered(member_id, name, sector, township))
    await feed.emit(*ev.rulebook_published(2026, [("excellent", 85), ("good", 75), ("competent", 60),
                                                  ("incompetent", None)]))
    for m in ("m1", "m2", "m3", "m4"):
        await feed.emit(*ev.points(m, 2026, "base", 60, item=f"base:2026:{m}", rule="base", label="基本分",
                                   source_type="member-registered"))
    await feed.emit(*ev.points("m1", 2026, "attendance", 2, item="a1"))
    await feed.emit(*ev.points("m1", 2026, "attendance", 2, item="a2"))
    await feed.emit(*ev.withdrawn("m1", 2026, "attendance", 2, "a2"))
    await feed.emit(*ev.points("m1", 2026, "proposals", 15, item="p1", source_type="proposal-accepted"))
    await feed.emit(*ev.points("m1", 2026, "opinion_reports", 10, nominal=12, item="r1",
                               source_type="opinion-report-adopted"))
    await feed.emit(*ev.points("m2", 2026, "visits", 5, item="v1", source_type="visit-logged"))
    await feed.emit(*ev.points("m2", 2026, "training", 4, item="t1", source_type="training-recorded"))
    await feed.emit(*ev.points("m3", 2026, "proposals", 15, item="p3", source_type="proposal-accepted"))
    await feed.emit(*ev.points("m3", 2026, "attendance", -6, item="abs", rule="absent"))
    await feed.emit(*ev.flagged("m3", 2026, "absent-twice", "incompetent"))
    await feed.emit(*ev.graded("m1", 2026, 87, "excellent"))
    await feed.emit(*ev.points("m1", 2025, "base", 88, item="base:2025:m1"))
    # m1's duty record
    await feed.emit(*ev.attendance("m1", "g1", "present"))
    await feed.emit(*ev.attendance("m1", "g2", "absent"))
    await feed.emit(*ev.attendance("m1", "g2", "on_leave"))  # corrects the record above
    await feed.emit(*ev.proposal_submitted("p1", "关于校车安全的提案", "m1"))
    await feed.emit(*ev.proposal_accepted("p1", "2026-001", "m1"))
    await feed.emit(*ev.proposal_submitted("p2", "关于农村学校的提案", "m2", cosigners=["m1"]))
    await feed.emit("opinion-report-submitted", {"report_id": "r1", "author_member_id": "m1", "title": "社情一",
                                                 "body": "正文", "category": "education"})
    await feed.emit("opinion-report-adopted", {"report_id": "r1", "level": "city", "author_member_id": "m1",
                                               "adopted_by": "市政协", "adopted_on": "2026-04-02"})
    await feed.emit("opinion-report-instructed", {"report_id": "r1", "leader": "市委副书记", "level": "city",
                                                  "author_member_id": "m1", "instruction": "请研究",
                                                  "instructed_on": "2026-04-10"})
    await feed.emit("opinion-report-published", {"report_id": "r1", "issue": "2026年第5期", "author_member_id": "m1",
                                                  "published_on": "2026-05-01"})
    await feed.emit(*ev.visit("v1", "m1", roles=["grassroots_investigator", "policy_explainer"]))
    await feed.emit("training-recorded", {"training_id": "t1", "kind": "theory_study", "title": "理论学习",
                                          "held_on": "2026-03-03", "member_ids": ["m1", "m2"]})
    await feed.emit("charity-recorded", {"charity_id": "ch1", "kind": "school_donation", "title": "捐资助学",
                                         "done_on": "2026-06-01", "member_ids": ["m1"], "amount_yuan": 5000})
    await feed.emit("award-granted", {"award_id": "aw1", "title": "优秀委员", "level": "county",
                                      "granted_on": "2026-07-01", "member_ids": ["m1"], "organization_ids": []})


def by_category(card: dict[str, Any]) -> dict[str, tuple[float, int]]:
    return {c["category"]: (c["points"], len(c["items"])) for c in card["categories"]}


async def test_a_members_card_shows_points_items_rank_grade_and_record(
        stack: Stack, feed: Feed, committee: str) -> None:
    await scenario(feed)
    await feed.settle(stack.gateway.projector)
    me = token(Role.member, committee, member="m1")
    card = (await stack.api.run(CARD, {"m": "m1", "y": 2026}, bearer=me)).ok()["memberScorecard"]

    assert card["total"] == 87 and card["grade"] == "excellent" and card["graded"] is True
    assert (card["rank"], card["sectorRank"], card["committeeSize"], card["sectorSize"]) == (1, 1, 4, 2)
    assert card["member"] == {"name": "张一", "sector": "education", "townshipId": "t-1"}
    cats = by_category(card)
    assert cats["base"] == (60, 1) and cats["attendance"] == (2, 1)  # the withdrawn item is gone
    assert cats["proposals"] == (15, 1) and cats["opinion_reports"] == (10, 1) and cats["visits"] == (0, 0)
    [report_item] = next(c for c in card["categories"] if c["category"] == "opinion_reports")["items"]
    assert report_item == {"itemId": "r1", "points": 10, "nominalPoints": 12, "capped": True, "rule": "r",
                           "sourceEventType": "opinion-report-adopted"}
    assert card["flags"] == [] and card["nextGrade"] is None and card["rulebookVersion"] == 1
    assert card["gradeBands"][0] == {"grade": "excellent", "minTotal": 85}
    assert {k: card["attendance"][k] for k in ("present", "onLeave", "absent")} == {"present": 1, "onLeave": 1,
                                                                                     "absent": 0}
    assert card["proposals"] == {"submitted": 2, "accepted": 1, "key": 0, "asLead": 1}
    assert card["reports"] == {"submitted": 1, "adopted": 1, "instructed": 1, "published": 1}
    assert card["visits"]["count"] == 1 and card["visits"]["peopleReached"] == 12
    assert {r["role"] for r in card["visits"]["byRole"]} == {"grassroots_investigator", "policy_explainer"}
    assert (card["training"]["count"], card["charity"]["count"], card["awards"]["count"]) == (1, 1, 1)


async def test_a_declined_cosigner_did_not_submit_and_an_organizations_contact_member_did(
        stack: Stack, feed: Feed, committee: str) -> None:
    for member_id, name in (("m1", "张一"), ("m2", "李二"), ("m3", "王三"), ("m4", "赵四")):
        await feed.emit(*ev.member_registered(member_id, name, "education", "t-1"))
    await feed.emit(*ev.proposal_submitted("p1", "关于农村学校的提案", "m1", cosigners=["m2", "m3"]))
    await feed.emit("cosigner-confirmed", {"proposal_id": "p1", "member_id": "m2"})
    await feed.emit("cosigner-declined", {"proposal_id": "p1", "member_id": "m3"})
    await feed.emit("proposal-submitted", {
        "proposal_id": "p2", "year": 2026, "submitter_kind": "organization", "organization_id": "o-minmeng",
        "lead_member_id": None,
        "contact_member_id": "m4", "cosigner_member_ids": [], "category": "education", "title": "民盟县委提案"})
    await feed.emit("proposal-accepted", {
        "proposal_id": "p2", "number": "2026-002", "year": 2026, "sequence": 2, "category": "education",
        "submitter_kind": "organization", "organization_id": "o-minmeng", "contact_member_id": "m4",
        "lead_member_id": None,
        "cosigner_member_ids": [], "reason": "符合立案标准"})
    await feed.settle(stack.gateway.projector)
    office = token(Role.office_staff, committee)

    async def proposals(member: str) -> dict[str, Any]:
        card = (await stack.api.run(CARD, {"m": member, "y": 2026}, bearer=office)).ok()["memberScorecard"]
        return dict(card["proposals"])

    assert await proposals("m2") == {"submitted": 1, "accepted": 0, "key": 0, "asLead": 0}
    assert await proposals("m3") == {"submitted": 0, "accepted": 0, "key": 0, "asLead": 0}, "m3 declined"
    assert await proposals("m4") == {"submitted": 1, "accepted": 1, "key": 0, "asLead": 0}


async def test_a_flag_caps_the_grade_and_blocks_the_next_band(stack: Stack, feed: Feed, committee: str) -> None:
    await scenario(feed)
    await feed.settle(stack.gateway.projector)
    office = token(Role.office_staff, committee)
    card = (await stack.api.run(CARD, {"m": "m3", "y": 2026}, bearer=office)).ok()["memberScorecard"]
    assert card["total"] == 69 and card["gradeByPoints"] == "competent" and card["grade"] == "incompetent"
    assert card["graded"] is False
    assert (card["rank"], card["sectorRank"]) == (2, 1)
    assert card["flags"] == [{"flag": "absent-twice", "labelZh": "无故缺席两次以上", "maxGrade": "incompetent",
                              "count": 2}]
    assert card["nextGrade"] == {"grade": "good", "minTotal": 75, "pointsNeeded": 6,
                                 "blockedByFlags": ["absent-twice"]}
    assert by_category(card)["attendance"] == (-6, 1)


async def test_without_a_rulebook_the_default_bands_apply(stack: Stack, feed: Feed, committee: str) -> None:
    await scenario(feed)
    await feed.settle(stack.gateway.projector)
    me = token(Role.member, committee, member="m1")
    card = (await stack.api.run(CARD, {"m": "m1", "y": 2025}, bearer=me)).ok()["memberScorecard"]
    assert card["total"] == 88 and card["grade"] == "good" and card["rulebookVersion"] is None
    assert [b["minTotal"] for b in card["gradeBands"]] == [90, 80, 60, None]
    assert card["nextGrade"] == {"grade": "excellent", "minTotal": 90, "pointsNeeded": 2, "blockedByFlags": []}


async def test_scorecards_are_ranked_filtered_and_paginated(stack: Stack, feed: Feed, committee: str) -> None:
    await scenario(feed)
    await feed.settle(stack.gateway.projector)
    lead = token(Role.leadership, committee)

    async def ids(f: dict[str, Any] | None = None, **kw: Any) -> list[tuple[str, float, int]]:
        data = (await stack.api.run(LIST, {"y": 2026, "f": f, **kw}, bearer=lead)).ok()["scorecards"]
        return [(e["node"]["memberId"], e["node"]["total"], e["node"]["rank"]) for e in data["edges"]]

    assert await ids() == [("m1", 87, 1), ("m2", 69, 2), ("m3", 69, 2), ("m4", 60, 4)]
    assert await ids({"sector": "economy"}) == [("m3", 69, 2), ("m4", 60, 4)]
    assert await ids({"townshipId": "t-1"}) == [("m1", 87, 1), ("m3", 69, 2)]
    assert await ids({"grade": "competent"}) == [("m2", 69, 2), ("m4", 60, 4)]
    assert await ids({"grade": "incompetent"}) == [("m3", 69, 2)]
    first = (await stack.api.run(LIST, {"y": 2026, "first": 2}, bearer=lead)).ok()["scorecards"]
    assert first["totalCount"] == 4 and first["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["memberId"] for e in first["edges"]] == ["m1", "m2"]
    rest = await ids(first=2, after=first["pageInfo"]["endCursor"])
    assert rest == [("m3", 69, 2), ("m4", 60, 4)]


async def test_a_member_cannot_read_another_members_card(stack: Stack, feed: Feed, committee: str) -> None:
    await scenario(feed)
    await feed.settle(stack.gateway.projector)
    result = await stack.api.run(CARD, {"m": "m2", "y": 2026}, bearer=token(Role.member, committee, member="m1"))
    assert result.codes == ["FORBIDDEN"] and (result.data or {}).get("memberScorecard") is None
    other_committee = token(Role.leadership, f"{committee}-other")
    result = await stack.api.run(CARD, {"m": "m1", "y": 2026}, bearer=other_committee)
    assert result.ok()["memberScorecard"] is None  # another committee's card does not exist for them


SURVEYS_WORK = """
query Card($m: ID!, $y: Int!) {
  memberScorecard(memberId: $m, year: $y) {
    consultations { count items { refId role occurredOn } }
    supervision { count items { refId } }
    research { count items { refId status title } }
    appraisals { count items { refId } }
  }
}"""


async def test_a_members_card_lists_consultation_supervision_research_and_appraisal_work(
        stack: Stack, feed: Feed, committee: str) -> None:
    await feed.emit(*ev.member_registered("m1", "张一", "education", "t-1"))
    await feed.emit("consultation-held", {"consultation_id": "c1", "held_on": "2026-04-08",
                                          "participant_member_ids": ["m1", "m2"], "speaker_member_ids": ["m1"],
                                          "written_opinion_member_ids": ["m3"], "summary": ""})
    await feed.emit("consultation-held", {"consultation_id": "c2", "held_on": "2026-05-12",
                                          "participant_member_ids": [], "written_opinion_member_ids": ["m1"]})
    await feed.emit("supervision-reported", {"supervision_id": "s1", "report_id": "sr1", "topic_title": "营商环境",
                                             "reported_on": "2026-06-01", "member_ids": ["m1", "m2"]})
    await feed.emit("research-participation-recorded", {"activity_id": "f1", "topic_id": "rt1", "kind": "inspection",
                                                        "title": "河道整治视察", "held_on": "2026-06-20",
                                                        "member_ids": ["m1"]})
    await feed.emit("appraisal-participation-recorded", {"appraisal_id": "a1", "round_id": "r1", "member_id": "m1",
                                                         "unit_id": "u-police", "held_on": "2026-07-02"})
    await feed.emit("appraisal-participation-recorded", {"appraisal_id": "a1", "round_id": "r1", "member_id": "m2",
                                                         "unit_id": "u-police", "held_on": "2026-07-02"})
    await feed.settle(stack.gateway.projector)
    me = token(Role.member, committee, member="m1")
    card = (await stack.api.run(SURVEYS_WORK, {"m": "m1", "y": 2026}, bearer=me)).ok()["memberScorecard"]

    assert sorted((i["refId"], i["role"]) for i in card["consultations"]["items"]) == [
        ("c1", "speaker"), ("c2", "written_opinion")]
    assert card["supervision"] == {"count": 1, "items": [{"refId": "sr1"}]}
    assert card["research"]["items"] == [{"refId": "f1", "status": "inspection", "title": "河道整治视察"}]
    assert card["appraisals"]["count"] == 1  # m2's round is m2's
