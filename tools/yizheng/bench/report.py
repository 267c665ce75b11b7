"""What a benchmark run prints and writes: the machine it ran on, a readable table (ratios last), JSON."""

from __future__ import annotations

import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from eventstore.kafka_access import KafkaAccess
from runtime import settings
from yizheng.bench.kernel import TARGET_APPEND, TARGET_RELAY, KernelBenchResult
from yizheng.infra.paths import Layout


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError):
        pass
    return None


def kafka_version() -> str:
    """From the broker jar the local Kafka runs (`kafka_2.13-<version>.jar`); "unknown" for an external one."""
    jars = sorted(Layout.current().kafka_jars.glob("kafka_2.13-*.jar"))
    return jars[0].name.removeprefix("kafka_2.13-").removesuffix(".jar") if jars else "unknown"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def kernel_source() -> dict[str, Any]:
    """Which kernel was measured: the imported `eventstore` package, and the checkout's commit and whether
    libs/eventstore has uncommitted changes (a PYTHONPATH copy shows up as a different path)."""
    import eventstore

    root = settings.repo_root()

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    status = git("status", "--porcelain", "--", "libs/eventstore")
    return {"eventstore_path": str(Path(eventstore.__file__).parent), "git_head": git("rev-parse", "--short", "HEAD"),
            "libs_eventstore_uncommitted": bool(status) if status is not None else None}


def machine_info(database_url: str, kafka_bootstrap: KafkaAccess, server: dict[str, Any]) -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": server.get("server_version"),
        "kafka": kafka_version(),
        "libraries": {d: _version(d) for d in ("asyncpg", "aiokafka", "faststream", "pydantic", "uvloop")},
        "database_url": database_url,
        "kafka_bootstrap": kafka_bootstrap.bootstrap,
        "load_average_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "kernel": kernel_source(),
    }


def document(result: KernelBenchResult, machine: dict[str, Any], started: datetime) -> dict[str, Any]:
    return {
        **result.as_dict(),
        "machine": machine,
        "timestamp": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]]),
    }


def write_json(path: Path, doc: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, default=str) + "\n")


def _verdict(value: float, target: float) -> str:
    return f"(target >= {target}: {'met' if value >= target else 'MISSED'})"


def _fmt(value: Any, spec: str = ",.0f") -> str:
    return format(value, spec) if isinstance(value, int | float) else "-"


def _cpu_medians(windows: list[dict[str, Any]], client: str) -> list[str]:
    """CPU us/op of the client process, postgres backends, the broker and the whole machine, and the
    machine's busy cores: medians over the rounds, formatted."""

    def median(get: Any) -> Any:
        values = [v for w in windows if isinstance(v := get(w.get("cpu", {})), int | float)]
        return statistics.median(values) if values else None

    return [_fmt(median(lambda c: c.get("us_per_op", {}).get(client))),
            _fmt(median(lambda c: c.get("us_per_op", {}).get("postgres_backends"))),
            _fmt(median(lambda c: c.get("us_per_op", {}).get("kafka_broker"))),
            _fmt(median(lambda c: c.get("machine_us_per_op"))),
            _fmt(median(lambda c: c.get("machine_busy_cores")), ".2f")]


_WIDTHS = (34, 16, 17, 7, 9, 9, 7, 9, 7)


def _row(*cells: str) -> str:
    first, *rest = cells
    return f"{first:<{_WIDTHS[0]}}" + "".join(f"{c:>{w}}" for c, w in zip(rest, _WIDTHS[1:], strict=True))


def render(doc: dict[str, Any]) -> str:
    m, s, cfg = doc["machine"], doc["server"], doc["config"]
    lines = [
        f"Kernel benchmark ({cfg['mode']}), {doc['timestamp']}",
        f"  machine: {m['cpu_count']} x {m['cpu_model']}, {m['memory_gib']} GiB; Python {m['python']} "
        f"(event loop: {doc.get('event_loop') or '?'})",
        f"  PostgreSQL {s['server_version']} (synchronous_commit={s['synchronous_commit']}, fsync={s['fsync']}, "
        f"wal_sync_method={s['wal_sync_method']}); Kafka {m['kafka']}",
        f"  kernel: {m['kernel']['eventstore_path']} at {m['kernel']['git_head']}"
        f"{' + uncommitted changes' if m['kernel']['libs_eventstore_uncommitted'] else ''}",
        f"  rows: event {doc['row_width_bytes']['event']} B, pgbench {doc['row_width_bytes']['pgbench']} B; "
        f"{cfg['rounds']} alternating rounds of {cfg['seconds']} s per client count, "
        f"{cfg['rounds']} x {cfg['relay_events']:,} relay events; medians shown",
        "",
        " " * sum(_WIDTHS[:4]) + f"{'|---- CPU us per operation ----|':>{sum(_WIDTHS[4:8])}}{'busy':>{_WIDTHS[8]}}",
        _row("", "kernel", "baseline", "ratio", "client", "postgres", "kafka", "machine", "cores"),
        "-" * sum(_WIDTHS),
    ]
    for a in doc["append"]:
        lines.append(_row(f"durable append, {a['clients']} client(s)", f"{a['append_events_per_s']:,.0f} ev/s",
                          f"{a['pgbench_tps']:,.0f} tps", f"{a['ratio']:.2f}",
                          *_cpu_medians(a["append_rounds"], "bench_process")))
        lines.append(_row("  pgbench one-row INSERT", "", "", "",
                          *_cpu_medians(a["pgbench_rounds"], "pgbench_process")))
    r = doc["relay"]
    lines.append(_row("relay drain to Kafka", f"{r['relay_events_per_s']:,.0f} ev/s",
                      f"{r['aiokafka_events_per_s']:,.0f} msg/s", f"{r['ratio']:.2f}",
                      *_cpu_medians(r["relay_rounds"], "bench_process")))
    lines.append(_row("  raw aiokafka producer loop", "", "", "",
                      *_cpu_medians(r["aiokafka_rounds"], "bench_process")))
    if c := doc.get("consumer"):
        lines.append(_row("idempotent consumer from Kafka", f"{c['consumer_events_per_s']:,.0f} msg/s",
                          f"{c['handwritten_events_per_s']:,.0f} msg/s", f"{c['ratio']:.2f}",
                          *_cpu_medians(c["consumer_rounds"], "bench_process")))
        lines.append(_row("  hand-written aiokafka+asyncpg loop", "", "", "",
                          *_cpu_medians(c["handwritten_rounds"], "bench_process")))
    lines += [
        "  (client: this process, or pgbench; machine: all cores' busy time per operation, whatever ran;",
        "   busy cores: of the machine's, during the timed windows)",
        "",
        "Ratios (median of per-round ratios)",
        f"  append_vs_pgbench ({doc['append_vs_pgbench_clients']} clients)  {doc['append_vs_pgbench']:.2f}  "
        f"{_verdict(doc['append_vs_pgbench'], TARGET_APPEND)}",
    ]
    for key, value in doc.items():
        if key.startswith("append_vs_pgbench_") and key != "append_vs_pgbench_clients":
            lines.append(f"  {key:<31}{value:.2f}")
    if "consumer_vs_handwritten" in doc:
        lines.append(f"  consumer_vs_handwritten        {doc['consumer_vs_handwritten']:.2f}  (no target)")
    lines.append(f"  relay_vs_aiokafka              {doc['relay_vs_aiokafka']:.2f}  "
                 f"{_verdict(doc['relay_vs_aiokafka'], TARGET_RELAY)}")
    return "\n".join(lines)
