"""A loop that tails a store: runs a pass, then sleeps until NOTIFY (or a slow safety poll) says more
may have committed. Shared by the relay, the local projectors, and work queues in a store's database
that have a channel of their own (the members scorer)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import asyncpg

from eventstore.store import EventStore

log = logging.getLogger("eventstore.tailing")


class StoreTailer:
    def __init__(self, store: EventStore, step: Callable[[], Awaitable[int]], *, label: str,
                 safety_poll_seconds: float = 1.0, channel: str | None = None) -> None:
        """`step` runs a pass and returns how much it moved (0: sleep until woken). `channel`: the NOTIFY
        channel that wakes it, by default the store's (sent after appends commit)."""
        self.store = store
        self.step = step
        self.channel = channel or store.channel
        self.label = label
        self.safety_poll_seconds = safety_poll_seconds
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listener: asyncpg.Connection | None = None

    async def start(self) -> None:
        self._listener = await self.store.pool.acquire()
        await self._listener.add_listener(self.channel, self._on_notify)
        self._task = asyncio.create_task(self._run(), name=self.label)

    async def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.remove_listener(self.channel, self._on_notify)
            await self.store.pool.release(self._listener)
            self._listener = None

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                moved = await self.step()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
                log.warning("%s: %s; retrying", self.label, err)
                moved = 0
                await asyncio.sleep(0.5)
            if moved:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.safety_poll_seconds)
