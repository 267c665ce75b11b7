"""Every person mailed exactly once, under faults, counted at a real SMTP server: the server drops the
connection after taking the message (the delivery ends `unknown`, never re-sent, and the office is told);
the same fact arrives three times and the intake's consumer group is rewound to the start; notify, run as a
real process (`yizheng serve notify`), is SIGKILLed while the server stalls inside DATA and restarted."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from contracts import topics
from contracts.envelope import EventEnvelope
from eventstore.kafka_access import KafkaAccess
from notify.channels.email import EmailChannel
from notify.channels.settings import EmailSettings
from notify.parts import CHANNELS, CONTACTS, NotifyParts
from notify.service import DEFINITION
from notify.writer import derived_id
from runtime.service_host import HostConfig, ServiceHost, build_service
from yizheng.infra import Endpoints
from yizheng.infra.ports import free_port
from yizheng.testing.command_client import FakeClock, member
from yizheng.testing.platform import create_topics
from yizheng.testing.smtp import SmtpSink
from yizheng.testing.wait import wait_until

from ..address_route import address_route
from ..facts import returned, stream, submitted
from ..kit import ContactBook, FakeChannel, Topics, envelope, inbox

COSIGNERS = ("m-li", "m-zhao", "m-sun", "m-qian", "m-zhou", "m-wu")
CONSUMED = (topics.PROPOSALS, topics.MEMBERS, topics.SURVEYS)


def address(member_id: str) -> str:
    return f"{member_id.removeprefix('m-')}@county.example.cn"


@dataclass
class StallingSmtp(SmtpSink):
    """The test SMTP server, which can also hold a message for some mailboxes inside DATA — neither taking
    nor refusing it — until released: a sender talking to it is provably mid-send."""

    stall_for: set[str] = field(default_factory=set)
    stalled: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd handler hook
        if self.stall_for & {a.lower() for a in envelope.rcpt_tos}:
            self.stalled.set()
            await asyncio.to_thread(self.release.wait)  # the server hanging (released when the test ends)
            return "451 4.3.0 gave up"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp() -> Iterator[StallingSmtp]:
    sink = StallingSmtp()
    sink.start()
    try:
        yield sink
    finally:
        sink.release.set()
        sink.stop()


# ---- in process: the real intake consumer, the real email channel, the test's clock ---------------------


@dataclass
class Mailing:
    host: ServiceHost[NotifyParts]
    topics: Topics
    clock: FakeClock
    smtp: StallingSmtp
    config: HostConfig

    async def notifications(self) -> int:
        return int(await self.host.pool.fetchval(f'SELECT count(*) FROM "{self.host.schema}".notifications'))

    async def statuses(self) -> dict[str, str]:
        rows = await self.host.pool.fetch(f'SELECT n.recipient_id, d.status FROM "{self.host.schema}".deliveries d '
                                          "JOIN \"{0}\".notifications n USING (notification_id) "
                                          "WHERE d.channel = 'email'".format(self.host.schema))
        return {r["recipient_id"]: r["status"] for r in rows}


def data(row: asyncpg.Record) -> dict[str, Any]:
    value = row["data"]
    return dict(value) if isinstance(value, dict) else dict(json.loads(value))


def mailed(smtp: SmtpSink) -> dict[str, int]:
    return {m: len(smtp.messages_to(address(m))) for m in COSIGNERS}


def in_process(infra: Endpoints, schema: str, prefix: str, clock: FakeClock, smtp: SmtpSink) -> HostConfig:
    contacts = ContactBook({(m, "email"): address(m) for m in COSIGNERS})
    email = EmailChannel(EmailSettings(host=smtp.host, port=smtp.port, timeout_seconds=5.0))
    return HostConfig(dsn=infra.database_url, kafka_bootstrap=infra.kafka_bootstrap, schema=schema,
                      topic_prefix=prefix, clock=clock, run_workers=False, pool_max_size=6,
                      options={CHANNELS: {"email": email, "sms": FakeChannel("sms")}, CONTACTS: contacts})


@pytest_asyncio.fixture(loop_scope="session")
async def mailing(infra: Endpoints, fresh_schema: str, topic_prefix: str, smtp: StallingSmtp) -> AsyncIterator[Mailing]:
    await create_topics(infra.kafka_bootstrap, [f"{topic_prefix}{t}" for t in [*CONSUMED, topics.NOTIFY]])
    clock = FakeClock()
    config = in_process(infra, fresh_schema, topic_prefix, clock, smtp)
    host = await build_service(DEFINITION, config)
    await host.start()
    producer = AIOKafkaProducer(**infra.kafka_bootstrap.client_kwargs())
    await producer.start()
    m = Mailing(host, Topics(producer, topic_prefix), clock, smtp, config)
    try:
        yield m
    finally:
        await producer.stop()
        await m.host.stop()


def cosignature_requested(at: datetime) -> EventEnvelope:
    return envelope(submitted(COSIGNERS), stream(), at)


async def test_a_mail_the_server_may_have_is_unknown_never_sent_again_and_the_office_is_told(
        mailing: Mailing) -> None:
    mailing.smtp.drop_after_data = True
    await mailing.topics.publish(topics.PROPOSALS, envelope(submitted(("m-li",)), stream(), mailing.clock.now))
    await wait_until(mailing.notifications, message="the co-signer's notification written")

    await mailing.host.parts.deliveries.tick()
    details = await mailing.host.pool.fetch(f'SELECT channel, status, detail FROM "{mailing.host.schema}".deliveries')
    assert (await mailing.statuses()) == {"m-li": "unknown"}, [dict(r) for r in details]
    mailing.smtp.drop_after_data = False
    for _ in range(3):  # later passes, hours later: nothing is tried again
        mailing.clock.now = mailing.clock.now.replace(hour=(mailing.clock.now.hour + 2) % 24)
        assert await mailing.host.parts.deliveries.tick() == 0
    assert len(mailing.smtp.messages_to(address("m-li"))) == 1, "the server had it once, and only once"
    items = (await inbox_of(mailing, "m-li"))["items"]
    assert items[0]["deliveries"]["email"] == "unknown"
    failed = await mailing.host.pool.fetch(f'SELECT data FROM "{mailing.host.schema}".events '
                                           "WHERE type = 'notification-delivery-failed'")
    ends = [(data(r)["channel"], data(r)["end"]) for r in failed]
    assert ("email", "unknown") in ends, "the office sees the mail in doubt (on notify.internal)"


async def inbox_of(m: Mailing, member_id: str) -> dict[str, Any]:
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=m.host.app), base_url="http://notify") as http:
        return await inbox(http, member(member_id))


async def read_through(m: Mailing) -> None:
    """A later fact of the same proposal (the same key, so the same partition) read: everything before it
    in the partition has been read too."""
    before = await m.notifications()
    await m.topics.publish(topics.PROPOSALS, envelope(returned(), stream(), m.clock.now))
    await wait_until(lambda: _more(m, before), timeout=30, message="the intake read up to the marker")


async def _more(m: Mailing, before: int) -> bool:
    return await m.notifications() > before


async def rewind(bootstrap: KafkaAccess, group: str, names: list[str]) -> dict[TopicPartition, int | None]:
    """What an operator's `kafka-consumer-groups --reset-offsets --to-earliest` does (the group is stopped);
    returns the group's committed offsets afterwards."""
    admin = AIOKafkaAdminClient(**bootstrap.client_kwargs())
    await admin.start()
    try:
        described = await admin.describe_topics(names)
    finally:
        await admin.close()
    parts = [TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]]
    consumer = AIOKafkaConsumer(**bootstrap.client_kwargs(), group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(parts)
        await consumer.commit({tp: 0 for tp in parts})
        return {tp: await consumer.committed(tp) for tp in parts}
    finally:
        await consumer.stop()


async def test_the_same_fact_three_times_and_a_rewound_consumer_group_mail_each_person_once(
        mailing: Mailing, infra: Endpoints) -> None:
    fact = cosignature_requested(mailing.clock.now)
    for _ in range(3):  # the proposals relay published it three times (a retry after a lost ack, …)
        await mailing.topics.publish(topics.PROPOSALS, fact)
    await read_through(mailing)
    await mailing.host.parts.deliveries.tick()
    assert mailed(mailing.smtp) == dict.fromkeys(COSIGNERS, 1)

    await mailing.host.stop()  # then the operator rewinds the intake's group to the first record
    group, names = f"{mailing.config.topic_prefix}notify-intake", [mailing.config.prefixed(t) for t in CONSUMED]
    offsets = await rewind(infra.kafka_bootstrap, group, names)
    assert offsets and set(offsets.values()) == {0}, "the group starts again from the first record"
    mailing.host = await build_service(DEFINITION, mailing.config)
    await mailing.host.start()
    await read_through(mailing)  # the whole partition read again, the three copies with it

    await mailing.host.parts.deliveries.tick()
    assert await mailing.notifications() == len(COSIGNERS) + 2, "the co-signers' once, and the two markers"
    assert mailed(mailing.smtp) == dict.fromkeys(COSIGNERS, 1)
    statuses = await mailing.statuses()
    assert {statuses[m] for m in COSIGNERS} == {"sent"}


# ---- a real process: `yizheng serve notify`, SIGKILLed mid-send and restarted -----------------------------


@dataclass
class Process:
    env: dict[str, str]
    port: int
    proc: asyncio.subprocess.Process | None = None
    lines: list[str] = field(default_factory=list)
    _pump: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "yizheng.cli", "serve", "notify", "--port", str(self.port), env=self.env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, start_new_session=True)
        self._pump = asyncio.create_task(self._read())
        proc = self.proc
        await wait_until(lambda: any("Uvicorn running" in x for x in self.lines) or proc.returncode is not None,
                         timeout=60, message="notify serving")
        assert proc.returncode is None, "\n".join(self.lines[-30:])

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        async for raw in self.proc.stdout:
            self.lines.append(raw.decode(errors="replace").rstrip())

    async def kill(self, sig: signal.Signals) -> None:
        if self.proc is not None and self.proc.returncode is None:
            os.kill(self.proc.pid, sig)
            await asyncio.wait_for(self.proc.wait(), 30)
        if self._pump is not None:
            await asyncio.wait_for(self._pump, 10)


@pytest_asyncio.fixture(loop_scope="session")
async def own_database(infra: Endpoints, pg_pool: asyncpg.Pool) -> AsyncIterator[str]:
    """`yizheng serve notify` keeps its store in the schema `notify`: a database of its own for the test."""
    name = f"yznotify_{uuid.uuid4().hex[:8]}"
    await pg_pool.execute(f'CREATE DATABASE "{name}"')
    try:
        yield infra.database_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await pg_pool.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_notify_killed_mid_send_and_restarted_leaves_that_mail_unknown_and_mails_everyone_else_once(
        infra: Endpoints, own_database: str, topic_prefix: str, smtp: StallingSmtp) -> None:
    await create_topics(infra.kafka_bootstrap, [f"{topic_prefix}{t}" for t in [*CONSUMED, topics.NOTIFY]])
    fact = cosignature_requested(datetime.now(UTC))
    # One worker sending one message at a time, mails in delivery-id order: the first one stalls.
    order = sorted(COSIGNERS, key=lambda m: derived_id("d", derived_id("n", str(fact.event_id), f"member:{m}",
                                                                        "cosignature-requested"), "email", m))
    stuck, others = order[0], order[1:]
    smtp.stall_for = {address(stuck)}
    with address_route(address) as members:
        env = {**os.environ, "DATABASE_URL": own_database, **infra.kafka_bootstrap.env(),
               "YIZHENG_TOPIC_PREFIX": topic_prefix, "YIZHENG_SMTP_HOST": smtp.host,
               "YIZHENG_SMTP_PORT": str(smtp.port), "YIZHENG_SMTP_TLS": "none", "YIZHENG_SMTP_TIMEOUT": "60",
               "YIZHENG_MEMBERS_URL": members.url, "YIZHENG_NOTIFY_SENDERS": "1", "PYTHONUNBUFFERED": "1",
               "YIZHENG_SMS_PROVIDER": "none"}  # mail is what this counts; SMS would be wired by default
        first = Process(env, free_port("127.0.0.1"))
        await first.start()
        producer = AIOKafkaProducer(**infra.kafka_bootstrap.client_kwargs())
        await producer.start()
        db = await asyncpg.connect(own_database)
        try:
            await Topics(producer, topic_prefix).publish(topics.PROPOSALS, fact)
            try:
                await wait_until(smtp.stalled.is_set, timeout=30, message="notify inside DATA for the stalled mailbox")
            except AssertionError as err:
                raise AssertionError("\n".join([str(err), *first.lines[-30:]])) from None

            async def statuses() -> dict[str, str]:
                rows = await db.fetch("SELECT n.recipient_id, d.status FROM notify.deliveries d JOIN "
                                      "notify.notifications n USING (notification_id) WHERE d.channel = 'email'")
                return {r["recipient_id"]: r["status"] for r in rows}

            assert await statuses() == {stuck: "sending", **dict.fromkeys(others, "pending")}, "provably mid-send"
            await first.kill(signal.SIGKILL)

            second = Process(env, free_port("127.0.0.1"))
            await second.start()
            try:
                await wait_until(lambda: _settled(statuses), timeout=30, message="every mail ended after the restart")
                assert await statuses() == {stuck: "unknown", **dict.fromkeys(others, "sent")}
                assert mailed(smtp) == {stuck: 0, **dict.fromkeys(others, 1)}
                failed = await db.fetch("SELECT data FROM notify.events WHERE type = 'notification-delivery-failed'")
                assert [data(r)["end"] for r in failed] == ["unknown"]
            finally:
                await second.kill(signal.SIGTERM)
        finally:
            await db.close()
            await producer.stop()
            await first.kill(signal.SIGKILL)


async def _settled(statuses: Any) -> bool:
    return not {"pending", "sending"} & set((await statuses()).values())
