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


@dataclass(frozen=True)
class ProcessConfig:
    database_url: str
    kafka_bootstrap: str
    # URLs of the services' command APIs, for the gateway.
    service_urls: dict[str, str]
    topic_prefix: str = ""


# The processes `yizheng run` starts, in start order; each listens on 127.0.0.1:<port> locally.
PROCESSES: dict[str, ProcessSpec] = {
    "proposals": ProcessSpec("proposals", "proposals.app:build_from_config", 8101),
    "members": ProcessSpec("members", "members.app:build_from_config", 8102),
    "gateway": ProcessSpec("gateway", "gateway.app:build_from_config", 8000),
}


def default_config() -> ProcessConfig:
    from yizheng.settings import database_url, kafka_bootstrap

    urls = {name: f"http://127.0.0.1:{spec.port}" for name, spec in PROCESSES.items() if name != "gateway"}
    return ProcessConfig(database_url(), kafka_bootstrap(), urls)


def load_factory(spec: ProcessSpec) -> Any:
    module, function = spec.factory.split(":")
    return getattr(importlib.import_module(module), function)


async def serve(name: str, *, host: str = "127.0.0.1", port: int | None = None,
                config: ProcessConfig | None = None) -> None:
    spec = PROCESSES[name]
    runnable: Runnable = await load_factory(spec)(config or default_config())
    await runnable.start()
    server = uvicorn.Server(uvicorn.Config(runnable.app, host=host, port=port or spec.port, log_level="info",
                                           lifespan="off", access_log=False))
    try:
        await server.serve()  # returns on SIGINT/SIGTERM
    finally:
        await runnable.stop()


def main(name: str, host: str, port: int | None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(serve(name, host=host, port=port))
