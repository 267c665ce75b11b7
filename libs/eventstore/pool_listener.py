"""One LISTEN connection per pool, shared by every tailer of the process (the relays, the projectors, the
work queues with a channel of their own).

A connection per tailer held a third of a service's pool for good (members: seven of ten), so its commands
queued for the rest. A NOTIFY only wakes a tailer, which then reads on a pooled connection of its own, so one
listening connection serves them all. When that connection is lost (PostgreSQL restarted), it is taken again
from the pool with backoff and every tailer is woken, since notifications may have been missed meanwhile;
until then the tailers' safety polls keep them going."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import ClassVar

import asyncpg

log = logging.getLogger("eventstore.pool_listener")

Wake = Callable[[], None]


class PoolListener:
    _by_pool: ClassVar[dict[int, PoolListener]] = {}
    RECONNECT_BACKOFF_CAP_SECONDS = 5.0

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._wakes: dict[str, list[Wake]] = {}
        self._conn: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()
        self._reconnecting: asyncio.Task[None] | None = None

    @classmethod
    def of(cls, pool: asyncpg.Pool) -> PoolListener:
        """The pool's listener (the entry keeps the pool, so its id is not reused while listened on)."""
        listener = cls._by_pool.get(id(pool))
        if listener is None or listener.pool is not pool:
            listener = cls._by_pool[id(pool)] = cls(pool)
        return listener

    async def subscribe(self, channel: str, wake: Wake) -> None:
        async with self._lock:
            if self._conn is None and self._reconnecting is None:
                await self._connect()
            wakes = self._wakes.setdefault(channel, [])
            if not wakes and self._conn is not None:
                await self._conn.add_listener(channel, self._dispatch)
            wakes.append(wake)

    async def unsubscribe(self, channel: str, wake: Wake) -> None:
        async with self._lock:
            wakes = self._wakes.get(channel, [])
            if wake in wakes:
                wakes.remove(wake)
            if not wakes:
                self._wakes.pop(channel, None)
                if self._conn is not None:
                    with contextlib.suppress(Exception):
                        await self._conn.remove_listener(channel, self._dispatch)
            if not self._wakes:
                await self._close()

    async def _connect(self) -> None:
        conn = await self.pool.acquire()
        conn.add_termination_listener(self._lost)
        for channel in self._wakes:
            await conn.add_listener(channel, self._dispatch)
        self._conn = conn

    async def _close(self) -> None:
        if self._reconnecting is not None:
            self._reconnecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reconnecting
            self._reconnecting = None
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.remove_termination_listener(self._lost)
            with contextlib.suppress(Exception):
                for channel in list(self._wakes):
                    await conn.remove_listener(channel, self._dispatch)
            await self.pool.release(conn)
        if PoolListener._by_pool.get(id(self.pool)) is self:
            del PoolListener._by_pool[id(self.pool)]

    def _dispatch(self, _conn: object, _pid: int, channel: str, _payload: object) -> None:
        for wake in list(self._wakes.get(channel, ())):
            wake()

    def _lost(self, conn: asyncpg.Connection) -> None:
        if conn is not self._conn:
            return
        self._conn = None
        log.warning("the listening connection was lost; taking another")
        self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect(conn))

    async def _reconnect(self, lost: asyncpg.Connection) -> None:
        with contextlib.suppress(Exception):
            await self.pool.release(lost)
        delay = 0.1
        while self._wakes:
            try:
                async with self._lock:
                    if self._wakes:
                        await self._connect()
                break
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
                log.warning("could not listen again (%s); retrying in %.1f s", err, delay)
                await asyncio.sleep(delay)  # backoff while PostgreSQL is away
                delay = min(delay * 2, self.RECONNECT_BACKOFF_CAP_SECONDS)
        self._reconnecting = None
        for wakes in list(self._wakes.values()):  # what was sent while nobody listened
            for wake in list(wakes):
                wake()
