"""The members service's read models as replayable projections (`yizheng replay members.scorecards`, …).
Listed in `yizheng.cli_replay.PROVIDERS` as "members.replay"."""

from __future__ import annotations

from eventstore.consumer import IdempotentConsumer
from eventstore.db import create_pool
from eventstore.projection import Projection, replay_from_store, replay_from_topics
from eventstore.store import EventStore
from members.app import SERVICE, MembersConfig
from members.scoring.facts import FOREIGN_TYPES
from members.scoring.inputs import ForeignFactsProjection, OwnInputsProjection, ScoringInputs
from members.scoring.scorecards import ScorecardProjection
from yizheng.cli_replay import ReplayOptions, replayable


async def _from_store(options: ReplayOptions, make: type[OwnInputsProjection] | type[ScorecardProjection]) -> int:
    schema = options.schema or SERVICE
    pool = await create_pool(options.dsn, max_size=2)
    try:
        projection: Projection = (OwnInputsProjection(ScoringInputs(schema)) if make is OwnInputsProjection
                                  else ScorecardProjection(schema))
        return await replay_from_store(EventStore(pool, schema, SERVICE), projection)
    finally:
        await pool.close()


@replayable("members.scoring-inputs", "members: roster, own duty facts, rulebooks, years to score")
async def replay_scoring_inputs(options: ReplayOptions) -> int:
    return await _from_store(options, OwnInputsProjection)


@replayable("members.scorecards", "members: scorecards, their items and flags, from the ledger events")
async def replay_scorecards(options: ReplayOptions) -> int:
    return await _from_store(options, ScorecardProjection)


@replayable("members.foreign-duty-facts", "members: duty facts from the proposals and surveys topics")
async def replay_foreign_duty_facts(options: ReplayOptions) -> int:
    schema = options.schema or SERVICE
    config = MembersConfig(dsn=options.dsn, kafka_bootstrap=options.kafka_bootstrap, schema=schema)
    if options.topic_prefix:
        config = config.with_topic_prefix(options.topic_prefix)
    pool = await create_pool(options.dsn, max_size=2)
    try:
        projection = ForeignFactsProjection(ScoringInputs(schema))
        consumer = IdempotentConsumer(config.consumer_group, pool, schema, projection.handle,
                                      topics=config.consumed_topics, bootstrap=config.kafka_bootstrap,
                                      types=set(FOREIGN_TYPES))
        return await replay_from_topics(consumer, projection)
    finally:
        await pool.close()
