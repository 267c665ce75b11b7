"""A look-back found partly implemented (部分落实) schedules the next one, and the views show it as due.

The county's year (2026): recommendation report RR1 (sent 03-01) looked back at on 06-01 and found partly
implemented, the next look-back RR1-lb2 due 09-01; B-class commitment C1 of unit U1 on proposal P1 looked
back at on 06-15, partly kept, the next look-back C1-lb2 due 12-15. Leadership's oversight lists each as
due from its day on; the office's lookups list it with its date before the watcher opens it."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Role
from gateway.tests.conftest import Stack
from gateway.tests.harness import Feed, token

DUE = """query($d: Date) { oversight(year: 2026, asOf: $d) { lookbacks {
  due { id subject due recommendationId commitmentId unitId }
  results { outcome count items { id } } } } }"""


async def _year(feed: Feed) -> None:
    emit = feed.emit
    await emit("recommendation-report-recorded", {
        "recommendation_id": "RR1", "title": "关于推进县域医共体建设的建议案", "addressed_to": "县委、县政府",
        "sent_on": "2026-03-01", "lookback_due": "2026-06-01"})
    await emit("lookback-opened", {"lookback_id": "RR1-lb1", "subject": "recommendation", "due": "2026-06-01",
                                   "recommendation_id": "RR1"})
    await emit("lookback-concluded", {"lookback_id": "RR1-lb1", "subject": "recommendation", "outcome": "partly",
                                      "recommendation_id": "RR1"})
    await emit("lookback-scheduled", {"lookback_id": "RR1-lb2", "after_lookback_id": "RR1-lb1",
                                      "subject": "recommendation", "due": "2026-09-01", "recommendation_id": "RR1"})
    await emit("commitment-recorded", {"proposal_id": "P1", "commitment_id": "C1", "unit_id": "U1", "round": 1,
                                       "text": "年内完成管网改造", "due": "2026-06-15"})
    await emit("lookback-opened", {"lookback_id": "C1-lb", "subject": "commitment", "due": "2026-06-15",
                                   "proposal_id": "P1", "commitment_id": "C1", "unit_id": "U1"})
    await emit("lookback-concluded", {"lookback_id": "C1-lb", "subject": "commitment", "outcome": "partly",
                                      "proposal_id": "P1", "commitment_id": "C1", "unit_id": "U1"})
    await emit("lookback-scheduled", {"lookback_id": "C1-lb2", "after_lookback_id": "C1-lb", "subject": "commitment",
                                      "due": "2026-12-15", "proposal_id": "P1", "commitment_id": "C1",
                                      "unit_id": "U1"})


async def _due(stack: Stack, committee: str, as_of: str) -> list[dict[str, Any]]:
    result = await stack.api.run(DUE, {"d": as_of}, bearer=token(Role.leadership, committee))
    due: list[dict[str, Any]] = result.ok()["oversight"]["lookbacks"]["due"]
    return due


async def test_the_next_lookback_after_a_partly_one_is_due_from_its_day(stack: Stack, feed: Feed,
                                                                         committee: str) -> None:
    await _year(feed)
    await feed.settle(stack.gateway.projector)
    assert await _due(stack, committee, "2026-08-31") == [], "nothing is due before the next look-back's day"
    assert await _due(stack, committee, "2026-09-01") == [
        {"id": "RR1-lb2", "subject": "recommendation", "due": "2026-09-01", "recommendationId": "RR1",
         "commitmentId": None, "unitId": None}]
    assert [(lb["id"], lb["due"], lb["unitId"]) for lb in await _due(stack, committee, "2026-12-15")] == [
        ("RR1-lb2", "2026-09-01", None), ("C1-lb2", "2026-12-15", "U1")]
    result = await stack.api.run(DUE, {"d": "2026-12-15"}, bearer=token(Role.leadership, committee))
    results = {r["outcome"]: [i["id"] for i in r["items"]] for r in result.ok()["oversight"]["lookbacks"]["results"]}
    assert sorted(results["partly"]) == ["C1-lb", "RR1-lb1"], "the partly findings stay in the results"

    # The watcher opens the scheduled look-back under the announced id: still one look-back, still due.
    await feed.emit("lookback-opened", {"lookback_id": "RR1-lb2", "subject": "recommendation", "due": "2026-09-01",
                                        "recommendation_id": "RR1"})
    await feed.settle(stack.gateway.projector)
    assert [lb["id"] for lb in await _due(stack, committee, "2026-09-01")] == ["RR1-lb2"]


async def test_the_office_reads_the_next_lookback_date_on_the_report(stack: Stack, feed: Feed,
                                                                     committee: str) -> None:
    await _year(feed)
    await feed.settle(stack.gateway.projector)
    q = """{ recommendationReports { nodes { id lookbackDue lookbacks { id due outcome } } } }"""
    result = await stack.api.run(q, bearer=token(Role.office_staff, committee))
    [rr1] = result.ok()["recommendationReports"]["nodes"]
    assert rr1 == {"id": "RR1", "lookbackDue": "2026-09-01", "lookbacks": [
        {"id": "RR1-lb1", "due": "2026-06-01", "outcome": "partly"},
        {"id": "RR1-lb2", "due": "2026-09-01", "outcome": None}]}
