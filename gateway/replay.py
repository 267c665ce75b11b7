"""The gateway's views as replayable projections (`yizheng replay gateway.<view>`, or just `<view>`).

The oversight figures read the proposals, visits, directory and scorecard views; `gateway.all` rebuilds
every view, in one pass over the topics."""

from __future__ import annotations

from eventstore.projection import ReplayReport
from gateway.config import GatewayConfig
from gateway.views import VIEW_CLASSES
from runtime.replay import Replayable, ReplayOptions, Runner


def _config(options: ReplayOptions) -> GatewayConfig:
    return GatewayConfig(dsn=options.dsn, kafka_bootstrap=options.kafka_bootstrap,
                         schema=options.schema or "gateway", topic_prefix=options.topic_prefix)


async def replay(options: ReplayOptions, names: list[str]) -> ReplayReport:
    """Rebuild the named views; an event a view cannot apply is dead-lettered and reported, not fatal."""
    from eventstore.db import create_pool
    from gateway.projector import replay_views

    config = _config(options)
    pool = await create_pool(config.dsn, max_size=4)
    try:
        report = ReplayReport()
        await replay_views(pool, config, names, report)
        return report
    finally:
        await pool.close()


def _runner(names: list[str]) -> Runner:
    async def run(options: ReplayOptions) -> ReplayReport:
        return await replay(options, names)

    return run


def replayables() -> list[Replayable]:
    views = [Replayable(f"gateway.{c.name}", f"gateway view: {c.description}", _runner([c.name])) for c in VIEW_CLASSES]
    return [*views, Replayable("gateway.all", "every gateway view", _runner([c.name for c in VIEW_CLASSES]))]
