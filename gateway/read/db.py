"""The views' database, as one request sees it: a pool, the schema, and a count of round trips (so tests
can show that a nested query costs a fixed number of queries, not one per row)."""

from __future__ import annotations

from typing import Any

import asyncpg


class Db:
    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self.pool = pool
        self.schema = schema
        self.queries = 0

    def t(self, table: str) -> str:
        return f"{self.schema}.{table}"

    def sql(self, text: str) -> str:
        """`{s}` in the text stands for the gateway's schema."""
        return text.replace("{s}", self.schema)

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        self.queries += 1
        rows: list[asyncpg.Record] = await self.pool.fetch(self.sql(query), *args)
        return rows

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        self.queries += 1
        row: asyncpg.Record | None = await self.pool.fetchrow(self.sql(query), *args)
        return row

    async def fetchval(self, query: str, *args: Any) -> Any:
        self.queries += 1
        return await self.pool.fetchval(self.sql(query), *args)
