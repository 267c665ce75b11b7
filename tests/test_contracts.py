"""The public contract: every event type exported as JSON Schema, the AsyncAPI document, old versions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

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


def test_export_writes_a_schema_per_type_and_the_asyncapi_document(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "yizheng.cli", "contracts", "export", str(tmp_path)],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    for name in REGISTRY.names():
        schema = json.loads((tmp_path / f"{name}.schema.json").read_text())
        assert schema["title"] == name
        assert schema["properties"]["type"]["const"] == name
        assert "committee_id" in schema["required"] and "data" in schema["required"]
    doc = yaml.safe_load((tmp_path / "asyncapi.yaml").read_text())
    assert doc["asyncapi"].startswith("3.")
    assert set(doc["channels"]) == set(REGISTRY.topics())


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
