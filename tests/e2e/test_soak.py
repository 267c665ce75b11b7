"""The chaos soak, end to end (slow: several minutes): `yizheng soak` on infrastructure of its own loads demo
counties from many clients while each kind of process is SIGKILLed in turn and PostgreSQL and Kafka are restarted
once each; nothing accepted may be lost or done twice, the views must equal a fresh rebuild, no client may see a
500. The arithmetic of its checks is tested fast in tests/unit/test_soak_records.py."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from contracts import platform
from yizheng.soak import chaos

LINE = re.compile(r"^commands=(\d+) kills=(\d+) restarts=(\d+) lost=(\d+) duplicated=(\d+) mismatched_rows=(\d+)$",
                  re.MULTILINE)


@pytest.mark.slow
def test_a_platform_under_chaos_loses_nothing_and_does_nothing_twice(tmp_path: Path) -> None:
    report_file = tmp_path / "soak.json"
    done = subprocess.run(
        [sys.executable, "-m", "yizheng.cli", "soak", "--minutes", "3", "--committees", "3", "--clients", "16",
         "--json", str(report_file)],
        capture_output=True, text=True, timeout=1800, env=dict(os.environ), check=False)
    found = LINE.search(done.stdout)
    assert found, f"no result line in:\n{done.stdout}\n{done.stderr[-4000:]}"
    commands, kills, restarts, lost, duplicated, mismatched_rows = map(int, found.groups())
    report = json.loads(report_file.read_text())
    assert (lost, duplicated, mismatched_rows) == (0, 0, 0), done.stderr[-4000:]
    # each service, the gateway, a relay leader and a consumer (the last two are service processes: members and
    # notify are killed as those), PostgreSQL and Kafka once each
    planned = chaos.schedule(list(platform.SERVICES))
    assert kills == sum(a.kind == chaos.KILL for a in planned) and restarts == 2, report["chaos"]
    # Three minutes reach ~4,000 commands on two shared cores; `yizheng soak` (9 minutes) reaches 10,000.
    assert commands >= 1_000, report["tally"]
    assert report["server_errors"] == 0 and report["verify_ok"], report
    assert report["tally"]["acted_once_after_crash"] == report["tally"]["retried_after_crash"]
    assert done.returncode == 0, done.stderr[-4000:]
