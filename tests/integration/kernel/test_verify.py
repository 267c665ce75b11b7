"""Tamper evidence: `yizheng verify` names the first event changed behind the store's back."""

from __future__ import annotations

import subprocess
import sys

import asyncpg

from eventstore.store import EventStore
from eventstore.verify import first_broken
from tests.integration.kernel.sample_events import SampleNoted, ctx
from tests.integration.kernel.tampering import as_maintenance


async def _fill(store: EventStore) -> None:
    for s in range(3):
        await store.append(f"proposal-{s}", 0, [SampleNoted(n=s * 10 + i) for i in range(4)], ctx())


async def test_an_untouched_store_verifies(store: EventStore, pg_pool: asyncpg.Pool) -> None:
    await _fill(store)
    assert await first_broken(pg_pool, store.schema) == (12, None)


async def test_changed_content_is_reported_at_the_changed_event(store: EventStore, pg_pool: asyncpg.Pool) -> None:
    await _fill(store)
    position = await pg_pool.fetchval(
        f"SELECT position FROM {store.schema}.events WHERE stream_id = 'proposal-1' AND stream_version = 2")
    await as_maintenance(
        pg_pool, f"UPDATE {store.schema}.events SET data = jsonb_set(data, '{{n}}', '99') WHERE position = $1",
        position)
    _, link = await first_broken(pg_pool, store.schema)
    assert link is not None and link.position == position
    assert link.problem == "content or order changed after it was stored"


async def test_swapped_order_within_a_stream_is_reported(store: EventStore, pg_pool: asyncpg.Pool) -> None:
    await _fill(store)
    s = store.schema
    for old, new in ((2, 1000), (3, 2), (1000, 3)):
        await as_maintenance(
            pg_pool,
            f"UPDATE {s}.events SET stream_version = $2 WHERE stream_id = 'proposal-2' AND stream_version = $1",
            old, new)
    _, link = await first_broken(pg_pool, s)
    assert link is not None and link.stream_id == "proposal-2"


async def test_a_deleted_event_is_reported_at_the_next_one(store: EventStore, pg_pool: asyncpg.Pool) -> None:
    await _fill(store)
    s = store.schema
    await as_maintenance(pg_pool, f"DELETE FROM {s}.events WHERE stream_id = 'proposal-0' AND stream_version = 2")
    _, link = await first_broken(pg_pool, s)
    assert link is not None and (link.stream_id, link.stream_version) == ("proposal-0", 3)
    assert link.problem == "an earlier event of this stream is missing"


async def test_the_verify_command_exits_non_zero_and_names_the_event(
        store: EventStore, pg_pool: asyncpg.Pool, database_url: str) -> None:
    await _fill(store)
    cmd = [sys.executable, "-m", "yizheng.cli", "verify", "--schema", store.schema]
    env = {"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}
    ok = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert ok.returncode == 0 and "12 events, chain intact" in ok.stdout, ok.stderr
    await as_maintenance(pg_pool, f"UPDATE {store.schema}.events SET committee_id = 'county-z' WHERE position = 5")
    bad = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert bad.returncode == 1
    assert "TAMPERED: first broken event at position 5" in bad.stderr
