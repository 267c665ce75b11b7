"""The members service's own parts, built once from the kernel's pieces (`eventstore.service.ServiceRuntime`):
the private tables, the scoring inputs the scorer reads, the read endpoints and the scorer. Handlers
(`members.handlers`) are functions over these parts; `members.service` declares how they fit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from eventstore.service import ServiceRuntime
from eventstore.store import EventStore
from eventstore.unit_of_work import UnitOfWork
from members.private import PrivateData
from members.queries import Queries
from members.scoring.inputs import ScoringInputs
from members.scoring.scorer import Scorer

# Settings the runtime may pass in `HostConfig.options`.
SCORER_POLL_SECONDS = "scorer_poll_seconds"  # the scorer's safety poll, should a NOTIFY be lost


@dataclass
class MembersParts:
    runtime: ServiceRuntime
    private: PrivateData
    inputs: ScoringInputs
    queries: Queries
    scorer: Scorer

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
    def clock(self) -> Callable[[], datetime]:
        return self.runtime.clock

    @classmethod
    async def build(cls, runtime: ServiceRuntime) -> MembersParts:
        private = PrivateData(runtime.schema)
        inputs = ScoringInputs(runtime.schema)
        poll = float(runtime.options.get(SCORER_POLL_SECONDS, 1.0))
        return cls(runtime, private, inputs, Queries(runtime.store, private, runtime.authenticate),
                   Scorer(runtime.store, inputs, safety_poll_seconds=poll))


async def install(conn: asyncpg.Connection, schema: str) -> None:
    """The service's tables beyond the event store and its declared read models: the private contact data
    and check-in codes, and the scoring inputs (which both the scoring-inputs projection and the
    duty-facts consumer write)."""
    await PrivateData(schema).setup(conn)
    await ScoringInputs(schema).setup(conn)
