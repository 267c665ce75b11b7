"""Everything the gateway is built from, read from the environment (or given by tests)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from contracts import platform
from eventstore.kafka_access import KafkaAccess

DEVELOPMENT = "development"
PRODUCTION = "production"


@dataclass(frozen=True)
class GatewayConfig:
    dsn: str
    kafka_bootstrap: KafkaAccess  # where Kafka is and as whom the gateway logs in (eventstore.kafka_access)
    # Base URLs of the services' command APIs (eventstore.command_api), by service name.
    service_urls: dict[str, str] = field(default_factory=dict)
    # The PostgreSQL schema holding the gateway's views and its inbox.
    schema: str = "gateway"
    # Tests (and tenants of a shared cluster) prefix every topic and the consumer group.
    topic_prefix: str = ""
    environment: str = DEVELOPMENT
    # Read-your-writes: how long a mutation waits for the views to apply what the service wrote.
    read_your_writes_seconds: float = 5.0
    # Forwarding: seconds per request to a service, and attempts on transport errors / 409 / 5xx.
    command_timeout_seconds: float = 10.0
    command_attempts: int = 3
    consumer_group: str = "gateway"

    @property
    def development(self) -> bool:
        return self.environment != PRODUCTION

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    @property
    def topics(self) -> list[str]:
        """Every topic the platform's services publish (`contracts.platform`)."""
        return [self.topic(t) for t in platform.published_topics()]

    @classmethod
    def from_env(cls) -> GatewayConfig:
        from runtime import settings

        return cls(
            dsn=settings.database_url(),
            kafka_bootstrap=settings.kafka_access(),
            service_urls=service_urls(),
            schema=os.environ.get("YIZHENG_GATEWAY_SCHEMA", "gateway"),
            topic_prefix=os.environ.get("YIZHENG_TOPIC_PREFIX", ""),
            environment=environment(),
        )


def environment() -> str:
    """`YIZHENG_ENV`: `development` (the local default) or `production` — one reading for every process."""
    from runtime.settings import environment as configured

    return configured()


def service_urls() -> dict[str, str]:
    """Each service's command API: `YIZHENG_<NAME>_URL`, else its local port on loopback."""
    return {c.name: os.environ.get(f"YIZHENG_{c.name.upper()}_URL", f"http://127.0.0.1:{c.port}")
            for c in platform.contracts()}
