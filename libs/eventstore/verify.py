"""Tamper evidence: each event's hash covers its content and the hash of the event before it in its
stream. `first_broken` recomputes the chain in the database (with the same SQL function the append
used, so both hash the same bytes) and reports the first event, in store order, that no longer fits."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from eventstore.db import quote_ident


@dataclass(frozen=True)
class BrokenLink:
    position: int
    stream_id: str
    stream_version: int
    event_id: str
    problem: str

    def __str__(self) -> str:
        return (f"event at position {self.position} ({self.stream_id} v{self.stream_version}, "
                f"{self.event_id}): {self.problem}")


async def first_broken(pool: asyncpg.Pool, schema: str) -> tuple[int, BrokenLink | None]:
    """(events checked, the first broken link or None)."""
    s = quote_ident(schema)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        total = await conn.fetchval(f"SELECT count(*) FROM {s}.events")
        row = await conn.fetchrow(f"""
            WITH chain AS (
                SELECT e.*, row_number() OVER w AS expected_version, lag(hash) OVER w AS prev_hash
                  FROM {s}.events e
                WINDOW w AS (PARTITION BY stream_id ORDER BY stream_version)
            )
            SELECT position, stream_id, stream_version, event_id::text,
                   CASE WHEN stream_version <> expected_version
                        THEN 'an earlier event of this stream is missing'
                        ELSE 'content or order changed after it was stored' END AS problem
              FROM chain
             WHERE stream_version <> expected_version
                OR hash IS DISTINCT FROM {s}.event_hash(prev_hash, position, event_id, stream_id, stream_version,
                       type, schema_version, committee_id, data, metadata, occurred_at)
             ORDER BY position
             LIMIT 1""")
    return int(total), (BrokenLink(**dict(row)) if row else None)


async def kernel_schemas(pool: asyncpg.Pool) -> list[str]:
    """Every schema holding a kernel event store."""
    rows = await pool.fetch(
        "SELECT n.nspname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE p.proname = 'append_events' ORDER BY 1")
    return [r[0] for r in rows]
