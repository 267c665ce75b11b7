"""The composition root: builds the members service from configuration — store, command API with read
endpoints (Starlette), relay (store -> members.events), the consumer of proposals/surveys topics, the
projections (scoring inputs, scorecards) and the scorer — and starts/stops the background parts."""

from __future__ import annotations

import base64
import binascii
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from starlette.applications import Starlette

import contracts  # noqa: F401 - registers every public event type
from contracts import topics
from eventstore.command_api import CommandAPI, CommandOutcome, CommandSpec, body_limit
from eventstore.consumer import IdempotentConsumer
from eventstore.db import create_pool
from eventstore.errors import DomainError
from eventstore.install import install
from eventstore.projection import StoreProjector
from eventstore.relay import Relay
from eventstore.store import CommandContext, EventStore
from members.domain.common import require_office_role
from members.handlers import Clock, MembersService, _utcnow
from members.private import PrivateData
from members.queries import Queries
from members.roster_import import ImportRoster, import_roster
from members.scoring.facts import FOREIGN_TYPES
from members.scoring.inputs import ForeignFactsProjection, OwnInputsProjection, ScoringInputs
from members.scoring.scorecards import ScorecardProjection
from members.scoring.scorer import Scorer
from yizheng.auth import Principal, bearer
from yizheng.serve import ProcessConfig

SERVICE = "members"


@dataclass(frozen=True)
class MembersConfig:
    dsn: str
    kafka_bootstrap: str
    schema: str = "members"
    topic: str = topics.MEMBERS
    consumed_topics: tuple[str, ...] = (topics.PROPOSALS, topics.SURVEYS)
    consumer_group: str = "members-duty-facts"
    run_relay: bool = True
    run_consumer: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def with_topic_prefix(self, prefix: str) -> MembersConfig:
        """The same service on prefixed topics and consumer group (tests, tenants of a shared cluster)."""
        return MembersConfig(self.dsn, self.kafka_bootstrap, self.schema, prefix + self.topic,
                             tuple(prefix + t for t in self.consumed_topics), prefix + self.consumer_group,
                             self.run_relay, self.run_consumer, self.extra)


async def build_write_side(pool: asyncpg.Pool, schema: str, *, clock: Clock = _utcnow) -> MembersService:
    """The store and command handlers alone (the roster import CLI needs no Kafka)."""
    await install(pool, schema)
    private = PrivateData(schema)
    async with pool.acquire() as conn:
        await private.setup(conn)
    return MembersService(EventStore(pool, schema, SERVICE), private, clock=clock)


class MembersApp:
    """Everything the service runs; `app` is the ASGI application, `start`/`stop` the background parts."""

    def __init__(self, config: MembersConfig, pool: asyncpg.Pool, service: MembersService,
                 authenticate: Callable[[str | None], Principal] = bearer, *, owns_pool: bool = False,
                 background_in_lifespan: bool = False) -> None:
        self.config = config
        self.pool = pool
        self.owns_pool = owns_pool
        self.service = service
        self.store = service.store
        self.inputs = ScoringInputs(config.schema)
        self.foreign = ForeignFactsProjection(self.inputs)
        self.scoring_inputs = StoreProjector(self.store, OwnInputsProjection(self.inputs))
        self.scorecards = StoreProjector(self.store, ScorecardProjection(config.schema))
        self.scorer = Scorer(self.store, self.inputs)
        self.relay = Relay(self.store, config.topic, config.kafka_bootstrap) if config.run_relay else None
        self.consumer = IdempotentConsumer(
            config.consumer_group, pool, config.schema, self.foreign.handle, topics=config.consumed_topics,
            bootstrap=config.kafka_bootstrap, types=set(FOREIGN_TYPES)) if config.run_consumer else None
        specs = [*service.specs(), CommandSpec("import-roster", ImportRoster, self.import_roster)]
        self.api = CommandAPI(SERVICE, self.store, specs, authenticate=authenticate)
        self.queries = Queries(self.store, service.private, authenticate)
        self.app = Starlette(routes=[*self.api.routes(), *self.queries.routes()], middleware=[body_limit()],
                             lifespan=self._lifespan)
        self._started = False
        # Under `uvicorn members.app:asgi`, the ASGI lifespan starts and stops the background parts.
        self.background_in_lifespan = background_in_lifespan

    async def import_roster(self, body: ImportRoster, ctx: CommandContext) -> CommandOutcome:
        require_office_role(ctx.actor, "import a roster")
        try:
            content = base64.b64decode(body.content_base64, validate=True)
        except (binascii.Error, ValueError) as err:
            raise DomainError("invalid_file", f"content_base64 is not base64: {err}") from None
        report = await import_roster(self.service.register_member, body.filename, content, ctx)
        return CommandOutcome(report.last_written, report.as_dict())

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        if self.background_in_lifespan:
            await self.start()
        try:
            yield
        finally:
            if self.background_in_lifespan:
                await self.stop()

    async def start(self) -> None:
        if self._started:
            return
        for projector in (self.scoring_inputs, self.scorecards):
            await projector.start()
        await self.scorer.start()
        if self.relay is not None:
            await self.relay.start()
        if self.consumer is not None:
            await self.consumer.start()
        self._started = True

    async def stop(self) -> None:
        if not self._started:
            return
        if self.consumer is not None:
            await self.consumer.stop()
        if self.relay is not None:
            await self.relay.stop()
        await self.scorer.stop()
        for projector in (self.scorecards, self.scoring_inputs):
            await projector.stop()
        await self.store.close()
        self._started = False
        if self.owns_pool:
            await self.pool.close()


async def build(config: MembersConfig, *, pool: asyncpg.Pool | None = None, clock: Clock = _utcnow,
                authenticate: Callable[[str | None], Principal] = bearer) -> MembersApp:
    """Build the service from configuration (creating its pool unless one is given). Call `start()` to run
    the relay, consumer, projections and scorer; serve `.app` with any ASGI server."""
    owns = pool is None
    pool = pool or await create_pool(config.dsn)
    service = await build_write_side(pool, config.schema, clock=clock)
    return MembersApp(config, pool, service, authenticate, owns_pool=owns)


def from_environment() -> MembersConfig:
    from yizheng.settings import database_url, kafka_bootstrap

    return MembersConfig(dsn=database_url(), kafka_bootstrap=kafka_bootstrap())


def asgi() -> Starlette:
    """An ASGI factory (`uvicorn --factory members.app:asgi`): builds from the environment at startup and
    runs the background parts for the server's lifetime."""
    holder: dict[str, MembersApp] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        built = await build(from_environment())
        holder["app"] = built
        app.router.routes.extend(built.app.routes)
        await built.start()
        try:
            yield
        finally:
            await built.stop()

    return Starlette(lifespan=lifespan)


async def build_from_config(config: ProcessConfig) -> MembersApp:
    """What `yizheng serve members` runs."""
    members = MembersConfig(dsn=config.database_url, kafka_bootstrap=config.kafka_bootstrap)
    return await build(members.with_topic_prefix(config.topic_prefix) if config.topic_prefix else members)


async def migrate(config: ProcessConfig) -> None:
    """What `yizheng migrate members` runs before a release serves: the store, private tables and read
    models, created or brought up to date (idempotent)."""
    built = await build(MembersConfig(dsn=config.database_url, kafka_bootstrap=config.kafka_bootstrap))
    try:
        async with built.pool.acquire() as conn:
            await built.inputs.setup(conn)
        for projector in (built.scoring_inputs, built.scorecards):
            await projector.setup()
    finally:
        await built.pool.close()
