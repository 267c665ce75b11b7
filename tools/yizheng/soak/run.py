"""The soak from start to end: private infrastructure, the platform under a restarting supervisor, load and chaos
for the given minutes, catching up (a condition with a timeout), the checks, the report."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from contracts import platform
from eventstore.db import create_pool
from yizheng.soak import checks
from yizheng.soak.chaos import Chaos, schedule
from yizheng.soak.clients import GatewayReader, SoakLoader
from yizheng.soak.infra import PrivateInfra
from yizheng.soak.records import tally
from yizheng.soak.report import SoakReport
from yizheng.supervisor import Supervisor

Say = Callable[[str], None]


@dataclass(frozen=True)
class SoakOptions:
    minutes: float = 9.0
    committees: int = 3
    clients: int = 16
    per_service: int = 12
    catch_up_seconds: float = 300.0
    keep: bool = False  # keep the scratch home (data, logs) afterwards


class LoggingSupervisor(Supervisor):
    """The supervisor with its children's lines in a log file; only its own lines are said."""

    def __init__(self, *args: Any, log: Path, tell: Say, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.log = log.open("a", encoding="utf-8")
        self.tell = tell

    def say(self, name: str, line: str, colour: str = "") -> None:
        self.log.write(f"{time.strftime('%H:%M:%S')} {name:<{self.width}} | {line}\n")
        self.log.flush()
        if name == "run":
            self.tell(line)


async def _wait_caught_up(pool: asyncpg.Pool, timeout: float, say: Say) -> set[str]:
    """Until every event of every viewed store is in every view (the relays published it, the projector applied
    it); returns the ids of the events the views were then seen to hold."""
    deadline = time.monotonic() + timeout
    left, settled = await checks.caught_up(pool)
    while left:
        if time.monotonic() > deadline:
            say(f"the views did not catch up within {timeout:.0f} s: {left} (view, event) pairs missing")
            return settled
        await asyncio.sleep(1.0)  # re-checking a condition, bounded by the deadline
        left, settled = await checks.caught_up(pool)
    return settled


async def soak(options: SoakOptions, say: Say) -> SoakReport:
    from yizheng import local_sinks
    from yizheng.demo.province import scripts
    from yizheng.infra.ports import free_port
    from yizheng.supervisor import child_env, process_users

    began = time.monotonic()
    infra = PrivateInfra.create(say)
    say(f"soak home {infra.home} (its own PostgreSQL and Kafka)")
    sinks = None
    supervisor: Supervisor | None = None
    try:
        endpoints = await asyncio.to_thread(infra.up)
        sinks = local_sinks.start()
        names = [*platform.SERVICES, "gateway"]
        ports = {n: free_port() for n in names}
        urls = {s: f"http://127.0.0.1:{ports[s]}" for s in platform.SERVICES}
        env = {**child_env(endpoints.database_url, endpoints.kafka_bootstrap), **sinks.env(),
               **{f"YIZHENG_{s.upper()}_URL": u for s, u in urls.items()},
               "YIZHENG_PUBLIC_URL": urls["notify"] if "notify" in urls else ""}
        supervisor = LoggingSupervisor(env, restart=True, ports=ports, grace_seconds=15,
                                       process_env=process_users(endpoints.kafka_bootstrap),
                                       log=infra.home / "platform.log", tell=say)
        await supervisor.start()
        keeper_stop = asyncio.Event()
        keeper = asyncio.create_task(supervisor.keep_running(keeper_stop))

        county_scripts = scripts(options.committees, now=datetime.now(UTC), base="soak-county")
        load_seconds = options.minutes * 60
        lanes = max(1, math.ceil(options.clients / options.committees))
        chaos = Chaos(supervisor, infra, endpoints.database_url, say)
        plan = schedule(list(platform.SERVICES))
        say(f"{sum(len(s.steps) for s in county_scripts)} commands scripted for {options.committees} counties, "
            f"{lanes * options.committees} clients, {load_seconds:.0f} s; chaos: {', '.join(map(str, plan))}")
        loader = SoakLoader(urls, deadline=time.monotonic() + load_seconds, concurrency=lanes,
                            per_service=options.per_service)
        async with loader:
            reader = GatewayReader(f"http://127.0.0.1:{ports['gateway']}", county_scripts)
            reading = asyncio.Event()
            reader_task = asyncio.create_task(reader.run(reading))
            chaos_task = asyncio.create_task(chaos.run(plan, load_seconds * 0.9))
            loads = await asyncio.gather(*(loader.run(s) for s in county_scripts))
            await chaos_task
            reading.set()
            await reader_task
        for load in loads:
            say(f"{load.committee_id}: {load.summary()}")
        say("waiting for the views to catch up")
        # The platform's own pool (its codecs): the rebuild then writes the views as the live gateway does.
        pool = await create_pool(endpoints.database_url, min_size=1, max_size=4)
        try:
            settled = await _wait_caught_up(pool, options.catch_up_seconds, say)
            keeper_stop.set()
            await keeper
            process_restarts = supervisor.restarts
            await supervisor.stop()
            supervisor = None
            result = tally(loader.records, await checks.store_events(pool, settled), await checks.inbox_rows(pool),
                           checks.view_inboxes(), checks.viewed_services())
            say("rebuilding every view from the topics into a scratch schema")
            comparison = await checks.rebuild_and_compare(pool, endpoints.kafka_bootstrap)
        finally:
            await pool.close()
        verified, verify_output = await checks.verify(env)
        if not verified:
            say(verify_output)
        report = SoakReport(
            result, chaos.kills, chaos.restarts, process_restarts, comparison.mismatched, verified,
            time.monotonic() - began, chaos=chaos.done, reader_requests=len(reader.attempts),
            reader_server_errors=sum(a.server_error for a in reader.attempts),
            route_server_errors=sum(a.server_error for a in loader.route_attempts),
            rebuilt_from=comparison.applied, view_rows=comparison.rows)
        report.notes += reader.errors[:5]
        report.notes += [f"{table} differs: {example}" for table, examples in comparison.examples.items()
                         for example in examples]
        if comparison.dead_lettered:
            report.notes.append(f"the rebuild dead-lettered {comparison.dead_lettered} events")
        return report
    finally:
        if supervisor is not None:
            await supervisor.stop()
        if sinks is not None:
            sinks.stop()
        await asyncio.to_thread(infra.down, keep=options.keep)
