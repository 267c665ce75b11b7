"""SMS in development, wired as `yizheng run` wires it: notify started with no channels handed in sends SMS
through its Aliyun-shaped provider to the local SMS sink the platform starts (`tools/yizheng/local_sinks.py`,
pointed at through the environment). A reply overdue on a key proposal escalates to its supervising leader,
`critical`, and the leader's phone gets the approved escalation template — the SendSms request signed as
Aliyun checks it, with its template code and parameters. In production the development keys are refused."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path

import pytest
import pytest_asyncio
from aiokafka import AIOKafkaProducer

from contracts import topics
from notify.channels.aliyun_sms import AliyunSmsProvider
from notify.channels.base import Outgoing
from notify.channels.settings import SmsSettings, sms_provider
from notify.channels.sms import SmsChannel, SmsRequest, catalog
from notify.parts import CONTACTS, NotifyParts, real_channels
from notify.service import DEFINITION
from runtime.service_host import HostConfig, ServiceHost, build_service
from yizheng import local_sinks
from yizheng.infra import Endpoints
from yizheng.local_sinks import LocalSinks
from yizheng.testing.command_client import FakeClock, on
from yizheng.testing.platform import create_topics
from yizheng.testing.wait import wait_until

from ..facts import PROPOSAL, assigned, key_proposal, stream
from ..kit import ContactBook, Topics, envelope

LEADER, LEADER_MOBILE = "m-wang", "13700137003"
ASSIGNED_ON, DUE = date(2026, 3, 2), date(2026, 3, 6)


@pytest.fixture
def sinks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalSinks]:
    """The local SMTP server and SMS sink as `yizheng run` starts them, and notify's environment pointed there."""
    started = local_sinks.start(tmp_path / "mailbox", smtp_port=0, sms_port=0)
    for name, value in started.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("YIZHENG_SMS_PROVIDER", raising=False)
    try:
        yield started
    finally:
        started.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def notify(infra: Endpoints, fresh_schema: str, topic_prefix: str,
                 sinks: LocalSinks) -> AsyncIterator[tuple[ServiceHost[NotifyParts], Topics, FakeClock]]:
    await create_topics(infra.kafka_bootstrap, [f"{topic_prefix}{t}" for t in
                                                (topics.PROPOSALS, topics.MEMBERS, topics.SURVEYS, topics.NOTIFY)])
    clock = FakeClock(on(ASSIGNED_ON, 9))
    book = ContactBook({(LEADER, "sms"): LEADER_MOBILE, ("u-env", "sms"): "13600136004"})
    host = await build_service(DEFINITION, HostConfig(  # no channels handed in: the service's own
        dsn=infra.database_url, kafka_bootstrap=infra.kafka_bootstrap, schema=fresh_schema, topic_prefix=topic_prefix,
        clock=clock, run_workers=False, pool_max_size=6, options={CONTACTS: book}))
    await host.start()
    producer = AIOKafkaProducer(**infra.kafka_bootstrap.client_kwargs())
    await producer.start()
    try:
        yield host, Topics(producer, topic_prefix), clock
    finally:
        await producer.stop()
        await host.stop()


async def test_an_overdue_key_proposal_escalates_to_its_leader_by_sms_through_the_local_sink(
        notify: tuple[ServiceHost[NotifyParts], Topics, FakeClock], sinks: LocalSinks) -> None:
    host, bus, clock = notify
    assert "sms" in host.parts.deliveries.channels, "SMS wired by default in development"
    for event in (key_proposal((LEADER,)), assigned(DUE, ASSIGNED_ON)):
        await bus.publish(topics.PROPOSALS, envelope(event, stream(), clock.now))

    async def leader_step() -> date | None:
        day: date | None = await host.pool.fetchval(
            f'SELECT fire_on FROM "{host.schema}".reminders WHERE kind = \'escalate_leader\'')
        return day

    escalation_day = await wait_until(leader_step, message="the ladder with its leader escalation scheduled")
    assert escalation_day is not None
    clock.set(escalation_day, hour=3)  # at night: quiet hours and digests do not hold back `critical`
    assert await host.parts.reminders.tick() >= 1
    while await host.parts.deliveries.tick():
        pass

    [sms] = sinks.sms.messages_to(LEADER_MOBILE)
    approved = catalog()["deadline-escalated"]
    assert (sms.sign_name, sms.template_code) == ("县政协", approved.code)
    assert set(sms.template_param) == set(approved.params)
    assert sms.template_param["unit"] == "u-env" and sms.template_param["about"].startswith(f"提案{PROPOSAL}")
    assert int(sms.template_param["days_overdue"]) >= 1
    [assigned_sms] = [m for m in sinks.sms.messages_to("13600136004")  # the unit's own notice (digest: none)
                      if m.template_code == catalog()["proposal-assigned"].code]
    assert assigned_sms.template_param["role"] == "分办", "a unit assigned separately handles it on its own"
    note = await host.pool.fetchrow(f'SELECT template, urgency FROM "{host.schema}".notifications '
                                    "WHERE notification_id = $1", sms.out_id)
    assert note is not None and (note["template"], note["urgency"]) == ("reply-due-escalate_leader", "critical")


def test_production_refuses_sms_without_its_own_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIZHENG_ENV", "production")
    monkeypatch.setenv("YIZHENG_SMTP_TLS", "starttls")
    for name in ("YIZHENG_SMS_ACCESS_KEY_ID", "YIZHENG_SMS_ACCESS_KEY_SECRET", "YIZHENG_SMS_ENDPOINT",
                 "YIZHENG_SMS_PROVIDER"):
        monkeypatch.delenv(name, raising=False)

    async def no_secret(committee_id: str, endpoint_id: str) -> str:
        return ""

    with pytest.raises(RuntimeError, match="YIZHENG_SMS_ACCESS_KEY_ID"):
        real_channels(no_secret)
    monkeypatch.setenv("YIZHENG_SMS_ACCESS_KEY_ID", "LTAI-county")
    monkeypatch.setenv("YIZHENG_SMS_ACCESS_KEY_SECRET", "county-secret")
    assert SmsSettings.from_env().endpoint == "https://dysmsapi.aliyuncs.com/", "Aliyun itself in production"
    monkeypatch.setenv("YIZHENG_SMS_ENDPOINT", "http://sms.example.cn/")
    with pytest.raises(RuntimeError, match="https"):
        SmsSettings.from_env()
    monkeypatch.setenv("YIZHENG_SMS_PROVIDER", "none")
    assert sms_provider() == "none" and "sms" not in real_channels(no_secret), "a deployment may go without SMS"


def test_a_digest_by_sms_has_an_approved_template_saying_how_many() -> None:
    message = Outgoing(notification_id="g-1", committee_id="c-demo", channel="sms", recipient_id="m-li",
                       address="13900139002", template="digest", category="meetings", urgency="normal",
                       variables={"count": 3, "notifications": []})
    request = SmsChannel(AliyunSmsProvider(SmsSettings()), SmsSettings()).request(message)
    assert isinstance(request, SmsRequest) and request.params == {"count": "3"}
