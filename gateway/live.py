"""Live updates: after the projector applies an event, it is published to in-process queues, one per
subscription, filtered by committee and by who the event concerns.

Replicas: each gateway replica's projector applies only the partitions Kafka assigned to it, so the
projector does not hand events to its own hub directly. It announces each applied event with
`pg_notify(<schema>_live, …)` after its transaction commits, and every replica LISTENs (`LiveListener`) and
feeds its hub — so a subscriber hears every event whichever replica applied it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from gateway.applied_waiters import AppliedWaiters

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


# NOTIFY payloads must stay under 8000 bytes; an event whose payload is larger is announced without `data`.
MAX_PAYLOAD = 7500


def channel_for(schema: str) -> str:
    return f"{schema}_live"


def encode(event: LiveEvent) -> str:
    body: dict[str, Any] = {
        "c": event.committee_id, "id": str(event.event_id), "t": event.type, "s": event.stream_id,
        "at": event.occurred_at.isoformat(), "d": event.data,
        "a": {"o": event.audience.office, "m": sorted(event.audience.members), "u": sorted(event.audience.units)},
    }
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    if len(text.encode()) > MAX_PAYLOAD:
        body["d"] = {"truncated": True}
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return text


def decode(text: str) -> LiveEvent:
    b = json.loads(text)
    a = b.get("a") or {}
    return LiveEvent(b["c"], UUID(b["id"]), b["t"], b["s"], datetime.fromisoformat(b["at"]), b.get("d") or {},
                     Audience(bool(a.get("o")), frozenset(a.get("m") or ()), frozenset(a.get("u") or ())))


class LiveListener:
    """LISTENs on the views' channel with a connection of its own and feeds the hub (and wakes
    read-your-writes waiters) for every event any replica applied. Reconnects if the connection drops."""

    def __init__(self, dsn: str, schema: str, hub: LiveHub, waiters: AppliedWaiters) -> None:
        self.dsn = dsn
        self.channel = channel_for(schema)
        self.hub = hub
        self.waiters = waiters
        self.received = 0
        self._conn: asyncpg.Connection | None = None
        self._stopping = False
        self._reconnect: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._stopping = False
        await self._connect()

    async def _connect(self) -> None:
        conn = await asyncpg.connect(self.dsn)
        await conn.add_listener(self.channel, self._on_notify)
        conn.add_termination_listener(self._on_lost)
        self._conn = conn

    def _on_notify(self, conn: object, pid: int, channel: str, payload: str) -> None:
        try:
            event = decode(payload)
        except (ValueError, KeyError) as err:
            log.warning("unreadable live notification: %s", err)
            return
        self.received += 1
        self.waiters.announced((event.event_id,))
        self.hub.publish(event)

    def _on_lost(self, conn: object) -> None:
        if not self._stopping:
            log.warning("live listener lost its connection; reconnecting")
            self._reconnect = asyncio.get_running_loop().create_task(self._reconnect_loop())

    async def _reconnect_loop(self) -> None:
        delay = 0.1
        while not self._stopping:
            try:
                await self._connect()
                return
            except (OSError, asyncpg.PostgresError) as err:
                log.warning("live listener reconnect failed: %s", err)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def stop(self) -> None:
        self._stopping = True
        if self._reconnect is not None:
            self._reconnect.cancel()
            await asyncio.gather(self._reconnect, return_exceptions=True)
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close(timeout=2)
            self._conn = None
