"""The county `yizheng bench notify` feeds to the notify service: generated, loaded once through the
platform's services (their command APIs, as `yizheng demo load` does), and its public topics recorded, so
each round can publish the very same records to a fresh topic prefix for a fresh notify service.

The platform here is every service but notify (the bench's own notify replays the topics) and without the
gateway (its projector would still be catching up on a big county during the timed rounds); the members
service stays up during the rounds, since the delivery worker asks it for each address."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from contracts import topics
from eventstore.kafka_access import KafkaAccess
from runtime.service_host import HostConfig, ServiceHost, build_service
from yizheng.demo.generator import Size, generate
from yizheng.demo.load import LoadReport, load
from yizheng.demo.script import Script
from yizheng.serve import definitions
from yizheng.testing.asgi_server import serve
from yizheng.testing.platform import create_topics, platform_topics

Say = Callable[[str], None]

# What notify's intake reads (notify.service.DEFINITION: the intake and the holiday-calendar consumers).
CONSUMED = (topics.PROPOSALS, topics.MEMBERS, topics.SURVEYS)
BENCH_COMMITTEE = "bench-county"


class CountyError(RuntimeError):
    pass


@dataclass(frozen=True)
class Record:
    topic: str  # unprefixed
    partition: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]

    def identity(self) -> tuple[str, str]:
        """(event id, type) from the envelope."""
        envelope = json.loads(self.value)
        return str(envelope.get("event_id", "")), str(envelope.get("type", ""))


@dataclass
class LoadedCounty:
    script: Script
    report: LoadReport
    load_seconds: float
    records: list[Record]
    urls: dict[str, str]  # the running services' command APIs (members answers address lookups)

    def count_of(self, types: frozenset[str]) -> int:
        """Distinct events of these types (a relay may publish an event twice; the inbox applies it once)."""
        return len({event_id for event_id, t in map(Record.identity, self.records) if t in types})


@contextlib.asynccontextmanager
async def loaded_county(database_url: str, bootstrap: KafkaAccess, pool: asyncpg.Pool, *, seed: int, size: Size,
                        committee_id: str = BENCH_COMMITTEE, say: Say) -> AsyncIterator[LoadedCounty]:
    """The county loaded into services of their own (schemas and topics named by a fresh tag), its public
    topics read back; everything is removed on exit."""
    tag = uuid.uuid4().hex[:8]
    prefix = f"tbench{tag}."
    wanted = [d for d in definitions() if d.name != "notify"]
    schemas = {d.name: f"bench_{d.name}_{tag}" for d in wanted}
    await create_topics(bootstrap, [f"{prefix}{t}" for t in platform_topics()])
    hosts: dict[str, ServiceHost[Any]] = {}
    try:
        for d in wanted:
            # The deadline watcher ticks every 2 s, as in the demo's e2e test: the load waits on look-backs it opens.
            hosts[d.name] = await build_service(d, HostConfig(
                dsn=database_url, kafka_bootstrap=bootstrap, schema=schemas[d.name], topic_prefix=prefix,
                options={"watcher_interval_seconds": 2.0}, pool_max_size=10))
            await hosts[d.name].start()
        async with contextlib.AsyncExitStack() as served:
            urls = {name: await served.enter_async_context(serve(host.app)) for name, host in hosts.items()}
            script = generate(seed, now=datetime.now(UTC), size=size, committee_id=committee_id)
            say(f"loading the county ({len(script.steps):,} commands) through the services' command APIs")
            started = time.perf_counter()
            report = await load(script, urls)
            load_seconds = time.perf_counter() - started
            if not report.ok:
                raise CountyError(f"the county did not load: {report.failures[0]} "
                                  f"(and {len(report.failures) - 1} more)")
            say(f"  {report.summary()}")
            await _published(bootstrap, prefix, say)
            records = await read_topics(bootstrap, prefix, CONSUMED)
            say(f"  {len(records):,} events recorded on {', '.join(CONSUMED)}")
            yield LoadedCounty(script, report, load_seconds, records, urls)
    finally:
        for host in reversed(list(hosts.values())):
            await host.stop()
        for schema in schemas.values():
            await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await delete_topics(bootstrap, prefix)


async def _end_offsets(bootstrap: KafkaAccess, names: Sequence[str]) -> dict[TopicPartition, int]:
    admin = AIOKafkaAdminClient(**bootstrap.client_kwargs())
    consumer = AIOKafkaConsumer(**bootstrap.client_kwargs())
    await admin.start()
    await consumer.start()
    try:
        described = await admin.describe_topics(list(names))
        parts = [TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]]
        return dict(await consumer.end_offsets(parts)) if parts else {}
    finally:
        await consumer.stop()
        await admin.close()


async def _published(bootstrap: KafkaAccess, prefix: str, say: Say, *, quiet_seconds: float = 3.0,
                     timeout: float = 600.0) -> None:
    """Wait until the relays have published the county: no topic grew for `quiet_seconds` (the services'
    own workers — the scorer, the deadline watcher — write facts of their own for a while after the load)."""
    names = [f"{prefix}{t}" for t in CONSUMED]
    deadline = time.monotonic() + timeout
    last, still_since = await _end_offsets(bootstrap, names), time.monotonic()
    while time.monotonic() - still_since < quiet_seconds:
        if time.monotonic() > deadline:
            raise CountyError(f"the topics were still growing after {timeout:.0f} s")
        await asyncio.sleep(0.5)
        now = await _end_offsets(bootstrap, names)
        if now != last:
            last, still_since = now, time.monotonic()
    say(f"  topics settled at {sum(last.values()):,} records")


async def read_topics(bootstrap: KafkaAccess, prefix: str, names: Sequence[str]) -> list[Record]:
    """Every record of the topics, in partition order, with its key, headers and partition."""
    ends = await _end_offsets(bootstrap, [f"{prefix}{n}" for n in names])
    consumer = AIOKafkaConsumer(**bootstrap.client_kwargs(), enable_auto_commit=False)
    await consumer.start()
    out: list[Record] = []
    try:
        consumer.assign(list(ends))
        await consumer.seek_to_beginning(*ends)
        left = {tp: end for tp, end in ends.items() if end > 0}
        while left:
            batch = await consumer.getmany(*left, timeout_ms=1000)
            for tp, messages in batch.items():
                for m in messages:
                    out.append(Record(tp.topic.removeprefix(prefix), tp.partition, m.key, m.value or b"",
                                      tuple((k, v) for k, v in (m.headers or ()))))
                if messages and messages[-1].offset + 1 >= left[tp]:
                    del left[tp]
    finally:
        await consumer.stop()
    return out


async def publish(bootstrap: KafkaAccess, prefix: str, records: Sequence[Record]) -> None:
    """The records to the same partitions of the prefixed topics, in their order (what the relays sent)."""
    await create_topics(bootstrap, [f"{prefix}{t}" for t in platform_topics()])
    producer = AIOKafkaProducer(**bootstrap.client_kwargs(), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for start in range(0, len(records), 2_000):
            sends = [await producer.send(f"{prefix}{r.topic}", r.value, key=r.key, partition=r.partition,
                                         headers=list(r.headers)) for r in records[start:start + 2_000]]
            await asyncio.gather(*sends)
    finally:
        await producer.stop()


async def delete_topics(bootstrap: KafkaAccess, prefix: str) -> None:
    admin = AIOKafkaAdminClient(**bootstrap.client_kwargs())
    await admin.start()
    try:
        names = [t for t in await admin.list_topics() if t.startswith(prefix)]
        if names:
            await admin.delete_topics(names)
    except Exception:  # leftovers of a bench only cost disk; never fail the run for them
        pass
    finally:
        await admin.close()
