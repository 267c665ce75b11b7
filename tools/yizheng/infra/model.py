"""What the infrastructure API hands back: where to connect, and how each component is doing."""

from __future__ import annotations

from dataclasses import dataclass

from eventstore.kafka_access import KafkaAccess


@dataclass(frozen=True)
class Endpoints:
    database_url: str
    # Where Kafka is and how to log in to it, as a super user (`admin` on the local broker): hand it to every
    # client (`eventstore.kafka_access`), never its bare `.bootstrap`.
    kafka_bootstrap: KafkaAccess


@dataclass(frozen=True)
class ComponentStatus:
    name: str  # "postgresql" | "kafka"
    address: str
    answers: bool
    detail: str  # e.g. "PostgreSQL 18.1; pid 123 (this checkout)" or the probe's error
