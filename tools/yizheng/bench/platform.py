"""`yizheng bench platform`: the running platform against baselines on the same machine, in the same run.

The platform is started by the bench in child processes (`yizheng.bench.platform_serve`): a process per service
and one for the gateway, as `yizheng run` runs them (or, `separate=False`, all in one), uvicorn on loopback,
fresh schemas and topics; this process is only the clients and the baselines. One county (the demo county
in miniature) is loaded through the services' command APIs with the Loader, then `committees - 1` more
(`yizheng.demo.province`). Then each comparison runs in alternating rounds (baseline, subject, baseline,
subject, …), medians reported:

- command_vs_pgbench: members `log-visit` through its HTTP command API (bearer token, a fresh Idempotency-Key
  and visit, so a new stream each time: token check, idempotency claim and answer, the unit of work's
  transaction, the projections), CLIENTS closed-loop clients — next to pgbench running the same writes
  (yizheng.bench.platform_pgbench) with as many clients.
- mutation_scaling: the gateway's `logVisit` mutation (read-your-writes: it answers once the views applied the
  events) at CLIENTS clients over 1 client; and the p99 of an open-loop run at half the CLIENTS-client rate.
- graphql_vs_sql: `oversight` and `scorecards` at READERS clients over the committees loaded, next to their SQL
  run directly with asyncpg (yizheng.bench.platform_reads); and the single-client p95 of each.
- projector_vs_batched: every gateway view rebuilt from the log, next to a batched COPY of the same rows
  (yizheng.bench.platform_views); and the view lag after the first county's load.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from eventstore.db import create_pool
from eventstore.kafka_access import KafkaAccess
from yizheng.bench.platform_drive import Window, closed_loop, closed_loop_calls, open_loop
from yizheng.bench.platform_pgbench import build_script, run_script
from yizheng.bench.platform_reads import Reader, check_graphql, graphql_request, record_sql, sql_request
from yizheng.bench.platform_serve import READY
from yizheng.bench.platform_views import (
    Rebuild,
    batched_copy,
    decode_floor,
    kernel_tables,
    rebuild,
    snapshot,
    view_lag,
    view_tables,
)
from yizheng.demo.generator import Size, generate
from yizheng.demo.load import load
from yizheng.demo.province import counties, load_province
from yizheng.demo.script import Script

Say = Callable[[str], None]

TARGET_COMMAND = 0.25
TARGET_MUTATION = 4.0
TARGET_MUTATION_P99_MS = 250.0
TARGET_PROJECTOR = 0.5
TARGET_LAG_S = 5.0
TARGET_GRAPHQL = 0.5
TARGET_GRAPHQL_P95_MS = 100.0
CLIENTS = 16
READERS = 32
GATEWAY_POOL = 10
BENCH_COMMITTEE = "bench-county"
BENCH_SEED = 7

LOG_VISIT = """mutation($input: LogVisitInput!, $key: String) { logVisit(input: $input, idempotencyKey: $key) {
  __typename ... on CommandAccepted { caughtUp } ... on CommandRefused { rule message }
  ... on CommandInvalid { message fields } } }"""


class PlatformBenchError(RuntimeError):
    pass


@dataclass(frozen=True)
class PlatformBenchConfig:
    mode: str
    committees: int  # loaded in all (the bench's own county among them)
    rounds: int
    seconds: int  # per timed window
    rebuild_rounds: int
    size: Size = field(default_factory=Size.small)  # of every committee
    separate: bool = True  # a process per service and one for the gateway; else all in one process

    @classmethod
    def quick(cls) -> PlatformBenchConfig:
        return cls(mode="quick", committees=2, rounds=2, seconds=5, rebuild_rounds=1)

    @classmethod
    def full(cls) -> PlatformBenchConfig:
        return cls(mode="full", committees=20, rounds=3, seconds=10, rebuild_rounds=2)


@dataclass
class PlatformBenchResult:
    config: dict[str, Any]
    county: dict[str, Any] = field(default_factory=dict)
    command: dict[str, Any] = field(default_factory=dict)
    mutation: dict[str, Any] = field(default_factory=dict)
    reads: dict[str, Any] = field(default_factory=dict)
    views: dict[str, Any] = field(default_factory=dict)
    ratios: dict[str, float | None] = field(default_factory=dict)
    server: dict[str, Any] = field(default_factory=dict)
    settled: dict[str, float | None] = field(default_factory=dict)  # waits for a quiet platform between phases

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else 0.0


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


@dataclass(frozen=True)
class Running:
    urls: dict[str, str]
    gateway_url: str
    schemas: dict[str, str]
    topic_prefix: str
    pids: list[int]
    database_url: str


class _Child:
    """A `yizheng.bench.platform_serve` process: started, its ready line read, stopped by closing its stdin."""

    def __init__(self, proc: asyncio.subprocess.Process, label: str) -> None:
        self.proc, self.label = proc, label

    @classmethod
    async def start(cls, env: dict[str, str], *args: str) -> tuple[_Child, dict[str, Any]]:
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "yizheng.bench.platform_serve", *args,
                                                    stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                                                    env=env)
        child = cls(proc, " ".join(args[:2]))
        assert proc.stdout is not None
        try:
            while True:
                line = (await asyncio.wait_for(proc.stdout.readline(), 180)).decode()
                if not line:
                    raise PlatformBenchError(f"{child.label} exited ({await proc.wait()}) before it was up")
                if line.startswith(READY):
                    return child, json.loads(line[len(READY):])
        except BaseException:
            await child.stop()
            raise

    async def stop(self) -> None:
        if self.proc.returncode is not None:
            return
        assert self.proc.stdin is not None
        self.proc.stdin.close()  # it stops
        try:
            await asyncio.wait_for(self.proc.wait(), 60)
        except TimeoutError:
            self.proc.terminate()
            await self.proc.wait()


@contextlib.asynccontextmanager
async def platform_processes(database_url: str, bootstrap: KafkaAccess, pool: asyncpg.Pool, *, separate: bool,
                             say: Say) -> AsyncIterator[Running]:
    """The platform in child processes: one per service and one for the gateway (`separate`, as `yizheng run`
    runs them), or all in one; on fresh schemas and topics, the schemas dropped afterwards. The notify service
    mails and texts to the local sinks `yizheng run` starts (a mailbox of the bench's own, deleted afterwards):
    with nowhere to send, every notification of the loaded counties went on being retried in the background
    of every measurement."""
    from yizheng import local_sinks

    mailbox = tempfile.TemporaryDirectory(prefix="yizheng-bench-mail-")
    sinks = local_sinks.start(Path(mailbox.name), smtp_port=0, sms_port=0)
    env = {**os.environ, "DATABASE_URL": database_url, **bootstrap.env(), **sinks.env(), "PYTHONUNBUFFERED": "1"}
    children: list[_Child] = []
    schemas: dict[str, str] = {}
    try:
        if not separate:
            child, info = await _Child.start(env, "all")
            children.append(child)
            schemas = info["schemas"]
            running = Running(info["urls"], info["gateway_url"], schemas, info["topic_prefix"], [info["pid"]],
                              database_url)
        else:
            from contracts import platform as declared
            from yizheng.testing.platform import create_topics, platform_topics

            tag = uuid.uuid4().hex[:8]
            prefix = f"tbp{tag}."
            schemas = {name: f"bp_{name}_{tag}" for name in [*declared.SERVICES, "gateway"]}
            await create_topics(bootstrap, [f"{prefix}{t}" for t in platform_topics()])
            urls: dict[str, str] = {}
            pids = []
            for name in declared.SERVICES:  # one after another: each installs its schema
                child, info = await _Child.start(env, "service", name, schemas[name], prefix)
                children.append(child)
                urls[name] = info["url"]
                pids.append(info["pid"])
            child, info = await _Child.start(env, "gateway", schemas["gateway"], prefix, json.dumps(urls))
            children.append(child)
            running = Running(urls, info["url"], schemas, prefix, [*pids, info["pid"]], database_url)
        say(f"platform up ({'a process per service and the gateway' if separate else 'one process'}: "
            f"pids {', '.join(map(str, running.pids))})")
        yield running
    finally:
        for child in reversed(children):
            await child.stop()
        sinks.stop()
        mailbox.cleanup()
        if separate:
            for schema in schemas.values():
                await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


# ---- commands -----------------------------------------------------------------------------------------


def visit_templates(script: Script) -> list[tuple[dict[str, Any], str]]:
    """(body, member token) of the county's logged visits: a member logging their own."""
    out = [(s.body, s.who.token(script.committee_id)) for s in script.steps
           if s.command == "log-visit" and s.who.member_id]
    if not out:
        raise PlatformBenchError("the county's script logs no visit")
    return out


def fresh_visit(body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "visit_id": f"bench-v{uuid.uuid4().hex[:16]}"}


def command_request(members_url: str, templates: list[tuple[dict[str, Any], str]]) -> Any:
    async def send(client: httpx.AsyncClient, i: int) -> bool:
        body, token = templates[i % len(templates)]
        r = await client.post(f"{members_url}/commands/log-visit", json=fresh_visit(body),
                              headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex})
        return r.status_code == 200

    return send


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _gql_value(value: Any) -> Any:
    return {_camel(k): _gql_value(v) for k, v in value.items()} if isinstance(value, dict) else value


def mutation_request(gateway_url: str, templates: list[tuple[dict[str, Any], str]], enum_of: dict[str, str],
                     not_caught_up: list[int]) -> Any:
    async def send(client: httpx.AsyncClient, i: int) -> bool:
        body, token = templates[i % len(templates)]
        variables = _gql_value(fresh_visit(body))
        variables["kind"] = enum_of.get(variables["kind"], variables["kind"])
        variables["roles"] = [enum_of.get(r, r) for r in variables.get("roles", [])]
        if variables.get("visitedSector"):
            variables["visitedSector"] = enum_of.get(variables["visitedSector"], variables["visitedSector"])
        r = await client.post(f"{gateway_url}/graphql", json={"query": LOG_VISIT, "variables": {
            "input": variables, "key": uuid.uuid4().hex}}, headers={"Authorization": f"Bearer {token}"})
        if r.status_code != 200:
            return False
        data = r.json()
        answer = (data.get("data") or {}).get("logVisit") or {}
        if answer.get("__typename") != "CommandAccepted":
            if not not_caught_up or len(not_caught_up) < 2:
                not_caught_up.append(-1)
                print(f"mutation answered {data}"[:500], file=sys.stderr)
            return False
        if not answer.get("caughtUp"):
            not_caught_up.append(i)
        return True

    return send


def enum_names() -> dict[str, str]:
    """Contract enum value -> its GraphQL name (the mirrored enums use the Python member names)."""
    from contracts.members.commands import LogVisit

    out: dict[str, str] = {}
    for name in ("kind", "roles", "visited_sector"):
        annotation = LogVisit.model_fields[name].annotation
        for candidate in _enum_types(annotation):
            out.update({m.value: m.name for m in candidate})
    return out


def _enum_types(annotation: Any) -> list[Any]:
    import enum
    import typing

    found = []
    stack = [annotation]
    while stack:
        a = stack.pop()
        if isinstance(a, type) and issubclass(a, enum.Enum):
            found.append(a)
        stack.extend(typing.get_args(a))
        if hasattr(a, "__origin__") and a.__origin__ is not None and not typing.get_args(a):
            stack.append(a.__origin__)
        if hasattr(a, "__metadata__"):
            stack.append(getattr(a, "__origin__", None))
    return found


async def _server_version(database_url: str) -> str:
    conn = await asyncpg.connect(database_url)
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def bench_script(config: PlatformBenchConfig) -> Script:
    """The bench's own county (the same every time it is asked for in a run)."""
    return generate(BENCH_SEED, now=datetime.now(UTC), size=config.size, committee_id=BENCH_COMMITTEE)


# ---- the run --------------------------------------------------------------------------------------------


async def run_platform_bench(database_url: str, bootstrap: KafkaAccess, config: PlatformBenchConfig, *,
                             say: Say = lambda _: None) -> PlatformBenchResult:
    result = PlatformBenchResult(config=asdict(config))
    pool = await create_pool(database_url, min_size=1, max_size=READERS + 2)
    try:
        async with platform_processes(database_url, bootstrap, pool, separate=config.separate, say=say) as p:
            await _counties(pool, p, config, result, say)
            script = bench_script(config)
            templates = visit_templates(script)
            await _commands(pool, database_url, p, config, templates, result, say)
            result.settled["before_mutations_s"] = await _settle(pool, p, say)
            await _mutations(p, config, templates, result, say)
            result.settled["before_reads_s"] = await _settle(pool, p, say)
            await _reads(pool, p, config, result, say)
            await _views(pool, database_url, bootstrap, p, config, result, say)
    finally:
        await pool.close()
    r = result
    r.server = {"server_version": await _server_version(database_url)}
    r.ratios = {
        "command_vs_pgbench": r.command.get("ratio"),
        "mutation_scaling": r.mutation.get("ratio"),
        "projector_vs_batched": r.views.get("ratio"),
        "graphql_vs_sql": r.reads.get("ratio"),
    }
    return r


# A step or two of a county's story may be refused on a loaded machine (a look-back the deadline watcher had not
# opened within the Loader's wait); what the benchmarks measure does not depend on them. More than this is a defect.
MAX_FAILED_SHARE = 0.01


def _check_load(reports: list[Any], say: Say) -> None:
    for report in reports:
        for failure in report.failures:
            say(f"  refused while loading (kept going): {failure}")
        if len(report.failures) > MAX_FAILED_SHARE * report.steps:
            raise PlatformBenchError(f"{report.committee_id} did not load: {len(report.failures)} steps failed, "
                                     f"the first: {report.failures[0]}")


async def _quiet(pool: asyncpg.Pool, schemas: list[str], say: Say, *, still_seconds: float = 5.0,
                 timeout: float = 600.0) -> float | None:
    """Seconds until the services' stores stopped growing (none grew for `still_seconds`), None after `timeout`."""
    async def stored() -> int:
        return sum([int(await pool.fetchval(f"SELECT coalesce(max(position), 0) FROM {s}.events")) for s in schemas])

    started = time.monotonic()
    last, since = await stored(), time.monotonic()
    while time.monotonic() - since < still_seconds:
        if time.monotonic() - started > timeout:
            say(f"  the stores were still growing after {timeout:.0f} s; measuring anyway")
            return None
        await asyncio.sleep(0.5)  # polling a condition, bounded by the timeout
        if (now := await stored()) != last:
            last, since = now, time.monotonic()
    waited = round(time.monotonic() - started - still_seconds, 1)
    say(f"  the services' stores quiet after {waited} s more")
    return waited


async def _settle(pool: asyncpg.Pool, p: Running, say: Say) -> float | None:
    """Wait until the last phase's work is done: the stores quiet and every event in every view (bounded)."""
    started = time.monotonic()
    services = [s for n, s in p.schemas.items() if n != "gateway"]
    await _quiet(pool, services, say)
    lag, _ = await view_lag(pool, services, p.schemas["gateway"], timeout=600)
    return round(time.monotonic() - started, 1) if lag is not None else None


async def _counties(pool: asyncpg.Pool, p: Running, config: PlatformBenchConfig, result: PlatformBenchResult,
                    say: Say) -> None:
    script = bench_script(config)
    say(f"loading the bench county ({len(script.steps):,} commands) through the command APIs")
    started = time.perf_counter()
    report = await load(script, p.urls)
    load_s = time.perf_counter() - started
    _check_load([report], say)
    say(f"  {report.summary()}; waiting for the gateway's views")
    services = [s for n, s in p.schemas.items() if n != "gateway"]
    lag, missing = await view_lag(pool, services, p.schemas["gateway"])
    say(f"  view lag after the load: {lag if lag is not None else 'timeout'} s")
    result.views["lag_s"] = lag
    result.views["lag_missing_events"] = missing
    result.county = {"committee_id": BENCH_COMMITTEE, "commands": len(script.steps), "load_seconds": round(load_s, 1),
                     "commands_per_s": round(len(script.steps) / load_s, 1)}
    more = counties(config.committees - 1) if config.committees > 1 else []
    if more:
        scripts = [generate(c.seed, now=datetime.now(UTC), size=config.size, committee_id=c.committee_id)
                   for c in more]
        say(f"loading {len(scripts)} more committees ({sum(len(s.steps) for s in scripts):,} commands)")
        started = time.perf_counter()
        # One Loader for all of them (load_province): its bound on requests in flight per service keeps the
        # command APIs under their in-flight limit, which 19 Loaders side by side exceed (503 overloaded).
        province = await load_province(scripts, p.urls)
        _check_load([c.summary.report for c in province.counties if c.summary.report is not None], say)
        say(f"  loaded in {time.perf_counter() - started:.0f} s")
        await view_lag(pool, services, p.schemas["gateway"], timeout=900)
    # The services' own workers (the scorer, notify's intake, the deadline watcher) keep writing after a load;
    # measured while they do, the figures would be of a busier machine. Wait (bounded) until no store grew for 5 s.
    quiet_after = await _quiet(pool, services, say)
    result.county["quiet_after_s"] = quiet_after
    result.county["committees"] = [BENCH_COMMITTEE, *(c.committee_id for c in more)]
    result.county["events"] = sum([int(await pool.fetchval(f"SELECT count(*) FROM {s}.events")) for s in services])


async def _commands(pool: asyncpg.Pool, database_url: str, p: Running, config: PlatformBenchConfig,
                    templates: list[tuple[dict[str, Any], str]], result: PlatformBenchResult, say: Say) -> None:
    members = p.urls["members"]
    body, token = templates[0]
    key = uuid.uuid4().hex
    first = fresh_visit(body)
    async with httpx.AsyncClient(timeout=30) as client:
        r = await client.post(f"{members}/commands/log-visit", json=first,
                              headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key})
    if r.status_code != 200:
        raise PlatformBenchError(f"log-visit answered {r.status_code}: {r.text[:300]}")
    stream = r.json()["stream_id"]
    schema = p.schemas["members"]
    deadline = time.monotonic() + 30
    while not await pool.fetchval(f"SELECT count(*) FROM {schema}.visits WHERE visit_id = $1", first["visit_id"]):
        if time.monotonic() > deadline:
            raise PlatformBenchError("the template visit never reached the members' visits table")
        await asyncio.sleep(0.1)  # waiting on a condition, bounded
    scratch = f"bpgb_{uuid.uuid4().hex[:8]}"
    script = await build_script(pool, schema, scratch, stream, key)
    say(f"command_vs_pgbench: {config.rounds} rounds x {config.seconds} s at {CLIENTS} clients")
    request = command_request(members, templates)
    await closed_loop(request, clients=CLIENTS, seconds=2)  # warm-up
    subject: list[Window] = []
    baseline = []
    try:
        for i in range(config.rounds):
            baseline.append(await run_script(database_url, script, clients=CLIENTS, threads=2,
                                             seconds=config.seconds))
            subject.append(await closed_loop(request, clients=CLIENTS, seconds=config.seconds))
            say(f"  round {i + 1}: pgbench {baseline[-1].tps:,.0f} tps, log-visit {subject[-1].per_s:,.0f}/s "
                f"(p99 {subject[-1].p99_ms:.0f} ms, {subject[-1].failed} failed)")
    finally:
        await pool.execute(f"DROP SCHEMA IF EXISTS {scratch} CASCADE")
    ratios = [_ratio(s.per_s, b.tps) for s, b in zip(subject, baseline, strict=True)]
    result.command = {"clients": CLIENTS, "commands_per_s": _median([s.per_s for s in subject]),
                      "pgbench_tps": _median([b.tps for b in baseline]), "ratio": _median(ratios),
                      "per_round_ratios": ratios, "subject_rounds": [w.as_dict() for w in subject],
                      "pgbench_rounds": [b.as_dict() for b in baseline], "pgbench_script": script}


async def _mutations(p: Running, config: PlatformBenchConfig, templates: list[tuple[dict[str, Any], str]],
                     result: PlatformBenchResult, say: Say) -> None:
    late: list[int] = []
    request = mutation_request(p.gateway_url, templates, enum_names(), late)
    probe = await closed_loop(request, clients=1, seconds=1)
    if not probe.ok:
        raise PlatformBenchError("the logVisit mutation did not succeed once (see the answer above)")
    say(f"mutation_scaling: {config.rounds} rounds x {config.seconds} s, 1 client then {CLIENTS}")
    ones, manys = [], []
    for i in range(config.rounds):
        ones.append(await closed_loop(request, clients=1, seconds=config.seconds))
        manys.append(await closed_loop(request, clients=CLIENTS, seconds=config.seconds))
        say(f"  round {i + 1}: 1 client {ones[-1].per_s:,.1f}/s (p50 {ones[-1].p50_ms:.0f} ms), {CLIENTS} clients "
            f"{manys[-1].per_s:,.1f}/s (p99 {manys[-1].p99_ms:.0f} ms)")
    ratios = [_ratio(m.per_s, o.per_s) for o, m in zip(ones, manys, strict=True)]
    top = max(m.per_s for m in manys)
    half = await open_loop(request, rate=max(top / 2, 0.5), seconds=config.seconds * 2)
    say(f"  open loop at {half.offered_per_s:,.1f}/s (half the {CLIENTS}-client maximum): p99 {half.p99_ms:.0f} ms")
    result.mutation = {"clients": CLIENTS, "one_client_per_s": _median([o.per_s for o in ones]),
                       "many_clients_per_s": _median([m.per_s for m in manys]), "ratio": _median(ratios),
                       "per_round_ratios": ratios, "half_rate": half.as_dict(), "half_rate_p99_ms": half.p99_ms,
                       "not_caught_up": len([x for x in late if x >= 0]),
                       "one_rounds": [w.as_dict() for w in ones], "many_rounds": [w.as_dict() for w in manys]}


async def _reads(pool: asyncpg.Pool, p: Running, config: PlatformBenchConfig, result: PlatformBenchResult,
                 say: Say) -> None:
    from runtime.auth import issue_token

    committees = result.county["committees"]
    year = bench_script(config).year
    reader = Reader(committees, [issue_token("leadership", c, subject=f"bench-leader@{c}") for c in committees], year)
    out: dict[str, Any] = {"clients": READERS, "committees": len(committees), "year": year,
                           "sql_pool_size": GATEWAY_POOL}
    # The baseline's pool is as big as the gateway's (gateway.app.build_gateway's default).
    sql_pool = await create_pool(p.database_url, min_size=GATEWAY_POOL, max_size=GATEWAY_POOL)
    try:
        await _read_rounds(pool, sql_pool, p, config, reader, committees, year, out, say)
    finally:
        await sql_pool.close()
    result.reads = out


async def _read_rounds(pool: asyncpg.Pool, sql_pool: asyncpg.Pool, p: Running, config: PlatformBenchConfig,
                       reader: Reader, committees: list[str], year: int, out: dict[str, Any], say: Say) -> None:
    ratios_all: list[float] = []
    for name in ("oversight", "scorecards"):
        if (problem := await check_graphql(p.gateway_url, name, reader)) is not None:
            raise PlatformBenchError(f"the {name} query failed: {problem}")
        recorded = [(await record_sql(pool, p.schemas["gateway"], c, year))[name] for c in committees]
        gql, sql = graphql_request(p.gateway_url, name, reader), sql_request(sql_pool, recorded)
        single = await closed_loop(gql, clients=1, seconds=config.seconds)
        subject, baseline = [], []
        for _ in range(config.rounds):
            baseline.append(await closed_loop_calls(sql, clients=READERS, seconds=config.seconds))
            subject.append(await closed_loop(gql, clients=READERS, seconds=config.seconds))
        ratios = [_ratio(s.per_s, b.per_s) for s, b in zip(subject, baseline, strict=True)]
        ratios_all.append(_median(ratios))
        say(f"  {name}: GraphQL {_median([s.per_s for s in subject]):,.0f}/s, SQL "
            f"{_median([b.per_s for b in baseline]):,.0f}/s at {READERS} clients; single-client p95 "
            f"{single.p95_ms:.0f} ms ({len(recorded[0])} statements)")
        out[name] = {"graphql_per_s": _median([s.per_s for s in subject]),
                     "sql_per_s": _median([b.per_s for b in baseline]), "ratio": _median(ratios),
                     "per_round_ratios": ratios, "single_client": single.as_dict(),
                     "single_client_p95_ms": single.p95_ms, "statements": len(recorded[0]),
                     "graphql_rounds": [w.as_dict() for w in subject], "sql_rounds": [w.as_dict() for w in baseline]}
    out["ratio"] = min(ratios_all)  # the headline is the worse of the two


async def _views(pool: asyncpg.Pool, database_url: str, bootstrap: KafkaAccess, p: Running,
                 config: PlatformBenchConfig, result: PlatformBenchResult, say: Say) -> None:
    kernel = await kernel_tables(pool)
    say(f"projector_vs_batched: {config.rebuild_rounds} rounds of rebuilding every gateway view")
    rebuilds: list[Rebuild] = []
    copies: list[float] = []
    floors: list[float] = []
    for i in range(config.rebuild_rounds):
        schema = f"bpr_{uuid.uuid4().hex[:8]}"
        try:
            built = await rebuild(pool, database_url, bootstrap, p.topic_prefix, schema, kernel)
            rows = await snapshot(database_url, schema, await view_tables(pool, schema, kernel))
            copies.append(await batched_copy(pool, database_url, schema, rows))
            floors.append(await decode_floor(bootstrap, p.topic_prefix))
        finally:
            await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        rebuilds.append(built)
        say(f"  round {i + 1}: rebuild {built.seconds:.1f} s ({built.events_applied:,} events applied, "
            f"{built.rows:,} rows in {built.tables} tables), batched COPY {copies[-1]:.2f} s; reading and decoding "
            f"the log alone {floors[-1]:.2f} s")
    ratios = [_ratio(c, b.seconds) for b, c in zip(rebuilds, copies, strict=True)]
    result.views.update({"rebuild_seconds": _median([b.seconds for b in rebuilds]),
                         "batched_seconds": _median(copies), "ratio": _median(ratios), "per_round_ratios": ratios,
                         "rebuilds": [b.as_dict() for b in rebuilds], "decode_floor_seconds": _median(floors),
                         # the best projector_vs_batched a rebuild that decodes each event could reach
                         "decode_floor_ratio": _median([_ratio(c, f) for f, c in zip(floors, copies, strict=True)])})
