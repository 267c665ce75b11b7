"""Fixtures of the notify suite: the service built from its declaration on a fresh schema and the test's
own Kafka topics, its intake consumer running, its workers driven by the test on a clock it moves, with
fake channels and a contact book."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaProducer

from contracts import topics
from notify.parts import CHANNELS, CONTACTS, NotifyParts
from notify.service import DEFINITION
from runtime.service_host import HostConfig, ServiceHost, build_service
from yizheng.infra import Endpoints
from yizheng.testing.command_client import FakeClock
from yizheng.testing.platform import create_topics

from .kit import ContactBook, FakeChannel, Topics


@dataclass
class Notify:
    host: ServiceHost[NotifyParts]
    http: httpx.AsyncClient
    topics: Topics
    clock: FakeClock
    email: FakeChannel
    sms: FakeChannel
    contacts: ContactBook

    @property
    def parts(self) -> NotifyParts:
        return self.host.parts


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest_asyncio.fixture(loop_scope="session")
async def notify(infra: Endpoints, fresh_schema: str, topic_prefix: str, clock: FakeClock) -> AsyncIterator[Notify]:
    consumed = [topics.PROPOSALS, topics.MEMBERS, topics.SURVEYS]
    await create_topics(infra.kafka_bootstrap, [f"{topic_prefix}{t}" for t in [*consumed, topics.NOTIFY]])
    email, sms, contacts = FakeChannel("email"), FakeChannel("sms"), ContactBook()
    host = await build_service(DEFINITION, HostConfig(
        dsn=infra.database_url, kafka_bootstrap=infra.kafka_bootstrap, schema=fresh_schema, topic_prefix=topic_prefix,
        clock=clock, run_workers=False, pool_max_size=6,
        options={CHANNELS: {"email": email, "sms": sms}, CONTACTS: contacts}))
    await host.start()
    producer = AIOKafkaProducer(**infra.kafka_bootstrap.client_kwargs())
    await producer.start()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=host.app), base_url="http://notify") as http:
            yield Notify(host, http, Topics(producer, topic_prefix), clock, email, sms, contacts)
    finally:
        await producer.stop()
        await host.stop()
