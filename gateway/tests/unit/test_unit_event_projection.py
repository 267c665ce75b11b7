"""What a subscription hands a unit's staff of an event: only the fields its queries expose about the fact
(`policy.UNIT_STAFF_EVENT_FIELDS`), declared for every event type a unit's subscription can carry."""

from __future__ import annotations

from contracts.envelope import Actor, Role
from contracts.registry import REGISTRY
from gateway import audience, policy
from gateway.auth import Viewer
from runtime.auth import Principal

UNIT_KEYS = frozenset(audience._UNIT_KEYS) | frozenset(audience._UNIT_LISTS)


def carried_to_units() -> set[str]:
    """Every event type whose audience can name a unit (`gateway.audience.audience_of`): it names a unit, or
    the proposal or tracked item that units are on."""
    found = set()
    for name in REGISTRY.names():
        fields = set(REGISTRY.model(name).model_fields)
        if fields & UNIT_KEYS or "proposal_id" in fields or (
                name.startswith(audience.TRACKED_PREFIX) and "item_id" in fields):
            found.add(name)
    return found


def test_every_event_type_a_units_subscription_can_carry_declares_what_the_unit_reads_of_it() -> None:
    missing = sorted(carried_to_units() - set(policy.UNIT_STAFF_EVENT_FIELDS))
    assert missing == [], f"declare in gateway/policy.py UNIT_STAFF_EVENT_FIELDS what a unit reads of: {missing}"


def test_each_declared_field_is_a_field_of_its_contract() -> None:
    wrong = {name: sorted(fields - set(REGISTRY.model(name).model_fields))
             for name, fields in policy.UNIT_STAFF_EVENT_FIELDS.items()}
    assert {name: f for name, f in wrong.items() if f} == {}


def _viewer(role: Role, **who: str) -> Viewer:
    actor = Actor(id="someone", role=role, member_id=who.get("member"), unit_id=who.get("unit"))
    return Viewer(Principal(actor, "c-1"))


ASSIGNED = {"proposal_id": "P1", "mode": "lead_with_co", "lead_unit_id": "U1", "co_unit_ids": [],
            "unit_ids": ["U1"], "assigned_on": "2026-03-20", "deadline": "2026-06-20", "deadline_rule": "explicit",
            "reassignment_window_ends": "2026-03-27", "note": "该局上次答复敷衍，需重点盯办"}


def test_a_unit_reads_the_assignment_without_the_offices_note_and_the_office_reads_it_whole() -> None:
    unit = policy.event_data(_viewer(Role.unit_staff, unit="U1"), "proposal-assigned", ASSIGNED)
    assert "note" not in unit and "deadline_rule" not in unit
    assert unit["deadline"] == "2026-06-20" and unit["unit_ids"] == ["U1"]
    assert policy.event_data(_viewer(Role.office_staff), "proposal-assigned", ASSIGNED) == ASSIGNED


def test_a_type_no_projection_declares_reaches_a_unit_as_no_data() -> None:
    assert policy.event_data(_viewer(Role.unit_staff, unit="U1"), "no-such-event", {"reason": "x"}) == {}


def test_a_dropped_field_is_not_taken_for_a_sealed_one() -> None:
    # A unit's projection drops fields, but the fact is still news to it: only sealed values hold it back.
    assert not policy.sealed_from(_viewer(Role.unit_staff, unit="U1"), "proposal-assigned", ASSIGNED)
