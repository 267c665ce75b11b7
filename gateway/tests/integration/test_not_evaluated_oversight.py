"""Replies not evaluated (未评议), as leadership reads them in oversight.

P1 (by m1 with m2) was replied to by the water bureau U1 on 1 April 2026, to be rated by 16 April. Only m1
rated it, satisfied; on 17 April the proposals service recorded m2 as not having evaluated it and completed
the round. P2 (by m3) was rated in time. Oversight counts one reply not evaluated, names m2, and the
satisfaction rate counts only the two ratings given."""

from __future__ import annotations

from datetime import date, datetime, time

from contracts.clock import CHINA_TZ
from contracts.envelope import Role
from gateway.tests import events as ev
from gateway.tests.conftest import Stack
from gateway.tests.harness import Feed, token

OVERSIGHT = """
query O {
  oversight(year: 2026, asOf: "2026-04-30") {
    notEvaluated { count members items { number title unitId round deadline notRatedMemberIds rated
                                         notRated { id name } unit { name } } }
    overall { satisfaction { numerator denominator } }
  }
}"""


def on(day: date) -> datetime:
    return datetime.combine(day, time(10), CHINA_TZ)


async def test_oversight_lists_the_reply_not_evaluated_and_counts_only_the_ratings_given(
        stack: Stack, feed: Feed, committee: str) -> None:
    for mid, name in (("m1", "张一"), ("m2", "李二"), ("m3", "王三")):
        await feed.emit(*ev.member_registered(mid, name))
    await feed.emit(*ev.unit_registered("U1", "县水利局"))
    for pid, number, lead, cosigners in (("P1", "2026-001", "m1", ["m2"]), ("P2", "2026-002", "m3", [])):
        await feed.emit(*ev.proposal_submitted(pid, f"提案{number}", lead, cosigners=cosigners),
                        at=on(date(2026, 3, 2)))
        await feed.emit(*ev.proposal_accepted(pid, number, lead), at=on(date(2026, 3, 3)))
        await feed.emit(*ev.proposal_assigned(pid, ["U1"], "2026-06-03", mode="separate", assigned_on="2026-03-03"),
                        at=on(date(2026, 3, 3)))
        await feed.emit(*ev.replied(pid, "U1", "A", on_time=True, replied_on="2026-04-01", deadline="2026-06-03",
                                    evaluation_due="2026-04-16"), at=on(date(2026, 4, 1)))
    await feed.emit(*ev.evaluated("P1", "U1", "m1", "satisfied"), at=on(date(2026, 4, 8)))
    await feed.emit(*ev.evaluated("P2", "U1", "m3", "dissatisfied"), at=on(date(2026, 4, 9)))
    await feed.emit("evaluations-completed", {"proposal_id": "P2", "unit_id": "U1", "round": 1, "dissatisfied": True,
                                              "ratings": [{"member_id": "m3", "rating": "dissatisfied"}]},
                    at=on(date(2026, 4, 9)))
    await feed.emit("evaluation-lapsed", {"proposal_id": "P1", "unit_id": "U1", "round": 1, "deadline": "2026-04-16",
                                          "not_rated_member_ids": ["m2"], "not_rated": 1, "rated": 1},
                    at=on(date(2026, 4, 17)))
    await feed.emit("evaluations-completed", {"proposal_id": "P1", "unit_id": "U1", "round": 1, "dissatisfied": False,
                                              "ratings": [{"member_id": "m1", "rating": "satisfied"}]},
                    at=on(date(2026, 4, 17)))
    await feed.settle(stack.gateway.projector)

    leadership = token(Role.leadership, committee)
    data = (await stack.api.run(OVERSIGHT, bearer=leadership)).ok()["oversight"]
    assert data["notEvaluated"] == {"count": 1, "members": 1, "items": [{
        "number": "2026-001", "title": "提案2026-001", "unitId": "U1", "round": 1, "deadline": "2026-04-16",
        "notRatedMemberIds": ["m2"], "rated": 1, "notRated": [{"id": "m2", "name": "李二"}],
        "unit": {"name": "县水利局"}}]}
    # m1's satisfied and m3's dissatisfied: m2's missing rating is not counted either way.
    assert data["overall"]["satisfaction"] == {"numerator": 1, "denominator": 2}
    # The proposer reads when the ratings were due on the proposal itself.
    handling = (await stack.api.run('query { proposal(id: "P1") { handling { unitId evaluationDue } } }',
                                    bearer=token(Role.member, committee, member="m2"))).ok()["proposal"]["handling"]
    assert handling == [{"unitId": "U1", "evaluationDue": "2026-04-16"}]


async def test_a_year_with_every_reply_evaluated_has_nothing_not_evaluated(stack: Stack, committee: str) -> None:
    data = (await stack.api.run(OVERSIGHT, bearer=token(Role.leadership, committee))).ok()["oversight"]
    assert data["notEvaluated"] == {"count": 0, "members": 0, "items": []}
