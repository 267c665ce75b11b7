"""The settings follow the environment (ports, URLs, the signing key), and production refuses the development
signing key: read from the environment only (the servers themselves: tests/integration/test_infra.py)."""

from __future__ import annotations

import pytest

from runtime import settings


def test_settings_follow_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "YIZHENG_PG_PORT", "YIZHENG_KAFKA_PORT", "YIZHENG_HOME"):
        monkeypatch.delenv(var, raising=False)
    assert settings.database_url() == "postgresql://postgres@127.0.0.1:55432/yizheng"
    assert settings.kafka_bootstrap() == "127.0.0.1:59092"
    assert (settings.repo_root() / "pyproject.toml").is_file()
    assert settings.state_dir() == settings.repo_root() / ".yizheng"
    monkeypatch.setenv("YIZHENG_PG_PORT", "6000")
    monkeypatch.setenv("YIZHENG_KAFKA_PORT", "7000")
    assert settings.database_url() == "postgresql://postgres@127.0.0.1:6000/yizheng"
    assert settings.kafka_bootstrap() == "127.0.0.1:7000"
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db:5432/x")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092")
    assert settings.database_url() == "postgresql://u@db:5432/x"
    assert settings.kafka_bootstrap() == "k1:9092,k2:9092"
    monkeypatch.setenv("YIZHENG_JWT_SECRET", "s3cret")
    assert settings.jwt_secret() == "s3cret"
    monkeypatch.setenv("YIZHENG_PG_PORT", "not-a-port")
    with pytest.raises(ValueError, match="YIZHENG_PG_PORT"):
        settings.pg_port()


def test_production_refuses_the_development_signing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from runtime import settings

    monkeypatch.delenv("YIZHENG_JWT_SECRET", raising=False)
    monkeypatch.setenv("YIZHENG_ENV", "production")
    with pytest.raises(RuntimeError, match="YIZHENG_JWT_SECRET is not set"):
        settings.jwt_secret()
    monkeypatch.setenv("YIZHENG_JWT_SECRET", "s3cret-from-the-cluster")
    assert settings.jwt_secret() == "s3cret-from-the-cluster"
    monkeypatch.setenv("YIZHENG_ENV", "staging")
    with pytest.raises(ValueError, match="YIZHENG_ENV='staging'"):
        settings.environment()
