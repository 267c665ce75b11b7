"""Reads a Kafka topic from the beginning, for tests that check what really reached the broker."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord

from eventstore.kafka_access import KafkaAccess


class TopicReader:
    """Collects every record of some topics (no consumer group, from offset 0) as they arrive."""

    def __init__(self, bootstrap: KafkaAccess, *topics: str) -> None:
        self.bootstrap = bootstrap
        self.topics = topics
        self.records: list[ConsumerRecord[bytes, bytes]] = []
        self._consumer = AIOKafkaConsumer(*topics, **bootstrap.client_kwargs(), auto_offset_reset="earliest",
                                          enable_auto_commit=False, metadata_max_age_ms=500)

    async def __aenter__(self) -> TopicReader:
        await self._consumer.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._consumer.stop()

    async def until(self, done: Callable[[list[ConsumerRecord[bytes, bytes]]], bool], timeout: float = 20.0,
                    message: str = "") -> list[ConsumerRecord[bytes, bytes]]:
        deadline = time.monotonic() + timeout
        while not done(self.records):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(message or f"topics {self.topics} held {len(self.records)} records at timeout")
            batches = await self._consumer.getmany(timeout_ms=int(min(left, 0.5) * 1000))
            for records in batches.values():
                self.records.extend(records)
            await asyncio.sleep(0)
        return self.records

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.value or b"null") for r in self.records]

    def headers(self, record: ConsumerRecord[bytes, bytes]) -> dict[str, str]:
        return {k: v.decode() for k, v in (record.headers or [])}
