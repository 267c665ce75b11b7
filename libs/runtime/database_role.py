"""Whether this process is connected as the application role (`YIZHENG_DB_APP_ROLE`): a role that owns no table
and may only INSERT into the events tables. Such a process cannot create or alter tables, so it leaves the
installing to the migrate job, run as the owner (deploy/k8s: the pods' init containers)."""

from __future__ import annotations

import asyncpg

from runtime import settings


async def connected_as_application_role(pool: asyncpg.Pool) -> bool:
    app_role = settings.database_app_role()
    return app_role is not None and app_role == await pool.fetchval("SELECT current_user")
