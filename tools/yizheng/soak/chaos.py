"""The chaos loop: one action at a time, spread over the soak — SIGKILL a process (each service, the gateway, the
relay leader of a store, a consumer) and restart PostgreSQL and Kafka — each after the platform answers again.

Each service runs its relay, public relay, consumers and workers inside its own process, so "the relay leader" is
the service process whose database session holds the relay's advisory lock (found through pg_locks, not assumed),
and "a consumer" is a process running consumers of other services' topics (notify consumes all of them)."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from yizheng.soak.infra import PrivateInfra
from yizheng.supervisor import Supervisor

Say = Callable[[str], None]

KILL, RESTART = "kill", "restart"


@dataclass(frozen=True)
class Action:
    kind: str  # KILL or RESTART
    target: str  # a process name, "relay-leader:<store>", "consumer:<service>", "postgresql" or "kafka"

    def __str__(self) -> str:
        return f"{self.kind} {self.target}"


def schedule(services: list[str]) -> list[Action]:
    """Every kind of process killed at least once, PostgreSQL and Kafka restarted once, apart from each other."""
    first, *rest = services
    plan = [Action(KILL, first), Action(KILL, "gateway"), Action(KILL, f"relay-leader:{rest[0] if rest else first}"),
            Action(RESTART, "postgresql"), Action(KILL, "consumer:notify")]
    plan += [Action(KILL, s) for s in rest if s != "notify"][1:2]
    plan.append(Action(RESTART, "kafka"))
    plan += [Action(KILL, s) for s in rest if s != "notify"][2:]
    killed = {a.target for a in plan}
    plan += [Action(KILL, s) for s in services if s not in killed and f"consumer:{s}" not in killed
             and not any(t.endswith(f":{s}") for t in killed)]
    return plan


def _socket_inodes_of_local_port(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            f = row.split()
            if len(f) > 9 and int(f[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{f[9]}]")
    return inodes


def pid_with_local_port(port: int, pids: list[int]) -> int | None:
    """Which of `pids` has a TCP socket whose local port is `port` (a database session's client end)."""
    targets = _socket_inodes_of_local_port(port)
    for pid in pids:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) in targets:
                    return pid
            except OSError:
                continue
    return None


async def advisory_lock_holder_port(database_url: str, key: str) -> int | None:
    """The client port of the session holding the session-level advisory lock `key` (eventstore.leadership)."""
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(
            "WITH k AS (SELECT hashtextextended($1, 0) AS h) "
            "SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid, k "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
            "AND l.classid = ((k.h >> 32) & 4294967295)::oid AND l.objid = (k.h & 4294967295)::oid", key)
    finally:
        await conn.close()


@dataclass
class Chaos:
    supervisor: Supervisor
    infra: PrivateInfra
    database_url: str
    say: Say
    done: list[str] = field(default_factory=list)
    kills: int = 0
    restarts: int = 0  # of PostgreSQL and Kafka

    async def healthy(self, timeout: float = 180.0) -> None:
        """Until every child answers again (the supervisor restarts the dead)."""
        deadline = time.monotonic() + timeout
        while any(c.process is None or c.process.returncode is not None for c in self.supervisor.children) \
                or self.supervisor._restarting:
            if time.monotonic() > deadline:
                raise RuntimeError("the platform did not come back within "
                                   f"{timeout:.0f} s: {sorted(self.supervisor._restarting)}")
            await asyncio.sleep(0.5)  # polling the supervisor's children, not a consistency wait

    async def kill(self, name: str, why: str = "") -> None:
        child = self.supervisor.child(name)
        assert child.process is not None
        pid = child.process.pid
        os.kill(pid, signal.SIGKILL)
        self.kills += 1
        self.done.append(f"SIGKILL {name} (pid {pid}){why}")
        self.say(self.done[-1])

    async def relay_leader(self, store: str) -> None:
        port = await advisory_lock_holder_port(self.database_url, f"{store}:relay")
        pids = {c.process.pid: c.spec.name for c in self.supervisor.children if c.process is not None}
        pid = pid_with_local_port(port, list(pids)) if port is not None else None
        if pid is None:
            raise RuntimeError(f"no process holds the {store} relay's advisory lock")
        await self.kill(pids[pid], f": the {store} relay's leader (its session holds the advisory lock)")

    async def act(self, action: Action) -> None:
        await self.healthy()
        if action.kind == RESTART:
            began = time.monotonic()
            restart = self.infra.restart_postgres if action.target == "postgresql" else self.infra.restart_kafka
            await asyncio.to_thread(restart)
            self.restarts += 1
            self.done.append(f"restarted {action.target} ({time.monotonic() - began:.1f} s down)")
            self.say(self.done[-1])
        elif action.target.startswith("relay-leader:"):
            await self.relay_leader(action.target.split(":", 1)[1])
        elif action.target.startswith("consumer:"):
            await self.kill(action.target.split(":", 1)[1], ": its consumers of every other service's topic")
        else:
            await self.kill(action.target)

    async def run(self, plan: list[Action], seconds: float) -> None:
        """The plan's actions evenly over `seconds` (the first after one interval); then the platform whole again."""
        interval = seconds / (len(plan) + 1)
        began = time.monotonic()
        for i, action in enumerate(plan, start=1):
            wait = began + i * interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)  # the chaos loop's pace
            await self.act(action)
        await self.healthy()
