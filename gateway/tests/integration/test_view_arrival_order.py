"""A view's rows do not depend on the order in which events of different streams arrive: the live projector and
a rebuild read the partitions in different orders (the chaos soak found rows that did). Two committees get the
same questionnaire facts, one in the order they happened and one with the response (its own stream) first;
their rows are the same."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaProducer

from contracts.clock import CHINA_TZ
from gateway.tests.conftest import Stack
from gateway.tests.harness import Feed

PUBLISHED = datetime(2026, 5, 6, 9, tzinfo=CHINA_TZ)
INVITED = datetime(2026, 5, 6, 10, tzinfo=CHINA_TZ)
ANSWERED = datetime(2026, 5, 7, 15, tzinfo=CHINA_TZ)


async def questionnaire_facts(feed: Feed, *, response_first: bool) -> None:
    facts: list[tuple[str, dict[str, Any], str, datetime]] = [
        ("questionnaire-published", {"questionnaire_id": "q1", "title": "委员履职服务满意度调查", "mode": "identified",
                                     "closes_on": "2026-05-30", "questions": []}, "questionnaire:q1", PUBLISHED),
        ("questionnaire-invitations-sent", {"questionnaire_id": "q1", "member_ids": ["m1", "m2"],
                                            "title": "委员履职服务满意度调查", "mode": "identified",
                                            "closes_on": "2026-05-30"}, "questionnaire:q1", INVITED),
        ("questionnaire-response-submitted", {"questionnaire_id": "q1", "member_id": "m1", "response_id": "r1",
                                              "answers": []},
         "questionnaire-response:r1", ANSWERED),
    ]
    for type_, data, stream, at in ([facts[2], *facts[:2]] if response_first else facts):
        await feed.emit(type_, data, stream=f"{stream}:{feed.committee}", at=at)


async def test_the_same_facts_in_another_arrival_order_give_the_same_rows(stack: Stack,
                                                                          producer: AIOKafkaProducer) -> None:
    in_order, response_first = stack.feed(producer, "c-order-a"), stack.feed(producer, "c-order-b")
    await questionnaire_facts(in_order, response_first=False)
    await questionnaire_facts(response_first, response_first=True)
    await in_order.settle(stack.gateway.projector)
    await response_first.settle(stack.gateway.projector)
    s = stack.gateway.config.schema
    for table, key in (("questionnaires", "questionnaire_id"), ("questionnaire_invitations", "member_id")):
        rows = {c: [dict(r) for r in await stack.gateway.pool.fetch(
            f"SELECT * FROM {s}.{table} WHERE committee_id = $1 ORDER BY {key}", c)]
            for c in ("c-order-a", "c-order-b")}
        for r in (*rows["c-order-a"], *rows["c-order-b"]):
            r.pop("committee_id")
        assert rows["c-order-a"] == rows["c-order-b"], table
    invited = await stack.gateway.pool.fetch(
        f"SELECT member_id, invited_on, responded FROM {s}.questionnaire_invitations "
        "WHERE committee_id = 'c-order-b' ORDER BY member_id")
    assert [tuple(r) for r in invited] == [("m1", INVITED.date(), True), ("m2", INVITED.date(), False)]
