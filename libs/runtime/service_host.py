"""Runs a declared service (`eventstore.service.ServiceDefinition`): the same composition for every service,
so what a service declares is all it has to write.

    host = await build_service(proposals.service.DEFINITION, HostConfig(dsn=..., kafka_bootstrap=KafkaAccess(...)))
    await host.start()        # installs the schema, then projections, relay, consumers, workers, anchorer
    ...                       # serve host.app (Starlette): the command API and the service's own routes
    await host.stop()
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import asyncpg
from starlette.applications import Starlette

from contracts.clock import utc_now
from contracts.public import PUBLIC
from eventstore.audit_anchor import AUDIT_TOPIC, Anchorer
from eventstore.command_api import CommandAPI, CommandSpec, body_limit, in_flight_limit
from eventstore.consumer import IdempotentConsumer
from eventstore.database_unavailable import unavailable_handlers
from eventstore.db import create_pool
from eventstore.install import install
from eventstore.kafka_access import KafkaAccess
from eventstore.projection import Projection, StoreProjector, replay_from_store, replay_from_topics
from eventstore.public_relay import PublicRelay
from eventstore.relay import Relay
from eventstore.service import ServiceDefinition, ServiceRuntime, TopicConsumer, Worker
from eventstore.store import EventStore
from eventstore.unit_of_work import Clock, UnitOfWork
from runtime import settings
from runtime.auth import Principal, bearer
from runtime.database_role import connected_as_application_role

P = TypeVar("P")


@dataclass(frozen=True)
class HostConfig:
    dsn: str
    # Where Kafka is and as whom this service logs in (eventstore.kafka_access); None: no relay and no consumers
    # (events wait in the store).
    kafka_bootstrap: KafkaAccess | None = None
    schema: str | None = None  # None: the service's name
    topic_prefix: str = ""  # tests and tenants of a shared cluster prefix topics and consumer groups
    clock: Clock = utc_now
    run_workers: bool = True  # tests drive workers (a deadline watcher's tick) themselves
    run_consumers: bool = True
    options: Mapping[str, Any] = field(default_factory=dict)
    pool_max_size: int = 10
    authenticate: Callable[[str | None], Principal] = bearer
    # Anchor the store's signed head every so many seconds (eventstore.audit_anchor); None: off, as in tests
    # unless one asks. `yizheng serve` sets it from settings.audit_anchor_seconds().
    anchor_seconds: float | None = None
    audit_dir: Path | None = None  # None: settings.audit_dir()

    def prefixed(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"


def consumer_for(definition: ServiceDefinition[Any], spec: TopicConsumer, pool: asyncpg.Pool, schema: str,
                 config: HostConfig, projection: Projection) -> IdempotentConsumer:
    assert config.kafka_bootstrap is not None
    return IdempotentConsumer(config.prefixed(f"{definition.name}-{spec.name}"), pool, schema, projection.apply,
                              topics=[config.prefixed(t) for t in spec.topics], bootstrap=config.kafka_bootstrap,
                              types=set(spec.types) if spec.types is not None else None)


class ServiceHost(Generic[P]):
    def __init__(self, definition: ServiceDefinition[P], config: HostConfig, runtime: ServiceRuntime,
                 parts: P) -> None:
        self.definition = definition
        self.config = config
        self.runtime = runtime
        self.parts = parts
        self.pool = runtime.pool
        self.store = runtime.store
        self.schema = runtime.schema
        self.projectors = runtime.projectors
        handlers = definition.handlers

        def bound(name: str) -> Any:
            handler = handlers[name]

            async def handle(command: Any, ctx: Any) -> Any:
                return await handler(parts, command, ctx)

            return handle

        specs = [CommandSpec(c.name, c.model, bound(c.name), c.summary, c.roles, c.backdatable)
                 for c in definition.contract.commands]
        self.api = CommandAPI(definition.name, self.store, specs, authenticate=config.authenticate,
                              clock=config.clock)
        self.app = Starlette(routes=[*self.api.routes(), *definition.routes(parts)],
                             middleware=[in_flight_limit(settings.max_in_flight()), body_limit()],
                             exception_handlers=unavailable_handlers(),
                             lifespan=self._lifespan)
        self.relay = (Relay(self.store, config.prefixed(definition.contract.topic), config.kafka_bootstrap)
                      if config.kafka_bootstrap else None)
        # Only a service some of whose facts are public runs one (notify publishes nothing publicly).
        self.public_relay = (PublicRelay(self.store, config.kafka_bootstrap, topic_prefix=config.topic_prefix,
                                         publication=settings.publication,
                                         replication_factor=settings.public_topic_replicas(),
                                         topic_config=settings.public_topic_config())
                             if config.kafka_bootstrap and PUBLIC.published(definition.name) else None)
        self.consumers = [consumer_for(definition, spec, self.pool, self.schema, config, spec.make(self.schema))
                          for spec in definition.consumers] if config.kafka_bootstrap and config.run_consumers else []
        self.workers: list[Worker] = list(definition.workers(parts)) if config.run_workers else []
        self.anchorer = (Anchorer(self.pool, self.schema, signing_key=settings.audit_signing_key(),
                                  directory=config.audit_dir or settings.audit_dir(),
                                  interval_seconds=config.anchor_seconds, bootstrap=config.kafka_bootstrap,
                                  topic=config.prefixed(AUDIT_TOPIC))
                         if config.anchor_seconds else None)
        self._started = False
        # Under an ASGI server with lifespan on, the app starts and stops the background parts itself.
        self.background_in_lifespan = False

    @property
    def name(self) -> str:
        return self.definition.name

    async def install(self) -> None:
        """Create or upgrade the service's tables: event store, its own tables, every declared read model."""
        await install(self.pool, self.schema, app_role=settings.database_app_role())
        async with self.pool.acquire() as conn:
            if self.definition.install is not None:
                await self.definition.install(conn, self.schema)
            for spec in self.definition.consumers:
                await spec.make(self.schema).setup(conn)
        for projector in self.projectors.values():
            await projector.setup()

    async def start(self) -> None:
        if self._started:
            return
        owner = not await connected_as_application_role(self.pool)
        if owner:
            await self.install()
        for projector in self.projectors.values():
            await projector.start(setup=owner)
        if self.relay is not None:
            await self.relay.start()
        if self.public_relay is not None:
            await self.public_relay.start()
        for consumer in self.consumers:
            await consumer.start()
        for worker in self.workers:
            await worker.start()
        if self.anchorer is not None:
            await self.anchorer.start()
        self._started = True

    async def stop(self) -> None:
        if self._started:
            if self.anchorer is not None:
                await self.anchorer.stop()
            for worker in reversed(self.workers):
                await worker.stop()
            for consumer in reversed(self.consumers):
                await consumer.stop()
            if self.public_relay is not None:
                await self.public_relay.stop()
            if self.relay is not None:
                await self.relay.stop()
            for projector in reversed(list(self.projectors.values())):
                await projector.stop()
            self._started = False
        await self.store.close()
        await self.pool.close()

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        if self.background_in_lifespan:
            await self.start()
        try:
            yield
        finally:
            if self.background_in_lifespan:
                await self.stop()


def held_connections(definition: ServiceDefinition[Any]) -> int:
    """Pooled connections the background parts keep while running: a LISTEN connection per tailer (each
    projection, the relay and the public relay) and each relay's leadership lock. Commands need connections
    beyond these."""
    relays = 2 if PUBLIC.published(definition.name) else 1
    return len(definition.projections) + 2 * relays


async def build_service(definition: ServiceDefinition[P], config: HostConfig) -> ServiceHost[P]:
    schema = config.schema or definition.name
    # A pool no larger than what the tailers hold would leave every tailer waiting for a connection.
    pool = await create_pool(config.dsn, max_size=max(config.pool_max_size, held_connections(definition) + 2))
    store = EventStore(pool, schema, definition.name)
    uow = UnitOfWork(store, clock=config.clock, calendar=definition.calendar)
    runtime = ServiceRuntime(definition.name, schema, pool, store, uow, config.clock, config.options,
                             config.authenticate)
    for spec in definition.projections:
        runtime.projectors[spec.name] = StoreProjector(store, spec.make(schema))
    parts = await definition.build(runtime)
    return ServiceHost(definition, config, runtime, parts)


async def replay(definition: ServiceDefinition[Any], name: str, config: HostConfig) -> int:
    """Rebuild one declared projection or consumer of `definition` from the first event."""
    schema = config.schema or definition.name
    pool = await create_pool(config.dsn, max_size=2)
    try:
        for spec in definition.projections:
            if spec.name == name:
                return await replay_from_store(EventStore(pool, schema, definition.name), spec.make(schema))
        for consumer in definition.consumers:
            if consumer.name == name:
                projection = consumer.make(schema)
                return await replay_from_topics(consumer_for(definition, consumer, pool, schema, config, projection),
                                                projection)
        raise KeyError(f"{definition.name} declares no projection or consumer {name!r}")
    finally:
        await pool.close()
