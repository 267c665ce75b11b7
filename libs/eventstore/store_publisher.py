"""What every publisher that tails a store shares: one producer, one leader per store and name (advisory
lock: the other replicas stand by), a tailer woken by the store's NOTIFY, and a checkpoint of its own.
The relay (`<svc>.internal`) and the public relay (`<svc>.public.<committee>`) differ only in what they send."""

from __future__ import annotations

from abc import ABC, abstractmethod

from eventstore.append_result import Checkpoint
from eventstore.kafka_access import KafkaAccess
from eventstore.kafka_clients import public_producer
from eventstore.leadership import AdvisoryLeadership
from eventstore.store import EventStore
from eventstore.tailing import StoreTailer


class StorePublisher(ABC):
    def __init__(self, store: EventStore, kafka: KafkaAccess, *, name: str, label: str,
                 safety_poll_seconds: float = 1.0) -> None:
        self.store = store
        self.name = name
        self.published = 0
        self.producer = public_producer(kafka, client_id=f"{store.source}-{name}")
        self._producing = False
        self._leadership = AdvisoryLeadership(store.pool, f"{store.schema}:{name}")
        self._tailer = StoreTailer(store, self.publish_pending, label=label, safety_poll_seconds=safety_poll_seconds)

    async def start(self) -> None:
        await self.connect()
        await self._tailer.start()

    async def stop(self) -> None:
        await self._tailer.stop()
        await self._leadership.release()
        if self._producing:
            await self.producer.stop()
            self._producing = False

    async def connect(self) -> None:
        """Connect the producer to the brokers (`start` does this too; a no-op once connected)."""
        if not self._producing:
            await self.producer.start()
            self._producing = True

    async def leading(self) -> bool:
        """Whether this replica publishes (holds the lock); connects the producer when it does."""
        if not await self._leadership.holds():
            return False
        await self.connect()
        return True

    @abstractmethod
    async def publish_pending(self) -> int:
        """Publish everything after the checkpoint; returns how many messages went out."""

    async def checkpoint(self) -> Checkpoint:
        return await self.store.load_checkpoint(self.name)
