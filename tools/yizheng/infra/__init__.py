"""Local infrastructure for development, tests and benchmarks: a real PostgreSQL and a real Kafka on
loopback ports, data under `.yizheng/`, or whatever DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS point at.

    from yizheng.infra import ensure_up, down, status
    endpoints = ensure_up()          # idempotent; starts what is missing, waits until it answers
    endpoints.database_url, endpoints.kafka_bootstrap   # a KafkaAccess: the brokers and admin's credentials
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from yizheng.infra import kafka, postgres
from yizheng.infra.errors import InfraError
from yizheng.infra.lock import infra_lock
from yizheng.infra.model import ComponentStatus, Endpoints
from yizheng.infra.paths import Layout

__all__ = ["ComponentStatus", "Endpoints", "InfraError", "Layout", "down", "ensure_up", "status"]

Say = Callable[[str], None]


def _silent(_: str) -> None:
    pass


def ensure_up(say: Say | None = None) -> Endpoints:
    """Make sure PostgreSQL and Kafka answer; start the local ones if needed. Safe to call concurrently
    from several processes (a file lock serialises them). Raises InfraError saying what is missing."""
    say = say or _silent
    layout = Layout.current()
    with infra_lock(layout.lock_file, say=say), ThreadPoolExecutor(max_workers=2) as pool:
        # the two servers are independent: start them side by side (Kafka's JVM dominates)
        pg = pool.submit(postgres.ensure, layout, say)
        kf = pool.submit(kafka.ensure, layout, say)
        failures = [exc for f in (pg, kf) if (exc := f.exception()) is not None]
        for exc in failures:
            if not isinstance(exc, InfraError):
                raise exc  # a bug, not a missing prerequisite: keep its traceback
        if failures:
            raise InfraError("\n".join(map(str, failures)))
        return Endpoints(database_url=pg.result(), kafka_bootstrap=kf.result())


def down(say: Say | None = None) -> None:
    """Stop the servers this checkout started (external or foreign ones are left alone)."""
    say = say or _silent
    layout = Layout.current()
    with infra_lock(layout.lock_file, say=say):
        kafka.stop(layout, say)
        postgres.stop(layout, say)


def status() -> list[ComponentStatus]:
    layout = Layout.current()
    return [postgres.status(layout), kafka.status(layout)]
