"""`projector_vs_batched` and the view lag.

Rebuild: every gateway view replayed from the first offset of the platform's topics into a fresh schema, as
`yizheng replay gateway.all` does (`gateway.projector.replay_views`: one pass over the topics, every view
applying each batch of events in one transaction), timed from the views' setup to the end of the pass.

Baseline: the rows that rebuild wrote, per view table (the kernel's own tables — inbox, checkpoints, … — left
out), read back once, then written by a hand-written loop into empty copies of the tables (LIKE … INCLUDING
ALL: the same indexes) with `copy_records_to_table` in batches of BATCH rows, one transaction per batch.
The figure is the time of the rebuild over that of the loop, both for the same rows.

Lag: after the Loader's last command answered, the time until every event stored in the services' stores is
in the inbox of every gateway view (what `Projector.applied` checks for one command's events)."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from eventstore.install import install
from eventstore.kafka_access import KafkaAccess
from gateway.config import GatewayConfig
from gateway.projector import replay_views
from gateway.views import VIEW_CLASSES

BATCH = 5_000


@dataclass(frozen=True)
class Rebuild:
    seconds: float
    events_applied: int
    rows: int
    tables: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


async def kernel_tables(pool: asyncpg.Pool) -> set[str]:
    """The tables `eventstore.install` makes (in every schema, the gateway's too)."""
    schema = f"bpk_{uuid.uuid4().hex[:8]}"
    try:
        await install(pool, schema)
        rows = await pool.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", schema)
        return {r["tablename"] for r in rows}
    finally:
        await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


async def rebuild(pool: asyncpg.Pool, database_url: str, bootstrap: KafkaAccess, prefix: str,
                  schema: str, kernel: set[str]) -> Rebuild:
    config = GatewayConfig(dsn=database_url, kafka_bootstrap=bootstrap, schema=schema, topic_prefix=prefix)
    started = time.perf_counter()
    applied = await replay_views(pool, config, [view.name for view in VIEW_CLASSES])
    seconds = time.perf_counter() - started
    tables = await view_tables(pool, schema, kernel)
    rows = 0
    for t in tables:
        rows += int(await pool.fetchval(f"SELECT count(*) FROM {schema}.{t}"))
    return Rebuild(seconds=round(seconds, 3), events_applied=applied, rows=rows, tables=len(tables))


async def view_tables(pool: asyncpg.Pool, schema: str, kernel: set[str]) -> list[str]:
    rows = await pool.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename", schema)
    return [r["tablename"] for r in rows if r["tablename"] not in kernel]


async def snapshot(database_url: str, schema: str, tables: list[str]) -> dict[str, list[asyncpg.Record]]:
    """Every row of the view tables of a rebuilt schema (on a plain connection: asyncpg's own binary codecs,
    which COPY needs, not the pools' text ones for json)."""
    conn = await asyncpg.connect(database_url)
    try:
        return {t: await conn.fetch(f"SELECT * FROM {schema}.{t}") for t in tables}
    finally:
        await conn.close()


async def batched_copy(pool: asyncpg.Pool, database_url: str, source: str,
                       rows: dict[str, list[asyncpg.Record]]) -> float:
    """Seconds to write `rows` into empty copies of `source`'s tables, BATCH rows per COPY and transaction."""
    target = f"bpb_{uuid.uuid4().hex[:8]}"
    await pool.execute(f"CREATE SCHEMA {target}")
    conn = await asyncpg.connect(database_url)
    try:
        for table in rows:
            await pool.execute(f"CREATE TABLE {target}.{table} (LIKE {source}.{table} INCLUDING ALL)")
        started = time.perf_counter()
        for table, records in rows.items():
            columns = list(records[0].keys()) if records else []
            for i in range(0, len(records), BATCH):
                async with conn.transaction():
                    await conn.copy_records_to_table(table, schema_name=target, columns=columns,
                                                     records=[tuple(r.values()) for r in records[i:i + BATCH]])
        return time.perf_counter() - started
    finally:
        await conn.close()
        await pool.execute(f"DROP SCHEMA IF EXISTS {target} CASCADE")


async def unapplied(pool: asyncpg.Pool, service_schemas: list[str], gateway_schema: str, views: int) -> int:
    """Events stored in the services' stores that some gateway view has not applied yet."""
    total = 0
    for s in service_schemas:
        total += int(await pool.fetchval(
            f"SELECT count(*) FROM {s}.events e WHERE (SELECT count(*) FROM {gateway_schema}.inbox i "
            f"WHERE i.event_id = e.event_id) < $1", views))
    return total


async def view_lag(pool: asyncpg.Pool, service_schemas: list[str], gateway_schema: str, *,
                   timeout: float = 300.0) -> tuple[float | None, int]:
    """Seconds from now until every stored event is in every view's inbox (None after `timeout`), and how
    many were still missing at the end."""
    views = len(VIEW_CLASSES)
    started = time.perf_counter()
    left = await unapplied(pool, service_schemas, gateway_schema, views)
    while left:
        if time.perf_counter() - started > timeout:
            return None, left
        await asyncio.sleep(0.2)  # polling a condition, bounded by the timeout
        left = await unapplied(pool, service_schemas, gateway_schema, views)
    return round(time.perf_counter() - started, 2), 0
