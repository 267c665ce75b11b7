"""The queue of member-years to re-score, written by two kinds of transaction at once: the own-store
projection (a batch of events, in the order they happened) and the consumer of other services' events."""

from __future__ import annotations

import asyncio

import asyncpg

from members.scoring.inputs import ScoringInputs
from yizheng.testing.wait import WaitUntil

COMMITTEE = "county-a"


async def test_writers_queueing_the_same_members_in_different_orders_take_turns_instead_of_deadlocking(
        pg_pool: asyncpg.Pool, fresh_schema: str, wait_until: WaitUntil) -> None:
    inputs = ScoringInputs(fresh_schema)
    async with pg_pool.acquire() as conn:
        await inputs.setup(conn)
    async with pg_pool.acquire() as projection, pg_pool.acquire() as consumer:
        projecting = projection.transaction()
        await projecting.start()
        # The projection's batch holds an event about member b, then one about member a ...
        await inputs.enqueue(projection, COMMITTEE, 2025, ["m-b"])
        # ... while a proposal accepted with both as authors reaches the consumer.
        consuming = consumer.transaction()
        await consuming.start()
        both = asyncio.create_task(inputs.enqueue(consumer, COMMITTEE, 2025, ["m-a", "m-b"]))
        await wait_until(lambda: projection.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'",
            consumer.get_server_pid()), message="the consumer waiting for the projection")
        await inputs.enqueue(projection, COMMITTEE, 2025, ["m-a"])
        await projecting.commit()
        await both
        await consuming.commit()
    queued = await pg_pool.fetch(f"SELECT member_id FROM {fresh_schema}.score_queue ORDER BY member_id")
    assert [r["member_id"] for r in queued] == ["m-a", "m-b"]
