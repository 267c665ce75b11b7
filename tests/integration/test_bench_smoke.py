"""A tiny run of `yizheng bench kernel`'s code paths (1 s windows, a few hundred events) against the real
PostgreSQL and Kafka: every phase runs, the JSON document has its keys, and the figures are positive."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from eventstore.kafka_access import KafkaAccess
from yizheng.bench.kernel import KernelBenchConfig, run_kernel_bench
from yizheng.bench.platform import PlatformBenchConfig, run_platform_bench
from yizheng.bench.platform_report import document as platform_document
from yizheng.bench.platform_report import render as platform_render
from yizheng.bench.report import document, machine_info, render, write_json
from yizheng.demo.generator import Size

TINY = KernelBenchConfig(mode="smoke", clients=(1, 2), rounds=1, seconds=1, warmup_seconds=0,
                         relay_events=300, relay_warmup_events=100, relay_streams=20, streams_per_client=5,
                         consumer_events=200)


async def test_kernel_bench_smoke(database_url: str, kafka_bootstrap: KafkaAccess, tmp_path: Path) -> None:
    started = datetime.now(UTC)
    result = await run_kernel_bench(database_url, kafka_bootstrap, TINY)
    doc = document(result, machine_info(database_url, kafka_bootstrap, result.server), started)
    out = tmp_path / "kernel.json"
    write_json(out, doc)
    data = json.loads(out.read_text())

    for key in ("append_vs_pgbench", "append_vs_pgbench_1client", "append_vs_pgbench_2clients", "relay_vs_aiokafka"):
        assert data[key] > 0, key
    assert data["append_vs_pgbench_clients"] == 2, "without a 4-client run the headline is the largest count"
    for comparison in data["append"]:
        assert comparison["append_events_per_s"] > 0 and comparison["pgbench_tps"] > 0
        assert comparison["append_rounds"][0]["events"] > 0
        assert comparison["pgbench_rounds"][0]["transactions"] > 0
    assert data["relay"]["relay_events_per_s"] > 0 and data["relay"]["aiokafka_events_per_s"] > 0
    assert data["relay"]["relay_rounds"][0]["events"] == TINY.relay_events
    assert data["checks"]["relay_topic_records"] == data["checks"]["aiokafka_topic_records"] == TINY.relay_events
    assert data["checks"]["same_body_and_key"] and data["checks"]["same_header_names"]
    assert data["consumer_vs_handwritten"] > 0
    assert data["consumer"]["consumer_rounds"][0]["events"] == TINY.consumer_events
    assert data["server"]["synchronous_commit"] == "on"
    assert data["producer_settings"]["acks"] == "all" and data["producer_settings"]["enable_idempotence"] is True
    assert data["machine"]["cpu_count"] >= 1 and data["machine"]["postgresql"]
    assert data["row_width_bytes"]["event"] > 0 and data["row_width_bytes"]["pgbench"] > 0
    text = render(data)
    assert text.rstrip().splitlines()[-1].lstrip().startswith("relay_vs_aiokafka"), "ratios are printed last"


PLATFORM_TINY = PlatformBenchConfig(mode="smoke", committees=1, rounds=1, seconds=1, rebuild_rounds=1,
                                    size=Size(members=30, townships=2, units=4, proposals=16, reports=10, visits=30))


@pytest.mark.slow
async def test_platform_bench_smoke(database_url: str, kafka_bootstrap: KafkaAccess, tmp_path: Path) -> None:
    """`yizheng bench platform --quick`'s code paths on one tiny county: the platform starts in its own
    process, every comparison runs once, each figure is positive, and the ratios are printed last.
    Slow: the county is loaded through the command APIs and every gateway view is rebuilt."""
    started = datetime.now(UTC)
    result = await run_platform_bench(database_url, kafka_bootstrap, PLATFORM_TINY)
    doc = platform_document(result, machine_info(database_url, kafka_bootstrap, {}), started)
    out = tmp_path / "platform.json"
    write_json(out, doc)
    data = json.loads(out.read_text())

    for key in ("command_vs_pgbench", "mutation_scaling", "projector_vs_batched", "graphql_vs_sql"):
        assert data["ratios"][key] > 0, key
    assert data["command"]["subject_rounds"][0]["ok"] > 0 and data["command"]["pgbench_rounds"][0]["tps"] > 0
    assert data["command"]["pgbench_rounds"][0]["failed"] == 0, "the baseline's writes all went in"
    assert data["mutation"]["one_rounds"][0]["ok"] > 0 and data["mutation"]["half_rate"]["ok"] > 0
    for query in ("oversight", "scorecards"):
        assert data["reads"][query]["statements"] > 0 and data["reads"][query]["graphql_per_s"] > 0
    [rebuilt] = data["views"]["rebuilds"]
    assert rebuilt["events_applied"] > 0 and rebuilt["rows"] > 0
    assert data["views"]["lag_s"] is not None, "the views caught up with the load"
    text = platform_render(data)
    assert text.rstrip().splitlines()[-1].lstrip().startswith("graphql_vs_sql"), "ratios are printed last"
