"""The Kafka clients every publisher and consumer of the platform builds: one set of producer settings, on a
FastStream broker (subscriptions, dead letters, AsyncAPI) or a bare aiokafka producer (the relays' hot path)."""

from __future__ import annotations

import logging
from typing import Any

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker

from eventstore.kafka_access import KafkaAccess

# The producer settings every publisher uses: durable (acks=all) and idempotent (no duplicates or
# reordering from the producer's own retries).
PRODUCER_SETTINGS: dict[str, Any] = {"acks": "all", "enable_idempotence": True, "linger_ms": 5,
                                     "max_batch_size": 1024 * 1024}


def public_broker(kafka: KafkaAccess, *, client_id: str = "yizheng") -> KafkaBroker:
    # FastStream logs every message it handles ("Received", "Processed"); at DEBUG, not INFO: thousands of
    # lines a second otherwise, and a tenth of a consumer's CPU.
    return KafkaBroker(**kafka.broker_kwargs(), client_id=client_id, log_level=logging.DEBUG, **PRODUCER_SETTINGS)


def public_producer(kafka: KafkaAccess, *, client_id: str = "yizheng") -> AIOKafkaProducer:
    """The same settings on a bare aiokafka producer, for the relay's hot path (FastStream's publish
    wraps every message in a command object, a middleware stack and a correlation id)."""
    return AIOKafkaProducer(**kafka.client_kwargs(), client_id=client_id, **PRODUCER_SETTINGS)
