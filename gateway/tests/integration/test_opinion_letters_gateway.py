"""Through GraphQL: the office sees the opinion letters (转意见建议函) proposals not accepted became and whether
each unit acknowledged its letter; a unit sees the letters sent to it; and the proposers of a proposal merged
into another (并案) find that one under their proposals and are credited with its acceptance on their card.

The county's year (2026): P1 (Zhang) not accepted and sent to the water bureau U-W as letter L1, which it
acknowledged on 03-20; P2 (Li) sent to the health bureau U-H as L2, not yet acknowledged. P4 (Zhao, co-signed by
Wu) merged into P3 (Zhang) before P3 was accepted; Qian's P5 merged into P3 after."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Role
from gateway.tests import events as ev
from gateway.tests.conftest import Stack
from gateway.tests.harness import Feed, token

LETTERS = """query($f: OpinionLetterFilter, $first: Int, $after: String) {
  opinionLetters(filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id proposalId unitId title text editedByOffice sentOn acknowledged acknowledgedOn unit { id name } }
  } }"""
MINE = """{ proposals { nodes { id } } }"""
CARD = """query($m: ID!) { memberScorecard(memberId: $m, year: 2026) { proposals { submitted accepted asLead
  items { kind refId role } } } }"""


def _letter(letter_id: str, proposal_id: str, unit_id: str, sent_on: str) -> tuple[str, dict[str, Any]]:
    return "opinion-letter-sent", {"letter_id": letter_id, "proposal_id": proposal_id, "unit_id": unit_id,
                                   "title": f"关于{proposal_id}的建议", "text": "案由\n分析\n建议一",
                                   "edited_by_office": False, "category": "society", "sent_on": sent_on}


async def _letters(feed: Feed) -> None:
    emit = feed.emit
    await emit(*ev.unit_registered("U-W", "县水利局"))
    await emit(*ev.unit_registered("U-H", "县卫健委"))
    for pid, lead, letter, unit, on in (("P1", "m-zhang", "L1", "U-W", "2026-03-16"),
                                        ("P2", "m-li", "L2", "U-H", "2026-03-17")):
        await emit(*ev.proposal_submitted(pid, f"关于{pid}的建议", lead))
        await emit("proposal-not-accepted", {"proposal_id": pid, "converted_to": "opinion_letter",
                                             "reason": "转有关单位参考", "opinion_letter_id": letter})
        await emit(*_letter(letter, pid, unit, on))
    await emit("opinion-letter-acknowledged", {"letter_id": "L1", "proposal_id": "P1", "unit_id": "U-W",
                                               "acknowledged_on": "2026-03-20"})


async def _run(stack: Stack, query: str, bearer: str, **variables: Any) -> Any:
    return await stack.api.run(query, variables, bearer=bearer)


async def test_the_office_sees_every_letter_and_whether_its_unit_acknowledged_it(
        stack: Stack, feed: Feed, committee: str) -> None:
    await _letters(feed)
    await feed.settle(stack.gateway.projector)
    office = token(Role.office_staff, committee)
    page = (await _run(stack, LETTERS, office)).ok()["opinionLetters"]
    assert page["totalCount"] == 2
    assert [(n["id"], n["unitId"], n["unit"]["name"], n["acknowledged"], n["acknowledgedOn"]) for n in page["nodes"]] \
        == [("L2", "U-H", "县卫健委", False, None), ("L1", "U-W", "县水利局", True, "2026-03-20")], "latest sent first"
    awaiting = (await _run(stack, LETTERS, office, f={"acknowledged": False})).ok()["opinionLetters"]["nodes"]
    assert [n["id"] for n in awaiting] == ["L2"], "the letters still to chase"
    first = (await _run(stack, LETTERS, office, first=1)).ok()["opinionLetters"]
    rest = (await _run(stack, LETTERS, office, first=1, after=first["pageInfo"]["endCursor"])).ok()["opinionLetters"]
    assert [n["id"] for n in first["nodes"] + rest["nodes"]] == ["L2", "L1"] and not rest["pageInfo"]["hasNextPage"]


async def test_a_unit_sees_the_letters_sent_to_it_and_a_member_none(stack: Stack, feed: Feed, committee: str) -> None:
    await _letters(feed)
    await feed.settle(stack.gateway.projector)
    water = (await _run(stack, LETTERS, token(Role.unit_staff, committee, unit="U-W"))).ok()["opinionLetters"]
    assert [(n["id"], n["text"], n["sentOn"]) for n in water["nodes"]] == [("L1", "案由\n分析\n建议一", "2026-03-16")]
    health = (await _run(stack, LETTERS, token(Role.unit_staff, committee, unit="U-H"),
                         f={"unitId": "U-W"})).ok()["opinionLetters"]
    assert health["totalCount"] == 0, "another unit's letters stay hidden, whatever the filter"
    result = await _run(stack, LETTERS, token(Role.member, committee, member="m-zhang"))
    assert result.codes == ["FORBIDDEN"]


async def test_merged_proposers_find_the_target_under_their_proposals_and_on_their_card(
        stack: Stack, feed: Feed, committee: str) -> None:
    emit = feed.emit
    for m, name in (("m-zhang", "张三"), ("m-zhao", "赵四"), ("m-wu", "吴五"), ("m-qian", "钱六")):
        await emit(*ev.member_registered(m, name))
    await emit(*ev.proposal_submitted("P3", "关于农村饮用水安全的建议", "m-zhang"))
    await emit(*ev.proposal_submitted("P4", "关于保障农村饮用水的建议", "m-zhao", cosigners=["m-wu"]))
    await emit("cosigner-confirmed", {"proposal_id": "P4", "member_id": "m-wu"})
    await emit("proposal-merged", {"proposal_id": "P4", "into_proposal_id": "P3", "reason": "并案"})
    await emit("proposal-merge-received", {"proposal_id": "P3", "from_proposal_id": "P4", "reason": "并案",
                                           "proposer_member_ids": ["m-zhao", "m-wu"], "year": 2026})
    accepted = ev.proposal_accepted("P3", "2026-001", "m-zhang")
    await emit(accepted[0], {**accepted[1], "merged_proposer_ids": ["m-zhao", "m-wu"]})
    await emit(*ev.proposal_submitted("P5", "关于农村供水的建议", "m-qian"))
    await emit("proposal-merged", {"proposal_id": "P5", "into_proposal_id": "P3", "reason": "并案"})
    await emit("proposal-merge-received", {"proposal_id": "P3", "from_proposal_id": "P5", "reason": "并案",
                                           "proposer_member_ids": ["m-qian"], "year": 2026, "accepted": True})
    await feed.settle(stack.gateway.projector)

    for m in ("m-zhao", "m-wu", "m-qian"):
        mine = (await _run(stack, MINE, token(Role.member, committee, member=m))).ok()["proposals"]["nodes"]
        assert "P3" in {n["id"] for n in mine}, f"{m} finds the proposal merged into under their proposals"
        card = (await _run(stack, CARD, token(Role.office_staff, committee), m=m)).ok()["memberScorecard"]
        summary = card["proposals"]
        assert (summary["submitted"], summary["accepted"], summary["asLead"]) == (
            1, 1, 1 if m != "m-wu" else 0), f"{m}: their own submission, and P3's acceptance"
        assert {"kind": "proposal_accepted", "refId": "P3", "role": "merged"} in summary["items"]
    zhang = (await _run(stack, CARD, token(Role.office_staff, committee), m="m-zhang")).ok()["memberScorecard"]
    assert {"kind": "proposal_accepted", "refId": "P3", "role": "lead"} in zhang["proposals"]["items"]
