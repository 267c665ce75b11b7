"""Shared pytest fixtures for every suite (tests/, services/*/tests/, gateway/tests/), registered as a
plugin by the root conftest.py. Everything runs against the real PostgreSQL and Kafka that
`yizheng.infra.ensure_up()` provides (or DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS); isolation comes from a
fresh schema and a fresh topic prefix per test, not from mocks."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping

import asyncpg
import pytest
import pytest_asyncio

from eventstore.kafka_access import KafkaAccess
from runtime import event_loop
from yizheng.infra import Endpoints, ensure_up
from yizheng.testing.smtp import SmtpSink
from yizheng.testing.wait import WaitUntil
from yizheng.testing.wait import wait_until as _wait_until


def pytest_asyncio_loop_factories(config: pytest.Config,
                                   item: pytest.Item) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
    """Every async test runs on the event loop the platform's processes run on."""
    return {"uvloop": event_loop.new_event_loop}


@pytest.fixture(scope="session")
def infra() -> Endpoints:
    """Starts the local PostgreSQL and Kafka once per test run if they are not already answering."""
    return ensure_up()


@pytest.fixture(scope="session")
def database_url(infra: Endpoints) -> str:
    return infra.database_url


@pytest.fixture(scope="session")
def kafka_bootstrap(infra: Endpoints) -> KafkaAccess:
    return infra.kafka_bootstrap


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def pg_pool(infra: Endpoints) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(infra.database_url, min_size=1, max_size=20)
    try:
        yield pool
    finally:
        await pool.close()


@pytest_asyncio.fixture(loop_scope="session")
async def fresh_schema(pg_pool: asyncpg.Pool) -> AsyncIterator[str]:
    """A schema of its own for this test (`t_<hex>`), dropped with everything in it afterwards."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    await pg_pool.execute(f'create schema "{name}"')
    try:
        yield name
    finally:
        await pg_pool.execute(f'drop schema if exists "{name}" cascade')


@pytest.fixture
def topic_prefix() -> str:
    """Prefix for this test's Kafka topics and consumer groups (`t<hex>.`), so tests never share them."""
    return f"t{uuid.uuid4().hex[:12]}."


@pytest.fixture
def wait_until() -> WaitUntil:
    """`await wait_until(predicate, timeout=10.0, interval=0.02, message=...)`; see yizheng.testing.wait."""
    return _wait_until


@pytest.fixture
def smtp_server() -> Iterator[SmtpSink]:
    """A real SMTP server on 127.0.0.1:<free port>; `.messages` lists the email.message.Message received."""
    sink = SmtpSink().start()
    try:
        yield sink
    finally:
        sink.stop()
