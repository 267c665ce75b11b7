"""The soak's own PostgreSQL and Kafka: a scratch home (YIZHENG_HOME) on free ports, started and restarted
through `yizheng.infra` like the developer's own, so the chaos never touches the shared servers."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from runtime import settings
from yizheng.infra import Endpoints, Layout, ensure_up, kafka, postgres
from yizheng.infra.ports import can_bind, free_port

Say = Callable[[str], None]

# What the scratch home must not inherit: it would point the soak at the shared servers.
SHARED = ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "KAFKA_USERNAME", "KAFKA_PASSWORD", "KAFKA_SECURITY_PROTOCOL",
          "KAFKA_SASL_MECHANISM", "KAFKA_SSL_CAFILE", "YIZHENG_AUDIT_DIR")


def _kafka_ports() -> int:
    """A free port whose next one is free too (the KRaft controller's)."""
    for _ in range(50):
        port = free_port()
        if port < 65000 and can_bind(settings.LOOPBACK, port + 1):
            return port
    raise RuntimeError("no two adjacent free ports for Kafka")


@dataclass
class PrivateInfra:
    home: Path
    say: Say
    endpoints: Endpoints | None = None

    @classmethod
    def create(cls, say: Say) -> PrivateInfra:
        """A scratch home beside nothing shared: its own .yizheng/ (data, users, audit anchors), the checkout's
        Kafka pom and already-resolved jars linked in. Sets this process's environment to it (children inherit)."""
        repo = settings.repo_root()
        home = Path(tempfile.mkdtemp(prefix="yizheng-soak-"))
        (home / "infra").symlink_to(repo / "infra")
        (home / ".yizheng" / "kafka").mkdir(parents=True)
        jars = repo / ".yizheng" / "kafka" / "jars"
        if jars.is_dir():
            (home / ".yizheng" / "kafka" / "jars").symlink_to(jars)
        for name in SHARED:
            os.environ.pop(name, None)
        os.environ["YIZHENG_HOME"] = str(home)
        os.environ["YIZHENG_PG_PORT"] = str(free_port())
        os.environ["YIZHENG_KAFKA_PORT"] = str(_kafka_ports())
        return cls(home, say)

    @property
    def layout(self) -> Layout:
        return Layout.current()

    def up(self) -> Endpoints:
        self.endpoints = ensure_up(say=self.say)
        return self.endpoints

    def restart_postgres(self) -> None:
        postgres.stop(self.layout, self.say)
        postgres.ensure(self.layout, self.say)

    def restart_kafka(self) -> None:
        kafka.stop(self.layout, self.say)
        kafka.ensure(self.layout, self.say)

    def down(self, *, keep: bool = False) -> None:
        with contextlib.suppress(Exception):
            kafka.stop(self.layout, self.say)
        with contextlib.suppress(Exception):
            postgres.stop(self.layout, self.say)
        if not keep:
            shutil.rmtree(self.home, ignore_errors=True)
