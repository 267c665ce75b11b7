"""A tiny run of `yizheng bench notify`'s code paths against the real PostgreSQL and Kafka: a county smaller
than `--quick`'s loaded through the services, one round of intake, delivery worker and raw aiosmtplib; every
phase runs, the JSON document has its keys, the figures are positive and the ratio is printed last.
Slow: loading even a small county through the command APIs takes most of a minute on 2 cores."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from eventstore.kafka_access import KafkaAccess
from yizheng.bench.notify import NotifyBenchConfig, run_notify_bench
from yizheng.bench.notify_report import document, render
from yizheng.bench.report import machine_info, write_json
from yizheng.demo.generator import Size

TINY = NotifyBenchConfig(mode="smoke", size=Size(members=30, townships=2, units=4, proposals=16, reports=10,
                                                 visits=30), rounds=1, senders=2)


@pytest.mark.slow
async def test_notify_bench_smoke(database_url: str, kafka_bootstrap: KafkaAccess, tmp_path: Path) -> None:
    started = datetime.now(UTC)
    result = await run_notify_bench(database_url, kafka_bootstrap, TINY)
    doc = document(result, machine_info(database_url, kafka_bootstrap, {}), started)
    out = tmp_path / "notify.json"
    write_json(out, doc)
    data = json.loads(out.read_text())

    [intake] = data["intake"]["rounds"]
    assert intake["events"] == data["county"]["events_intake_reads"] > 0
    assert intake["notifications"] > 0 and data["intake"]["notifications_per_s"] > 0
    [worker] = data["mail"]["worker_rounds"]
    [raw] = data["mail"]["aiosmtplib_rounds"]
    assert worker["mails"] == raw["mails"] == worker["statuses"]["sent"] > 0, "every mail sent, and sent again raw"
    assert worker["mails"] <= intake["email_deliveries"]
    assert worker["mean_bytes"] == raw["mean_bytes"] > 0, "the baseline sends the very same messages"
    assert data["worker_vs_aiosmtplib"] > 0 and data["config"]["senders"] == TINY.senders
    assert data["machine"]["postgresql"]
    assert render(data).rstrip().splitlines()[-1].lstrip().startswith("worker_vs_aiosmtplib"), "the ratio is last"
