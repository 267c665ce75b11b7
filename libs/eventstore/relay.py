"""The relay: the events table is the outbox. Publishes every stored event to the service's public topic,
keyed by stream (per-aggregate order), then advances its checkpoint. At-least-once: a crash between
publishing and checkpointing republishes, and consumers drop duplicates by event id.

Woken by LISTEN/NOTIFY, so lag stays in milliseconds without a polling sleep on the hot path; a slow
safety poll covers a lost notification (e.g. a writer that died between commit and notify)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

from faststream.kafka import KafkaBroker

from eventstore.cloudevents import headers_for
from eventstore.leadership import AdvisoryLeadership
from eventstore.store import Checkpoint, EventStore, RawEvent
from eventstore.tailing import StoreTailer

log = logging.getLogger("eventstore.relay")


def public_broker(bootstrap: str, *, client_id: str = "yizheng") -> KafkaBroker:
    """The producer settings every publisher uses: durable (acks=all) and idempotent (no duplicates or
    reordering from the producer's own retries)."""
    return KafkaBroker(bootstrap, acks="all", enable_idempotence=True, client_id=client_id,
                       linger_ms=5, max_batch_size=1024 * 1024)


class Relay:
    def __init__(self, store: EventStore, topic: str, bootstrap: str, *, name: str = "relay",
                 batch_size: int = 2000, safety_poll_seconds: float = 1.0,
                 after_publish: Callable[[int], Awaitable[None]] | None = None) -> None:
        self.store = store
        self.topic = topic
        self.name = name
        self.batch_size = batch_size
        self.broker = public_broker(bootstrap, client_id=f"{store.source}-relay")
        self.publisher = self.broker.publisher(topic, title=topic,
                                               description=f"Public events of the {store.source} service")
        self.published = 0
        # Called with the batch count after a batch is acknowledged and before its checkpoint is saved:
        # the window a crash test aims at.
        self._after_publish = after_publish
        self._batches = 0
        self._leadership = AdvisoryLeadership(store.pool, f"{store.schema}:{name}")
        self._tailer = StoreTailer(store, self.publish_pending, label=f"relay:{topic}",
                                   safety_poll_seconds=safety_poll_seconds)

    async def start(self) -> None:
        await self.broker.start()
        await self._tailer.start()

    async def stop(self) -> None:
        await self._tailer.stop()
        await self._leadership.release()
        await self.broker.stop()

    async def publish_pending(self) -> int:
        """Publish everything readable after the checkpoint; returns how many events went out.
        Only the replica holding the store's relay lock publishes; the others stand by."""
        if not await self._leadership.holds():
            return 0
        total = 0
        checkpoint = await self.store.load_checkpoint(self.name)
        while True:
            batch = await self.store.read_raw(checkpoint, self.batch_size)
            if not batch:
                return total
            await self._publish(batch)
            self._batches += 1
            if self._after_publish is not None:
                await self._after_publish(self._batches)
            checkpoint = batch[-1].checkpoint
            await self.store.save_checkpoint(self.name, checkpoint)
            total += len(batch)
            self.published += len(batch)
            if len(batch) < self.batch_size:
                return total

    async def _publish(self, batch: list[RawEvent]) -> None:
        pending = [
            await self.publisher.publish(
                json.dumps(event.envelope, ensure_ascii=False).encode(), key=event.stream_id.encode(),
                headers=headers_for(event.envelope), no_confirm=True)
            for event in batch
        ]
        # Checkpoint only once the broker has acknowledged every event of the batch.
        await asyncio.gather(*pending)

    async def checkpoint(self) -> Checkpoint:
        return await self.store.load_checkpoint(self.name)
