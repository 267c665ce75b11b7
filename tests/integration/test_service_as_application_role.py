"""The platform's processes connected as the application role, not their tables' owner, as on Kubernetes
(deploy/k8s: the migrate jobs install as the owner, the services and the gateway log in as `yizheng_service`):
each starts on what migrate installed without trying to install it again, does its work, and may not change a
stored event nor switch off the trigger that guards them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio

from eventstore.kafka_access import KafkaAccess
from gateway.app import build_gateway, migrate
from gateway.config import GatewayConfig
from proposals.tests.flows import ZHANG, draft_body
from runtime.service_host import HostConfig, build_service
from yizheng.serve import definition
from yizheng.testing.command_client import CommandClient


@pytest_asyncio.fixture(loop_scope="session")
async def application_role(pg_pool: asyncpg.Pool, fresh_schema: str,
                           monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """A login role owning nothing, with what the cluster's bootstrap grants it (deploy/k8s/base/postgres/
    cluster.yaml), for this test's schema only; named by YIZHENG_DB_APP_ROLE."""
    role = f"yz_app_{uuid.uuid4().hex[:8]}"
    owner = await pg_pool.fetchval("SELECT current_user")
    privileges = (f"SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
                  f"USAGE, SELECT, UPDATE ON SEQUENCES TO {role}")
    await pg_pool.execute(f"CREATE ROLE {role} LOGIN NOINHERIT")
    try:
        await pg_pool.execute(f'GRANT USAGE ON SCHEMA "{fresh_schema}" TO {role}')
        for granted in privileges:
            await pg_pool.execute(
                f'ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA "{fresh_schema}" GRANT {granted}')
        monkeypatch.setenv("YIZHENG_DB_APP_ROLE", role)
        yield role
    finally:
        for kind in ("TABLES", "SEQUENCES"):
            await pg_pool.execute(f'ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA "{fresh_schema}" '
                                  f"REVOKE ALL ON {kind} FROM {role}")
        await pg_pool.execute(f"DROP OWNED BY {role}")
        await pg_pool.execute(f"DROP ROLE {role}")


def as_role(database_url: str, role: str) -> str:
    dsn = database_url.replace("://postgres@", f"://{role}@", 1)
    assert dsn != database_url
    return dsn


async def may_not_rewrite(pool: asyncpg.Pool, schema: str) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await pool.execute(f'UPDATE "{schema}".events SET metadata = metadata')
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await pool.execute(f'ALTER TABLE "{schema}".events DISABLE TRIGGER ALL')


async def test_a_service_run_as_the_application_role_starts_writes_and_may_not_rewrite_an_event(
        database_url: str, fresh_schema: str, application_role: str) -> None:
    service = definition("proposals")
    migrating = await build_service(service, HostConfig(dsn=database_url, schema=fresh_schema, pool_max_size=2))
    try:
        await migrating.install()
    finally:
        await migrating.stop()
    host = await build_service(service, HostConfig(dsn=as_role(database_url, application_role), schema=fresh_schema,
                                                   run_workers=False, run_consumers=False, pool_max_size=2))
    await host.start()
    try:
        async with CommandClient.over(host) as api:
            await api.do("draft-proposal", draft_body(), ZHANG)
        assert await host.pool.fetchval(f'SELECT count(*) FROM "{fresh_schema}".events') == 1
        await may_not_rewrite(host.pool, fresh_schema)
    finally:
        await host.stop()


async def test_the_gateway_run_as_the_application_role_starts_on_the_views_migrate_set_up(
        database_url: str, fresh_schema: str, application_role: str, kafka_bootstrap: KafkaAccess) -> None:
    await migrate(GatewayConfig(dsn=database_url, kafka_bootstrap=kafka_bootstrap, schema=fresh_schema))
    gateway = await build_gateway(GatewayConfig(dsn=as_role(database_url, application_role),
                                                kafka_bootstrap=kafka_bootstrap, schema=fresh_schema),
                                  run_projector=False, pool_max_size=2)
    await gateway.start()
    try:
        assert await gateway.pool.fetchval(f'SELECT count(*) FROM "{fresh_schema}".appraisals') == 0
        await may_not_rewrite(gateway.pool, fresh_schema)
    finally:
        await gateway.stop()
