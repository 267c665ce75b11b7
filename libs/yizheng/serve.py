"""Runs one process of the platform: a service (command API + relay + consumers + projectors) or the
gateway, by name. The supervisor (`yizheng run`) and Kubernetes both start processes this way, so what
runs locally is what runs in the cluster."""

from __future__ import annotations

import asyncio
import importlib
import logging
from dataclasses import dataclass
from typing import Any, Protocol

import uvicorn

from yizheng import event_loop


class Runnable(Protocol):
    """What a composition root builds: an ASGI app, and the background parts it starts and stops."""

    app: Any

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    factory: str  # "module:function"; the function takes a ProcessConfig and returns a Runnable
    port: int
    # "module:function" taking a ProcessConfig: creates or upgrades the process's schema (idempotent)
    migrate: str | None = None


@dataclass(frozen=True)
class ProcessConfig:
    database_url: str
    kafka_bootstrap: str
    # URLs of the services' command APIs, for the gateway.
    service_urls: dict[str, str]
    topic_prefix: str = ""


# The processes `yizheng run` starts, in start order; each listens on 127.0.0.1:<port> locally.
PROCESSES: dict[str, ProcessSpec] = {
    "proposals": ProcessSpec("proposals", "proposals.app:build_from_config", 8101, "proposals.app:migrate"),
    "members": ProcessSpec("members", "members.app:build_from_config", 8102, "members.app:migrate"),
    "gateway": ProcessSpec("gateway", "gateway.app:build_from_config", 8000, "gateway.app:migrate"),
}


def default_config() -> ProcessConfig:
    from yizheng.settings import database_url, kafka_bootstrap

    urls = {name: f"http://127.0.0.1:{spec.port}" for name, spec in PROCESSES.items() if name != "gateway"}
    return ProcessConfig(database_url(), kafka_bootstrap(), urls)


def load(reference: str) -> Any:
    module, function = reference.split(":")
    return getattr(importlib.import_module(module), function)


async def migrate(names: list[str], *, config: ProcessConfig | None = None, wait_seconds: float = 60.0) -> list[str]:
    """Create or upgrade the schemas of the named processes (all when empty). Waits, bounded, for the
    database to answer first: in a cluster the migration may start before PostgreSQL is ready."""
    import asyncpg

    config = config or default_config()
    deadline = asyncio.get_running_loop().time() + wait_seconds
    while True:
        try:
            conn = await asyncpg.connect(config.database_url, timeout=5)
            await conn.close()
            break
        except (OSError, asyncpg.PostgresError) as err:
            if asyncio.get_running_loop().time() > deadline:
                raise RuntimeError(f"the database did not answer within {wait_seconds:.0f} s: {err}") from err
            await asyncio.sleep(1)  # waiting for a server to come up, not for consistency
    done = []
    for name in names or list(PROCESSES):
        spec = PROCESSES[name]
        if spec.migrate:
            await load(spec.migrate)(config)
            done.append(name)
    return done


async def serve(name: str, *, host: str = "127.0.0.1", port: int | None = None,
                config: ProcessConfig | None = None) -> None:
    spec = PROCESSES[name]
    runnable: Runnable = await load(spec.factory)(config or default_config())
    await runnable.start()
    server = uvicorn.Server(uvicorn.Config(runnable.app, host=host, port=port or spec.port, log_level="info",
                                           lifespan="off", access_log=False))
    try:
        await server.serve()  # returns on SIGINT/SIGTERM
    finally:
        await runnable.stop()


def main(name: str, host: str, port: int | None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # FastStream logs every message it handles at INFO: thousands of lines during a demo load.
    logging.getLogger("faststream.access").setLevel(logging.WARNING)
    event_loop.run(serve(name, host=host, port=port))
