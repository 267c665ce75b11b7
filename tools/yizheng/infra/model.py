"""What the infrastructure API hands back: where to connect, and how each component is doing."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoints:
    database_url: str
    kafka_bootstrap: str


@dataclass(frozen=True)
class ComponentStatus:
    name: str  # "postgresql" | "kafka"
    address: str
    answers: bool
    detail: str  # e.g. "PostgreSQL 18.1; pid 123 (this checkout)" or the probe's error
