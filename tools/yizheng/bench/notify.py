"""`yizheng bench notify`: the notify service on the path production takes, fed a whole demo county.

Once: the county (`yizheng.demo.generator.generate`, committee `bench-county`, so the default rules apply:
one mail per notification, no digest) is loaded through the platform's services, and the events they
published on the proposals, members and surveys topics are recorded (`notify_county`).

Each round, then:
1. **Intake.** The recorded events are published, same partitions and order, to a fresh topic prefix; a
   fresh notify service (`notify.service.DEFINITION` built by `runtime.service_host`, a fresh schema, its
   consumer group named by the prefix) starts, and its intake consumer is timed until it has applied every
   event of the types it reads. Figures: notifications created per second (counted in its table), from the
   first event applied to the last, and from `start()` (which includes joining the consumer group).
2. **Delivery.** The service's delivery worker (`DeliveryWorker.tick`, what its tailer runs while there is
   work, with `senders` messages in flight) sends every email delivery the intake wrote through notify's
   email channel (aiosmtplib) to a local SMTP sink on loopback; each address is asked of the members
   service's `GET /notification-addresses`, as in production. Figure: mails accepted by the sink per second.
3. **Baseline.** Plain aiosmtplib sends the very messages the worker sent (same bytes and recipients) to the
   same sink, `senders` at a time, one connection per message as the channel does (`notify_mail`).

The delivery and baseline windows alternate round by round; medians are reported, and the ratio is the
median of the per-round ratios. The sink runs in this process (aiosmtpd's thread), on both sides alike."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import asyncpg

from eventstore.consumer import IdempotentConsumer
from eventstore.db import create_pool
from eventstore.kafka_access import KafkaAccess
from notify.channels.email import EmailChannel
from notify.channels.settings import EmailSettings
from notify.contacts import MembersContacts
from notify.intake import consumed_types
from notify.parts import CHANNELS, CONTACTS, SENDERS, NotifyParts, _senders
from notify.service import DEFINITION
from runtime import settings
from runtime.service_host import HostConfig, ServiceHost, build_service
from yizheng.bench import cpu
from yizheng.bench.notify_county import LoadedCounty, delete_topics, loaded_county, publish
from yizheng.bench.notify_mail import RecordingSmtpSink, send_raw
from yizheng.demo.generator import DEFAULT_SEED, Size

Say = Callable[[str], None]


class NotifyBenchError(RuntimeError):
    pass


@dataclass(frozen=True)
class NotifyBenchConfig:
    mode: str
    size: Size
    rounds: int
    senders: int  # the delivery worker's messages in flight (and the baseline's)
    seed: int = DEFAULT_SEED

    @classmethod
    def quick(cls, senders: int | None = None) -> NotifyBenchConfig:
        return cls(mode="quick", size=Size.small(), rounds=3, senders=senders or _senders({}))

    @classmethod
    def full(cls, senders: int | None = None) -> NotifyBenchConfig:
        return cls(mode="full", size=Size(), rounds=3, senders=senders or _senders({}))


@dataclass
class IntakeWindow:
    events: int  # applied by the intake consumer (the types it reads)
    notifications: int
    email_deliveries: int
    seconds: float  # first event applied -> last
    seconds_from_start: float  # start() -> last (joining the group included)
    notifications_per_s: float
    events_per_s: float
    cpu: dict[str, Any] = field(default_factory=dict)


@dataclass
class MailWindow:
    mails: int  # accepted by the SMTP sink
    seconds: float
    mails_per_s: float
    mean_bytes: float
    cpu: dict[str, Any] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)  # the worker's email deliveries, by status


@dataclass
class NotifyBenchResult:
    config: dict[str, Any]
    county: dict[str, Any]
    intake: list[IntakeWindow]
    worker: list[MailWindow]
    raw: list[MailWindow]
    server: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        ratios = [w.mails_per_s / r.mails_per_s for w, r in zip(self.worker, self.raw, strict=True) if r.mails_per_s]
        return {
            "config": self.config, "county": self.county, "server": self.server,
            "intake": {"notifications_per_s": _median([w.notifications_per_s for w in self.intake]),
                       "events_per_s": _median([w.events_per_s for w in self.intake]),
                       "notifications_per_s_from_start": _median([w.notifications / w.seconds_from_start
                                                                  for w in self.intake]),
                       "rounds": [asdict(w) for w in self.intake]},
            "mail": {"worker_mails_per_s": _median([w.mails_per_s for w in self.worker]),
                     "aiosmtplib_mails_per_s": _median([w.mails_per_s for w in self.raw]),
                     "worker_rounds": [asdict(w) for w in self.worker],
                     "aiosmtplib_rounds": [asdict(w) for w in self.raw],
                     "per_round_ratios": [round(r, 3) for r in ratios]},
            "worker_vs_aiosmtplib": _median(ratios),
        }


def _median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else 0.0


def _intake(host: ServiceHost[NotifyParts]) -> IdempotentConsumer:
    return next(c for c in host.consumers if c.name.endswith("notify-intake"))


async def _count(pool: asyncpg.Pool, schema: str, sql: str) -> int:
    return int(await pool.fetchval(sql.format(s=schema)))


async def intake_round(database_url: str, bootstrap: KafkaAccess, county: LoadedCounty, sink: RecordingSmtpSink,
                       config: NotifyBenchConfig, *, schema: str, prefix: str,
                       timeout: float) -> tuple[ServiceHost[NotifyParts], IntakeWindow]:
    """The recorded events to a fresh prefix, and a fresh notify service timed draining them (its workers
    off: the delivery window drives the delivery worker itself). Returns the running host."""
    await publish(bootstrap, prefix, county.records)
    expected = county.count_of(consumed_types())
    email = EmailChannel(EmailSettings(host=sink.host, port=sink.port, timeout_seconds=30))
    host = await build_service(DEFINITION, HostConfig(
        dsn=database_url, kafka_bootstrap=bootstrap, schema=schema, topic_prefix=prefix, run_workers=False,
        pool_max_size=10, options={CHANNELS: {"email": email}, SENDERS: config.senders,
                                   CONTACTS: MembersContacts(county.urls["members"])}))
    await host.install()  # the tables first, so the window holds the consumer's work only
    intake = _intake(host)
    started = cpu.sample({})
    await host.start()
    first: float | None = None
    while intake.handled < expected:
        now = time.perf_counter()
        if first is None and intake.handled:
            first = now
        if now - started.wall > timeout:
            await host.stop()
            raise NotifyBenchError(f"notify's intake applied {intake.handled} of {expected} events in {timeout:.0f} s")
        await asyncio.sleep(0.002)
    end = cpu.sample({})
    s = host.schema
    notes = await _count(host.pool, s, "SELECT count(*) FROM {s}.notifications")
    emails = await _count(host.pool, s, "SELECT count(*) FROM {s}.deliveries WHERE channel = 'email'")
    seconds = end.wall - (first or started.wall)
    return host, IntakeWindow(
        events=intake.handled, notifications=notes, email_deliveries=emails, seconds=round(seconds, 3),
        seconds_from_start=round(end.wall - started.wall, 3), notifications_per_s=notes / seconds,
        events_per_s=intake.handled / seconds, cpu=cpu.usage(started, end, notes))


async def worker_round(host: ServiceHost[NotifyParts], sink: RecordingSmtpSink) -> tuple[MailWindow, list[Any]]:
    """The delivery worker's passes until no email delivery is left to send; what the sink received."""
    worker = host.parts.deliveries
    sink.take()
    first = cpu.sample({})
    while await worker.tick(batch=100):
        pass
    end = cpu.sample({})
    sent = sink.take()
    rows = await host.pool.fetch(f"SELECT status, count(*) AS n FROM {host.schema}.deliveries "
                                 "WHERE channel = 'email' GROUP BY status")
    return _mail_window(sent, first, end, {r["status"]: r["n"] for r in rows}), sent


async def raw_round(sink: RecordingSmtpSink, messages: list[Any], concurrency: int) -> MailWindow:
    sink.take()
    first = cpu.sample({})
    await send_raw(sink.host, sink.port, messages, concurrency=concurrency)
    end = cpu.sample({})
    got = sink.take()
    if len(got) != len(messages):
        raise NotifyBenchError(f"the sink accepted {len(got)} of the {len(messages)} messages sent raw")
    return _mail_window(got, first, end, {})


def _mail_window(sent: list[Any], first: cpu.CpuSample, end: cpu.CpuSample, statuses: dict[str, int]) -> MailWindow:
    seconds = end.wall - first.wall
    return MailWindow(mails=len(sent), seconds=round(seconds, 3), mails_per_s=len(sent) / seconds if seconds else 0.0,
                      mean_bytes=round(statistics.fmean(len(m.data) for m in sent), 1) if sent else 0.0,
                      cpu=cpu.usage(first, end, len(sent)), statuses=statuses)


async def run_notify_bench(database_url: str, bootstrap: KafkaAccess, config: NotifyBenchConfig, *,
                           say: Say = lambda _m: None) -> NotifyBenchResult:
    pool = await create_pool(database_url, max_size=2)
    sink = RecordingSmtpSink(host=settings.LOOPBACK)
    sink.start()
    tag = uuid.uuid4().hex[:8]
    intake: list[IntakeWindow] = []
    worker: list[MailWindow] = []
    raw: list[MailWindow] = []
    try:
        server = {"server_version": await pool.fetchval("SHOW server_version")}
        async with loaded_county(database_url, bootstrap, pool, seed=config.seed, size=config.size,
                                 say=say) as county:
            timeout = 120 + len(county.records) / 20
            for r in range(config.rounds):
                prefix, schema = f"tbnotify{tag}r{r}.", f"bench_notify_{tag}_r{r}"
                try:
                    host, window = await intake_round(database_url, bootstrap, county, sink, config, schema=schema,
                                                      prefix=prefix, timeout=timeout)
                    try:
                        intake.append(window)
                        sent_window, sent = await worker_round(host, sink)
                        worker.append(sent_window)
                        if not sent:
                            raise NotifyBenchError(f"the delivery worker sent no mail (deliveries by status: "
                                                   f"{sent_window.statuses})")
                        raw.append(await raw_round(sink, sent, config.senders))
                    finally:
                        await host.stop()
                finally:
                    await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                    await delete_topics(bootstrap, prefix)
                say(f"  round {r + 1}/{config.rounds}: intake {window.notifications:,} notifications from "
                    f"{window.events:,} events, {window.notifications_per_s:,.0f}/s; worker "
                    f"{worker[-1].mails:,} mails, {worker[-1].mails_per_s:,.0f}/s; aiosmtplib "
                    f"{raw[-1].mails_per_s:,.0f}/s")
            county_info = {"committee_id": county.script.committee_id, "seed": config.seed,
                           "size": asdict(config.size), "commands": len(county.script.steps),
                           "load_seconds": round(county.load_seconds, 1), "recorded_events": len(county.records),
                           "events_intake_reads": county.count_of(consumed_types()),
                           "members": county.script.expected.counts["members"],
                           "units": county.script.expected.counts["units"]}
    finally:
        sink.stop()
        await pool.close()
    cfg = {"mode": config.mode, "rounds": config.rounds, "senders": config.senders, "seed": config.seed,
           "feed": "load once through the services, replay the recorded topics to a fresh prefix per round"}
    return NotifyBenchResult(cfg, county_info, intake, worker, raw, server)
