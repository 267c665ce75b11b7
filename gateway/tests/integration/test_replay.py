"""`yizheng replay <view>` rebuilds a gateway view from the topics while the live projector keeps running."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from contracts.envelope import Role
from gateway.tests.conftest import Stack
from gateway.tests.harness import Feed, token
from gateway.tests.integration import test_scorecard as sc
from yizheng.infra import Endpoints

CARD = '{ memberScorecard(memberId: "m1", year: 2026) { total rank grade categories { points } } }'


async def test_a_view_is_rebuilt_from_the_topics(stack: Stack, feed: Feed, committee: str, infra: Endpoints) -> None:
    await sc.scenario(feed)
    await feed.settle(stack.gateway.projector)
    bearer = token(Role.office_staff, committee)
    before = (await stack.api.run(CARD, bearer=bearer)).ok()
    assert before["memberScorecard"]["total"] == 87
    schema = stack.gateway.config.schema
    await stack.pool.execute(f"TRUNCATE {schema}.score_items")  # the view is lost
    assert (await stack.api.run(CARD, bearer=bearer)).ok()["memberScorecard"]["total"] == 60 - 60

    cli = Path(sys.executable).with_name("yizheng")
    env = {**os.environ, "DATABASE_URL": infra.database_url, **infra.kafka_bootstrap.env()}
    proc = await asyncio.create_subprocess_exec(
        str(cli), "replay", "scorecard", "--topic-prefix", stack.prefix, "--schema", schema,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env)
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, err.decode()
    assert "gateway.scorecard: rebuilt from" in out.decode()
    assert (await stack.api.run(CARD, bearer=bearer)).ok() == before
    # the live projector goes on applying new events into the rebuilt view
    await feed.emit(*sc.ev.points("m1", 2026, "charity", 3, item="late"))
    await feed.settle(stack.gateway.projector)
    assert (await stack.api.run(CARD, bearer=bearer)).ok()["memberScorecard"]["total"] == 90
