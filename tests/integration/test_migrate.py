"""`yizheng migrate`: every process's schema created in an empty database, and running it again changes
nothing (Kubernetes runs it at every pod start)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest_asyncio

from contracts import platform


@pytest_asyncio.fixture(loop_scope="session")
async def empty_database(pg_pool: asyncpg.Pool, database_url: str) -> AsyncIterator[str]:
    name = f"t_migrate_{uuid.uuid4().hex[:10]}"
    await pg_pool.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await pg_pool.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _tables(url: str) -> set[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT table_schema || '.' || table_name FROM information_schema.tables "
                                "WHERE table_schema = ANY($1::text[])", [*platform.SERVICES, "gateway"])
        return {r[0] for r in rows}
    finally:
        await conn.close()


async def test_migrate_creates_every_schema_and_is_idempotent(empty_database: str) -> None:
    cmd = [sys.executable, "-m", "yizheng.cli", "migrate"]
    env = {"DATABASE_URL": empty_database, "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "PATH": "/usr/bin:/bin"}
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert first.returncode == 0, first.stderr
    assert f"migrated: {', '.join([*platform.SERVICES, 'gateway'])}" in first.stdout
    tables = await _tables(empty_database)
    for expected in (*(f"{s}.events" for s in platform.SERVICES), "members.member_contacts", "gateway.inbox"):
        assert expected in tables
    second = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert second.returncode == 0, second.stderr
    assert await _tables(empty_database) == tables


async def test_migrate_names_an_unknown_process() -> None:
    out = subprocess.run([sys.executable, "-m", "yizheng.cli", "migrate", "surveyz"], capture_output=True,
                         text=True, check=False)
    assert out.returncode != 0 and "unknown process surveyz" in out.stderr
