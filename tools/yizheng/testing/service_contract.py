"""The running service a `ServiceContractTests` subclass checks: built from its declaration on a fresh schema
and topic prefix, served over ASGI, with its relay publishing to the real broker."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx

from eventstore.service import ServiceDefinition
from eventstore.testing.service_contract import ContractSubject, Step
from runtime.auth import issue_token
from runtime.service_host import HostConfig, build_service
from yizheng.infra import Endpoints
from yizheng.testing.platform import create_topics

COMMITTEE = "contract-county"


def token(step: Step) -> str:
    return issue_token(step.role, COMMITTEE, subject=f"{step.role.value}-contract", member_id=step.member_id,
                       unit_id=step.unit_id)


@contextlib.asynccontextmanager
async def contract_subject(definition: ServiceDefinition[Any], infra: Endpoints, schema: str,
                           topic_prefix: str) -> AsyncIterator[ContractSubject]:
    topic = f"{topic_prefix}{definition.contract.topic}"
    await create_topics(infra.kafka_bootstrap, [topic])
    host = await build_service(definition, HostConfig(dsn=infra.database_url, kafka_bootstrap=infra.kafka_bootstrap,
                                                      schema=schema, topic_prefix=topic_prefix, run_workers=False,
                                                      run_consumers=False, pool_max_size=4))
    await host.start()
    try:
        transport = httpx.ASGITransport(app=host.app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{definition.name}") as http:
            yield ContractSubject(definition.contract, http, host.store, topic, infra.kafka_bootstrap, token)
    finally:
        await host.stop()
