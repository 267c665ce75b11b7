"""The public contract as `yizheng contracts export` writes it (a subprocess): a JSON Schema per event type
and the AsyncAPI document. (The registry itself: tests/unit/test_contracts.py.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from contracts import REGISTRY


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
