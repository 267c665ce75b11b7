"""`yizheng bench kernel`: the event-sourcing kernel against its baselines, on the same server and broker.

1. Durable appends: N concurrent clients, each with its own pooled asyncpg connection, append one event per
   `EventStore.append` call to streams of their own — next to pgbench running a one-row INSERT per
   transaction at the same client count (`-c N -j N -T secs -n -f script`), into a table whose rows are as
   wide as our event rows.
2. Relay: a `Relay` draining a pre-filled store to a fresh topic (from start() until its checkpoint holds
   the last event: it checkpoints a batch only once the broker acknowledged all of it) — next to a plain
   aiokafka producer loop with the relay's producer settings, sending the very messages the relay sent
   (read back from its topic: same bodies, keys, headers, order), gathering the send() futures in batches
   of the relay's size, to another fresh topic.
3. Consumer (no target; yizheng.bench.consumer): an `IdempotentConsumer` draining a topic, next to a
   hand-written aiokafka + asyncpg loop doing the same work per message.

Noise. The machine is shared (other test runs, the broker's JVM), so each comparison runs in rounds that
alternate kernel and baseline, and every ratio is the median of the per-round ratios. Each timed window
also records the CPU time per operation of every party (yizheng.bench.cpu), which is what explains a ratio.

Everything runs in fresh schemas and on fresh topics, dropped/deleted afterwards; a CHECKPOINT and a short
warm-up precede each series of timed windows.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from eventstore.db import create_pool
from eventstore.install import install
from eventstore.kafka_access import KafkaAccess
from eventstore.kafka_clients import public_broker
from eventstore.relay import Relay
from eventstore.store import Checkpoint, EventStore
from yizheng.bench import consumer as consumer_bench
from yizheng.bench import cpu
from yizheng.bench.bench_events import (
    BENCH_EVENTS,
    BENCH_PARTITIONS,
    NOTE,
    SOURCE,
    BenchError,
    BenchNoted,
    bench_ctx,
)
from yizheng.bench.drain import DrainComparison, DrainWindow, _median
from yizheng.bench.pgbench import PgbenchResult, insert_script, run_pgbench

Say = Callable[[str], None]

TARGET_APPEND = 0.5
TARGET_RELAY = 0.6
HEADLINE_CLIENTS = 4


@dataclass(frozen=True)
class KernelBenchConfig:
    mode: str
    clients: tuple[int, ...]
    rounds: int  # alternating kernel/baseline windows per comparison
    seconds: int  # per timed window (pgbench -T takes whole seconds)
    warmup_seconds: int
    relay_events: int  # drained by the relay (and sent raw) in each round
    relay_warmup_events: int
    relay_streams: int
    streams_per_client: int = 100
    consumer_events: int = 3_000  # drained by the consumer (and by hand) in each round

    @classmethod
    def quick(cls) -> KernelBenchConfig:
        return cls(mode="quick", clients=(1, 4), rounds=3, seconds=4, warmup_seconds=2,
                   relay_events=50_000, relay_warmup_events=5_000, relay_streams=1_000)

    @classmethod
    def full(cls) -> KernelBenchConfig:
        return cls(mode="full", clients=(1, 4, 8), rounds=5, seconds=10, warmup_seconds=5,
                   relay_events=200_000, relay_warmup_events=20_000, relay_streams=5_000, consumer_events=10_000)


# ---- durable appends ---------------------------------------------------------------------------------


@dataclass
class AppendWindow:
    clients: int
    seconds: float
    events: int
    events_per_s: float
    latency_p50_ms: float
    latency_p99_ms: float
    cpu: dict[str, Any] = field(default_factory=dict)


async def backend_pids(pool: asyncpg.Pool, count: int) -> list[int]:
    """The server pids behind a pool's `count` connections (all held at once, then released)."""
    conns = [await pool.acquire() for _ in range(count)]
    try:
        return [c.get_server_pid() for c in conns]
    finally:
        for c in conns:
            await pool.release(c)


class AppendLoad:
    """`clients` tasks on as many pooled connections (plus one for the store's coalesced NOTIFY), each
    appending one event per `EventStore.append` call, round-robin over streams of its own with the right
    expected version. Paused between timed windows, so pgbench runs on a quiet server."""

    def __init__(self, pool: asyncpg.Pool, store: EventStore, clients: int, streams_per_client: int,
                 pids: list[int]) -> None:
        self.pool, self.store, self.clients, self.pids = pool, store, clients, pids
        self._streams = streams_per_client
        self._go = asyncio.Event()
        self._stop = False
        self._measuring = False
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._events = 0
        self._latencies: list[float] = []
        self._tasks = [asyncio.create_task(self._client(c)) for c in range(clients)]

    @classmethod
    async def open(cls, database_url: str, schema: str, *, clients: int, streams_per_client: int) -> AppendLoad:
        pool = await create_pool(database_url, min_size=clients + 1, max_size=clients + 1)
        pids = await backend_pids(pool, clients + 1)
        return cls(pool, EventStore(pool, schema, SOURCE, registry=BENCH_EVENTS), clients, streams_per_client, pids)

    async def _client(self, c: int) -> None:
        tag = uuid.uuid4().hex[:6]  # streams of their own, also across loads on one schema
        streams = [f"{tag}-{c}-{k}" for k in range(self._streams)]
        versions = dict.fromkeys(streams, 0)
        ctx = bench_ctx()
        i = 0
        while True:
            await self._go.wait()
            if self._stop:
                return
            stream = streams[i % self._streams]
            self._in_flight += 1
            self._idle.clear()
            try:
                started = time.perf_counter()
                await self.store.append(stream, versions[stream], [BenchNoted(n=i, note=NOTE)], ctx)
                if self._measuring:
                    self._latencies.append(time.perf_counter() - started)
                    self._events += 1
            finally:
                self._in_flight -= 1
                if not self._in_flight:
                    self._idle.set()
            versions[stream] += 1
            i += 1

    async def run(self, seconds: float) -> AppendWindow:
        self._events, self._latencies = 0, []
        groups = {"postgres_backends": self.pids}
        first = cpu.sample(groups)
        self._measuring = True
        self._go.set()
        await asyncio.sleep(seconds)
        self._measuring = False
        last = cpu.sample(groups)
        self._go.clear()
        await self._idle.wait()
        for t in self._tasks:
            if t.done() and t.exception() is not None:
                raise BenchError(f"an appending client failed: {t.exception()!r}")
        elapsed = last.wall - first.wall
        lat = sorted(self._latencies) or [0.0]
        return AppendWindow(clients=self.clients, seconds=round(elapsed, 3), events=self._events,
                            events_per_s=self._events / elapsed,
                            latency_p50_ms=round(_median(lat) * 1000, 3),
                            latency_p99_ms=round(lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000, 3),
                            cpu=cpu.usage(first, last, self._events))

    async def close(self) -> None:
        self._stop = True
        self._go.set()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.store.close()
        await self.pool.close()


async def event_row_width(conn: asyncpg.Connection, schema: str) -> int:
    width = await conn.fetchval(f"SELECT avg(pg_column_size(e.*))::int FROM {schema}.events e")
    return int(width or 0)


async def pgbench_table(conn: asyncpg.Connection, schema: str, row_width: int) -> tuple[str, str, int]:
    """A bigserial-keyed table with one jsonb column, and a value literal that makes its rows as wide as
    `row_width` bytes (calibrated with pg_column_size). Returns (table, value SQL, row width)."""
    table = f"{schema}.bench_pgbench"
    await conn.execute(f"CREATE TABLE {table} (id bigserial PRIMARY KEY, v jsonb NOT NULL)")

    def literal(pad: int) -> str:
        return "'" + json.dumps({"pad": "x" * max(pad, 0)}) + "'::jsonb"

    pad = max(row_width - 60, 0)
    width = 0
    for _ in range(3):
        width = int(await conn.fetchval(f"WITH r AS (INSERT INTO {table} (v) VALUES ({literal(pad)}) RETURNING *) "
                                        "SELECT pg_column_size(r.*) FROM r"))
        if width == row_width:
            break
        pad += row_width - width
    await conn.execute(f"TRUNCATE {table} RESTART IDENTITY")
    return table, literal(pad), width


def _backend_finder(pool: asyncpg.Pool) -> Callable[[str], Any]:
    async def find(application_name: str) -> list[int]:
        rows = await pool.fetch("SELECT pid FROM pg_stat_activity WHERE application_name = $1", application_name)
        return [int(r["pid"]) for r in rows]
    return find


@dataclass
class AppendComparison:
    clients: int
    append_events_per_s: float  # medians over the rounds
    pgbench_tps: float
    ratio: float  # median of the per-round ratios
    appends: list[AppendWindow]
    pgbench: list[PgbenchResult]


async def compare_appends(pool: asyncpg.Pool, database_url: str, schema: str, table: str, value_sql: str,
                          config: KernelBenchConfig, clients: int, say: Say) -> AppendComparison:
    load = await AppendLoad.open(database_url, schema, clients=clients, streams_per_client=config.streams_per_client)
    script = insert_script(table, value_sql)
    finder = _backend_finder(pool)
    appends: list[AppendWindow] = []
    benches: list[PgbenchResult] = []
    try:
        await pool.execute("CHECKPOINT")
        if config.warmup_seconds:
            await load.run(config.warmup_seconds)
            await run_pgbench(database_url, script, clients=clients, seconds=config.warmup_seconds)
        for r in range(config.rounds):
            appends.append(await load.run(config.seconds))
            benches.append(await run_pgbench(database_url, script, clients=clients, seconds=config.seconds,
                                             find_backends=finder))
            say(f"  round {r + 1}/{config.rounds}: append {appends[-1].events_per_s:,.0f} events/s, "
                f"pgbench {benches[-1].tps:,.0f} tps")
    finally:
        await load.close()
    ratios = [a.events_per_s / p.tps for a, p in zip(appends, benches, strict=True)]
    return AppendComparison(clients=clients, append_events_per_s=_median([a.events_per_s for a in appends]),
                            pgbench_tps=_median([p.tps for p in benches]), ratio=_median(ratios),
                            appends=appends, pgbench=benches)


# ---- relay -------------------------------------------------------------------------------------------


async def prefill(pool: asyncpg.Pool, store: EventStore, *, events: int, streams: int, chunk: int = 5_000) -> None:
    """`events` events round-robin over `streams` streams, through the kernel's own append function and
    payload format, pipelined with executemany, one transaction per chunk."""
    ctx = bench_ctx()
    sql = f"SELECT count(*) FROM {store.schema}.append_events($1, $2, $3::text::jsonb)"

    def payload(i: int) -> str:
        built: Any = store._payload([BenchNoted(n=i, note=NOTE)], ctx)
        return built if isinstance(built, str) else str(built[-1])  # (ids, payload) in a leaner kernel

    for start in range(0, events, chunk):
        args = [(f"s-{i % streams}", i // streams, payload(i)) for i in range(start, min(start + chunk, events))]
        async with pool.acquire() as conn, conn.transaction():
            await conn.executemany(sql, args)


async def last_checkpoint(conn: asyncpg.Connection, schema: str) -> Checkpoint:
    row = await conn.fetchrow(f"SELECT tx_id::text AS tx_id, position FROM {schema}.events "
                              "ORDER BY tx_id DESC, position DESC LIMIT 1")
    if row is None:
        raise BenchError(f"{schema}.events is empty")
    return Checkpoint(int(row["tx_id"]), int(row["position"]))


async def drain_with_relay(store: EventStore, topic: str, bootstrap: KafkaAccess, *, name: str, events: int,
                           last: Checkpoint, timeout: float, groups: dict[str, list[int]] | None = None) -> DrainWindow:
    """Time a fresh Relay from start() until it has checkpointed all `events` (its `published` counter moves
    only after a batch's acks and checkpoint). Its producer connects before the clock starts."""
    relay = Relay(store, topic, bootstrap, name=name)
    await relay.connect()
    first = cpu.sample(groups or {})
    await relay.start()
    try:
        while relay.published < events:
            if time.perf_counter() - first.wall > timeout:
                raise BenchError(f"the relay did not drain {events} events to {topic} within {timeout:.0f} s")
            await asyncio.sleep(0.001)
        end = cpu.sample(groups or {})
    finally:
        await relay.stop()
    if await relay.checkpoint() != last:
        raise BenchError(f"the relay stopped at {await relay.checkpoint()}, not at the last event {last}")
    elapsed = end.wall - first.wall
    return DrainWindow(events=relay.published, seconds=round(elapsed, 3), events_per_s=relay.published / elapsed,
                       batch_size=relay.batch_size, cpu=cpu.usage(first, end, relay.published))


Message = tuple[bytes, bytes, list[tuple[str, bytes]]]


async def published_messages(bootstrap: KafkaAccess, topic: str, expected: int, *,
                             timeout: float = 60) -> list[Message]:
    """What the relay put on the wire, byte for byte (body, key, headers), read back from its topic and put
    back in the order it was sent (store position), so the raw loop sends exactly the same messages."""
    consumer = AIOKafkaConsumer(**bootstrap.client_kwargs(), enable_auto_commit=False, max_poll_records=10_000)
    await consumer.start()
    records: list[Any] = []
    try:
        partitions = [TopicPartition(topic, p) for p in range(BENCH_PARTITIONS)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        deadline = time.monotonic() + timeout
        while len(records) < expected:
            if time.monotonic() > deadline:
                raise BenchError(f"read {len(records)} of {expected} records back from {topic}")
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
    finally:
        await consumer.stop()
    records.sort(key=lambda r: json.loads(r.value)["position"])
    return [(r.key, r.value, list(r.headers)) for r in records]


def producer_settings(bootstrap: KafkaAccess) -> dict[str, Any]:
    """The exact keyword arguments FastStream hands to AIOKafkaProducer for `eventstore.relay.public_broker`."""
    broker = public_broker(bootstrap, client_id=f"{SOURCE}-raw")
    return dict(broker._connection_kwargs)


async def send_raw(producer: AIOKafkaProducer, topic: str, messages: Sequence[Message], batch: int,
                   groups: dict[str, list[int]] | None = None) -> DrainWindow:
    first = cpu.sample(groups or {})
    for start in range(0, len(messages), batch):
        futures = [await producer.send(topic, value=value, key=key, headers=headers)
                   for key, value, headers in messages[start:start + batch]]
        await asyncio.gather(*futures)
    end = cpu.sample(groups or {})
    elapsed = end.wall - first.wall
    return DrainWindow(events=len(messages), seconds=round(elapsed, 3), events_per_s=len(messages) / elapsed,
                       batch_size=batch, cpu=cpu.usage(first, end, len(messages)))


async def create_topics(bootstrap: KafkaAccess, topics: Sequence[str]) -> None:
    admin = AIOKafkaAdminClient(**bootstrap.client_kwargs())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(t, num_partitions=BENCH_PARTITIONS, replication_factor=1)
                                   for t in topics])
    finally:
        await admin.close()


async def delete_topics(bootstrap: KafkaAccess, topics: Sequence[str]) -> None:
    admin = AIOKafkaAdminClient(**bootstrap.client_kwargs())
    await admin.start()
    try:
        await admin.delete_topics(list(topics))
    finally:
        await admin.close()


async def topic_contents(bootstrap: KafkaAccess, topic: str) -> tuple[int, Any]:
    """(records in the topic, first record of partition 0)."""
    consumer = AIOKafkaConsumer(**bootstrap.client_kwargs(), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(BENCH_PARTITIONS)]
        ends = await consumer.end_offsets(partitions)
        consumer.assign([partitions[0]])
        await consumer.seek_to_beginning(partitions[0])
        first = await asyncio.wait_for(consumer.getone(), 10)
        return sum(ends.values()), first
    finally:
        await consumer.stop()


def kafka_broker_pids(bootstrap: KafkaAccess) -> list[int]:
    """The local broker's pid when `bootstrap` is the broker `yizheng infra` runs (for its CPU figures)."""
    from runtime import settings
    from yizheng.infra import kafka
    from yizheng.infra.paths import Layout

    if bootstrap.bootstrap != settings.local_kafka_bootstrap():
        return []
    pid = kafka.running_pid(Layout.current())
    return [pid] if pid is not None else []


# ---- the whole run -----------------------------------------------------------------------------------


@dataclass
class KernelBenchResult:
    config: KernelBenchConfig
    server: dict[str, Any]
    appends: list[AppendComparison]
    event_row_width: int
    pgbench_row_width: int
    relay: DrainComparison
    producer: dict[str, Any]
    checks: dict[str, Any]
    event_loop: str = ""  # the loop this process ran on (the services run on runtime.event_loop's)
    consumers: DrainComparison | None = None

    def ratios(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for a in self.appends:
            out["append_vs_pgbench_1client" if a.clients == 1 else f"append_vs_pgbench_{a.clients}clients"] = a.ratio
        headline = next((a for a in self.appends if a.clients == HEADLINE_CLIENTS), self.appends[-1])
        out["append_vs_pgbench"] = headline.ratio
        if self.consumers is not None:
            out["consumer_vs_handwritten"] = self.consumers.ratio
        out["relay_vs_aiokafka"] = self.relay.ratio
        return out

    def as_dict(self) -> dict[str, Any]:
        ratios = self.ratios()
        headline = next((a for a in self.appends if a.clients == HEADLINE_CLIENTS), self.appends[-1])
        return {
            **ratios,
            "append_vs_pgbench_clients": headline.clients,
            "targets": {"append_vs_pgbench": TARGET_APPEND, "relay_vs_aiokafka": TARGET_RELAY},
            "targets_met": {"append_vs_pgbench": ratios["append_vs_pgbench"] >= TARGET_APPEND,
                            "relay_vs_aiokafka": ratios["relay_vs_aiokafka"] >= TARGET_RELAY},
            "append": [
                {"clients": a.clients, "append_events_per_s": a.append_events_per_s, "pgbench_tps": a.pgbench_tps,
                 "ratio": a.ratio, "append_rounds": [asdict(w) for w in a.appends],
                 "pgbench_rounds": [p.as_dict() for p in a.pgbench]}
                for a in self.appends
            ],
            "row_width_bytes": {"event": self.event_row_width, "pgbench": self.pgbench_row_width},
            "relay": self.relay.as_dict("relay", "aiokafka"),
            "consumer": None if self.consumers is None else self.consumers.as_dict("consumer", "handwritten"),
            "producer_settings": self.producer,
            "event_loop": self.event_loop,
            "checks": self.checks,
            "server": self.server,
            "config": asdict(self.config),
        }


async def server_settings(conn: asyncpg.Connection) -> dict[str, Any]:
    names = ("server_version", "synchronous_commit", "fsync", "wal_sync_method", "full_page_writes",
             "shared_buffers", "commit_delay")
    return {n: await conn.fetchval(f"SHOW {n}") for n in names}


def _silent(_: str) -> None:
    pass


async def run_kernel_bench(database_url: str, bootstrap: KafkaAccess, config: KernelBenchConfig,
                           say: Say = _silent) -> KernelBenchResult:
    run = uuid.uuid4().hex[:10]
    append_schema, relay_schema, warm_schema = f"bench_{run}_a", f"bench_{run}_r", f"bench_{run}_w"
    topics = {"warm-relay": f"bench.{run}.warm-relay", "warm-raw": f"bench.{run}.warm-raw"}
    for r in range(config.rounds):
        topics[f"relay-{r}"], topics[f"raw-{r}"] = f"bench.{run}.relay-{r}", f"bench.{run}.raw-{r}"
    topics["consume"], topics["consume-warm"] = f"bench.{run}.consume", f"bench.{run}.consume-warm"
    pool = await create_pool(database_url, min_size=4, max_size=4)
    created_topics = False
    try:
        async with pool.acquire() as conn:
            server = await server_settings(conn)
        say(f"PostgreSQL {server['server_version']}: synchronous_commit={server['synchronous_commit']}, "
            f"fsync={server['fsync']}, wal_sync_method={server['wal_sync_method']}")
        if server["synchronous_commit"] != "on" or server["fsync"] != "on":
            say("WARNING: the server does not flush every commit; durable-append figures are not meaningful")

        # 1. durable appends next to pgbench
        await install(pool, append_schema)
        calibration = await AppendLoad.open(database_url, append_schema, clients=1, streams_per_client=10)
        try:
            await calibration.run(0.3)
        finally:
            await calibration.close()
        async with pool.acquire() as conn:
            event_width = await event_row_width(conn, append_schema)
            table, value_sql, pg_width = await pgbench_table(conn, append_schema, event_width)
        appends: list[AppendComparison] = []
        for n in config.clients:
            say(f"appends vs pgbench, {n} client(s): {config.warmup_seconds} s warm-up each, "
                f"then {config.rounds} x ({config.seconds} s + {config.seconds} s)")
            appends.append(await compare_appends(pool, database_url, append_schema, table, value_sql, config, n, say))

        # 2. relay next to raw aiokafka
        await create_topics(bootstrap, list(topics.values()))
        created_topics = True
        await install(pool, relay_schema)
        await install(pool, warm_schema)
        store = EventStore(pool, relay_schema, SOURCE, registry=BENCH_EVENTS)
        warm_store = EventStore(pool, warm_schema, SOURCE, registry=BENCH_EVENTS)
        say(f"relay: pre-filling {config.relay_events:,} events on {config.relay_streams:,} streams")
        await prefill(pool, warm_store, events=config.relay_warmup_events, streams=config.relay_streams)
        await prefill(pool, store, events=config.relay_events, streams=config.relay_streams)
        await pool.execute(f"ANALYZE {relay_schema}.events")
        async with pool.acquire() as conn:
            last, warm_last = await last_checkpoint(conn, relay_schema), await last_checkpoint(conn, warm_schema)
        groups = {"postgres_backends": await backend_pids(pool, 4), "kafka_broker": kafka_broker_pids(bootstrap)}
        timeout = 60 + config.relay_events / 500
        await pool.execute("CHECKPOINT")
        say(f"relay vs aiokafka: warm-up with {config.relay_warmup_events:,} events each, "
            f"then {config.rounds} x {config.relay_events:,} events each")
        warm = await drain_with_relay(warm_store, topics["warm-relay"], bootstrap, name="bench-relay",
                                      events=config.relay_warmup_events, last=warm_last, timeout=timeout)
        batch = warm.batch_size  # the relay's own default
        warm_messages = await published_messages(bootstrap, topics["warm-relay"], config.relay_warmup_events)
        messages: list[Message] = []
        producer = AIOKafkaProducer(**producer_settings(bootstrap))
        relay_rounds: list[DrainWindow] = []
        raw_rounds: list[DrainWindow] = []
        await producer.start()
        try:
            await send_raw(producer, topics["warm-raw"], warm_messages, batch)
            for r in range(config.rounds):
                relay_rounds.append(await drain_with_relay(
                    store, topics[f"relay-{r}"], bootstrap, name=f"bench-relay-{r}", events=config.relay_events,
                    last=last, timeout=timeout, groups=groups))
                if not messages:  # untimed: what the relay sent, to send again raw
                    messages = await published_messages(bootstrap, topics["relay-0"], config.relay_events)
                    # Keep the garbage collector from rescanning these ~10^6 objects during later rounds
                    # (it would slow whichever allocates more, i.e. the relay, for the bench's own sake).
                    gc.collect()
                    gc.freeze()
                raw_rounds.append(await send_raw(producer, topics[f"raw-{r}"], messages, batch, groups))
                say(f"  round {r + 1}/{config.rounds}: relay {relay_rounds[-1].events_per_s:,.0f} events/s, "
                    f"aiokafka {raw_rounds[-1].events_per_s:,.0f} messages/s")
        finally:
            await producer.stop()
        relay = DrainComparison(kernel=relay_rounds, baseline=raw_rounds)

        relay_count, relay_first = await topic_contents(bootstrap, topics["relay-0"])
        raw_count, raw_first = await topic_contents(bootstrap, topics["raw-0"])
        checks = {
            "relay_topic_records": relay_count,
            "aiokafka_topic_records": raw_count,
            "same_body_and_key": relay_first.value == raw_first.value and relay_first.key == raw_first.key,
            "same_header_names": [k for k, _ in relay_first.headers] == [k for k, _ in raw_first.headers],
        }
        if relay_count != config.relay_events or raw_count != config.relay_events:
            raise BenchError(f"expected {config.relay_events} records per topic, found {checks}")

        # 3. the idempotent consumer next to a hand-written loop doing the same work (no target)
        consumers = await consumer_bench.compare(pool, relay_schema, bootstrap, topic=topics["consume"],
                                                 warm_topic=topics["consume-warm"], count=config.consumer_events,
                                                 rounds=config.rounds, groups=groups, say=say)
        settings = producer_settings(bootstrap)
        shown = {k: v for k, v in settings.items()
                 if k in ("acks", "enable_idempotence", "linger_ms", "max_batch_size", "max_request_size",
                          "compression_type", "request_timeout_ms")}
        return KernelBenchResult(config=config, server=server, appends=appends, event_row_width=event_width,
                                 pgbench_row_width=pg_width, relay=relay, producer=shown, checks=checks,
                                 event_loop=type(asyncio.get_running_loop()).__module__, consumers=consumers)
    finally:
        gc.unfreeze()
        for schema in (append_schema, relay_schema, warm_schema):
            with contextlib.suppress(Exception):
                await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await pool.close()
        if created_topics:
            with contextlib.suppress(Exception):
                await delete_topics(bootstrap, list(topics.values()))
