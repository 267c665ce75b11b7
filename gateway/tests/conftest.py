"""The gateway suite's shared setup: one gateway (projector + ASGI app under uvicorn) per test session,
on a schema and topic prefix of its own; a kernel-built fake service for commands; a Kafka producer.
Tests isolate themselves by committee (every view row carries one; a new committee per test)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaProducer

from contracts import topics
from eventstore.db import create_pool
from eventstore.install import install
from eventstore.relay import Relay
from eventstore.store import EventStore
from gateway.app import Gateway, build_gateway
from gateway.commands.catalog import load_catalog
from gateway.config import GatewayConfig
from gateway.tests import fake_service
from gateway.tests.harness import Api, Feed
from yizheng.infra import Endpoints
from yizheng.testing.asgi_server import serve
from yizheng.testing.platform import create_topics, platform_topics


@dataclass
class Stack:
    gateway: Gateway
    api: Api
    prefix: str
    fake_store: EventStore
    fake_schema: str
    fake_app: fake_service.Flaky
    pool: asyncpg.Pool

    def feed(self, producer: AIOKafkaProducer, committee: str) -> Feed:
        return Feed(producer, self.prefix, committee)


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def producer(infra: Endpoints) -> AsyncIterator[AIOKafkaProducer]:
    p = AIOKafkaProducer(**infra.kafka_bootstrap.client_kwargs(), acks="all", enable_idempotence=True)
    await p.start()
    yield p
    await p.stop()


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def stack(infra: Endpoints, pg_pool: asyncpg.Pool) -> AsyncIterator[Stack]:
    tag = uuid.uuid4().hex[:10]
    prefix, schema, fake_schema = f"tgw{tag}.", f"gw_{tag}", f"gwfake_{tag}"
    await create_topics(infra.kafka_bootstrap, [f"{prefix}{t}" for t in platform_topics()])
    fake_pool = await create_pool(infra.database_url, max_size=5)
    await install(fake_pool, fake_schema)
    store = EventStore(fake_pool, fake_schema, "fake")
    relay = Relay(store, f"{prefix}{topics.PROPOSALS}", infra.kafka_bootstrap)
    await relay.start()
    fake = fake_service.app(store)
    try:
        async with serve(fake) as fake_url:
            config = GatewayConfig(dsn=infra.database_url, kafka_bootstrap=infra.kafka_bootstrap, schema=schema,
                                   topic_prefix=prefix, service_urls={"fake": fake_url})
            gateway = await build_gateway(config, catalog=[*load_catalog(), *fake_service.catalog()])
            await gateway.start()
            try:
                async with serve(gateway.app) as url:
                    yield Stack(gateway, Api(url), prefix, store, fake_schema, fake, fake_pool)
            finally:
                await gateway.stop()
    finally:
        await relay.stop()
        await store.close()
        await fake_pool.close()
        for s in (schema, fake_schema):
            await pg_pool.execute(f"DROP SCHEMA IF EXISTS {s} CASCADE")


@pytest.fixture
def committee() -> str:
    return f"c-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def feed(stack: Stack, producer: AIOKafkaProducer, committee: str) -> Feed:
    return stack.feed(producer, committee)
