"""The local infrastructure is real: a durable PostgreSQL, a Kafka that round-trips with acks=all, a CLI
that reports them, and fixtures that isolate tests. Each test here fails if its piece breaks."""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import smtplib
import socket
import stat
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from contracts import platform
from eventstore.kafka_access import KafkaAccess
from runtime import settings
from yizheng.infra import Endpoints, InfraError, Layout, down, ensure_up, kafka, postgres, status
from yizheng.infra.ports import is_listening, port_owner, process_alive
from yizheng.testing import wait_until
from yizheng.testing.smtp import SmtpSink
from yizheng.testing.wait import WaitUntil

local_only = pytest.mark.skipif(
    bool(settings.external_database_url() or settings.external_kafka_bootstrap()),
    reason="checks the servers `yizheng infra up` starts itself",
)


async def test_postgres_is_a_real_durable_server(pg_pool: asyncpg.Pool) -> None:
    version_num = int(await pg_pool.fetchval("select current_setting('server_version_num')"))
    assert version_num >= 150000, version_num
    assert await pg_pool.fetchval("select current_setting('fsync')") == "on"
    assert await pg_pool.fetchval("select current_setting('synchronous_commit')") == "on"
    if not settings.external_database_url():
        assert await pg_pool.fetchval("select current_database()") == "yizheng"


@local_only
async def test_local_postgres_has_the_configured_limits(pg_pool: asyncpg.Pool) -> None:
    assert await pg_pool.fetchval("select current_setting('max_connections')::int") == 300
    assert await pg_pool.fetchval("select current_setting('shared_buffers')") == "256MB"
    assert await pg_pool.fetchval("select inet_server_addr()::text") == "127.0.0.1/32"


async def test_fresh_schema_is_created_and_isolated(pg_pool: asyncpg.Pool, fresh_schema: str) -> None:
    assert fresh_schema.startswith("t_")
    await pg_pool.execute(f'create table "{fresh_schema}".probe (id int primary key)')
    await pg_pool.execute(f'insert into "{fresh_schema}".probe values (1)')
    assert await pg_pool.fetchval(f'select count(*) from "{fresh_schema}".probe') == 1
    exists = await pg_pool.fetchval("select 1 from pg_namespace where nspname = $1", fresh_schema)
    assert exists == 1


async def test_kafka_round_trip_with_idempotent_producer(kafka_bootstrap: KafkaAccess, topic_prefix: str) -> None:
    topic = f"{topic_prefix}roundtrip"
    producer = AIOKafkaProducer(**kafka_bootstrap.client_kwargs(), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        sent = [await producer.send_and_wait(topic, key=b"stream-1", value=f"event-{i}".encode()) for i in range(3)]
    finally:
        await producer.stop()
    assert len({m.partition for m in sent}) == 1  # same key, same partition: per-stream order holds
    consumer = AIOKafkaConsumer(
        topic,
        **kafka_bootstrap.client_kwargs(),
        group_id=f"{topic_prefix}reader",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        got: list[bytes] = []
        async with asyncio.timeout(30):
            while len(got) < 3:
                message = await consumer.getone()
                assert message.value is not None
                got.append(message.value)
    finally:
        await consumer.stop()
    assert got == [b"event-0", b"event-1", b"event-2"]


def test_cli_status_exits_zero_while_up(infra: Endpoints) -> None:
    cli = Path(sys.executable).parent / "yizheng"
    done = subprocess.run([str(cli), "infra", "status"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "postgresql" in done.stdout and "kafka" in done.stdout
    assert infra.kafka_bootstrap.bootstrap in done.stdout


def test_status_api_reports_both_answering(infra: Endpoints) -> None:
    components = {c.name: c for c in status()}
    assert set(components) == {"postgresql", "kafka"}
    assert all(c.answers for c in components.values()), components
    assert components["postgresql"].address == infra.database_url


def test_second_ensure_up_reuses_everything(infra: Endpoints) -> None:
    marker = Layout.current().kafka_jars_marker
    before = marker.stat().st_mtime_ns if marker.exists() else None
    started = time.monotonic()
    again = ensure_up()
    elapsed = time.monotonic() - started
    assert again == infra
    after = marker.stat().st_mtime_ns if marker.exists() else None
    assert after == before, "the Kafka jars were resolved again"
    assert elapsed < 30, f"a second ensure_up took {elapsed:.1f}s"


@local_only
def test_up_reuses_a_compatible_server_started_elsewhere(
    infra: Endpoints, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A second checkout (own empty .yizheng/) finds the ports answering: it uses them, taking the users file of
    # the broker on the port (beside the server.properties its command line names), so that its processes log
    # in as the platform's users there.
    monkeypatch.setenv("YIZHENG_HOME", str(tmp_path))
    for name in ("KAFKA_USERNAME", "KAFKA_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    messages: list[str] = []
    assert ensure_up(say=messages.append) == infra
    assert any("PostgreSQL: port" in m and "using it" in m for m in messages), messages
    assert any("Kafka: port" in m and "using it" in m for m in messages), messages
    assert any("using the users of the broker already on the port" in m for m in messages), messages
    adopted = tmp_path / ".yizheng" / "kafka" / "users.json"
    assert adopted.stat().st_mode & 0o777 == 0o600
    assert not (tmp_path / ".yizheng" / "pg").exists()


def test_up_without_credentials_for_the_broker_on_the_port_says_what_is_missing(
    infra: Endpoints, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A Kafka on the port whose users file this checkout cannot find (not ours, not a checkout's): KAFKA_USERNAME
    # and KAFKA_PASSWORD name a user, and without them `up` says what is missing.
    monkeypatch.setenv("YIZHENG_HOME", str(tmp_path))
    for name in ("KAFKA_USERNAME", "KAFKA_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("yizheng.infra.kafka._adopt_users_of_the_broker_on_the_port", lambda *_: None)
    with pytest.raises(InfraError, match=r"a Kafka this checkout has no credentials for.*KAFKA_PASSWORD"):
        ensure_up()
    assert infra.kafka_bootstrap.username and infra.kafka_bootstrap.password
    monkeypatch.setenv("KAFKA_USERNAME", infra.kafka_bootstrap.username)
    monkeypatch.setenv("KAFKA_PASSWORD", infra.kafka_bootstrap.password)
    assert ensure_up() == infra


def test_up_names_the_process_holding_the_port(
    infra: Endpoints, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        monkeypatch.setenv("YIZHENG_HOME", str(tmp_path))
        monkeypatch.delenv("DATABASE_URL", raising=False)
        monkeypatch.setenv("YIZHENG_PG_PORT", str(port))
        for name, value in infra.kafka_bootstrap.env().items():
            monkeypatch.setenv(name, value)
        assert f"pid {os.getpid()}" in (port_owner(port) or "")
        with pytest.raises(InfraError, match=rf"port {port} is taken by pid \d+.*not answer as PostgreSQL"):
            ensure_up()


def _free_port_pair() -> int:
    """A port p with p and p+1 free (Kafka broker + controller)."""
    for _ in range(200):
        port = random.randrange(20000, 30000)
        if not is_listening("127.0.0.1", port) and not is_listening("127.0.0.1", port + 1):
            return port
    raise AssertionError("no free port pair")


@local_only
def test_up_down_lifecycle_in_an_isolated_checkout(
    infra: Endpoints, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A checkout of its own on ports of its own: up starts both servers detached, status sees them,
    # down stops exactly those processes. (Jars copied from ours: this is about processes, not Maven.)
    main = Layout.current()
    (tmp_path / "infra" / "kafka").mkdir(parents=True)
    for name in ("pom.xml", "log4j2.properties"):
        shutil.copy(main.kafka_pom.parent / name, tmp_path / "infra" / "kafka" / name)
    if kafka.jars_ready(main):
        shutil.copytree(main.kafka_jars, tmp_path / ".yizheng" / "kafka" / "jars")
    pg_port, kafka_port = _free_port_pair(), _free_port_pair()
    monkeypatch.setenv("YIZHENG_HOME", str(tmp_path))
    monkeypatch.setenv("YIZHENG_PG_PORT", str(pg_port))
    monkeypatch.setenv("YIZHENG_KAFKA_PORT", str(kafka_port))
    layout = Layout.current()
    assert layout.state == tmp_path / ".yizheng"
    # Kafka data an older checkout formatted before the broker had users: re-formatted, not fatal.
    layout.kafka_data.mkdir(parents=True)
    (layout.kafka_data / "meta.properties").write_text("version=1\ncluster.id=an-unsecured-cluster\nnode.id=1\n")

    messages: list[str] = []
    endpoints = ensure_up(say=messages.append)
    try:
        assert any("predates its SCRAM users; re-formatting" in m for m in messages), messages
        users = json.loads(layout.kafka_users.read_text())["users"]
        assert endpoints == Endpoints(f"postgresql://postgres@127.0.0.1:{pg_port}/yizheng", KafkaAccess(
            f"127.0.0.1:{kafka_port}", "SASL_PLAINTEXT", "SCRAM-SHA-512", "admin", users["admin"]))
        assert stat.S_IMODE(layout.kafka_users.stat().st_mode) == 0o600
        assert stat.S_IMODE(layout.kafka_properties.stat().st_mode) == 0o600
        assert set(users) >= {"admin", *platform.SERVICES, "gateway"}
        assert all(c.answers for c in status()), status()
        pids = [postgres.running_pid(layout), kafka.running_pid(layout)]
        assert None not in pids
        assert layout.pg_log.is_file() and (layout.kafka_logs / "server.log").is_file()
    finally:
        down()
    assert not any(c.answers for c in status())
    assert not any(process_alive(pid) for pid in pids if pid is not None)
    assert not is_listening("127.0.0.1", pg_port) and not is_listening("127.0.0.1", kafka_port)


def test_unreachable_database_url_is_reported_plainly(infra: Endpoints, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, never listening: connections are refused
        monkeypatch.setenv("DATABASE_URL", f"postgresql://postgres@127.0.0.1:{port}/nowhere")
        with pytest.raises(InfraError, match=r"DATABASE_URL=.* does not answer"):
            ensure_up()


async def test_wait_until_returns_the_value_and_times_out_with_the_message(wait_until: WaitUntil) -> None:
    calls: list[int] = []

    async def third_time_lucky() -> int | None:
        calls.append(1)
        return len(calls) if len(calls) >= 3 else None

    assert await wait_until(third_time_lucky, message="three calls") == 3
    with pytest.raises(AssertionError, match=r"timed out after 0\.1s waiting for never true"):
        await wait_until(lambda: False, timeout=0.1, message="never true")


async def test_smtp_server_collects_messages(smtp_server: SmtpSink) -> None:
    mail = EmailMessage()
    mail["From"] = "office@cppcc.example"
    mail["To"] = "member@cppcc.example"
    mail["Subject"] = "提案已立案"
    mail.set_content("您的提案已立案。")

    def send() -> None:
        with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as client:
            client.send_message(mail)

    await asyncio.to_thread(send)
    await wait_until(lambda: smtp_server.messages, timeout=5, message="the mail to arrive")
    (received,) = smtp_server.messages
    assert received["Subject"] == "提案已立案"
    assert smtp_server.received[0].rcpt_tos == ["member@cppcc.example"]
