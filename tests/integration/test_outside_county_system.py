"""Another county system's view of the platform, as that system would have it: its own Kafka user made by
`yizheng subscribers add`, a different client (confluent-kafka, i.e. librdkafka) and nothing of ours but the
exported public contract (`yizheng contracts export`).

Two small demo counties are loaded through the services' command APIs. The county's subscriber reads its three
public topics, validates every message against the JSON Schema its `ce_type` header names, and finds in none
of them a value the platform keeps from outsiders (free text people wrote, contact data, an individual rating,
a liaison contact's name: every such value of the county's internal events and private tables is searched
for). It is refused — with an error, not silence — on an internal topic and on the other county's public
topic; a client with a wrong password is refused by the broker."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import jsonschema
import pytest
import pytest_asyncio
from confluent_kafka import Consumer, KafkaError, KafkaException, Message

from contracts.public import FORBIDDEN_FIELDS, PUBLIC
from yizheng.demo.generator import Size, generate
from yizheng.demo.load import load
from yizheng.infra import Endpoints
from yizheng.testing.platform import InProcessPlatform, in_process_platform
from yizheng.testing.wait import WaitUntil

PUBLISHING = ("proposals", "members", "surveys")
IDENTIFIER = re.compile(r"[A-Za-z0-9_.:-]+")


@pytest_asyncio.fixture(loop_scope="session")
async def platform(infra: Endpoints, pg_pool: asyncpg.Pool) -> AsyncIterator[InProcessPlatform]:
    async with in_process_platform(infra, pg_pool, label="outside", pool_max_size=8,
                                   watcher_interval_seconds=2.0) as running:
        yield running


def _cli(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "yizheng.cli", *args], capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def _subscriber(name: str, committee: str, prefix: str) -> dict[str, Any]:
    """What `yizheng subscribers add` hands an outside system (as JSON)."""
    return dict(json.loads(_cli("subscribers", "add", name, "--committee", committee, "--topic-prefix", prefix,
                                "--json")))


def _consumer(settings: dict[str, Any], group: str, **override: str) -> Consumer:
    config = {**settings["connection"], "group.id": group, "auto.offset.reset": "earliest",
              "enable.auto.commit": False, **override}
    return Consumer(config)


def _error(msg: Message) -> KafkaError | None:
    """The message's error, unless it is only the end of a partition."""
    error = msg.error()
    return None if error is None or error.code() == KafkaError._PARTITION_EOF else error


def _poll_all(consumer: Consumer, topics: list[str], expected: int, timeout: float = 60.0) -> list[Message]:
    """Every message of `topics` until `expected` have arrived and a poll comes back empty; an error raises."""
    consumer.subscribe(topics)
    got: list[Message] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = consumer.poll(1.0)
        if msg is None:
            if len(got) >= expected:
                return got
            continue
        if (error := _error(msg)) is not None:
            raise KafkaException(error)
        if msg.error() is None:
            got.append(msg)
    raise AssertionError(f"{len(got)} of {expected} public messages within {timeout:.0f}s")


def _first_error(consumer: Consumer, topics: list[str], timeout: float = 30.0) -> KafkaError:
    consumer.subscribe(topics)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = consumer.poll(1.0)
        if msg is None:
            continue
        if (error := _error(msg)) is not None:
            return error
        assert msg.error() is not None, "a message came through where none may"
    raise AssertionError(f"no error within {timeout:.0f}s: the refusal was silent")


def _poll_until(consumer: Consumer, topics: list[str], done: Callable[[], bool], timeout: float = 30.0) -> None:
    consumer.subscribe(topics)
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"nothing within {timeout:.0f}s"
        msg = consumer.poll(0.5)
        assert msg is None or msg.error() is not None, "a message came through where none may"


def _headers(msg: Message) -> dict[str, str]:
    headers = msg.headers() or []
    pairs = headers.items() if isinstance(headers, dict) else headers
    return {str(k): v.decode() if isinstance(v, bytes) else str(v) for k, v in pairs}


def _value(msg: Message) -> bytes:
    value = msg.value()
    assert isinstance(value, bytes)
    return value


async def _kept_from_outsiders(platform: InProcessPlatform, committee: str) -> set[str]:
    """Every value the county's internal events carry in a field outsiders may not see, and its contact data."""
    secrets: set[str] = set()
    said_elsewhere: set[str] = set()  # the same words as, say, a title are not a leak of the note that repeats it

    def collect(node: Any, forbidden: frozenset[str], under_forbidden: bool = False) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                collect(value, forbidden, under_forbidden or key in forbidden)
        elif isinstance(node, list):
            for item in node:
                collect(item, forbidden, under_forbidden)
        elif isinstance(node, str) and len(node) >= 6 and not IDENTIFIER.fullmatch(node):
            # Words people wrote, not a code (an enum value such as `satisfied` is no secret by itself; the
            # schema's own check keeps rating fields out).
            (secrets if under_forbidden else said_elsewhere).add(node)

    for service in PUBLISHING:
        rows = await platform.services[service].pool.fetch(
            f"SELECT type, data FROM {platform.schemas[service]}.events WHERE committee_id = $1", committee)
        for row in rows:
            data = row["data"]
            # A public notice's own text (a call for proposals' reference list) is public by design.
            forbidden = FORBIDDEN_FIELDS - PUBLIC.view(row["type"]).notice_text
            collect(data if isinstance(data, dict) else json.loads(data), forbidden)
    s = platform.schemas["members"]
    for table in ("member_contacts", "person_contacts"):
        for row in await platform.members.pool.fetch(
                f"SELECT phone, email, address FROM {s}.{table} WHERE committee_id = $1", committee):
            secrets.update(v for v in row.values() if v)
    return {s for s in secrets if not any(s in words for words in said_elsewhere)}


async def _public_forms_published(platform: InProcessPlatform) -> bool:
    for service in PUBLISHING:
        host = platform.services[service]
        assert host.public_relay is not None and host.relay is not None
        if await host.public_relay.checkpoint() != await host.relay.checkpoint():
            return False
    return True


@pytest.mark.timeout(900)
async def test_a_county_system_sees_its_committees_public_facts_and_nothing_more(
        platform: InProcessPlatform, tmp_path: Path, wait_until: WaitUntil) -> None:
    prefix = f"toutside{platform.tag}."
    mine, other = f"county-{platform.tag}", f"other-{platform.tag}"
    now = datetime.now(UTC)
    for seed, committee in ((11, mine), (12, other)):
        report = await load(generate(seed, now=now, size=Size.small(), committee_id=committee), platform.urls)
        assert report.failures == []
    await wait_until(lambda: _public_forms_published(platform), timeout=180,
                     message="the public relays caught up with the stores")

    await asyncio.to_thread(_cli, "contracts", "export", str(tmp_path))
    schemas = {p.name.removesuffix(".schema.json"): json.loads(p.read_text())
               for p in (tmp_path / "public").glob("*.schema.json")}
    settings = await asyncio.to_thread(_subscriber, f"county-system-{platform.tag}", mine, prefix)
    topics = sorted(settings["topics"])
    assert topics == sorted(f"{prefix}{s}.public.{mine}" for s in PUBLISHING)

    stored, public = 0, 0
    for service in PUBLISHING:
        for row in await platform.services[service].pool.fetch(
                f"SELECT type FROM {platform.schemas[service]}.events WHERE committee_id = $1", mine):
            view = PUBLIC.view(row["type"])
            stored += 1
            public += view.model is not None and view.only_if is None  # this county publishes no assessment
    assert 0 < public < stored, "some of the county's facts are public, not all"
    # librdkafka's calls block: they run in a thread, so the platform (in this event loop) keeps running.
    reader = _consumer(settings, f"{settings['group_prefix']}reader")
    try:
        messages = await asyncio.to_thread(_poll_all, reader, topics, public)
    finally:
        reader.close()
    assert len({_headers(m)["ce_id"] for m in messages}) == public

    secrets = await _kept_from_outsiders(platform, mine)
    assert secrets, "the county's internal events do hold text kept from outsiders (the search means something)"
    types_seen = set()
    for msg in messages:
        headers = _headers(msg)
        name, _, version = headers["ce_type"].rpartition(".v")
        schema = schemas[name]
        assert int(version) == schema["x-schema-version"]
        raw = _value(msg).decode()
        body = json.loads(raw)
        jsonschema.validate(body, schema)
        assert body["committee_id"] == headers["ce_committee"] == mine
        leaked = [s for s in secrets if s in raw]
        assert leaked == [], f"{name} carries what outsiders may not see: {leaked[:3]}"
        types_seen.add(name)
    assert {"proposal-submitted", "member-registered"} <= types_seen
    assert not types_seen & {"proposal-drafted", "opinion-report-submitted", "liaison-contact-added"}

    refused = _consumer(settings, f"{settings['group_prefix']}internal")
    try:
        error = await asyncio.to_thread(_first_error, refused, [f"{prefix}proposals.internal"])
    finally:
        refused.close()
    assert error.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED

    nosy = _consumer(settings, f"{settings['group_prefix']}other")
    try:
        error = await asyncio.to_thread(_first_error, nosy, [f"{prefix}proposals.public.{other}"])
    finally:
        nosy.close()
    assert error.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED

    # The broker refuses the login itself; librdkafka reports that to the client's error callback.
    refusals: list[KafkaError] = []
    wrong = {**settings, "connection": {**settings["connection"], "sasl.password": "not-the-password"}}
    impostor = Consumer({**wrong["connection"], "group.id": f"{settings['group_prefix']}impostor",
                         "error_cb": refusals.append, "log_level": 0})
    try:
        await asyncio.to_thread(_poll_until, impostor, topics,
                                lambda: any(e.code() == KafkaError._AUTHENTICATION for e in refusals))
    finally:
        impostor.close()
