"""What `yizheng bench platform` prints and writes: the machine, the load, each comparison's medians, the
ratios last with their targets (as `yizheng.bench.report` does for the kernel)."""

from __future__ import annotations

import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from yizheng.bench import platform as pb


def document(result: pb.PlatformBenchResult, machine: dict[str, Any], started: datetime) -> dict[str, Any]:
    return {
        **result.as_dict(),
        "machine": {**machine, "postgresql": result.server.get("server_version")},
        "timestamp": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "command_line": shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]]),
    }


def _verdict(ok: bool | None, what: str) -> str:
    if ok is None:
        return f"({what}: not measured)"
    return f"({what}: {'met' if ok else 'MISSED'})"


def _n(value: Any, spec: str = ",.1f") -> str:
    return format(value, spec) if isinstance(value, int | float) else "-"


def render(doc: dict[str, Any]) -> str:
    m, cfg, county = doc["machine"], doc["config"], doc["county"]
    settled = doc.get("settled") or {}
    c, mu, rd, v, ratios = doc["command"], doc["mutation"], doc["reads"], doc["views"], doc["ratios"]
    lines = [
        f"Platform benchmark ({cfg['mode']}), {doc['timestamp']}",
        f"  machine: {m['cpu_count']} x {m['cpu_model']}, {m['memory_gib']} GiB; Python {m['python']}; "
        f"PostgreSQL {m.get('postgresql') or '?'}; Kafka {m['kafka']}; load average at start "
        f"{', '.join(f'{x:.1f}' for x in m.get('load_average_at_start') or [])}",
        "  platform: " + ("a process per service and one for the gateway" if cfg.get("separate", True)
                          else "every service and the gateway in one process")
        + " (yizheng.bench.platform_serve); this process: the clients and the baselines",
        f"  committees: {len(county['committees'])} small demo counties, {county['events']:,} events stored; "
        f"the bench county's {county['commands']:,} commands loaded in {county['load_seconds']} s",
        f"  {cfg['rounds']} alternating rounds (baseline first) of {cfg['seconds']} s; medians shown",
        f"  waited for a quiet platform (stores not growing, every event in every view): after the load "
        f"{_n(county.get('quiet_after_s'))} s, before the mutations {_n(settled.get('before_mutations_s'))} s, "
        f"before the reads {_n(settled.get('before_reads_s'))} s",
        "",
        f"command API, members log-visit, {c['clients']} clients   {_n(c['commands_per_s'])} /s   "
        f"pgbench same writes {_n(c['pgbench_tps'])} tps",
        f"GraphQL logVisit (read-your-writes)         1 client {_n(mu['one_client_per_s'])} /s, "
        f"{mu['clients']} clients {_n(mu['many_clients_per_s'])} /s; at half the max "
        f"({_n(mu['half_rate']['offered_per_s'])} /s) p99 {_n(mu['half_rate_p99_ms'], ',.0f')} ms; "
        f"{mu['not_caught_up']} answered before the views caught up",
    ]
    for name in ("oversight", "scorecards"):
        q = rd[name]
        lines.append(f"{name:<11} {rd['clients']} clients, {rd['committees']} committees   GraphQL "
                     f"{_n(q['graphql_per_s'])} /s   asyncpg same SQL ({q['statements']} statements) "
                     f"{_n(q['sql_per_s'])} /s   single-client p95 {_n(q['single_client_p95_ms'], ',.0f')} ms")
    lag = v.get("lag_s")
    p95 = max(rd[q]["single_client_p95_ms"] for q in ("oversight", "scorecards"))
    lines += [
        f"gateway views rebuilt from the log           {_n(v['rebuild_seconds'])} s   batched COPY of the same rows "
        f"{_n(v['batched_seconds'], ',.2f')} s   ({v['rebuilds'][0]['rows']:,} rows, "
        f"{v['rebuilds'][0]['events_applied']:,} events applied)",
        f"  the log read and decoded alone, no writes  {_n(v.get('decode_floor_seconds'), ',.2f')} s   (the batched "
        f"COPY over it: {_n(v.get('decode_floor_ratio'), '.2f')}, the best ratio a rebuild decoding every event has)",
        f"view lag after the bench county's load      {_n(lag, ',.1f')} s"
        + (f" (timed out, {v['lag_missing_events']} events not in every view)" if lag is None else ""),
        "",
        "Ratios (median of per-round ratios)",
        f"  command_vs_pgbench    {_n(ratios['command_vs_pgbench'], '.2f')}  "
        f"{_verdict(_ge(ratios['command_vs_pgbench'], pb.TARGET_COMMAND), f'target >= {pb.TARGET_COMMAND}')}",
        f"  mutation_scaling      {_n(ratios['mutation_scaling'], '.2f')}  "
        f"{_verdict(_ge(ratios['mutation_scaling'], pb.TARGET_MUTATION), f'target >= {pb.TARGET_MUTATION}')}"
        f"  p99 at half rate {_verdict(_le(mu['half_rate_p99_ms'], pb.TARGET_MUTATION_P99_MS), '<= 250 ms')}",
        f"  projector_vs_batched  {_n(ratios['projector_vs_batched'], '.3f')}  "
        f"{_verdict(_ge(ratios['projector_vs_batched'], pb.TARGET_PROJECTOR), f'target >= {pb.TARGET_PROJECTOR}')}"
        f"  view lag {_verdict(_le(lag, pb.TARGET_LAG_S), '<= 5 s')}",
        f"  graphql_vs_sql        {_n(ratios['graphql_vs_sql'], '.2f')}  "
        f"{_verdict(_ge(ratios['graphql_vs_sql'], pb.TARGET_GRAPHQL), f'target >= {pb.TARGET_GRAPHQL}')}"
        f"  (oversight {_n(rd['oversight']['ratio'], '.2f')}, scorecards {_n(rd['scorecards']['ratio'], '.2f')}); "
        f"single-client p95 "
        f"{_verdict(_le(p95, pb.TARGET_GRAPHQL_P95_MS), '<= 100 ms')}",
    ]
    return "\n".join(lines)


def _ge(value: Any, target: float) -> bool | None:
    return None if not isinstance(value, int | float) else value >= target


def _le(value: Any, target: float) -> bool | None:
    return None if not isinstance(value, int | float) else value <= target
