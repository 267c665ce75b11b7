"""Changing stored events on purpose, as a test of tamper evidence must: the events table refuses UPDATE,
DELETE and TRUNCATE to every role but the maintenance role, so the tampering runs as that role."""

from __future__ import annotations

from typing import Any

import asyncpg

from eventstore.install import MAINTENANCE_ROLE


async def as_maintenance(pool: asyncpg.Pool, sql: str, *args: Any) -> str:
    """Run one statement as the maintenance role (in a transaction of its own); returns its status."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL ROLE {MAINTENANCE_ROLE}")
        status: str = await conn.execute(sql, *args)
        return status
