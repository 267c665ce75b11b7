from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest_asyncio

from eventstore.install import install
from eventstore.store import EventStore
from tests.integration.kernel.sample_events import SAMPLES


@pytest_asyncio.fixture(loop_scope="session")
async def store(pg_pool: asyncpg.Pool, fresh_schema: str) -> AsyncIterator[EventStore]:
    await install(pg_pool, fresh_schema)
    s = EventStore(pg_pool, fresh_schema, "samples", registry=SAMPLES)
    yield s
    await s.close()
