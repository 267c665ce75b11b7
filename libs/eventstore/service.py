"""What a service is, declared once in its own `service.py` and read by everything that runs it.

    DEFINITION = ServiceDefinition(
        contract=contracts.proposals.service.SERVICE,    # name, port, topic, commands (the gateway reads this)
        build=ProposalsParts.build,                       # the service's own parts, from the kernel's pieces
        handlers={"submit-proposal": handlers.submit_proposal, ...},   # one per contract command
        projections=(StoreProjection("read-model", "numbers, similar proposals, deadlines", ProposalsReadModel),),
        workers=lambda parts: [parts.watcher],
    )

The runtime (`runtime.service_host`) builds the pool, the event store, the unit of work, the command API,
the relay, the declared projections and consumers, and starts the workers; `yizheng replay` rebuilds the
declared projections and consumers by their names; the service contract test runs against it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

import asyncpg
from starlette.routing import BaseRoute

from contracts.service import ServiceContract
from eventstore.command_outcome import CommandOutcome
from eventstore.projection import Projection, StoreProjector
from eventstore.store import CommandContext, EventStore
from eventstore.unit_of_work import CalendarSource, Clock, UnitOfWork

P = TypeVar("P")

# A command handler: a small function over the service's parts, the validated command and who sent it.
Handler = Callable[[P, Any, CommandContext], Awaitable[CommandOutcome]]


class Worker(Protocol):
    """A background part (a deadline watcher, a scorer): started after the projections, stopped first."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True)
class StoreProjection:
    """A read model fed from the service's own store (checkpointed; `yizheng replay <svc>.<name>`)."""

    name: str
    description: str
    make: Callable[[str], Projection]  # the service's schema -> the projection


@dataclass(frozen=True)
class TopicConsumer:
    """A projection fed from other services' topics by an idempotent consumer (inbox in the projection's
    transaction; consumer group `<svc>-<name>`; `yizheng replay <svc>.<name>`)."""

    name: str
    description: str
    topics: tuple[str, ...]  # unprefixed topic names
    make: Callable[[str], Projection]
    types: frozenset[str] | None = None  # the event types it applies; others are acknowledged unread


@dataclass
class ServiceRuntime:
    """What the runtime hands a service's `build`: the kernel's pieces, already made for it."""

    name: str
    schema: str
    pool: asyncpg.Pool
    store: EventStore
    uow: UnitOfWork
    clock: Clock
    options: Mapping[str, Any]  # service-specific settings (tests: a watcher's interval, …)
    # How the service's own routes check a bearer token: the same check as its command API.
    authenticate: Callable[[str | None], Any]
    projectors: dict[str, StoreProjector] = field(default_factory=dict)

    def projector(self, name: str) -> StoreProjector:
        """The running projector of a declared store projection (e.g. to catch up before a worker's tick)."""
        return self.projectors[name]


@dataclass
class ServiceParts:
    """The base of what a service's handlers and workers are built from: the kernel's pieces made for it.
    A service's parts subclass it and add their own (read models, workers, private tables)."""

    runtime: ServiceRuntime

    @property
    def uow(self) -> UnitOfWork:
        return self.runtime.uow

    @property
    def store(self) -> EventStore:
        return self.runtime.store

    @property
    def pool(self) -> asyncpg.Pool:
        return self.runtime.pool

    @property
    def schema(self) -> str:
        return self.runtime.schema

    @property
    def clock(self) -> Clock:
        return self.runtime.clock


@dataclass(frozen=True)
class ServiceDefinition(Generic[P]):
    contract: ServiceContract
    build: Callable[[ServiceRuntime], Awaitable[P]]
    handlers: Mapping[str, Handler[P]]
    projections: Sequence[StoreProjection] = ()
    consumers: Sequence[TopicConsumer] = ()
    workers: Callable[[P], Sequence[Worker]] = field(default=lambda parts: ())
    # Routes the service serves beside its command API (read endpoints for other services).
    routes: Callable[[P], Sequence[BaseRoute]] = field(default=lambda parts: ())
    # Tables of its own beyond the event store and the declared projections, created or upgraded at install.
    install: Callable[[asyncpg.Connection, str], Awaitable[None]] | None = None
    # Reads the committee's working-day calendar for deciders (default: the holidays package's).
    calendar: CalendarSource | None = None

    def __post_init__(self) -> None:
        declared = {c.name for c in self.contract.commands}
        missing, extra = sorted(declared - set(self.handlers)), sorted(set(self.handlers) - declared)
        if missing or extra:
            raise ValueError(f"{self.name}: commands without a handler: {missing or 'none'}; "
                             f"handlers without a contract command: {extra or 'none'}")
        names = [p.name for p in self.projections] + [c.name for c in self.consumers]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: two projections or consumers share a name")

    @property
    def name(self) -> str:
        return self.contract.name

    @property
    def consumed_topics(self) -> list[str]:
        return sorted({t for c in self.consumers for t in c.topics})
