"""Where the CPU goes during a timed window: the benchmark's own process, the PostgreSQL backends serving it,
the Kafka broker, and the whole machine — read from /proc (Linux; figures are None elsewhere or when a
process cannot be read, e.g. a server on another host).

On a small machine every party shares the same cores, so CPU time per operation explains a throughput
ratio far more steadily than wall-clock rates, which swing with whatever else the machine is doing."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    _TICKS = float(os.sysconf("SC_CLK_TCK"))
except (AttributeError, ValueError, OSError):
    _TICKS = 100.0


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a process has used so far, or None if it cannot be read."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw.rsplit(")", 1)[-1].split()
    try:
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (IndexError, ValueError):
        return None


def machine_busy_seconds() -> float | None:
    """CPU seconds all cores together spent not idle (user, nice, system, irq, softirq, steal)."""
    try:
        first = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    if not first or first[0] != "cpu":
        return None
    values = [int(v) for v in first[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / _TICKS


def _total(pids: Iterable[int]) -> float | None:
    seconds = [process_cpu_seconds(p) for p in pids]
    known = [s for s in seconds if s is not None]
    return sum(known) if known else None


@dataclass
class CpuSample:
    wall: float
    process: float
    machine: float | None
    groups: dict[str, float | None] = field(default_factory=dict)


def sample(groups: dict[str, list[int]]) -> CpuSample:
    """A snapshot: wall clock, this process's CPU, the machine's busy time, each named group of pids."""
    return CpuSample(wall=time.perf_counter(), process=time.process_time(), machine=machine_busy_seconds(),
                     groups={name: _total(pids) for name, pids in groups.items()})


def usage(start: CpuSample, end: CpuSample, operations: float, *, include_process: bool = True) -> dict[str, Any]:
    """CPU microseconds per operation for each party between two samples, and the machine's busy cores."""
    wall = end.wall - start.wall
    per_op: dict[str, float | None] = {}
    if include_process:
        per_op["bench_process"] = (end.process - start.process) / operations * 1e6 if operations else None
    for name, value in end.groups.items():
        before = start.groups.get(name)
        per_op[name] = (value - before) / operations * 1e6 if value is not None and before is not None and operations \
            else None
    busy = end.machine - start.machine if end.machine is not None and start.machine is not None else None
    return {
        "us_per_op": {k: round(v, 1) if v is not None else None for k, v in per_op.items()},
        "machine_us_per_op": round(busy / operations * 1e6, 1) if busy is not None and operations else None,
        "machine_busy_cores": round(busy / wall, 2) if busy is not None and wall > 0 else None,
        "cpu_count": os.cpu_count(),
    }
