"""The read model as a replayable projection: `yizheng replay proposals.read_model` empties it and applies
every event of the store again. (Listed in `yizheng.cli_replay.PROVIDERS` as "proposals.replay".)"""

from __future__ import annotations

from eventstore.db import create_pool
from eventstore.projection import replay_from_store
from eventstore.store import EventStore
from proposals.app import SERVICE
from proposals.read_model import ProposalsReadModel
from yizheng.cli_replay import ReplayOptions, replayable


@replayable("proposals.read_model", "proposals: numbers, similar-proposals index, deadlines due")
async def replay_read_model(options: ReplayOptions) -> int:
    schema = options.schema or SERVICE
    pool = await create_pool(options.dsn, max_size=2)
    try:
        store = EventStore(pool, schema, SERVICE)
        return await replay_from_store(store, ProposalsReadModel(schema))
    finally:
        await pool.close()
