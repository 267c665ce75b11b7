"""The relay against the real PostgreSQL and Kafka: order, completeness, crash safety, CloudEvents."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import IO

from aiokafka import ConsumerRecord

from eventstore.kafka_access import KafkaAccess
from eventstore.relay import Relay
from eventstore.store import EventStore
from tests.integration.kernel.sample_events import SampleNoted, ctx
from yizheng.testing.topic_reader import TopicReader
from yizheng.testing.wait import WaitUntil

Records = list[ConsumerRecord[bytes, bytes]]


def _line_with(stream: IO[str], text: str) -> str:
    for line in stream:
        if text in line:
            return line
    return ""


def _ids(records: Records) -> list[str]:
    return [json.loads(r.value or b"{}")["event_id"] for r in records]


def _assert_per_stream_order(records: Records) -> None:
    """For every stream, the first delivery of each version comes in version order, with no version missing."""
    versions: dict[str, list[int]] = defaultdict(list)
    for r in records:
        body = json.loads(r.value or b"{}")
        assert r.key is not None and r.key.decode() == body["stream_id"], "messages are keyed by stream"
        seen = versions[body["stream_id"]]
        if body["stream_version"] not in seen:
            seen.append(body["stream_version"])
    for stream, seen in versions.items():
        assert seen == list(range(1, len(seen) + 1)), f"{stream} arrived as {seen}"


async def test_eight_concurrent_writers_every_event_reaches_kafka_in_stream_order(
        store: EventStore, kafka_bootstrap: KafkaAccess, topic_prefix: str) -> None:
    topic = f"{topic_prefix}samples.events"
    relay = Relay(store, topic, kafka_bootstrap, batch_size=50)
    writers, per_writer = 8, 60
    written: list[str] = []

    async def write(w: int) -> None:
        for i in range(per_writer):
            stream = f"proposal-{w}-{i % 6}"
            version = await store.stream_version(stream)
            result = await store.append(stream, version, [SampleNoted(n=i)], ctx())
            written.extend(str(e) for e in result.event_ids)

    async with TopicReader(kafka_bootstrap, topic) as reader:
        await relay.start()
        try:
            await asyncio.gather(*(write(w) for w in range(writers)))
            records = await reader.until(lambda rs: len(rs) >= writers * per_writer)
        finally:
            await relay.stop()
    assert sorted(_ids(records)) == sorted(written), "every event exactly once, none skipped"
    _assert_per_stream_order(records)


async def test_cloudevents_attributes_travel_in_headers(
        store: EventStore, kafka_bootstrap: KafkaAccess, topic_prefix: str) -> None:
    topic = f"{topic_prefix}samples.events"
    result = await store.append("proposal-9", 0, [SampleNoted(n=1)], ctx("county-b"))
    relay = Relay(store, topic, kafka_bootstrap)
    async with TopicReader(kafka_bootstrap, topic) as reader:
        await relay.start()
        try:
            [record] = await reader.until(lambda rs: len(rs) >= 1)
        finally:
            await relay.stop()
    headers = reader.headers(record)
    assert headers["ce_id"] == str(result.event_ids[0])
    assert headers["ce_type"] == "sample-noted.v1"
    assert headers["ce_source"] == "/yizheng/samples"
    assert headers["ce_subject"] == "proposal-9"
    assert headers["ce_specversion"] == "1.0"
    assert headers["ce_committee"] == "county-b"
    assert "ce_time" in headers


async def test_the_relay_killed_mid_batch_and_restarted_loses_nothing(
        store: EventStore, kafka_bootstrap: KafkaAccess, topic_prefix: str, database_url: str,
        wait_until: WaitUntil) -> None:
    topic = f"{topic_prefix}samples.events"
    streams, per_stream = 40, 50
    written: list[str] = []
    for s in range(streams):
        result = await store.append(f"report-{s}", 0, [SampleNoted(n=i) for i in range(per_stream)], ctx())
        written.extend(str(e) for e in result.event_ids)
    total = len(written)

    def start_relay(*hold: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "eventstore.relay_main", "--dsn", database_url, "--schema", store.schema,
             "--topic", topic, "--source", "samples", "--batch-size", "100", *hold],
            env={**os.environ, **kafka_bootstrap.env(), "PYTHONUNBUFFERED": "1"},
            cwd=Path(__file__).resolve().parents[3],
            stdout=subprocess.PIPE, text=True)

    async with TopicReader(kafka_bootstrap, topic) as reader:
        # The first relay publishes three batches, then is killed before it checkpoints the third.
        first = start_relay("--hold-after-batches", "3")
        try:
            assert first.stdout is not None
            line = await asyncio.wait_for(asyncio.to_thread(_line_with, first.stdout, "holding"), 60)
            assert "holding after batch 3" in line
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
        checkpoint = await store.load_checkpoint("relay")
        await reader.until(lambda rs: len(rs) >= 300)
        assert checkpoint.position == 200, "killed between publishing and checkpoint"
        second = start_relay()
        try:
            records = await reader.until(lambda rs: set(_ids(rs)) >= set(written), timeout=60,
                                         message="events were lost across the relay's crash")
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(20)
    assert set(_ids(records)) == set(written) and len(written) == total
    # At-least-once: what was sent after the last checkpoint (the third batch, and as much of the fourth as
    # the relay had in flight when killed) went out twice; consumers drop it by event id.
    assert 100 <= len(records) - total <= 200
    assert set(_ids(records)) == set(written)
    _assert_per_stream_order(records)


async def test_a_relay_publishes_each_event_once_across_passes(
        store: EventStore, kafka_bootstrap: KafkaAccess, topic_prefix: str, wait_until: WaitUntil) -> None:
    relay = Relay(store, f"{topic_prefix}samples.events", kafka_bootstrap)
    try:
        assert await relay.publish_pending() == 0
        await store.append("x", 0, [SampleNoted(n=1)], ctx())
        # Readable once no older transaction anywhere on the server is still in flight.
        published = 0

        async def all_out() -> bool:
            nonlocal published
            published += await relay.publish_pending()
            return published >= 1

        await wait_until(all_out)
        assert published == 1
        assert await relay.publish_pending() == 0
    finally:
        await relay.stop()


async def test_two_relay_replicas_publish_each_event_once(
        store: EventStore, kafka_bootstrap: KafkaAccess, topic_prefix: str) -> None:
    topic = f"{topic_prefix}samples.events"
    replicas = [Relay(store, topic, kafka_bootstrap, batch_size=20) for _ in range(2)]
    for relay in replicas:
        await relay.start()
    try:
        written: list[str] = []
        for s in range(10):
            result = await store.append(f"meeting-{s}", 0, [SampleNoted(n=i) for i in range(10)], ctx())
            written.extend(str(e) for e in result.event_ids)
        async with TopicReader(kafka_bootstrap, topic) as reader:
            records = await reader.until(lambda rs: set(_ids(rs)) >= set(written))
    finally:
        for relay in replicas:
            await relay.stop()
    assert sorted(_ids(records)) == sorted(written), "a standby replica published too"
    assert sorted(r.published for r in replicas) == [0, len(written)]
