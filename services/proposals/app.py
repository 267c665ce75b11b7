"""Composition root of the proposals service: `build_proposals(config)` makes the pool, store, read model,
command API, relay and deadline watcher; `start()` installs the schema and starts the background parts;
`stop()` stops them and closes the pool.

    service = await build_proposals(ProposalsConfig(dsn=..., kafka_bootstrap=...))
    await service.start()          # then serve service.app (Starlette)
    ...
    await service.stop()
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import asyncpg
from starlette.applications import Starlette

from contracts import topics
from eventstore.command_api import CommandAPI
from eventstore.db import create_pool
from eventstore.install import install
from eventstore.projection import StoreProjector
from eventstore.relay import Relay
from eventstore.store import EventStore
from proposals.handlers import Clock, ProposalsHandlers, system_clock
from proposals.read_model import ProposalsReadModel
from proposals.watcher import DeadlineWatcher

if TYPE_CHECKING:
    from yizheng.serve import ProcessConfig

SERVICE = "proposals"


@dataclass(frozen=True)
class ProposalsConfig:
    dsn: str
    kafka_bootstrap: str | None = None  # None: no relay (events stay in the store until one runs)
    schema: str = SERVICE
    topic: str = topics.PROPOSALS
    watcher_interval_seconds: float = 300.0
    run_watcher: bool = True  # tests drive `service.watcher.tick()` themselves, on an injected clock
    clock: Clock = field(default=system_clock)
    pool_max_size: int = 10


@dataclass
class ProposalsService:
    config: ProposalsConfig
    pool: asyncpg.Pool
    store: EventStore
    read_model: ProposalsReadModel
    projector: StoreProjector
    handlers: ProposalsHandlers
    watcher: DeadlineWatcher
    api: CommandAPI
    app: Starlette
    relay: Relay | None
    _started: bool = False

    async def install(self) -> None:
        await install(self.pool, self.config.schema)
        await self.projector.setup()

    async def start(self) -> None:
        await self.install()
        await self.projector.start()
        if self.relay is not None:
            await self.relay.start()
        if self.config.run_watcher:
            await self.watcher.start()
        self._started = True

    async def stop(self) -> None:
        if self._started:
            await self.watcher.stop()
            if self.relay is not None:
                await self.relay.stop()
            await self.projector.stop()
            self._started = False
        await self.store.close()
        await self.pool.close()


async def build_proposals(config: ProposalsConfig) -> ProposalsService:
    pool = await create_pool(config.dsn, max_size=config.pool_max_size)
    store = EventStore(pool, config.schema, SERVICE)
    read_model = ProposalsReadModel(config.schema)
    projector = StoreProjector(store, read_model)
    handlers = ProposalsHandlers(store, read_model, clock=config.clock)
    # The watcher brings the read model up to date first, so a tick sees every event committed before it.
    watcher = DeadlineWatcher(handlers, read_model, config.clock, before_tick=projector.catch_up,
                              interval_seconds=config.watcher_interval_seconds)
    handlers.on_schedule_recorded = watcher.wake
    api = CommandAPI(SERVICE, store, handlers.specs())
    relay = Relay(store, config.topic, config.kafka_bootstrap) if config.kafka_bootstrap else None
    return ProposalsService(config, pool, store, read_model, projector, handlers, watcher, api, api.app(), relay)


# ---- entry points of `yizheng serve proposals` / `yizheng migrate proposals` (yizheng.serve.PROCESSES) ----

def config_from_process(config: ProcessConfig) -> ProposalsConfig:
    return ProposalsConfig(dsn=config.database_url, kafka_bootstrap=config.kafka_bootstrap,
                           topic=f"{config.topic_prefix}{topics.PROPOSALS}")


async def build_from_config(config: ProcessConfig) -> ProposalsService:
    """What `yizheng serve proposals` runs."""
    return await build_proposals(config_from_process(config))


async def migrate(config: ProcessConfig) -> None:
    """What `yizheng migrate proposals` runs: the event store and the read model, created or brought up to
    date (idempotent)."""
    service = await build_proposals(config_from_process(config))
    try:
        await service.install()
    finally:
        await service.stop()
