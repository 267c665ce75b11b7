"""The public contract: every event type the domain names is registered, none carries personal contact
data, and unknown types, versions and bad fields are named. (The export through the CLI:
tests/integration/test_contracts_export.py.)"""

from __future__ import annotations

import pytest

import contracts
from contracts import REGISTRY
from contracts.errors import InvalidEventPayload, UnknownEventType, UnknownSchemaVersion

DOMAIN_EVENTS = [
    "proposal-submitted", "proposal-accepted", "proposal-assigned", "proposal-replied", "proposal-evaluated",
    "visit-logged", "supervision-reported", "opinion-report-adopted", "consultation-outcome-recorded",
    "meeting-attendance-recorded", "member-registered",
]


def test_every_event_the_domain_names_has_a_contract() -> None:
    missing = [n for n in DOMAIN_EVENTS if n not in REGISTRY.names()]
    assert missing == []


def test_no_public_event_carries_personal_contact_data() -> None:
    forbidden = {"phone", "mobile", "id_number", "id_card", "address", "email"}
    for name in REGISTRY.names():
        fields = set(REGISTRY.model(name).model_fields)
        assert not fields & forbidden, f"{name} exposes {fields & forbidden}"


def test_unknown_type_version_and_bad_fields_are_named() -> None:
    with pytest.raises(UnknownEventType, match="'proposal-vanished'"):
        REGISTRY.parse("proposal-vanished", 1, {})
    with pytest.raises(UnknownSchemaVersion, match="'supervision-reported' has no schema version 4"):
        REGISTRY.parse("supervision-reported", 4, {})
    with pytest.raises(InvalidEventPayload) as err:
        REGISTRY.parse("supervision-reported", 1, {"supervision_id": "s", "report_id": "r", "topic_title": "",
                                                   "reported_on": "not a date"})
    assert err.value.fields == ["topic_title", "reported_on"]
    assert "'supervision-reported'" in str(err.value)


def test_the_registry_is_complete_on_import() -> None:
    assert contracts.REGISTRY is REGISTRY and len(REGISTRY.names()) >= len(DOMAIN_EVENTS)
