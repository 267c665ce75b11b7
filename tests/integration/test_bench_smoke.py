"""A tiny run of `yizheng bench kernel`'s code paths (1 s windows, a few hundred events) against the real
PostgreSQL and Kafka: every phase runs, the JSON document has its keys, and the figures are positive."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from eventstore.kafka_access import KafkaAccess
from yizheng.bench.kernel import KernelBenchConfig, run_kernel_bench
from yizheng.bench.report import document, machine_info, render, write_json

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
