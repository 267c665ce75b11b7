"""The members service's own parts, built once from the kernel's pieces (`eventstore.service.ServiceRuntime`):
the private tables, the scoring inputs the scorer reads, the read endpoints and the scorer. Handlers
(`members.handlers`) are functions over these parts; `members.service` declares how they fit."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from eventstore.service import ServiceParts, ServiceRuntime
from members.private import PrivateData
from members.queries import Queries
from members.scoring.inputs import ScoringInputs
from members.scoring.scorer import Scorer

# Settings the runtime may pass in `HostConfig.options`.
SCORER_POLL_SECONDS = "scorer_poll_seconds"  # the scorer's safety poll, should a NOTIFY be lost


@dataclass
class MembersParts(ServiceParts):
    private: PrivateData
    inputs: ScoringInputs
    queries: Queries
    scorer: Scorer

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
