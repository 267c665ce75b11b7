"""What `yizheng replay` runs: a named projection rebuilt from the first event. Services declare theirs
(`ServiceDefinition.projections`/`consumers`); the gateway lists its views (`gateway.replay`)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from eventstore.kafka_access import KafkaAccess
from eventstore.projection import ReplayReport
from eventstore.service import ServiceDefinition, StoreProjection, TopicConsumer
from runtime.service_host import HostConfig, replay


@dataclass(frozen=True)
class ReplayOptions:
    dsn: str
    kafka_bootstrap: KafkaAccess
    topic_prefix: str = ""
    schema: str | None = None  # None: the owner's default schema


# What a replay did: how many events it applied, and the events it dead-lettered instead of aborting.
Runner = Callable[[ReplayOptions], Coroutine[Any, Any, ReplayReport]]


@dataclass(frozen=True)
class Replayable:
    name: str
    description: str
    run: Runner


def of_service(definition: ServiceDefinition[Any]) -> list[Replayable]:
    """The replayable projections a service declares, named `<service>.<projection>`."""
    def runner(name: str) -> Runner:
        async def run(options: ReplayOptions) -> ReplayReport:
            # (a service's topic replay dead-letters what it cannot apply too; its log names them)
            return ReplayReport(await replay(definition, name, HostConfig(
                dsn=options.dsn, kafka_bootstrap=options.kafka_bootstrap, schema=options.schema,
                topic_prefix=options.topic_prefix)))
        return run

    declared: list[StoreProjection | TopicConsumer] = [*definition.projections, *definition.consumers]
    return [Replayable(f"{definition.name}.{d.name}", f"{definition.name}: {d.description}", runner(d.name))
            for d in declared]
