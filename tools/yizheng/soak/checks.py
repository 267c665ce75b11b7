"""The soak's checks against what the platform holds once it has caught up: the stores' events and the gateway's
inbox (for `records.tally`), every gateway view against a fresh rebuild of it from the topics, `yizheng verify`."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass, field

import asyncpg

from contracts import platform
from eventstore.consumer import IdempotentConsumer
from eventstore.kafka_access import KafkaAccess
from eventstore.projection import ReplayReport, replay_from_topics
from gateway.config import GatewayConfig
from gateway.projector import inbox_name, setup_views
from gateway.views import View, all_views
from yizheng.soak.records import StoreEvent, differences, mismatched

LIVE = "gateway"
REBUILT = "soak_rebuild"


def viewed_services() -> list[str]:
    """The services whose internal topics the gateway's projector consumes."""
    config = GatewayConfig(dsn="", kafka_bootstrap=None, schema=LIVE)  # type: ignore[arg-type]
    topics = set(config.topics)
    return [c.name for c in platform.contracts() if c.topic in topics]


def view_inboxes() -> list[str]:
    return [inbox_name(v) for v in all_views(LIVE)]


async def store_events(pool: asyncpg.Pool, settled: set[str]) -> list[StoreEvent]:
    """Every store's events; `settled` those the views were seen to hold (a worker may write after that, while
    the platform stops)."""
    out = []
    for service in platform.SERVICES:
        rows = await pool.fetch(
            f"SELECT event_id::text AS id, metadata->>'correlation_id' AS c, tx_id::text::bigint AS tx, "
            f"(metadata->>'causation_id') IS NOT NULL AS caused FROM {service}.events")
        out += [StoreEvent(service, r["id"], r["c"] or "", r["tx"], r["caused"], r["id"] in settled) for r in rows]
    return out


async def inbox_rows(pool: asyncpg.Pool) -> list[tuple[str, str]]:
    rows = await pool.fetch(f"SELECT consumer, event_id::text AS id FROM {LIVE}.inbox WHERE consumer LIKE 'gateway.%'")
    return [(r["consumer"], r["id"]) for r in rows]


async def caught_up(pool: asyncpg.Pool) -> tuple[int, set[str]]:
    """(view, event) pairs of the viewed stores' events the gateway's views have not applied yet, and the ids
    of those stores' events, both read in one snapshot: when the first is 0, the views hold every one of them
    (an event's recorded_at is its transaction's start, so a time cannot say which were in)."""
    names = view_inboxes()
    total = 0
    ids: set[str] = set()
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        for service in viewed_services():
            total += await conn.fetchval(
                f"SELECT count(*) FROM {service}.events e CROSS JOIN unnest($1::text[]) AS v(name) "
                f"WHERE NOT EXISTS (SELECT 1 FROM {LIVE}.inbox i WHERE i.consumer = v.name "
                "AND i.event_id = e.event_id)", names)
            if not total:
                ids.update(r["id"] for r in await conn.fetch(f"SELECT event_id::text AS id FROM {service}.events"))
    return int(total), ids


class AllViews:
    """Every gateway view as one projection, so one pass over the topics rebuilds them all."""

    name = "soak-rebuild"

    def __init__(self, schema: str) -> None:
        self.views: list[View] = all_views(schema)

    async def setup(self, conn: asyncpg.Connection) -> None:
        for view in self.views:
            await view.setup(conn)

    async def reset(self, conn: asyncpg.Connection) -> None:
        for view in self.views:
            await view.reset(conn)

    async def apply(self, conn: asyncpg.Connection, delivered: object) -> None:
        for view in self.views:
            await view.apply(conn, delivered)  # type: ignore[arg-type]


@dataclass
class Comparison:
    applied: int
    dead_lettered: int
    tables: int
    rows: int
    mismatched: dict[str, int]
    examples: dict[str, list[str]] = field(default_factory=dict)  # a few differing rows per mismatched table


async def _primary_key(pool: asyncpg.Pool, schema: str, table: str) -> list[str]:
    rows = await pool.fetch(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indrelid = to_regclass($1) AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)",
        f"{schema}.{table}")
    return [r["attname"] for r in rows]


async def _examples(pool: asyncpg.Pool, table: str) -> list[str]:
    key = await _primary_key(pool, LIVE, table)
    live = [json.loads(r) for r in await _rows(pool, LIVE, table)]
    rebuilt = [json.loads(r) for r in await _rows(pool, REBUILT, table)]
    return differences(key, live, rebuilt)


async def _rows(pool: asyncpg.Pool, schema: str, table: str) -> Counter[str]:
    rows = await pool.fetch(f"SELECT to_jsonb(t)::text AS r FROM {schema}.{table} t")
    return Counter(r["r"] for r in rows)


async def rebuild_and_compare(pool: asyncpg.Pool, kafka: KafkaAccess) -> Comparison:
    """Rebuild every view into a scratch schema from the first offset of every topic and compare, table by
    table, its rows with the live views' (as jsonb, so column order does not matter)."""
    await pool.execute(f"DROP SCHEMA IF EXISTS {REBUILT} CASCADE")
    await setup_views(pool, REBUILT, [])
    projection = AllViews(REBUILT)
    config = GatewayConfig(dsn="", kafka_bootstrap=kafka, schema=REBUILT)
    consumer = IdempotentConsumer(projection.name, pool, REBUILT, projection.apply, topics=config.topics,
                                  bootstrap=kafka)
    report = ReplayReport()
    applied = await replay_from_topics(consumer, projection, report=report)  # type: ignore[arg-type]
    live: dict[str, Counter[str]] = {}
    rebuilt: dict[str, Counter[str]] = {}
    for view in projection.views:
        for table in view.tables:
            live[table] = await _rows(pool, LIVE, table)
            rebuilt[table] = await _rows(pool, REBUILT, table)
    differing = mismatched(live, rebuilt)
    return Comparison(applied, len(report.dead_lettered), len(live), sum(sum(c.values()) for c in live.values()),
                      differing, {table: await _examples(pool, table) for table in differing})


async def verify(env: dict[str, str]) -> tuple[bool, str]:
    """`yizheng verify` against the soak's database: every store's hash chain and signed anchors."""
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "yizheng.cli", "verify",
                                                env={**os.environ, **env}, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.STDOUT)
    out, _ = await proc.communicate()
    return proc.returncode == 0, out.decode(errors="replace").strip()
