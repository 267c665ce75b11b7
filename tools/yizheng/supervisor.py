"""`yizheng run`: every process of the platform under one supervisor, with prefixed, coloured logs.

Starts each process of `yizheng.serve.processes()` as a child (`yizheng serve NAME`), waits until each
answers its health check, loads the demo county into an empty database, prints the GraphiQL address and
a token per role, and on Ctrl-C (or a child dying) stops every child: SIGTERM, then SIGKILL after a grace
period. A child is told to stop when the supervisor dies, however it dies (Linux: PR_SET_PDEATHSIG), so no
process outlives a killed `yizheng run` holding its port; and a port some other process still holds is
refused before anything starts, naming that process — a health check answered by it would otherwise pass
for the new child's."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from eventstore.kafka_access import KafkaAccess
from yizheng.infra.ports import is_listening, port_owner
from yizheng.serve import ProcessSpec, processes

PR_SET_PDEATHSIG = 1


def _stop_with_parent() -> None:
    """In the child before exec: SIGTERM it when the supervisor dies (a no-op where prctl is missing)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

COLOURS = ["\033[36m", "\033[35m", "\033[33m", "\033[32m", "\033[34m", "\033[31m"]
RESET = "\033[0m"


@dataclass
class Child:
    spec: ProcessSpec
    colour: str
    process: asyncio.subprocess.Process | None = None
    pump: asyncio.Task[None] | None = None
    lines: list[str] = field(default_factory=list)
    restarts: int = 0
    started_at: float = 0.0
    backoff: float = 0.0


class Supervisor:
    # Restart backoff: doubles from the first to the last while a child keeps dying within STABLE_SECONDS.
    RESTART_BACKOFF = (0.5, 10.0)
    STABLE_SECONDS = 30.0

    def __init__(self, env: dict[str, str], *, colour: bool = True, grace_seconds: float = 10.0,
                 process_env: dict[str, dict[str, str]] | None = None, restart: bool = False,
                 ports: dict[str, int] | None = None) -> None:
        self.env = env
        self.process_env = process_env or {}  # per process, over `env` (its own Kafka user)
        self.colour = colour and sys.stdout.isatty()
        self.grace_seconds = grace_seconds
        self.restart = restart
        self._stopping = False
        self._restarting: dict[str, asyncio.Task[None]] = {}
        specs = {name: ProcessSpec(name, (ports or {}).get(name, spec.port)) for name, spec in processes().items()}
        width = max(len(n) for n in specs)
        self.width = max(width, len("run"))
        self.children = [Child(spec, COLOURS[i % len(COLOURS)]) for i, spec in enumerate(specs.values())]

    def say(self, name: str, line: str, colour: str = "\033[1m") -> None:
        prefix = f"{name:<{self.width}} |"
        if self.colour:
            prefix = f"{colour}{prefix}{RESET}"
        print(f"{prefix} {line}", flush=True)

    def held_ports(self) -> list[str]:
        """The children's ports some process already listens on, with who holds each."""
        return [f":{c.spec.port} ({c.spec.name}) is held by {port_owner(c.spec.port) or 'another process'}"
                for c in self.children if is_listening("127.0.0.1", c.spec.port)]

    async def start(self) -> None:
        held = self.held_ports()
        if held:
            raise RuntimeError("; ".join(held) + " — a platform left running? stop it first")
        for child in self.children:
            await self._spawn(child)
        for child in self.children:
            await self._wait_healthy(child)

    async def _spawn(self, child: Child) -> None:
        child.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "yizheng.cli", "serve", child.spec.name, "--port", str(child.spec.port),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            env={**self.env, **self.process_env.get(child.spec.name, {})},
            start_new_session=True,  # Ctrl-C reaches the supervisor only; it stops children in order
            preexec_fn=_stop_with_parent)
        child.started_at = time.monotonic()
        child.pump = asyncio.create_task(self._pump(child))
        self.say("run", f"started {child.spec.name} (pid {child.process.pid}) on :{child.spec.port}")

    def child(self, name: str) -> Child:
        return next(c for c in self.children if c.spec.name == name)

    @property
    def restarts(self) -> int:
        return sum(c.restarts for c in self.children)

    async def _restart(self, child: Child, code: int | None) -> None:
        """Start a dead child again after its backoff; waits until it answers its health check."""
        lo, hi = self.RESTART_BACKOFF
        quick = time.monotonic() - child.started_at < self.STABLE_SECONDS
        child.backoff = min(child.backoff * 2, hi) if quick and child.backoff else lo
        self.say("run", f"{child.spec.name} exited with {code}; restarting it in {child.backoff:.1f} s")
        await asyncio.sleep(child.backoff)  # a backoff before restarting, not a consistency wait
        if self._stopping:
            return
        if child.pump is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(child.pump, 2)
        child.restarts += 1
        await self._spawn(child)
        try:
            await self._wait_healthy(child)
        except RuntimeError as err:
            self.say("run", f"{child.spec.name} restart {child.restarts}: {err}")

    async def keep_running(self, stop: asyncio.Event) -> None:
        """Until `stop`: restart every child that dies (`restart=True`)."""
        while not stop.is_set():
            waits = {asyncio.create_task(c.process.wait()): c for c in self.children
                     if c.process is not None and c.spec.name not in self._restarting}
            stopper = asyncio.create_task(stop.wait())
            pending: list[asyncio.Future[Any]] = [*waits, stopper, *self._restarting.values()]
            done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for waiting in [*waits, stopper]:
                if waiting not in done:
                    waiting.cancel()
            for name in [n for n, t in self._restarting.items() if t.done()]:
                del self._restarting[name]
            for finished in done:
                if finished in waits and not stop.is_set():
                    child = waits[finished]  # type: ignore[index]
                    self._restarting[child.spec.name] = asyncio.create_task(
                        self._restart(child, child.process.returncode if child.process else None))

    async def _pump(self, child: Child) -> None:
        assert child.process is not None and child.process.stdout is not None
        async for raw in child.process.stdout:
            line = raw.decode(errors="replace").rstrip()
            child.lines = [*child.lines[-50:], line]
            self.say(child.spec.name, line, child.colour)

    async def _wait_healthy(self, child: Child, limit_seconds: float = 90.0) -> None:
        url = f"http://127.0.0.1:{child.spec.port}/healthz"
        assert child.process is not None
        deadline = time.monotonic() + limit_seconds
        async with httpx.AsyncClient(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if child.process is not None and child.process.returncode is not None:
                    raise RuntimeError(f"{child.spec.name} exited with {child.process.returncode} while starting")
                with contextlib.suppress(httpx.HTTPError, ValueError):
                    answer = await client.get(url)
                    # Only the child's own answer counts: a process that took the port meanwhile is not it.
                    if answer.status_code == 200 and answer.json().get("pid") == child.process.pid:
                        self.say("run", f"{child.spec.name} is up at http://127.0.0.1:{child.spec.port}")
                        return
                await asyncio.sleep(0.2)  # polling a process that is still starting; not a consistency wait
        raise RuntimeError(f"{child.spec.name} did not answer {url} within {limit_seconds:.0f} s")

    async def wait_for_exit(self, stop: asyncio.Event) -> str | None:
        """Returns the name of a child that died on its own, or None when asked to stop."""
        waits = {asyncio.create_task(c.process.wait()): c for c in self.children if c.process is not None}
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([*waits, stopper], return_when=asyncio.FIRST_COMPLETED)
        for task in [*waits, stopper]:
            if task not in done:
                task.cancel()
        died = [waits[t] for t in done if t in waits]
        return died[0].spec.name if died else None

    async def stop(self) -> None:
        self._stopping = True
        for task in self._restarting.values():
            task.cancel()
        for child in reversed(self.children):
            if child.process is not None and child.process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    child.process.send_signal(signal.SIGTERM)
        for child in reversed(self.children):
            if child.process is None:
                continue
            try:
                await asyncio.wait_for(child.process.wait(), self.grace_seconds)
            except TimeoutError:
                self.say("run", f"{child.spec.name} did not stop in {self.grace_seconds:.0f} s; killing it")
                with contextlib.suppress(ProcessLookupError):
                    child.process.kill()
                await child.process.wait()
            if child.pump is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(child.pump, 2)


async def supervise(env: dict[str, str], after_start: Callable[[Supervisor], Awaitable[None]] | None = None,
                    process_env: dict[str, dict[str, str]] | None = None) -> int:
    supervisor = Supervisor(env, process_env=process_env)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await supervisor.start()
        if after_start is not None:
            await after_start(supervisor)
        supervisor.say("run", "all processes running — Ctrl-C to stop")
        died = await supervisor.wait_for_exit(stop)
        if died:
            supervisor.say("run", f"{died} exited; stopping the others")
            return 1
        supervisor.say("run", "stopping")
        return 0
    except RuntimeError as err:
        supervisor.say("run", f"cannot start: {err}")
        return 1
    finally:
        await supervisor.stop()
        supervisor.say("run", "all stopped (PostgreSQL and Kafka stay up: `yizheng infra down` stops them)")


def child_env(database_url: str, kafka: KafkaAccess) -> dict[str, str]:
    """What every child starts with: the database, and Kafka as `kafka` (each process's own user replaces it,
    `process_users`)."""
    return {**os.environ, "DATABASE_URL": database_url, **kafka.env(),
            "PYTHONUNBUFFERED": "1", "YIZHENG_ENV": os.environ.get("YIZHENG_ENV", "development")}


def process_users(kafka: KafkaAccess) -> dict[str, dict[str, str]]:
    """Each process's own Kafka user on the local broker (its password from the local users file), so that a
    service runs with exactly the ACLs its declaration gives it. On a broker of one's own
    (KAFKA_BOOTSTRAP_SERVERS) every child logs in as the KAFKA_* variables say."""
    from runtime import settings

    if settings.external_kafka_bootstrap():
        return {}
    users = {}
    for name in processes():
        password = settings.local_kafka_password(name)
        if password is not None:
            users[name] = kafka.as_user(name, password).env()
    return users
