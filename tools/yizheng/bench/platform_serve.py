"""The platform `yizheng bench platform` drives, in processes of its own (`python -m yizheng.bench.platform_serve`):

- `service NAME SCHEMA PREFIX`: one service (`runtime.service_host.build_service`, as `yizheng serve NAME` builds
  it) on a schema and topic prefix of the bench's, served by uvicorn on a free loopback port;
- `gateway SCHEMA PREFIX URLS_JSON`: the gateway, forwarding to those services;
- `all`: every service and the gateway in this one process (`yizheng.testing.platform.in_process_platform`).

Each prints one JSON line (its urls) on stdout once it is up and stops when its stdin closes. A process per
service and one for the gateway is how `yizheng run` and Kubernetes run them: each its own event loop. The
connection settings come from the parent: DATABASE_URL and the KAFKA_* variables (`eventstore.kafka_access`)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
from collections.abc import AsyncIterator
from typing import Any

from eventstore.db import create_pool
from eventstore.kafka_access import KafkaAccess
from runtime import collector, event_loop
from yizheng.infra.model import Endpoints
from yizheng.testing.asgi_server import serve

READY = "platform-ready "
# The proposals deadline watcher ticks every 2 s (its default is for a real year), as when the notify bench
# loads a county: the Loader waits on look-backs it opens.
SERVICE_OPTIONS: dict[str, Any] = {"watcher_interval_seconds": 2.0}


async def _stdin_closed() -> None:
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


def _ready(info: dict[str, Any]) -> None:
    print(READY + json.dumps({**info, "pid": os.getpid()}), flush=True)


def _infra() -> Endpoints:
    return Endpoints(database_url=os.environ["DATABASE_URL"], kafka_bootstrap=KafkaAccess.from_env(os.environ))


@contextlib.asynccontextmanager
async def _running(runnable: Any) -> AsyncIterator[str]:
    await runnable.start()
    collector.settle_after_start()  # as `yizheng serve` does
    try:
        async with serve(runnable.app) as url:
            yield url
    finally:
        await runnable.stop()


async def one_service(name: str, schema: str, prefix: str) -> None:
    from runtime.service_host import HostConfig, build_service
    from yizheng.serve import definition

    infra = _infra()
    host = await build_service(definition(name), HostConfig(
        dsn=infra.database_url, kafka_bootstrap=infra.kafka_bootstrap, schema=schema, topic_prefix=prefix,
        options=SERVICE_OPTIONS))
    async with _running(host) as url:
        _ready({"url": url})
        await _stdin_closed()


async def gateway(schema: str, prefix: str, urls: dict[str, str]) -> None:
    from gateway.app import build_gateway
    from gateway.config import GatewayConfig

    infra = _infra()
    runnable = await build_gateway(GatewayConfig(dsn=infra.database_url, kafka_bootstrap=infra.kafka_bootstrap,
                                                 schema=schema, topic_prefix=prefix, service_urls=urls))
    async with _running(runnable) as url:
        _ready({"url": url})
        await _stdin_closed()


async def everything() -> None:
    from yizheng.testing.platform import in_process_platform

    infra = _infra()
    pool = await create_pool(infra.database_url, max_size=2)
    try:
        async with in_process_platform(infra, pool, label="bp", **SERVICE_OPTIONS) as p:
            _ready({"urls": p.urls, "gateway_url": p.gateway_url, "schemas": p.schemas,
                    "topic_prefix": f"tbp{p.tag}."})
            await _stdin_closed()
    finally:
        await pool.close()


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.WARNING, format="platform %(levelname)s %(name)s: %(message)s")
    for name in ("faststream", "faststream.access.kafka", "aiokafka", "uvicorn", "uvicorn.error"):
        logging.getLogger(name).addFilter(lambda record: record.levelno >= logging.WARNING)
    match argv:
        case ["service", name, schema, prefix]:
            event_loop.run(one_service(name, schema, prefix))
        case ["gateway", schema, prefix, urls]:
            event_loop.run(gateway(schema, prefix, json.loads(urls)))
        case ["all"]:
            event_loop.run(everything())
        case _:
            raise SystemExit(f"usage: service NAME SCHEMA PREFIX | gateway SCHEMA PREFIX URLS_JSON | all; not {argv}")


if __name__ == "__main__":
    main(sys.argv[1:])
