"""Does a PostgreSQL / Kafka at an address really answer? Blocking wrappers around asyncpg and aiokafka,
safe to call from plain code, the CLI, and from inside a running event loop (they use a worker thread)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from eventstore.kafka_access import KafkaAccess

T = TypeVar("T")


@dataclass(frozen=True)
class Probe:
    ok: bool
    detail: str  # server version / broker list when ok, the error otherwise

    def __bool__(self) -> bool:
        return self.ok


def describe(exc: BaseException) -> str:
    """'TimeoutError' rather than 'TimeoutError: ' when the exception has no message."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def run_blocking(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion from sync code, even when this thread already runs a loop."""

    async def main() -> T:
        return await make()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


def probe_postgres(url: str, timeout: float = 3.0) -> Probe:
    async def check() -> Probe:
        import asyncpg

        try:
            conn = await asyncpg.connect(url, timeout=timeout)
        except Exception as exc:
            return Probe(False, describe(exc))
        try:
            version = await conn.fetchval("select current_setting('server_version')")
            return Probe(True, f"PostgreSQL {version}")
        finally:
            await conn.close()

    return run_blocking(check)


def ensure_database(url: str, timeout: float = 10.0) -> bool:
    """Create the database named in `url` (connecting to `postgres` first); True if it was created."""
    name = urlsplit(url).path.lstrip("/")
    if not name:
        return False

    async def create() -> bool:
        import asyncpg

        conn = await asyncpg.connect(with_database(url, "postgres"), timeout=timeout)
        try:
            if await conn.fetchval("select 1 from pg_database where datname = $1", name):
                return False
            try:
                await conn.execute(f'create database "{name}"')
            except asyncpg.DuplicateDatabaseError:
                return False  # another process created it between our check and create
            return True
        finally:
            await conn.close()

    return run_blocking(create)


@contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    # aiokafka logs every refused connection at ERROR; while we poll a starting broker that is noise.
    logger = logging.getLogger(logger_name)
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(previous)


def probe_kafka(access: KafkaAccess, timeout: float = 3.0) -> Probe:
    """A metadata request, authenticated as `access` says, that lists at least one broker and a controller."""

    async def check() -> Probe:
        from aiokafka import AIOKafkaClient

        client = AIOKafkaClient(
            **access.client_kwargs(), request_timeout_ms=int(timeout * 1000), client_id="yizheng-probe"
        )
        try:
            await asyncio.wait_for(client.bootstrap(), timeout)
            brokers = client.cluster.brokers()
            if not brokers or client.cluster.controller is None:
                return Probe(False, "metadata has no brokers or no controller yet")
            listed = ", ".join(f"{b.host}:{b.port}" for b in sorted(brokers, key=lambda b: b.nodeId))
            return Probe(True, f"Kafka brokers [{listed}]")
        except Exception as exc:
            return Probe(False, describe(exc))
        finally:
            await client.close()

    with _quiet("aiokafka"):
        return run_blocking(check)
