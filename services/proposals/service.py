"""The proposals service, declared once: its contract, its handlers, its read model and its deadline
watcher. `runtime.service_host` runs it; `yizheng serve proposals` and the test platform do so."""

from __future__ import annotations

from functools import partial

from contracts import topics
from contracts.proposals.service import SERVICE
from eventstore.service import ServiceDefinition, ServiceRuntime, StoreProjection, TopicConsumer
from proposals.handlers import HANDLERS, sweep
from proposals.parts import ProposalsParts, committee_calendar, new_id
from proposals.read_model import ProposalsReadModel
from proposals.registry import TYPES as REGISTRY_TYPES
from proposals.registry import Registry
from proposals.watcher import DeadlineWatcher

READ_MODEL = "read_model"


async def build(runtime: ServiceRuntime) -> ProposalsParts:
    """Options: `watcher_interval_seconds` (default 300), `ids` (a generator of new aggregate ids)."""
    options = runtime.options
    parts = ProposalsParts(runtime, ProposalsReadModel(runtime.schema), ids=options.get("ids", new_id))
    # The watcher brings the read model up to date first, so a tick sees every event committed before it.
    parts.watcher = DeadlineWatcher(
        runtime.pool, parts.read_model, runtime.clock, sweep=partial(sweep, parts),
        calendar=partial(committee_calendar, runtime.store), before_tick=runtime.projector(READ_MODEL).catch_up,
        interval_seconds=float(options.get("watcher_interval_seconds", 300.0)))
    return parts


DEFINITION: ServiceDefinition[ProposalsParts] = ServiceDefinition(
    contract=SERVICE,
    build=build,
    handlers=HANDLERS,
    projections=(StoreProjection(READ_MODEL, "numbers, similar-proposals index, deadlines due", ProposalsReadModel),),
    # Members, units and organizations the registry has, so commands naming them are checked (proposals.registry).
    consumers=(TopicConsumer("registry", "proposals: the members registry's members, units and organizations",
                             topics=(topics.MEMBERS,), make=Registry, types=REGISTRY_TYPES),),
    workers=lambda parts: [parts.watcher],
    # The proposals most like one: earlier years' and, for merging, the same year's (`proposals.queries`).
    routes=lambda parts: parts.routes(),
    calendar=committee_calendar,
)
