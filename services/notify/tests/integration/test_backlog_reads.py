"""A county office with a large backlog (tens of thousands of messages waiting, a year of deliveries): sending
the next message and opening a member's inbox each read a few pages of the tables, not the whole backlog —
before the indexes below existed, a claim read and sorted every pending row (76 ms at 25,000) and each inbox
item scanned every delivery."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import asyncpg

from notify import inbox_queries
from notify.deliveries import claim_due_sql
from notify.tables import install

NOTIFICATIONS = 20_000  # two deliveries each (email and SMS): 40,000 rows, half of them pending


async def _a_year_of_deliveries(pool: asyncpg.Pool, s: str) -> None:
    async with pool.acquire() as conn:
        await install(conn, s)
        await conn.execute(
            f"INSERT INTO {s}.notifications (notification_id, committee_id, recipient_kind, recipient_id, template, "
            "category, urgency, subject_id, reason, source_event_id, source_type, created_at) "
            "SELECT 'n-' || i, 'county-' || (i % 2), 'member', 'm-' || (i % 200), 'proposal-assigned', 'proposals', "
            "'normal', 'p-' || i, 'lead', 'e-' || i, 'proposal-assigned', "
            "timestamptz '2026-01-01' + i * interval '20 minutes' FROM generate_series(1, $1) AS i", NOTIFICATIONS)
        await conn.execute(
            f"INSERT INTO {s}.deliveries (delivery_id, notification_id, committee_id, channel, target_id, status, "
            "not_before) SELECT 'd-' || i || '-' || c, 'n-' || i, 'county-' || (i % 2), c, 'm-' || (i % 200), "
            "CASE WHEN i % 2 = 0 THEN 'pending' ELSE 'sent' END, timestamptz '2026-01-01' + i * interval '20 minutes' "
            "FROM generate_series(1, $1) AS i CROSS JOIN unnest(ARRAY['email', 'sms']) AS c", NOTIFICATIONS)
        await conn.execute(f"ANALYZE {s}.notifications; ANALYZE {s}.deliveries")


async def _table_pages(pool: asyncpg.Pool, s: str) -> int:
    return int(await pool.fetchval("SELECT relpages FROM pg_class WHERE oid = $1::regclass", f"{s}.deliveries"))


class _Explained:
    """A pool for the inbox queries that also notes how many table pages each of their statements read."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.pages: list[int] = []

    async def _note(self, query: str, args: tuple[Any, ...]) -> None:
        plan = await self.pool.fetchval(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {query}", *args)
        top = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
        self.pages.append(top["Shared Hit Blocks"] + top["Shared Read Blocks"])

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        await self._note(query, args)
        return await self.pool.fetch(query, *args)

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        await self._note(query, args)
        return await self.pool.fetchrow(query, *args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        await self._note(query, args)
        return await self.pool.fetchval(query, *args)


async def test_with_20000_messages_waiting_the_next_one_is_claimed_off_the_index(
        pg_pool: asyncpg.Pool, fresh_schema: str) -> None:
    await _a_year_of_deliveries(pg_pool, fresh_schema)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    async with pg_pool.acquire() as conn:
        # A worker's statement is prepared once and run thousands of times: judge the generic plan.
        await conn.execute("SET plan_cache_mode = force_generic_plan")
        try:
            async with conn.transaction():
                plan = await conn.fetchval(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {claim_due_sql(fresh_schema)}",
                                           now, ["email", "sms"], 1, 7)
                claimed = await conn.fetch(f"SELECT delivery_id, claimed_by FROM {fresh_schema}.deliveries "
                                           "WHERE status = 'sending'")
                raise _RolledBack
        except _RolledBack:
            pass
        finally:
            await conn.execute("RESET plan_cache_mode")
    top = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    assert [(r["delivery_id"], r["claimed_by"]) for r in claimed] == [("d-2-email", 7)], "the earliest due first"
    assert top["Shared Hit Blocks"] + top["Shared Read Blocks"] < await _table_pages(pg_pool, fresh_schema) / 10, top


async def test_a_members_inbox_page_reads_its_own_items_deliveries_only(
        pg_pool: asyncpg.Pool, fresh_schema: str) -> None:
    await _a_year_of_deliveries(pg_pool, fresh_schema)
    db = _Explained(pg_pool)
    page = await inbox_queries.inbox_page(db, fresh_schema, "county-0", "member", "m-4", states=["unread"],  # type: ignore[arg-type]
                                          first=20, after=None, now=datetime(2026, 12, 1, tzinfo=UTC),
                                          with_deliveries=True)
    assert len(page["items"]) == 20 and page["total"] == NOTIFICATIONS // 200
    assert [item["deliveries"] for item in page["items"][:2]] == [{"email": "pending", "sms": "pending"}] * 2
    # Each statement reads less than half the deliveries table (one item scanning it would read all of it).
    assert max(db.pages) < await _table_pages(pg_pool, fresh_schema) / 2, db.pages


class _RolledBack(Exception):
    pass
