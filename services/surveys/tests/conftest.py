"""Fixtures of the surveys suite: the service built from its declaration on a fresh schema, with a clock
the test moves (no relay: these tests look at the store; the contract test runs the relay to Kafka)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from runtime.service_host import HostConfig, build_service
from surveys.service import DEFINITION

from .integration_kit import Api, FakeClock, SurveysService


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest_asyncio.fixture(loop_scope="session")
async def service(database_url: str, fresh_schema: str, clock: FakeClock) -> AsyncIterator[SurveysService]:
    host = await build_service(DEFINITION, HostConfig(dsn=database_url, schema=fresh_schema, clock=clock,
                                                      run_workers=False, pool_max_size=4))
    await host.start()
    try:
        yield host
    finally:
        await host.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def api(service: SurveysService) -> AsyncIterator[Api]:
    async with Api.over(service) as client:
        yield client
