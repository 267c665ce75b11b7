"""The relay: the events table is the outbox. Publishes every stored event to the service's internal topic,
keyed by stream (per-aggregate order), then advances its checkpoint. At-least-once: a crash between
publishing and checkpointing republishes, and consumers drop duplicates by event id.

Woken by LISTEN/NOTIFY, so lag stays in milliseconds without a polling sleep on the hot path; a slow
safety poll covers a lost notification (e.g. a writer that died between commit and notify)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from eventstore.cloudevents import kafka_headers
from eventstore.kafka_access import KafkaAccess
from eventstore.kafka_clients import public_broker
from eventstore.store import Checkpoint, EventStore
from eventstore.store_publisher import StorePublisher

log = logging.getLogger("eventstore.relay")

# A batch handed to the committer: its send futures, the checkpoint after it, its size.
_Sent = tuple[list["asyncio.Future[Any]"], Checkpoint, int]


class Relay(StorePublisher):
    def __init__(self, store: EventStore, topic: str, bootstrap: KafkaAccess, *, name: str = "relay",
                 batch_size: int = 2000, safety_poll_seconds: float = 1.0,
                 after_publish: Callable[[int], Awaitable[None]] | None = None, depth: int = 2) -> None:
        super().__init__(store, bootstrap, name=name, label=f"relay:{topic}",
                         safety_poll_seconds=safety_poll_seconds)
        self.topic = topic
        self.batch_size = batch_size
        # The FastStream broker declares the topic (AsyncAPI) and is never started; the bare producer, with
        # the same settings, sends.
        self.broker = public_broker(bootstrap, client_id=f"{store.source}-relay")
        self.publisher = self.broker.publisher(topic, title=topic,
                                               description=f"Every event of the {store.source} service")
        self.depth = depth
        # Called with the batch count after a batch is acknowledged and before its checkpoint is saved:
        # the window a crash test aims at.
        self._after_publish = after_publish
        self._batches = 0

    async def publish_pending(self) -> int:
        """Publish everything readable after the checkpoint; returns how many events went out.
        Only the replica holding the store's relay lock publishes; the others stand by."""
        if not await self.leading():
            return 0
        total = 0
        checkpoint = await self.store.load_checkpoint(self.name)
        # Reading and sending run ahead of acknowledgements: a committer awaits each batch's acks, then
        # saves its checkpoint, in order, while the next batch is read and sent. At most `depth` batches
        # are unacknowledged (depth=1: strictly one after the other); the idempotent producer keeps them
        # in order per partition; a failed send stops the committer before that batch's checkpoint.
        slots = asyncio.Semaphore(self.depth)
        batches: asyncio.Queue[_Sent | None] = asyncio.Queue()
        committer = asyncio.create_task(self._commit(batches, slots))
        try:
            while True:
                await slots.acquire()
                if committer.done():
                    break
                batch = await self.store.read_for_publishing(checkpoint, self.batch_size)
                if not batch:
                    break
                futures = [await self.producer.send(self.topic, value=r["body"], key=r["key"],
                                                    headers=kafka_headers(r))
                           for r in batch]
                checkpoint = Checkpoint(batch[-1]["tx_id"], batch[-1]["position"])
                batches.put_nowait((futures, checkpoint, len(batch)))
                total += len(batch)
                if len(batch) < self.batch_size:
                    break
        finally:
            batches.put_nowait(None)
            await committer  # re-raises a failed send or checkpoint
        return total

    async def _commit(self, batches: asyncio.Queue[_Sent | None], slots: asyncio.Semaphore) -> None:
        try:
            while (sent := await batches.get()) is not None:
                futures, checkpoint, count = sent
                # Checkpoint only once the broker has acknowledged every event of the batch.
                await asyncio.gather(*futures)
                self._batches += 1
                if self._after_publish is not None:
                    await self._after_publish(self._batches)
                await self.store.save_checkpoint(self.name, checkpoint)
                self.published += count
                slots.release()
        finally:
            for _ in range(self.depth):  # never leave the reading loop waiting for a slot
                slots.release()
