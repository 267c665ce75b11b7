"""What `yizheng bench notify` prints and writes: the machine, the county, the figures per round and their
medians, the ratio last (as `yizheng.bench.report` does for the kernel)."""

from __future__ import annotations

import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from yizheng.bench.notify import NotifyBenchResult


def document(result: NotifyBenchResult, machine: dict[str, Any], started: datetime) -> dict[str, Any]:
    return {
        **result.as_dict(),
        "machine": {**machine, "postgresql": result.server.get("server_version")},
        "timestamp": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]]),
    }


def _us(window: dict[str, Any]) -> str:
    value = window.get("cpu", {}).get("us_per_op", {}).get("bench_process")
    return f"{value:,.0f}" if isinstance(value, int | float) else "-"


def render(doc: dict[str, Any]) -> str:
    m, cfg, county, intake, mail = doc["machine"], doc["config"], doc["county"], doc["intake"], doc["mail"]
    lines = [
        f"Notify benchmark ({cfg['mode']}), {doc['timestamp']}",
        f"  machine: {m['cpu_count']} x {m['cpu_model']}, {m['memory_gib']} GiB; Python {m['python']}; "
        f"PostgreSQL {m['postgresql']}; Kafka {m['kafka']}",
        f"  county: {county['committee_id']} (seed {county['seed']}), {county['members']} members, "
        f"{county['units']} units, {county['commands']:,} commands loaded in {county['load_seconds']} s; "
        f"{county['recorded_events']:,} events recorded, {county['events_intake_reads']:,} of types notify reads",
        f"  {cfg['rounds']} rounds; each: the events replayed into a fresh notify, then its delivery worker "
        f"({cfg['senders']} senders), then raw aiosmtplib ({cfg['senders']} at once) with the same mails",
        "",
        f"{'round':<7}{'notifications':>14}{'intake /s':>11}{'µs/notif':>10}{'mails':>8}{'worker /s':>11}"
        f"{'µs/mail':>9}{'raw /s':>9}{'µs/mail':>9}{'bytes':>8}",
    ]
    for i, (n, w, r) in enumerate(zip(intake["rounds"], mail["worker_rounds"], mail["aiosmtplib_rounds"],
                                      strict=True), start=1):
        lines.append(f"{i:<7}{n['notifications']:>14,}{n['notifications_per_s']:>11,.0f}{_us(n):>10}"
                     f"{w['mails']:>8,}{w['mails_per_s']:>11,.0f}{_us(w):>9}{r['mails_per_s']:>9,.0f}{_us(r):>9}"
                     f"{w['mean_bytes']:>8,.0f}")
    statuses = mail["worker_rounds"][-1]["statuses"] if mail["worker_rounds"] else {}
    lines += [
        "  (µs: this process's CPU per notification or mail, the SMTP sink's thread included)",
        f"  email deliveries by status after the last round: {statuses}",
        "",
        "Medians",
        f"  notifications created       {intake['notifications_per_s']:>9,.0f} /s  (first event applied to last; "
        f"{intake['notifications_per_s_from_start']:,.0f} /s from start(), joining the group included)",
        f"  events applied by intake    {intake['events_per_s']:>9,.0f} /s",
        f"  mails sent by the worker    {mail['worker_mails_per_s']:>9,.0f} /s",
        f"  raw aiosmtplib, same mails  {mail['aiosmtplib_mails_per_s']:>9,.0f} /s",
        "",
        "Ratio (median of per-round ratios)",
        f"  worker_vs_aiosmtplib        {doc['worker_vs_aiosmtplib']:.2f}  (per round: "
        f"{', '.join(f'{x:.2f}' for x in mail['per_round_ratios'])})",
    ]
    return "\n".join(lines)
