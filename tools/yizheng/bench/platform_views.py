"""`projector_vs_batched` and the view lag.

Rebuild: every gateway view replayed from the first offset of the platform's topics into a fresh schema, as
`yizheng replay gateway.all` does (`gateway.projector.replay_views`: one pass over the topics, every view
applying each batch of events in one transaction), timed from the views' setup to the end of the pass.

Baseline: the rows that rebuild wrote, per view table (the kernel's own tables — inbox, checkpoints, … — left
out), read back once, then written by a hand-written loop into empty copies of the tables (LIKE … INCLUDING
ALL: the same indexes) with `copy_records_to_table` in batches of BATCH rows, one transaction per batch.
The figure is the time of the rebuild over that of the loop, both for the same rows.

Beside it, the rebuild's floor: the same topics read from the first offset and every event decoded and validated as
the rebuild does (`eventstore.consumer.decode`), with no database at all — what any rebuild that parses each event
in Python pays before it writes a row; the batched loop over that is the best ratio such a rebuild could reach.

Lag: after the Loader's last command answered, the time until every event stored in the services' stores is
in the inbox of every gateway view (what `Projector.applied` checks for one command's events)."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from eventstore.consumer import IdempotentConsumer, PoisonMessage, decode
from eventstore.install import install
from eventstore.kafka_access import KafkaAccess
from eventstore.projection import read_to_end
from gateway.config import GatewayConfig
from gateway.projector import inbox_name, replay_views
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


async def decode_floor(bootstrap: KafkaAccess, prefix: str) -> float:
    """Seconds to read every internal topic from its first offset and decode each event, writing nothing."""
    config = GatewayConfig(dsn="", kafka_bootstrap=bootstrap, schema="unused", topic_prefix=prefix)
    started = time.perf_counter()
    batches = read_to_end(bootstrap, config.topics, IdempotentConsumer.MAX_BATCH)
    async with contextlib.aclosing(batches):
        async for records in batches:
            for record in records:
                with contextlib.suppress(PoisonMessage):
                    decode(record.value or b"")
    return time.perf_counter() - started


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


class ViewsBehind:
    """The events stored in the services' stores that some gateway view has not applied yet, checked
    incrementally: each look reads only the events of transactions from the last look's snapshot horizon on
    (the store's `(tx_id, position)` index; everything older was seen already), and asks the inbox about the
    events still pending only, by its primary key. Counting every stored event's inbox rows on every look
    cost seconds of PostgreSQL time per look on a county's log, competing with the projector it measured."""

    def __init__(self, pool: asyncpg.Pool, service_schemas: list[str], gateway_schema: str) -> None:
        self.pool = pool
        self.service_schemas = service_schemas
        self.gateway_schema = gateway_schema
        self.names = [inbox_name(v.name) for v in VIEW_CLASSES]
        self._horizon: dict[str, int] = {}
        self._pending: set[uuid.UUID] = set()

    async def left(self) -> int:
        async with self.pool.acquire() as conn:
            for schema in self.service_schemas:
                rows = await conn.fetch(
                    f"SELECT event_id, pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon "
                    f"FROM {schema}.events WHERE tx_id >= $1::text::xid8 "
                    "UNION ALL SELECT NULL, pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
                    str(self._horizon.get(schema, 0)))
                self._pending.update(r["event_id"] for r in rows if r["event_id"] is not None)
                self._horizon[schema] = rows[-1]["horizon"]
            if self._pending:
                done = await conn.fetch(
                    f"SELECT event_id FROM {self.gateway_schema}.inbox WHERE consumer = ANY($1::text[]) "
                    "AND event_id = ANY($2::uuid[]) GROUP BY event_id HAVING count(*) >= $3",
                    self.names, list(self._pending), len(self.names))
                self._pending.difference_update(r["event_id"] for r in done)
        return len(self._pending)


async def view_lag(pool: asyncpg.Pool, service_schemas: list[str], gateway_schema: str, *,
                   timeout: float = 300.0) -> tuple[float | None, int]:
    """Seconds from now until every stored event is in every view's inbox (None after `timeout`), and how
    many were still missing at the end."""
    behind = ViewsBehind(pool, service_schemas, gateway_schema)
    started = time.perf_counter()
    left = await behind.left()
    while left:
        if time.perf_counter() - started > timeout:
            return None, left
        await asyncio.sleep(0.1)  # polling a condition, bounded by the timeout
        left = await behind.left()
    return round(time.perf_counter() - started, 2), 0
