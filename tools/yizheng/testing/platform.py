"""The whole platform in the test's event loop: every listed service and the gateway, each served for
real (uvicorn on a free loopback port), on schemas and Kafka topics of their own, removed afterwards."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from contracts import platform
from eventstore.kafka_access import KafkaAccess
from gateway.app import Gateway, build_gateway
from gateway.config import GatewayConfig
from proposals.registry import REGISTRY_CHECKS
from runtime.service_host import HostConfig, ServiceHost, build_service
from yizheng.infra import Endpoints
from yizheng.serve import definitions
from yizheng.testing.asgi_server import serve


async def create_topics(bootstrap: KafkaAccess, names: list[str]) -> None:
    """Create the topics that do not exist yet (3 partitions, as the local broker's default)."""
    admin = AIOKafkaAdminClient(**bootstrap.client_kwargs())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [NewTopic(n, num_partitions=3, replication_factor=1) for n in names if n not in existing]
        if wanted:
            await admin.create_topics(wanted)
    finally:
        await admin.close()


def platform_topics() -> list[str]:
    """Every topic the platform publishes or consumes (unprefixed)."""
    from yizheng.infra.kafka_users import platform_topics as declared

    return declared()


@dataclass
class InProcessPlatform:
    tag: str  # unique to this platform: in its schemas and topic prefix
    schemas: dict[str, str]  # by service name, and "gateway"
    urls: dict[str, str]  # the services' command APIs, by service name
    gateway_url: str
    services: dict[str, ServiceHost[Any]]
    gateway: Gateway

    def __getattr__(self, name: str) -> ServiceHost[Any]:
        """`platform.proposals`, `platform.members`, …: a listed service's host."""
        services = self.__dict__.get("services", {})
        if name in services:
            return services[name]
        raise AttributeError(name)


@contextlib.asynccontextmanager
async def in_process_platform(infra: Endpoints, pg_pool: asyncpg.Pool, *, label: str,
                              workers_paused: tuple[str, ...] = (), pool_max_size: int = 10,
                              **options: Any) -> AsyncIterator[InProcessPlatform]:
    """`label` names its schemas (`<label>_<service>_<tag>`) and topics (`t<label><tag>.`); the services named
    in `workers_paused` run without their workers (a test drives them); `options` go to every service's build
    (e.g. the proposals watcher's `watcher_interval_seconds`)."""
    tag = uuid.uuid4().hex[:8]
    prefix = f"t{label}{tag}."
    schemas = {name: f"{label}_{name}_{tag}" for name in [*platform.SERVICES, "gateway"]}
    await create_topics(infra.kafka_bootstrap, [f"{prefix}{t}" for t in platform_topics()])
    hosts: dict[str, ServiceHost[Any]] = {}
    try:
        for d in definitions():
            hosts[d.name] = await build_service(d, HostConfig(
                dsn=infra.database_url, kafka_bootstrap=infra.kafka_bootstrap, schema=schemas[d.name],
                topic_prefix=prefix, run_workers=d.name not in workers_paused,
                # The registry consumer runs here, so the proposals service checks what commands name.
                options={REGISTRY_CHECKS: True, **options},
                pool_max_size=pool_max_size))
            await hosts[d.name].start()
        async with contextlib.AsyncExitStack() as served:
            urls = {name: await served.enter_async_context(serve(host.app)) for name, host in hosts.items()}
            gateway = await build_gateway(GatewayConfig(
                dsn=infra.database_url, kafka_bootstrap=infra.kafka_bootstrap, schema=schemas["gateway"],
                topic_prefix=prefix, service_urls=urls))
            await gateway.start()
            try:
                async with serve(gateway.app) as g_url:
                    yield InProcessPlatform(tag, schemas, urls, g_url, hosts, gateway)
            finally:
                await gateway.stop()
    finally:
        for host in reversed(list(hosts.values())):
            await host.stop()
        for schema in schemas.values():
            await pg_pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
