"""A unit's `workQueueChanged` tells it of an event only what its queries show of the fact: the office's
internal note on an assignment reaches the office's subscription, never the unit's (`policy.event_data`)."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Role
from gateway.tests import events as ev
from gateway.tests.conftest import Stack
from gateway.tests.harness import token
from gateway.tests.integration.test_live import Subscriber, subscribed
from yizheng.testing.wait import wait_until

CAUSE = "subscription { workQueueChanged { cause { type data } } }"
NOTE = "该局上次答复敷衍，需重点盯办"


def _assigned(sub: Subscriber) -> list[dict[str, Any]]:
    return [item["workQueueChanged"]["cause"]["data"] for _, item in sub.received
            if item["workQueueChanged"]["cause"]["type"] == "proposal-assigned"]


async def test_a_units_subscription_lacks_the_offices_internal_note_that_the_office_reads(
        stack: Stack, committee: str, feed: Any) -> None:
    before = stack.gateway.hub.subscriber_count
    async with Subscriber(stack.api, token(Role.unit_staff, committee, unit="U7"), CAUSE) as unit, \
            Subscriber(stack.api, token(Role.office_staff, committee), CAUSE) as office:
        await subscribed(stack.gateway.hub, before + 1)
        await feed.emit(*ev.proposal_submitted("N1", "交办", "m-1"))
        await feed.emit(*ev.proposal_accepted("N1", "2026-051", "m-1"))
        kind, data = ev.proposal_assigned("N1", ["U7"], "2026-09-01")
        await feed.emit(kind, {**data, "note": NOTE})
        (seen_by_office,) = await wait_until(lambda: _assigned(office), timeout=10, message="the office heard it")
        (seen_by_unit,) = await wait_until(lambda: _assigned(unit), timeout=10, message="the unit heard it")
        assert seen_by_office["note"] == NOTE and seen_by_office["deadline_rule"] == "explicit"
        assert "note" not in seen_by_unit and NOTE not in str(seen_by_unit)
        assert "deadline_rule" not in seen_by_unit
        assert (seen_by_unit["proposal_id"], seen_by_unit["deadline"]) == ("N1", "2026-09-01")
        assert unit.error is None and office.error is None
