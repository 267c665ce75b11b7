"""Process-wide settings, read from the environment each call (no import-time caching, so tests can
monkeypatch the environment). Every default points at the local infrastructure `yizheng infra up` runs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eventstore.kafka_access import KafkaAccess

from contracts.public import Publication

DEFAULT_PG_PORT = 55432
DEFAULT_KAFKA_PORT = 59092
LOOPBACK = "127.0.0.1"
LOCAL_DATABASE = "yizheng"
# Dev-only signing key for HS256 tokens; production sets YIZHENG_JWT_SECRET (or uses RS256/JWKS).
DEV_JWT_SECRET = "yizheng-dev-secret-not-for-production-0123456789"


def repo_root() -> Path:
    """YIZHENG_HOME, else the nearest parent of this module that holds pyproject.toml, else the cwd."""
    home = os.environ.get("YIZHENG_HOME")
    if home:
        return Path(home).resolve()
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").is_file():
            return parent
    return Path.cwd().resolve()


def state_dir() -> Path:
    """The one git-ignored directory holding every local server's data, logs and pid files."""
    return repo_root() / ".yizheng"


def _port(var: str, default: int) -> int:
    raw = os.environ.get(var, "").strip()
    if not raw:
        return default
    try:
        port = int(raw)
    except ValueError:
        raise ValueError(f"{var}={raw!r} is not a port number") from None
    if not 0 < port < 65535:
        raise ValueError(f"{var}={port} is out of range")
    return port


def pg_port() -> int:
    return _port("YIZHENG_PG_PORT", DEFAULT_PG_PORT)


def kafka_port() -> int:
    """The broker's PLAINTEXT port; the KRaft controller listens on the next one."""
    return _port("YIZHENG_KAFKA_PORT", DEFAULT_KAFKA_PORT)


def local_database_url() -> str:
    return f"postgresql://postgres@{LOOPBACK}:{pg_port()}/{LOCAL_DATABASE}"


def local_kafka_bootstrap() -> str:
    return f"{LOOPBACK}:{kafka_port()}"


def external_database_url() -> str | None:
    return os.environ.get("DATABASE_URL") or None


def external_kafka_bootstrap() -> str | None:
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or None


def database_url() -> str:
    return external_database_url() or local_database_url()


def kafka_bootstrap() -> str:
    return external_kafka_bootstrap() or local_kafka_bootstrap()


# How a process reaches Kafka and who it is there: eventstore.kafka_access (KAFKA_BOOTSTRAP_SERVERS,
# KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM, KAFKA_USERNAME, KAFKA_PASSWORD, KAFKA_SSL_CAFILE).

# The local broker (`yizheng infra up`): SCRAM users, their passwords in a 0600 file beside its data.
LOCAL_KAFKA_PROTOCOL = "SASL_PLAINTEXT"
LOCAL_KAFKA_MECHANISM = "SCRAM-SHA-512"
LOCAL_KAFKA_ADMIN = "admin"


def local_kafka_users_file() -> Path:
    return state_dir() / "kafka" / "users.json"


def local_kafka_password(username: str) -> str | None:
    """The password `yizheng infra up` generated for a user of the local broker, if it has."""
    import json

    try:
        users = json.loads(local_kafka_users_file().read_text())["users"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    password = users.get(username) if isinstance(users, dict) else None
    return password if isinstance(password, str) else None


def local_kafka_access(username: str | None = None, password: str | None = None) -> KafkaAccess:
    """The local broker as `username` (else KAFKA_USERNAME with KAFKA_PASSWORD, else the super user `admin`),
    with the password given, or the one the local users file holds."""
    from eventstore.kafka_access import KafkaAccess

    if username is None and os.environ.get("KAFKA_USERNAME"):
        username, password = os.environ["KAFKA_USERNAME"], password or os.environ.get("KAFKA_PASSWORD")
    username = username or LOCAL_KAFKA_ADMIN
    password = password or local_kafka_password(username)
    if not password:
        raise ValueError(f"no password for Kafka user {username!r}: set KAFKA_PASSWORD, or run `yizheng infra up` "
                         f"to create the local broker's users ({local_kafka_users_file()})")
    return KafkaAccess(local_kafka_bootstrap(), LOCAL_KAFKA_PROTOCOL, LOCAL_KAFKA_MECHANISM, username, password)


def kafka_access() -> KafkaAccess:
    """Where and as whom this process reaches Kafka: the KAFKA_* variables (`KafkaAccess.from_env`), or without
    KAFKA_BOOTSTRAP_SERVERS the local broker (as KAFKA_USERNAME, else `admin`)."""
    from eventstore.kafka_access import KafkaAccess

    if not external_kafka_bootstrap():
        return local_kafka_access()
    return KafkaAccess.from_env(os.environ)


def environment() -> str:
    """`development` (default: GraphiQL, introspection, readable errors, the dev signing key) or `production`."""
    value = os.environ.get("YIZHENG_ENV", "development").strip().lower() or "development"
    if value not in ("development", "production"):
        raise ValueError(f"YIZHENG_ENV={value!r}: use development or production")
    return value


def jwt_secret() -> str:
    secret = os.environ.get("YIZHENG_JWT_SECRET")
    if secret:
        return secret
    if environment() == "production":
        # Anyone can read the dev key in this repository; a production process must never accept it.
        raise RuntimeError("YIZHENG_JWT_SECRET is not set and YIZHENG_ENV=production: refusing the development key")
    return DEV_JWT_SECRET


# Dev-only Ed25519 seed (base64, 32 bytes) signing the event stores' audit anchors; production sets
# YIZHENG_AUDIT_SIGNING_KEY, and a verifier may hold only YIZHENG_AUDIT_PUBLIC_KEY.
DEV_AUDIT_SIGNING_KEY = "eWl6aGVuZy1kZXYtYXVkaXQta2V5LW5vdC00LXByb2Q="
DEFAULT_AUDIT_ANCHOR_SECONDS = 300.0


def audit_signing_key() -> str:
    key = os.environ.get("YIZHENG_AUDIT_SIGNING_KEY")
    if key:
        return key
    if environment() == "production":
        # The dev key is in this repository: anchors signed with it prove nothing.
        raise RuntimeError("YIZHENG_AUDIT_SIGNING_KEY is not set and YIZHENG_ENV=production: "
                           "refusing the development key")
    return DEV_AUDIT_SIGNING_KEY


def audit_public_key() -> str | None:
    """The key `yizheng verify` checks anchors with (base64); None: the signing key's own public half."""
    return os.environ.get("YIZHENG_AUDIT_PUBLIC_KEY") or None


def audit_dir() -> Path:
    """Where each store's signed anchors are appended (one JSON line each), outside the database."""
    raw = os.environ.get("YIZHENG_AUDIT_DIR")
    return Path(raw).resolve() if raw else state_dir() / "audit"


def audit_anchor_seconds() -> float | None:
    """How often a running service anchors its store's head; 0 turns it off."""
    raw = os.environ.get("YIZHENG_AUDIT_ANCHOR_SECONDS", "").strip()
    try:
        seconds = float(raw) if raw else DEFAULT_AUDIT_ANCHOR_SECONDS
    except ValueError:
        raise ValueError(f"YIZHENG_AUDIT_ANCHOR_SECONDS={raw!r} is not a number of seconds") from None
    if seconds < 0:
        raise ValueError(f"YIZHENG_AUDIT_ANCHOR_SECONDS={seconds} must not be negative")
    return seconds or None


def database_app_role() -> str | None:
    """The role services connect as, when it is not the tables' owner: install revokes its UPDATE, DELETE
    and TRUNCATE on the events tables."""
    return os.environ.get("YIZHENG_DB_APP_ROLE") or None


def max_in_flight() -> int:
    """Requests one process (a service's HTTP API, the gateway) works on at once; beyond it a request is
    answered 503 with Retry-After (YIZHENG_MAX_IN_FLIGHT)."""
    from eventstore.in_flight import DEFAULT_MAX_IN_FLIGHT

    raw = os.environ.get("YIZHENG_MAX_IN_FLIGHT", "").strip()
    try:
        limit = int(raw) if raw else DEFAULT_MAX_IN_FLIGHT
    except ValueError:
        raise ValueError(f"YIZHENG_MAX_IN_FLIGHT={raw!r} is not a number of requests") from None
    if limit < 1:
        raise ValueError(f"YIZHENG_MAX_IN_FLIGHT={limit} must be at least 1")
    return limit


def publication(committee_id: str) -> Publication:
    """What a committee publishes on its public topics beyond the default (contracts.public.Publication):
    YIZHENG_PUBLISH_MEMBER_PERFORMANCE lists the committees (comma-separated, or *) that publish their
    members' points, grades and flags."""
    raw = os.environ.get("YIZHENG_PUBLISH_MEMBER_PERFORMANCE", "")
    listed = {c.strip() for c in raw.split(",") if c.strip()}
    return Publication(member_performance="*" in listed or committee_id in listed)


def public_topic_replicas() -> int:
    """Replicas of each public topic the public relay creates (YIZHENG_PUBLIC_TOPIC_REPLICAS; 1 locally,
    the cluster's replication factor in production)."""
    raw = os.environ.get("YIZHENG_PUBLIC_TOPIC_REPLICAS", "").strip()
    try:
        replicas = int(raw) if raw else 1
    except ValueError:
        raise ValueError(f"YIZHENG_PUBLIC_TOPIC_REPLICAS={raw!r} is not a number") from None
    if replicas < 1:
        raise ValueError(f"YIZHENG_PUBLIC_TOPIC_REPLICAS={replicas} must be at least 1")
    return replicas


def _optional_int(var: str) -> int | None:
    raw = os.environ.get(var, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{var}={raw!r} is not a whole number") from None


def public_topic_min_insync_replicas() -> int | None:
    """min.insync.replicas of each public topic the public relay creates (YIZHENG_PUBLIC_TOPIC_MIN_INSYNC_REPLICAS);
    None: 2 with at least 3 replicas, else 1 (eventstore.public_relay.public_topic_config)."""
    return _optional_int("YIZHENG_PUBLIC_TOPIC_MIN_INSYNC_REPLICAS")


def public_topic_retention_ms() -> int:
    """retention.ms of each public topic the public relay creates (YIZHENG_PUBLIC_TOPIC_RETENTION_MS); -1, the
    default, keeps it forever, as the internal topics are: outside subscribers replay from it."""
    from eventstore.public_relay import FOREVER

    retention = _optional_int("YIZHENG_PUBLIC_TOPIC_RETENTION_MS")
    return FOREVER if retention is None else retention


def public_topic_config() -> dict[str, str]:
    """The topic config the public relay creates public topics with, from the settings above (checked: a
    min.insync.replicas above the replicas, or a retention that is neither -1 nor positive, is refused)."""
    from eventstore.public_relay import public_topic_config as config

    try:
        return config(public_topic_replicas(), min_insync_replicas=public_topic_min_insync_replicas(),
                      retention_ms=public_topic_retention_ms())
    except ValueError as err:
        raise ValueError(f"YIZHENG_PUBLIC_TOPIC_*: {err}") from None
