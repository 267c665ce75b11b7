"""Fixtures of the proposals suite: the service on a fresh schema (and, where asked, a fresh Kafka topic),
with a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from eventstore.kafka_access import KafkaAccess
from proposals.service import DEFINITION
from runtime.service_host import HostConfig, build_service

from .integration_kit import Api, FakeClock, ProposalsService


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def _service(dsn: str, schema: str, clock: FakeClock, bootstrap: KafkaAccess | None,
                   prefix: str) -> AsyncIterator[ProposalsService]:
    service = await build_service(DEFINITION, HostConfig(dsn=dsn, schema=schema, kafka_bootstrap=bootstrap,
                                                         topic_prefix=prefix, clock=clock, run_workers=False,
                                                         pool_max_size=5))
    await service.start()
    try:
        yield service
    finally:
        await service.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def service(database_url: str, fresh_schema: str, clock: FakeClock) -> AsyncIterator[ProposalsService]:
    """The service without a relay (for tests that look only at the store and the read model)."""
    async for s in _service(database_url, fresh_schema, clock, None, ""):
        yield s


@pytest_asyncio.fixture(loop_scope="session")
async def kafka_service(database_url: str, fresh_schema: str, clock: FakeClock, kafka_bootstrap: KafkaAccess,
                        topic_prefix: str) -> AsyncIterator[ProposalsService]:
    """The service with its relay publishing to this test's own topic."""
    async for s in _service(database_url, fresh_schema, clock, kafka_bootstrap, topic_prefix):
        yield s


@pytest_asyncio.fixture(loop_scope="session")
async def api(service: ProposalsService) -> AsyncIterator[Api]:
    async with Api.over(service) as client:
        yield client


@pytest_asyncio.fixture(loop_scope="session")
async def kafka_api(kafka_service: ProposalsService) -> AsyncIterator[Api]:
    async with Api.over(kafka_service) as client:
        yield client
