"""The broker decides who reads and writes what: every client logs in (SCRAM-SHA-512), and each platform
principal may do exactly what its service's declaration says (`contracts.kafka_acl`, applied by
`yizheng.infra.kafka_users`). A wrong password is refused by the broker; a topic a principal may not read
is an authorization error, never an empty read.

Each test makes principals of its own (`<prefix><name>`) with the scheme's ACLs over its own prefixed topics,
so that it shares nothing with other tests or with `make run`."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import (
    ClusterAuthorizationFailedError,
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    TopicAuthorizationFailedError,
)
from confluent_kafka import KafkaError
from confluent_kafka.admin import AdminClient

from contracts import kafka_acl, platform, topics
from contracts.envelope import Role
from eventstore.audit_anchor import AUDIT_TOPIC
from eventstore.kafka_access import KafkaAccess
from runtime import settings
from runtime.auth import issue_token
from runtime.service_host import HostConfig, build_service
from yizheng.infra.kafka_users import (
    KafkaAdmin,
    KafkaUsersError,
    add_subscriber,
    new_password,
    platform_acls,
    remove_subscriber,
)
from yizheng.serve import definition
from yizheng.supervisor import process_users
from yizheng.testing.platform import create_topics, platform_topics
from yizheng.testing.topic_reader import TopicReader
from yizheng.testing.wait import WaitUntil

COMMITTEE = "county-a"
OTHER = "county-b"


@pytest.fixture
def admin(kafka_bootstrap: KafkaAccess) -> KafkaAdmin:
    return KafkaAdmin(kafka_bootstrap)


@pytest.fixture
def principals(admin: KafkaAdmin, topic_prefix: str) -> Iterator[dict[str, KafkaAccess]]:
    """Each platform process as a user of its own, with the scheme's ACLs over this test's prefixed names."""
    made: dict[str, KafkaAccess] = {}
    try:
        for name, acls in platform_acls(prefix=topic_prefix).items():
            user, password = f"{topic_prefix}{name}", new_password()
            admin.upsert_user(user, password)
            admin.set_acls(user, acls)
            made[name] = admin.access.as_user(user, password)
        yield made
    finally:
        for access in made.values():
            assert access.username is not None
            admin.set_acls(access.username, [])
            admin.delete_user(access.username)


async def _send(access: KafkaAccess, topic: str, value: bytes = b"{}", key: bytes = b"k") -> None:
    producer = AIOKafkaProducer(**access.client_kwargs(), acks="all", enable_idempotence=True,
                                request_timeout_ms=10_000)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def _read_one(access: KafkaAccess, topic: str, group: str | None = None) -> bytes | None:
    consumer = AIOKafkaConsumer(topic, **access.client_kwargs(), group_id=group, auto_offset_reset="earliest",
                                enable_auto_commit=False)
    try:
        await consumer.start()
        async with asyncio.timeout(20):
            while True:  # until a record arrives or the broker refuses
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    return records[0].value
    finally:
        await consumer.stop()


async def test_a_client_with_a_wrong_password_is_refused_by_the_broker(
        kafka_bootstrap: KafkaAccess, caplog: pytest.LogCaptureFixture) -> None:
    assert kafka_bootstrap.sasl, "the platform's broker authenticates its clients"
    impostor = kafka_bootstrap.as_user(kafka_bootstrap.username or "admin", "not-the-password")
    producer = AIOKafkaProducer(**impostor.client_kwargs(), request_timeout_ms=5000)
    with caplog.at_level(logging.ERROR, logger="aiokafka"), pytest.raises(KafkaConnectionError):
        await producer.start()
    await producer.stop()
    assert "SaslAuthenticationFailed" in caplog.text, caplog.text
    # librdkafka (an outside system's client) is told so in as many words, through its error callback.
    seen: list[KafkaError] = []
    config: dict[str, Any] = {**impostor.librdkafka_config(), "log_level": 0, "error_cb": seen.append}
    client = AdminClient(config)
    for _ in range(40):
        client.poll(0.25)
        if any(e.code() == KafkaError._AUTHENTICATION for e in seen):
            break
    assert [e.code() for e in seen if e.code() == KafkaError._AUTHENTICATION], seen


async def test_each_service_writes_its_own_topics_and_reads_only_what_it_consumes(
        principals: dict[str, KafkaAccess], kafka_bootstrap: KafkaAccess, topic_prefix: str) -> None:
    internal = [c.topic for c in platform.contracts()]
    await create_topics(kafka_bootstrap, [topic_prefix + t for t in internal])
    for name in platform.SERVICES:
        me, own = principals[name], definition(name).contract.topic
        consumed = definition(name).consumed_topics
        await _send(me, topic_prefix + own)
        await _send(me, topic_prefix + AUDIT_TOPIC)
        await _send(me, topic_prefix + topics.public(name, COMMITTEE))  # the public relay makes it on first sight
        for topic in consumed:
            await _send(me, topic_prefix + topics.dlq(topic))
        others = [t for t in internal if t != own]
        with pytest.raises(TopicAuthorizationFailedError):
            await _send(me, topic_prefix + others[0])
        unread = [t for t in internal if t not in consumed]
        with pytest.raises(TopicAuthorizationFailedError):
            await _read_one(me, topic_prefix + unread[0], group=f"{topic_prefix}{name}-probe")
    # What the proposals principal wrote to its topic above, its consumers read.
    assert await _read_one(principals["members"], topic_prefix + topics.PROPOSALS,
                           group=f"{topic_prefix}members-probe") == b"{}"
    with pytest.raises(GroupAuthorizationFailedError):  # its consumer groups are `members-<consumer>`
        await _read_one(principals["members"], topic_prefix + topics.PROPOSALS, group=f"{topic_prefix}gateway")
    assert await _read_one(principals["gateway"], topic_prefix + topics.PROPOSALS,
                           group=f"{topic_prefix}gateway") == b"{}"
    with pytest.raises(TopicAuthorizationFailedError):  # the gateway reads; it never writes a service's facts
        await _send(principals["gateway"], topic_prefix + topics.PROPOSALS)


@pytest_asyncio.fixture(loop_scope="session")
async def members_as_itself(principals: dict[str, KafkaAccess], database_url: str, fresh_schema: str,
                            topic_prefix: str, kafka_bootstrap: KafkaAccess) -> AsyncIterator[Any]:
    await create_topics(kafka_bootstrap, [topic_prefix + t for t in platform_topics()])  # as `infra up` makes them
    host = await build_service(definition("members"), HostConfig(
        dsn=database_url, kafka_bootstrap=principals["members"], schema=fresh_schema, topic_prefix=topic_prefix,
        pool_max_size=4))
    await host.start()
    try:
        yield host
    finally:
        await host.stop()


async def test_a_service_runs_as_its_own_user_publishing_and_consuming(
        members_as_itself: Any, kafka_bootstrap: KafkaAccess, topic_prefix: str, pg_pool: asyncpg.Pool,
        wait_until: WaitUntil) -> None:
    from members.tests.builders import envelope  # a proposal fact as the proposals service would publish it

    host = members_as_itself
    office = issue_token(Role.office_staff, COMMITTEE, subject="office-li")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=host.app), base_url="http://members") as http:
        answer = await http.post("/commands/register-member", headers={"Authorization": f"Bearer {office}"}, json={
            "member_id": "m-wang", "name": "王芳", "sector": "education", "term": 16, "joined_on": "2022-01-10"})
    assert answer.status_code == 200, answer.text
    async with TopicReader(kafka_bootstrap, topic_prefix + topics.MEMBERS) as reader:
        await reader.until(lambda rs: any(json.loads(r.value or b"{}")["type"] == "member-registered" for r in rs),
                           message="the members relay, logged in as members, to publish the registration")
    accepted = envelope("proposal-accepted", {
        "proposal_id": "p-7", "number": "2025-007", "year": 2025, "sequence": 7, "category": "culture",
        "submitter_kind": "individual", "lead_member_id": "m-wang", "cosigner_member_ids": [], "reason": "立案"},
        stream_id="proposal-county-a-p-7", committee=COMMITTEE)
    await _send(kafka_bootstrap, topic_prefix + topics.PROPOSALS,
                json.dumps(accepted.model_dump(mode="json"), ensure_ascii=False).encode(), b"proposal-county-a-p-7")

    async def consumed() -> bool:
        return bool(await pg_pool.fetchval(f'SELECT count(*) FROM "{host.store.schema}".inbox WHERE event_id = $1',
                                           accepted.event_id))

    await wait_until(consumed, timeout=30, message="the members consumer, logged in as members, to take the fact")


async def test_an_outside_subscriber_reads_its_committees_public_topics_and_nothing_else(
        admin: KafkaAdmin, kafka_bootstrap: KafkaAccess, topic_prefix: str) -> None:
    name = f"sub-{topic_prefix.strip('.')}"
    subscriber = add_subscriber(admin, name, COMMITTEE, prefix=topic_prefix)
    try:
        mine, theirs = topic_prefix + topics.public("proposals", COMMITTEE), topic_prefix + topics.public(
            "proposals", OTHER)
        assert mine in subscriber.topics and theirs not in subscriber.topics
        assert not any(t.startswith(topic_prefix + "notify.") for t in subscriber.topics), "notify publishes nothing"
        for topic in (mine, theirs, topic_prefix + topics.PROPOSALS):
            await _send(kafka_bootstrap, topic, b'{"public": true}')
        me = subscriber.access
        assert me.password and me.username == name
        assert await _read_one(me, mine, group=f"{subscriber.group_prefix}reader") == b'{"public": true}'
        for refused in (topic_prefix + topics.PROPOSALS, theirs):
            with pytest.raises(TopicAuthorizationFailedError):
                await _read_one(me, refused, group=f"{subscriber.group_prefix}reader")
        with pytest.raises(GroupAuthorizationFailedError):
            await _read_one(me, mine, group=f"{topic_prefix}gateway")
        with pytest.raises(ClusterAuthorizationFailedError):  # it may write nowhere: refused before it sends
            await _send(me, mine)
        assert subscriber.settings()["connection"]["sasl.username"] == name
    finally:
        remove_subscriber(admin, name)
    assert name not in admin.users()
    with pytest.raises(KafkaUsersError, match="platform principal"):
        add_subscriber(admin, "gateway", COMMITTEE)
    with pytest.raises(KafkaUsersError, match="committee id"):
        add_subscriber(admin, "nosy", "county-a.public")


def test_yizheng_run_gives_each_process_its_own_user(kafka_bootstrap: KafkaAccess) -> None:
    if settings.external_kafka_bootstrap():
        pytest.skip("on a broker of one's own, every process logs in as the KAFKA_* variables say")
    users = process_users(kafka_bootstrap)
    assert set(users) == {*platform.SERVICES, "gateway"}
    for name, env in users.items():
        access = KafkaAccess.from_env(env)
        assert (access.username, access.password) == (name, settings.local_kafka_password(name))
        assert access.bootstrap == kafka_bootstrap.bootstrap


def test_the_scheme_follows_the_declarations() -> None:
    acls = platform_acls()
    members = definition("members")
    reads = {a.name for a in acls["members"] if a.resource == kafka_acl.TOPIC and a.operation == kafka_acl.READ}
    assert reads == set(members.consumed_topics), "a service reads exactly the topics its consumers declare"
    gateway_reads = {a.name for a in acls["gateway"] if a.operation == kafka_acl.READ and a.resource == kafka_acl.TOPIC}
    assert gateway_reads == set(platform.published_topics())
    for name in platform.SERVICES:
        writes = {a.name for a in acls[name] if a.operation == kafka_acl.WRITE}
        assert definition(name).contract.topic in writes and AUDIT_TOPIC in writes
        assert not (writes & (set(platform.published_topics()) - {definition(name).contract.topic}))
