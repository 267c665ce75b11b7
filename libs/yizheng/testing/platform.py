"""The whole platform in the test's event loop: both services and the gateway, each served for real
(uvicorn on a free loopback port), on schemas and Kafka topics of their own, removed afterwards."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from contracts import topics
from gateway.app import Gateway, build_gateway
from gateway.config import GatewayConfig
from members.app import MembersApp, MembersConfig
from members.app import build as build_members
from proposals.app import ProposalsConfig, ProposalsService, build_proposals
from yizheng.infra import Endpoints
from yizheng.testing.asgi_server import serve


async def create_topics(bootstrap: str, names: list[str]) -> None:
    """Create the topics that do not exist yet (3 partitions, as the local broker's default)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [NewTopic(n, num_partitions=3, replication_factor=1) for n in names if n not in existing]
        if wanted:
            await admin.create_topics(wanted)
    finally:
        await admin.close()


@dataclass
class InProcessPlatform:
    tag: str  # unique to this platform: in its schemas and topic prefix
    schemas: dict[str, str]  # proposals, members, gateway
    urls: dict[str, str]  # the services' command APIs: proposals, members
    gateway_url: str
    proposals: ProposalsService
    members: MembersApp
    gateway: Gateway


@contextlib.asynccontextmanager
async def in_process_platform(infra: Endpoints, pg_pool: asyncpg.Pool, *, label: str,
                              **proposals_options: Any) -> AsyncIterator[InProcessPlatform]:
    """`label` names its schemas (`<label>_p_<tag>`, ...) and topics (`t<label><tag>.`); `proposals_options`
    go to ProposalsConfig (e.g. whether the deadline watcher runs, and how often it ticks)."""
    tag = uuid.uuid4().hex[:8]
    prefix = f"t{label}{tag}."
    schemas = {"proposals": f"{label}_p_{tag}", "members": f"{label}_m_{tag}", "gateway": f"{label}_g_{tag}"}
    await create_topics(infra.kafka_bootstrap, [f"{prefix}{t}" for t in topics.ALL])
    proposals = await build_proposals(ProposalsConfig(
        dsn=infra.database_url, kafka_bootstrap=infra.kafka_bootstrap, schema=schemas["proposals"],
        topic=f"{prefix}{topics.PROPOSALS}", **proposals_options))
    members = await build_members(MembersConfig(infra.database_url, infra.kafka_bootstrap,
                                                schema=schemas["members"]).with_topic_prefix(prefix))
    await proposals.start()
    await members.start()
    try:
        async with serve(proposals.app) as p_url, serve(members.app) as m_url:
            urls = {"proposals": p_url, "members": m_url}
            gateway = await build_gateway(GatewayConfig(
                dsn=infra.database_url, kafka_bootstrap=infra.kafka_bootstrap, schema=schemas["gateway"],
                topic_prefix=prefix, service_urls=urls))
            await gateway.start()
            try:
                async with serve(gateway.app) as g_url:
                    yield InProcessPlatform(tag, schemas, urls, g_url, proposals, members, gateway)
            finally:
                await gateway.stop()
    finally:
        await members.stop()
        await proposals.stop()
        for schema in schemas.values():
            await pg_pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
