"""The tailers of one pool (relays, projectors, the scorer) listen through one connection, and listen again when
PostgreSQL drops it."""

from __future__ import annotations

import asyncpg

from eventstore.pool_listener import PoolListener
from eventstore.store import EventStore
from eventstore.tailing import StoreTailer
from yizheng.testing.wait import WaitUntil

CHANNELS = ("relay_wake", "projection_wake", "scorer_wake")


class Passes:
    """How many passes each tailer ran."""

    def __init__(self) -> None:
        self.by_channel = dict.fromkeys(CHANNELS, 0)

    def step(self, channel: str):  # type: ignore[no-untyped-def]
        async def run() -> int:
            self.by_channel[channel] += 1
            return 0

        return run


def in_use(pool: asyncpg.Pool) -> int:
    return pool.get_size() - pool.get_idle_size()


async def test_tailers_share_one_listening_connection_and_are_woken_on_their_own_channels(
        database_url: str, fresh_schema: str, wait_until: WaitUntil) -> None:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    passes = Passes()
    # The safety poll is an hour away: only a NOTIFY (or a listener taken again) wakes a tailer here.
    tailers = [StoreTailer(EventStore(pool, fresh_schema, "samples"), passes.step(c), label=c, channel=c,
                           safety_poll_seconds=3600) for c in CHANNELS]
    try:
        for tailer in tailers:
            await tailer.start()
        await wait_until(lambda: all(n == 1 for n in passes.by_channel.values()), message="each first pass")
        assert in_use(pool) == 1, "three tailers, one listening connection"
        for channel in CHANNELS:
            before = dict(passes.by_channel)
            await pool.execute(f"NOTIFY {channel}")
            await wait_until(lambda c=channel, b=before: passes.by_channel[c] == b[c] + 1,  # type: ignore[misc]
                             message=f"a pass after NOTIFY {channel}")
    finally:
        for tailer in tailers:
            await tailer.stop()
    assert in_use(pool) == 0, "the listening connection went back to the pool with the last tailer"
    await pool.close()


async def test_a_lost_listening_connection_is_taken_again_and_every_tailer_woken(
        database_url: str, fresh_schema: str, wait_until: WaitUntil) -> None:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    passes = Passes()
    tailers = [StoreTailer(EventStore(pool, fresh_schema, "samples"), passes.step(c), label=c, channel=c,
                           safety_poll_seconds=3600) for c in CHANNELS]
    try:
        for tailer in tailers:
            await tailer.start()
        await wait_until(lambda: all(n == 1 for n in passes.by_channel.values()), message="each first pass")
        listening = PoolListener.of(pool)._conn
        assert listening is not None
        async with pool.acquire() as other:
            await other.execute("SELECT pg_terminate_backend($1)", listening.get_server_pid())
        # Notifications sent while nobody listened are lost, so every tailer runs a pass once it listens again.
        await wait_until(lambda: all(n == 2 for n in passes.by_channel.values()),
                         message="every tailer woken after the listener was taken again")
        assert PoolListener.of(pool)._conn is not listening
        await pool.execute(f"NOTIFY {CHANNELS[0]}")
        await wait_until(lambda: passes.by_channel[CHANNELS[0]] == 3, message="listening again")
    finally:
        for tailer in tailers:
            await tailer.stop()
    await pool.close()
