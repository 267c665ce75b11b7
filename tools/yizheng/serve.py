"""Runs one process of the platform by name: a service of `contracts.platform.SERVICES` (its command API,
relay, consumers, projections and workers, as its `ServiceDefinition` declares them) or the gateway. The
supervisor (`yizheng run`) and Kubernetes both start processes this way, so what runs locally is what runs
in the cluster."""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
from dataclasses import dataclass
from typing import Any, Protocol

import uvicorn

from contracts import platform
from eventstore.kafka_access import KafkaAccess
from eventstore.service import ServiceDefinition
from runtime import collector, event_loop
from runtime.service_host import HostConfig, build_service

GATEWAY = "gateway"
GATEWAY_PORT = 8000


class Runnable(Protocol):
    """What a process builds: an ASGI app, and the background parts it starts and stops."""

    app: Any

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    port: int  # where it listens on 127.0.0.1 locally

    @property
    def is_service(self) -> bool:
        return self.name != GATEWAY


@dataclass(frozen=True)
class ProcessConfig:
    database_url: str
    kafka_bootstrap: KafkaAccess
    topic_prefix: str = ""


def definition(name: str) -> ServiceDefinition[Any]:
    """The declaration of a listed service (`services/<name>/service.py`)."""
    declared = getattr(importlib.import_module(f"{name}.service"), "DEFINITION", None)
    if not isinstance(declared, ServiceDefinition):
        raise LookupError(f"{name}.service declares no DEFINITION (an eventstore.service.ServiceDefinition)")
    return declared


def definitions() -> list[ServiceDefinition[Any]]:
    return [definition(name) for name in platform.SERVICES]


def processes() -> dict[str, ProcessSpec]:
    """The processes `yizheng run` starts, in start order: every listed service, then the gateway."""
    specs = [ProcessSpec(c.name, c.port) for c in platform.contracts()]
    return {s.name: s for s in [*specs, ProcessSpec(GATEWAY, GATEWAY_PORT)]}


def default_config() -> ProcessConfig:
    from runtime.settings import database_url, kafka_access

    return ProcessConfig(database_url(), kafka_access(), os.environ.get("YIZHENG_TOPIC_PREFIX", ""))


def host_config(config: ProcessConfig) -> HostConfig:
    from proposals.registry import REGISTRY_CHECKS
    from runtime.settings import audit_anchor_seconds

    # Served with Kafka, the proposals service runs its registry consumer, so it checks what commands name.
    return HostConfig(dsn=config.database_url, kafka_bootstrap=config.kafka_bootstrap,
                      topic_prefix=config.topic_prefix, anchor_seconds=audit_anchor_seconds(),
                      options={REGISTRY_CHECKS: True})


def gateway_config(config: ProcessConfig) -> Any:
    from gateway.config import GatewayConfig, environment, service_urls

    return GatewayConfig(dsn=config.database_url, kafka_bootstrap=config.kafka_bootstrap,
                         service_urls=service_urls(), topic_prefix=config.topic_prefix,
                         schema=os.environ.get("YIZHENG_GATEWAY_SCHEMA", "gateway"), environment=environment())


async def build(name: str, config: ProcessConfig) -> Runnable:
    if name == GATEWAY:
        from gateway.app import build_gateway

        return await build_gateway(gateway_config(config))
    return await build_service(definition(name), host_config(config))


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
    for name in names or list(processes()):
        if name == GATEWAY:
            from gateway.app import migrate as migrate_gateway

            await migrate_gateway(gateway_config(config))
        else:
            # Installing needs no broker: nothing is started.
            host = await build_service(definition(name), HostConfig(dsn=config.database_url, pool_max_size=2))
            try:
                await host.install()
            finally:
                await host.stop()
        done.append(name)
    return done


async def serve(name: str, *, host: str = "127.0.0.1", port: int | None = None,
                config: ProcessConfig | None = None) -> None:
    spec = processes()[name]
    runnable = await build(name, config or default_config())
    await runnable.start()
    collector.settle_after_start()
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
    # httpx logs every request at INFO: a line per command the gateway forwards and per lookup between services
    # (a few per cent of the gateway's CPU under a stream of mutations, and as much again in `yizheng run`).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    event_loop.run(serve(name, host=host, port=port))
