"""Installs the kernel's tables and functions into a service's schema."""

from __future__ import annotations

from importlib import resources

import asyncpg

from eventstore.db import connection, quote_ident

# The one role the events table's append-only trigger lets change stored events (a repair by hand, after
# `SET ROLE yizheng_maintenance`); created NOLOGIN at install if missing.
MAINTENANCE_ROLE = "yizheng_maintenance"


def schema_sql(schema: str, maintenance_role: str = MAINTENANCE_ROLE) -> str:
    role = quote_ident(maintenance_role)
    return (resources.files("eventstore").joinpath("schema.sql").read_text()
            .replace("{schema}", quote_ident(schema))
            .replace("{maintenance_role}", role)
            .replace("{maintenance_literal}", f"'{role}'"))


async def install(target: asyncpg.Connection | asyncpg.Pool, schema: str, *, app_role: str | None = None) -> None:
    """Create or upgrade the store in `schema`. `app_role`: the role the services connect as, if it is not
    the tables' owner; it keeps INSERT and SELECT on events and loses UPDATE, DELETE and TRUNCATE."""
    # Replicas starting at once would race on CREATE ... IF NOT EXISTS; serialize installers.
    async with connection(target) as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('yizheng-install'))")
        await conn.execute(schema_sql(schema))
        if app_role:
            await conn.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {quote_ident(schema)}.events "
                               f"FROM {quote_ident(app_role)}")
