"""One active worker per store among replicas: a session-level advisory lock held on a connection of its
own. Whoever holds it works; the others check again now and then and take over when its session ends
(a crashed holder's connection closes, and PostgreSQL releases the lock)."""

from __future__ import annotations

import time

import asyncpg


class AdvisoryLeadership:
    def __init__(self, pool: asyncpg.Pool, key: str, *, retry_seconds: float = 3.0) -> None:
        self.pool = pool
        self.key = key
        self.retry_seconds = retry_seconds
        self._conn: asyncpg.Connection | None = None
        self._next_try = 0.0

    async def holds(self) -> bool:
        if self._conn is not None:
            try:
                alive = not self._conn.is_closed()
            except asyncpg.InterfaceError:
                # The pool took the connection back when the server went away (a PostgreSQL restart): asking a
                # released proxy raises, and would raise on every later call, wedging the worker for good.
                alive = False
            if alive:
                return True
            self._conn = None  # the session died, and the lock with it
        if time.monotonic() < self._next_try:
            return False
        conn = await self.pool.acquire()
        try:
            got = await conn.fetchval("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", self.key)
        except BaseException:
            await self.pool.release(conn)
            raise
        if got:
            self._conn = conn
            return True
        await self.pool.release(conn)
        self._next_try = time.monotonic() + self.retry_seconds
        return False

    async def release(self) -> None:
        if self._conn is None:
            return
        try:
            await self._conn.execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", self.key)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
            # Pools skip the session reset (eventstore.db), so a connection still holding the lock must not
            # go back to the pool: closing it ends the session and the lock with it.
            self._conn.terminate()
        await self.pool.release(self._conn)
        self._conn = None
