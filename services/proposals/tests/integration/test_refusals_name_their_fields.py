"""A refusal about one of the command's fields says which: the office and the units see what to correct."""

from __future__ import annotations

from datetime import timedelta

from ..flows import accepted, assigned
from ..integration_kit import Api, FakeClock
from ..kit import OFFICE, unit

WATER = unit("u-water")


async def test_a_deadline_before_the_day_of_assignment_is_refused_naming_the_deadline(api: Api,
                                                                                       clock: FakeClock) -> None:
    pid = await accepted(api)
    error = await api.refused("assign-proposal", {"proposal_id": pid, "mode": "separate", "unit_ids": ["u-water"],
                                                  "deadline": clock.today.isoformat()}, OFFICE, "deadline_in_past")
    assert error["fields"] == ["deadline"]


async def test_a_contact_dated_tomorrow_is_refused_naming_its_day(api: Api, clock: FakeClock) -> None:
    pid = await assigned(api)
    tomorrow = clock.today + timedelta(days=1)
    error = await api.refused("record-handling-contact", {"proposal_id": pid, "kind": "meeting",
                                                          "held_on": tomorrow.isoformat(), "member_ids": ["m-zhang"]},
                              WATER, "date_in_future")
    assert error["fields"] == ["held_on"]
