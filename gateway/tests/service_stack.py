"""One real service with its relay, and a gateway of its own projecting the platform's topics, on topics of
their own: for the tests that run a service's commands and read routes through the gateway end to end
(appraisal rounds and questionnaires on surveys, similar proposals on proposals)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg

from gateway.app import Gateway, build_gateway
from gateway.commands.catalog import load_catalog
from gateway.config import GatewayConfig
from gateway.tests.harness import Api
from runtime.service_host import HostConfig, build_service
from yizheng.infra import Endpoints
from yizheng.serve import definition
from yizheng.testing.asgi_server import serve
from yizheng.testing.platform import create_topics, platform_topics


@dataclass
class ServiceStack:
    api: Api
    gateway: Gateway
    service_url: str

    @property
    def surveys_url(self) -> str:
        return self.service_url

    async def mutate(self, field: str, type_name: str, value: dict[str, Any], bearer: str) -> dict[str, Any]:
        query = (f"mutation M($input: {type_name}Input!) {{ {field}(input: $input) {{ __typename "
                 "... on CommandAccepted { result caughtUp } ... on CommandRefused { rule message } "
                 "... on CommandInvalid { message fields } } }")
        out = dict((await self.api.run(query, {"input": value}, bearer=bearer)).ok()[field])
        return out


SurveysStack = ServiceStack


@asynccontextmanager
async def service_stack(infra: Endpoints, pg_pool: asyncpg.Pool, service: str) -> AsyncIterator[ServiceStack]:
    tag = uuid.uuid4().hex[:8]
    prefix, schema, gateway_schema = f"tsv{tag}.", f"gwsv_{tag}", f"gwsvg_{tag}"
    await create_topics(infra.kafka_bootstrap, [f"{prefix}{t}" for t in platform_topics()])
    host = await build_service(definition(service), HostConfig(
        dsn=infra.database_url, kafka_bootstrap=infra.kafka_bootstrap, schema=schema, topic_prefix=prefix,
        run_workers=False, pool_max_size=8))
    await host.start()
    try:
        async with serve(host.app) as service_url:
            config = GatewayConfig(dsn=infra.database_url, kafka_bootstrap=infra.kafka_bootstrap,
                                   schema=gateway_schema, topic_prefix=prefix, service_urls={service: service_url})
            gateway = await build_gateway(config, catalog=load_catalog([service]), pool_max_size=4)
            await gateway.start()
            try:
                async with serve(gateway.app) as url:
                    yield ServiceStack(Api(url), gateway, service_url)
            finally:
                await gateway.stop()
    finally:
        await host.stop()
        for s in (schema, gateway_schema):
            await pg_pool.execute(f"DROP SCHEMA IF EXISTS {s} CASCADE")


@asynccontextmanager
async def surveys_stack(infra: Endpoints, pg_pool: asyncpg.Pool) -> AsyncIterator[ServiceStack]:
    async with service_stack(infra, pg_pool, "surveys") as stack:
        yield stack
