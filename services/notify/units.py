"""Notify's record of the handling units' names (the members service's `unit-registered`; a unit registered
again under the same id is renamed), so every message names 县生态环境局 rather than `u-env`."""

from __future__ import annotations

import asyncpg

from eventstore.db import quote_ident

TYPES = frozenset({"unit-registered"})


async def record(conn: asyncpg.Connection, schema: str, committee: str, unit_id: str, name: str) -> None:
    await conn.execute(f"INSERT INTO {quote_ident(schema)}.units VALUES ($1, $2, $3) ON CONFLICT "
                       "(committee_id, unit_id) DO UPDATE SET name = excluded.name", committee, unit_id, name)


async def unit_name(conn: asyncpg.Connection, schema: str, committee: str, unit_id: str) -> str:
    """The unit's name; its id only while the registry has not told notify of it."""
    name = await conn.fetchval(f"SELECT name FROM {quote_ident(schema)}.units WHERE committee_id = $1 "
                               "AND unit_id = $2", committee, unit_id)
    return str(name) if name else unit_id
