"""What the office back-dated, as leadership reads it in oversight.

P1 was assigned to the water bureau U1 on 2 March 2026, due on 20 March. The bureau's reply letter is dated
18 March; the office entered it on 25 March, after the deadline. Oversight counts the reply on time (on the day
it was sent) and lists it as back-dated, seven days late; the steps recorded on the day they happened are not
listed."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time
from typing import Any

from contracts.clock import CHINA_TZ
from contracts.envelope import Role
from contracts.registry import REGISTRY
from gateway.tests import events as ev
from gateway.tests.conftest import Stack
from gateway.tests.harness import Feed, token

OVERSIGHT = """
query O($d: Date) {
  oversight(year: 2026, asOf: $d) {
    overdueByUnit { unitId count }
    overall { replyOnTime { numerator denominator } }
    backdated { count items { type subjectId occurredOn recordedOn recordedBy daysLate } }
  }
}"""


def on(day: date, at: time = time(10)) -> datetime:
    return datetime.combine(day, at, CHINA_TZ).astimezone(UTC)


async def emit_recorded(feed: Feed, type_: str, data: dict[str, Any], *, occurred: datetime,
                        recorded: datetime) -> None:
    """An event as the service's relay publishes it, with the day it happened and the moment it was recorded."""
    version = REGISTRY.current_version(type_)
    REGISTRY.parse(type_, version, data)
    event_id = str(uuid.uuid4())
    envelope = {
        "event_id": event_id, "type": type_, "schema_version": version, "stream_id": f"proposal:{feed.committee}:P1",
        "stream_version": 1, "position": None, "occurred_at": occurred.isoformat(),
        "recorded_at": recorded.isoformat(), "actor": {"id": "office-li", "role": "office_staff"},
        "committee_id": feed.committee, "correlation_id": str(uuid.uuid4()), "causation_id": None,
        "source": REGISTRY.topic(type_).split(".")[0], "data": data,
    }
    await feed.producer.send_and_wait(f"{feed.prefix}{REGISTRY.topic(type_)}",
                                      json.dumps(envelope, ensure_ascii=False).encode(),
                                      key=f"feed:{feed.committee}".encode())
    feed.ids.append(event_id)


async def test_oversight_lists_the_reply_letter_entered_after_the_deadline_and_counts_it_on_time(
        stack: Stack, feed: Feed, committee: str) -> None:
    await feed.emit(*ev.member_registered("m1", "张一"))
    await feed.emit(*ev.unit_registered("U1", "县水利局"))
    await feed.emit(*ev.proposal_submitted("P1", "关于加强农村饮用水安全保障的建议", "m1"), at=on(date(2026, 2, 27)))
    await feed.emit(*ev.proposal_accepted("P1", "2026-001", "m1"), at=on(date(2026, 3, 2)))
    await feed.emit(*ev.proposal_assigned("P1", ["U1"], "2026-03-20", mode="separate", assigned_on="2026-03-02"),
                    at=on(date(2026, 3, 2)))
    letter, entered = date(2026, 3, 18), date(2026, 3, 25)
    await emit_recorded(feed, *ev.replied("P1", "U1", "A", on_time=True, replied_on=letter.isoformat(),
                                          deadline="2026-03-20"),
                        occurred=on(letter, time(23, 59, 59)), recorded=on(entered, time(9, 30)))
    await feed.settle(stack.gateway.projector)

    office = token(Role.leadership, committee)
    data = (await stack.api.run(OVERSIGHT, {"d": "2026-03-31"}, bearer=office)).ok()["oversight"]
    assert data["overdueByUnit"] == [], "replied on the 18th, before the deadline"
    assert data["overall"]["replyOnTime"] == {"numerator": 1, "denominator": 1}
    assert data["backdated"] == {"count": 1, "items": [{
        "type": "proposal-replied", "subjectId": "P1", "occurredOn": "2026-03-18", "recordedOn": "2026-03-25",
        "recordedBy": "office-li", "daysLate": 7}]}


INPUT_FIELDS = """query F($name: String!) { __type(name: $name) { inputFields { name } } }"""


async def test_the_office_can_give_the_day_on_the_steps_it_enters_from_paper(stack: Stack, committee: str) -> None:
    office = token(Role.office_staff, committee)

    async def fields(name: str) -> set[str]:
        data = (await stack.api.run(INPUT_FIELDS, {"name": name}, bearer=office)).ok()
        return {f["name"] for f in data["__type"]["inputFields"]}

    for backdatable in ("ReplyToProposalInput", "EvaluateReplyInput", "AssignProposalInput", "LogVisitInput"):
        assert "occurredOn" in await fields(backdatable), backdatable
    assert "occurredOn" not in await fields("CosignReplyInput"), "a step no paper dates takes no day"
