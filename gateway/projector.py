"""The projector: one Kafka consumer over every internal topic that applies each event to every gateway view.

Each view keeps its own inbox name (`gateway.<view>`), so one view can be rebuilt (`yizheng replay <view>`,
which uses the kernel's `replay_from_topics` under that name) while the live projector keeps running. All
views apply a batch of events in ONE transaction with their inbox rows; after it commits the events are
announced on the views' NOTIFY channel, from which every replica's live listener feeds its hub (see live.py)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import cast
from uuid import UUID

import asyncpg

from eventstore.consumer import IdempotentConsumer, ReceivedEvent
from eventstore.install import install
from eventstore.projection import Projection, ReplayReport, replay_from_topics
from gateway.applied_waiters import AppliedWaiters
from gateway.audience import audience_of, audience_reads
from gateway.config import GatewayConfig
from gateway.live import LiveEvent, LiveHub, LiveListener, channel_for, encode
from gateway.views import VIEW_CLASSES, View, all_views, view_named
from gateway.views.base import Fact
from gateway.views.statements import HeldStatements
from runtime import settings
from runtime.database_role import connected_as_application_role

log = logging.getLogger("gateway.projector")


def inbox_name(view: View | str) -> str:
    return f"gateway.{view if isinstance(view, str) else view.name}"


class ViewsApplier(IdempotentConsumer):
    """An IdempotentConsumer whose one message applies to several views, each with its own inbox rows: the
    live projector, and a replay of several views in one pass over the topics. Each view's statements of a
    batch are held and sent when the batch ends (`gateway.views.statements`), runs of one statement pipelined."""

    def __init__(self, pool: asyncpg.Pool, config: GatewayConfig, views: Sequence[View], name: str,
                 group_id: str | None = None) -> None:
        self.views = list(views)
        self._names = [inbox_name(v) for v in self.views]
        self._held = {view.name: HeldStatements() for view in self.views}
        self.statements = 0  # sent to PostgreSQL by the views (round trips), for the benchmark's report
        self.held = 0  # made by the views' handlers
        super().__init__(name, pool, config.schema, self._unused, topics=config.topics,
                         bootstrap=config.kafka_bootstrap, group_id=group_id)

    async def _unused(self, conn: asyncpg.Connection, received: ReceivedEvent) -> None:
        raise AssertionError("a ViewsApplier applies through its views")

    def inbox_names(self) -> Sequence[str]:
        return self._names

    async def handle(self, conn: asyncpg.Connection, received: ReceivedEvent, fresh: frozenset[str]) -> object:
        return await self.apply_views(received, fresh)

    async def apply_views(self, received: ReceivedEvent, fresh: frozenset[str]) -> Fact:
        fact = Fact.of(received)
        for view in self.views:
            if inbox_name(view) in fresh:
                await view.apply_fact(self._held[view.name], fact)
        return fact

    async def flush(self, conn: asyncpg.Connection, views: Sequence[str] | None = None) -> None:
        """Send the held statements of these views (all by default), before something reads their tables."""
        for name in views if views is not None else list(self._held):
            held = self._held.get(name)
            if held is not None and held.held:
                self.held += held.held
                self.statements += await held.flush(conn)

    def begin_batch(self) -> None:
        self._held = {view.name: HeldStatements() for view in self.views}

    async def end_batch(self, conn: asyncpg.Connection) -> None:
        await self.flush(conn)


class ViewsConsumer(ViewsApplier):
    """The live projector: every view, and after each batch its events announced to live subscribers and to
    read-your-writes waiters."""

    def __init__(self, pool: asyncpg.Pool, config: GatewayConfig, views: Sequence[View], hub: LiveHub,
                 waiters: AppliedWaiters) -> None:
        self.hub = hub
        self.waiters = waiters
        self._view_schema = config.schema
        self.channel = channel_for(config.schema)
        super().__init__(pool, config, views, "gateway", group_id=f"{config.topic_prefix}{config.consumer_group}")

    async def handle(self, conn: asyncpg.Connection, received: ReceivedEvent, fresh: frozenset[str]) -> LiveEvent:
        fact = await self.apply_views(received, fresh)
        await self.flush(conn, audience_reads(fact))  # the audience is read from the views as this event left them
        audience = await audience_of(conn, self._view_schema, fact)
        return LiveEvent(fact.committee_id, fact.event_id, fact.type, fact.stream_id, fact.occurred_at, fact.data,
                         audience)

    async def committed(self, outcomes: Sequence[tuple[ReceivedEvent, LiveEvent]]) -> None:
        self.waiters.announced(live.event_id for _, live in outcomes)  # this replica's own, before the NOTIFY
        # After the commit, not inside it: a NOTIFY in the transaction would serialize commits on PostgreSQL's
        # notification queue. One statement per batch. A crash between the two loses live messages, never a
        # view row.
        try:
            await self.pool.execute("SELECT pg_notify($1, m) FROM unnest($2::text[]) AS m", self.channel,
                                    [encode(live) for _, live in outcomes])
        except (OSError, asyncpg.PostgresError) as err:
            log.warning("could not announce %d events to live subscribers: %s", len(outcomes), err)


class Projector:
    def __init__(self, pool: asyncpg.Pool, config: GatewayConfig, hub: LiveHub | None = None) -> None:
        self.pool = pool
        self.config = config
        self.hub = hub or LiveHub()
        self.views = all_views(config.schema)
        self.waiters = AppliedWaiters(self.applied_of)
        self.consumer = ViewsConsumer(pool, config, self.views, self.hub, self.waiters)
        self.listener = LiveListener(config.dsn, config.schema, self.hub, self.waiters)
        self._consuming = False

    async def setup(self) -> None:
        await setup_views(self.pool, self.config.schema, self.views)

    async def start(self, *, consume: bool = True) -> None:
        """Set up the views (unless connected as the application role: `yizheng migrate gateway` did, as the
        owner) and listen for applied events; with `consume`, also apply the topics (a replica that only serves
        reads and subscriptions passes False)."""
        if not await connected_as_application_role(self.pool):
            await self.setup()
        await self.listener.start()
        if consume:
            await self.consumer.start()
        self._consuming = consume

    async def stop(self) -> None:
        if self._consuming:
            await self.consumer.stop()
            self._consuming = False
        await self.listener.stop()
        await self.waiters.stop()

    async def applied(self, event_ids: Sequence[UUID | str]) -> bool:
        """True when every view has applied every one of these events (across gateway replicas: the
        inboxes are shared, so this holds whichever replica's consumer owns the partitions)."""
        ids = {UUID(str(i)) for i in event_ids}
        return await self.applied_of(sorted(ids)) == ids

    async def applied_of(self, event_ids: Sequence[UUID]) -> set[UUID]:
        """Those of these events every view has applied."""
        if not event_ids:
            return set()
        names = [inbox_name(v) for v in self.views]
        rows = await self.pool.fetch(
            f"SELECT event_id FROM {self.config.schema}.inbox WHERE consumer = ANY($1::text[]) "
            "AND event_id = ANY($2::uuid[]) GROUP BY event_id HAVING count(*) >= $3", names, list(event_ids),
            len(names))
        return {r["event_id"] for r in rows}

    async def wait_applied(self, event_ids: Sequence[UUID | str], timeout: float, *, replayed: bool = False) -> bool:
        """Wait, at most `timeout` seconds, until the views have applied these events (`replayed`: written
        by an earlier request, perhaps long applied)."""
        return await self.waiters.wait(event_ids, timeout, look_first=replayed)


async def setup_views(pool: asyncpg.Pool, schema: str, views: Sequence[View]) -> None:
    # The kernel's inbox (its other tables stay empty in the gateway's schema), the application role's changes
    # to events revoked as in every store.
    await install(pool, schema, app_role=settings.database_app_role())
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('yizheng-gateway-views'))")
        for view in views:
            await view.setup(conn)


class _ViewsProjection:
    """Several views as one projection, for `replay_from_topics`."""

    def __init__(self, views: Sequence[View]) -> None:
        self.views = list(views)
        self.name = "+".join(v.name for v in views)

    async def setup(self, conn: asyncpg.Connection) -> None:
        for view in self.views:
            await view.setup(conn)

    async def reset(self, conn: asyncpg.Connection) -> None:
        for view in self.views:
            await view.reset(conn)


def _replay_name(views: Sequence[View]) -> str:
    """The replay's name, as dead-lettered messages carry it: `gateway.<view>`, or `gateway.all`."""
    if len(views) == 1:
        return inbox_name(views[0])
    if {v.name for v in views} == {c.name for c in VIEW_CLASSES}:
        return "gateway.all"
    return inbox_name("+".join(v.name for v in views))


async def replay_views(pool: asyncpg.Pool, config: GatewayConfig, names: Sequence[str],
                       report: ReplayReport | None = None) -> int:
    """Rebuild the named views in one pass from the first offset of every internal topic, every view applying
    each batch in one transaction; returns how many events were applied (an event a view cannot apply goes to
    the dead-letter topic and into `report`)."""
    views = [view_named(name, config.schema) for name in names]
    await setup_views(pool, config.schema, views)
    applier = ViewsApplier(pool, config, views, _replay_name(views))
    return await replay_from_topics(applier, cast(Projection, _ViewsProjection(views)), report=report)


async def replay_view(pool: asyncpg.Pool, config: GatewayConfig, name: str, report: ReplayReport | None = None) -> int:
    """Rebuild one view (see `replay_views`)."""
    return await replay_views(pool, config, [name], report)
