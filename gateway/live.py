"""Live updates: after the projector applies an event, it is published to in-process queues, one per
subscription, filtered by committee and by who the event concerns."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

log = logging.getLogger("gateway.live")


@dataclass(frozen=True)
class Audience:
    """Whose work queue an event may change: the office, some members, some units."""

    office: bool = False
    members: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LiveEvent:
    committee_id: str
    event_id: UUID
    type: str
    stream_id: str
    occurred_at: datetime
    data: dict[str, Any]
    audience: Audience = field(default_factory=Audience)


Filter = Callable[[LiveEvent], bool]


class LiveHub:
    """Fan-out of applied events to subscribers. Bounded queues: a subscriber that falls `maxsize` events
    behind loses the oldest ones (and is told so by a gap in the feed) rather than stalling the projector."""

    def __init__(self, maxsize: int = 1000) -> None:
        self.maxsize = maxsize
        self._subscribers: dict[int, tuple[Filter, asyncio.Queue[LiveEvent]]] = {}
        self._next = 0
        self.published = 0

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def publish(self, event: LiveEvent) -> None:
        self.published += 1
        for wanted, queue in list(self._subscribers.values()):
            try:
                if not wanted(event):
                    continue
            except Exception:  # a broken filter must not stop the projector
                log.exception("live filter failed")
                continue
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(event)

    @contextlib.asynccontextmanager
    async def subscribe(self, wanted: Filter) -> AsyncIterator[asyncio.Queue[LiveEvent]]:
        key = self._next
        self._next += 1
        queue: asyncio.Queue[LiveEvent] = asyncio.Queue(self.maxsize)
        self._subscribers[key] = (wanted, queue)
        try:
            yield queue
        finally:
            self._subscribers.pop(key, None)


class Pulse:
    """Wakes everyone waiting for 'something was applied' (read-your-writes waits on it between checks)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)
