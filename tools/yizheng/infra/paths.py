"""Where each piece of local infrastructure keeps its files: all under `.yizheng/` at the repo root."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from runtime import settings


@dataclass(frozen=True)
class Layout:
    root: Path  # repository root (holds infra/kafka/pom.xml)
    state: Path  # .yizheng/

    @classmethod
    def current(cls) -> Layout:
        return cls(root=settings.repo_root(), state=settings.state_dir())

    @property
    def lock_file(self) -> Path:
        return self.state / "infra.lock"

    # PostgreSQL: .yizheng/pg/ is owned by the server's system user (it writes the log there).
    @property
    def pg_dir(self) -> Path:
        return self.state / "pg"

    @property
    def pg_data(self) -> Path:
        return self.pg_dir / "data"

    @property
    def pg_log(self) -> Path:
        return self.pg_dir / "log"

    # Kafka
    @property
    def kafka_dir(self) -> Path:
        return self.state / "kafka"

    @property
    def kafka_pom(self) -> Path:
        return self.root / "infra" / "kafka" / "pom.xml"

    @property
    def kafka_log4j(self) -> Path:
        return self.root / "infra" / "kafka" / "log4j2.properties"

    @property
    def kafka_jars(self) -> Path:
        return self.kafka_dir / "jars"

    @property
    def kafka_jars_marker(self) -> Path:
        """Written after a complete Maven copy; holds the pom's hash so a pom change re-resolves."""
        return self.kafka_jars / ".complete"

    @property
    def kafka_data(self) -> Path:
        return self.kafka_dir / "data"

    @property
    def kafka_logs(self) -> Path:
        return self.kafka_dir / "logs"

    @property
    def kafka_properties(self) -> Path:
        return self.kafka_dir / "server.properties"

    @property
    def kafka_users(self) -> Path:
        """The local broker's SCRAM users and their passwords (0600; `yizheng.infra.kafka_users.UsersFile`)."""
        return self.kafka_dir / "users.json"

    @property
    def kafka_pid(self) -> Path:
        return self.kafka_dir / "kafka.pid"
