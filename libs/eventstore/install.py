"""Installs the kernel's tables and functions into a service's schema."""

from __future__ import annotations

from importlib import resources

import asyncpg

from eventstore.db import connection, quote_ident


def schema_sql(schema: str) -> str:
    return resources.files("eventstore").joinpath("schema.sql").read_text().replace("{schema}", quote_ident(schema))


async def install(target: asyncpg.Connection | asyncpg.Pool, schema: str) -> None:
    # Replicas starting at once would race on CREATE ... IF NOT EXISTS; serialize installers.
    async with connection(target) as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('yizheng-install'))")
        await conn.execute(schema_sql(schema))
