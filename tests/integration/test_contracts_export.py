"""The public contract as `yizheng contracts export` writes it (a subprocess): a JSON Schema per event type
and the AsyncAPI document. (The registry itself: tests/unit/test_contracts.py.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from contracts import REGISTRY
from contracts.public import PUBLIC


def test_export_writes_the_public_and_the_internal_contracts_apart(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "yizheng.cli", "contracts", "export", str(tmp_path)],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    for name in REGISTRY.names():
        schema = json.loads((tmp_path / "internal" / f"{name}.schema.json").read_text())
        assert schema["title"] == name
        assert schema["properties"]["type"]["const"] == name
        assert "committee_id" in schema["required"] and "data" in schema["required"]
    published = {v.type for v in PUBLIC.published()}
    assert {p.name.removesuffix(".schema.json") for p in (tmp_path / "public").glob("*.schema.json")} == published
    assert "proposal-drafted" not in published
    submitted = json.loads((tmp_path / "public" / "proposal-submitted.schema.json").read_text())
    assert submitted["x-topic"] == "proposals.public.{committee}"
    assert "actor" not in submitted["properties"], "a public message names no staff account"
    internal = yaml.safe_load((tmp_path / "internal" / "asyncapi.yaml").read_text())
    assert internal["asyncapi"].startswith("3.")
    assert set(internal["channels"]) == set(REGISTRY.topics())
    public = yaml.safe_load((tmp_path / "public" / "asyncapi.yaml").read_text())
    assert set(public["channels"]) == {f"{s}.public.{{committee}}" for s in ("proposals", "members", "surveys")}
    assert all("committee" in c["parameters"] for c in public["channels"].values())
