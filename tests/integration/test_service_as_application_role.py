"""A service connected as the application role, not its tables' owner, as on Kubernetes (deploy/k8s: the
migrate job installs as the owner, the services log in as `yizheng_service`): it starts on the schema migrate
installed without trying to install it again, writes its events, and may not change one."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from runtime.service_host import HostConfig, build_service
from proposals.tests.flows import ZHANG, draft_body
from yizheng.serve import definition
from yizheng.testing.command_client import CommandClient


async def test_a_service_run_as_the_application_role_starts_writes_and_may_not_rewrite_an_event(
        pg_pool: asyncpg.Pool, database_url: str, fresh_schema: str, monkeypatch: pytest.MonkeyPatch) -> None:
    role = f"yz_app_{uuid.uuid4().hex[:8]}"
    owner = await pg_pool.fetchval("SELECT current_user")
    await pg_pool.execute(f"CREATE ROLE {role} LOGIN NOINHERIT")
    try:
        # What the cluster's bootstrap grants (deploy/k8s/base/postgres/cluster.yaml), for this schema only.
        await pg_pool.execute(f'GRANT USAGE ON SCHEMA "{fresh_schema}" TO {role}')
        await pg_pool.execute(f'ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA "{fresh_schema}" '
                              f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}")
        await pg_pool.execute(f'ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA "{fresh_schema}" '
                              f"GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}")
        monkeypatch.setenv("YIZHENG_DB_APP_ROLE", role)
        service = definition("proposals")
        migrate = await build_service(service, HostConfig(dsn=database_url, schema=fresh_schema, pool_max_size=2))
        try:
            await migrate.install()
        finally:
            await migrate.stop()

        as_role = database_url.replace("://postgres@", f"://{role}@", 1)
        assert as_role != database_url
        host = await build_service(service, HostConfig(dsn=as_role, schema=fresh_schema, run_workers=False,
                                                       run_consumers=False, pool_max_size=2))
        await host.start()
        try:
            async with CommandClient.over(host) as api:
                await api.do("draft-proposal", draft_body(), ZHANG)
            assert await host.pool.fetchval(f'SELECT count(*) FROM "{fresh_schema}".events') == 1
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await host.pool.execute(f'UPDATE "{fresh_schema}".events SET metadata = metadata')
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await host.pool.execute(f'ALTER TABLE "{fresh_schema}".events DISABLE TRIGGER ALL')
        finally:
            await host.stop()
    finally:
        await pg_pool.execute(f'ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA "{fresh_schema}" '
                              f"REVOKE ALL ON TABLES FROM {role}")
        await pg_pool.execute(f'ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA "{fresh_schema}" '
                              f"REVOKE ALL ON SEQUENCES FROM {role}")
        await pg_pool.execute(f"DROP OWNED BY {role}")
        await pg_pool.execute(f"DROP ROLE {role}")
