"""`yizheng replay` of a view that cannot store one event: the event goes to its topic's dead-letter topic, the
replay goes on with every other event, and the report names what it skipped (event id, type, error)."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaProducer

from contracts import topics
from eventstore.db import create_pool
from gateway.projector import setup_views
from gateway.tests import events as ev
from gateway.tests.harness import Feed
from gateway.views.scorecard import ScorecardView
from yizheng.infra import Endpoints
from yizheng.testing.platform import create_topics, platform_topics
from yizheng.testing.topic_reader import TopicReader


async def test_replay_dead_letters_an_event_the_view_cannot_store_and_goes_on(
        infra: Endpoints, producer: AIOKafkaProducer, pg_pool: asyncpg.Pool) -> None:
    tag = uuid.uuid4().hex[:10]
    prefix, schema, committee = f"trp{tag}.", f"gw_rp_{tag}", f"c-{tag}"
    await create_topics(infra.kafka_bootstrap, [f"{prefix}{t}" for t in platform_topics()])
    feed = Feed(producer, prefix, committee)  # no live projector reads these topics: the replay alone applies
    await feed.emit(*ev.member_registered("m1", "张一"))
    await feed.emit(*ev.points("m1", 2026, "base", 60, item="base:2026:m1", rule="base"))
    poisoned = await feed.emit(*ev.points("m1", 2026, "attendance", 2, item="poison"))
    await feed.emit(*ev.points("m1", 2026, "attendance", 3, item="a2"))
    pool = await create_pool(infra.database_url, max_size=2)
    try:
        # The view cannot store the poisoned item (as a value over a column's bound would fail in production).
        await setup_views(pool, schema, [ScorecardView(schema)])
        await pool.execute(f"""
            CREATE FUNCTION {schema}.refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'the view cannot store item %', NEW.item_id; END $$;
            CREATE TRIGGER refuse_poison BEFORE INSERT ON {schema}.score_items
                FOR EACH ROW WHEN (NEW.item_id = 'poison') EXECUTE FUNCTION {schema}.refuse_poison();""")

        cli = Path(sys.executable).with_name("yizheng")
        env = {**os.environ, "DATABASE_URL": infra.database_url, **infra.kafka_bootstrap.env()}
        proc = await asyncio.create_subprocess_exec(
            str(cli), "replay", "scorecard", "--topic-prefix", prefix, "--schema", schema,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env)
        out, err = await asyncio.wait_for(proc.communicate(), 120)
        assert proc.returncode == 3, (out.decode(), err.decode())  # rebuilt, but not whole
        assert "gateway.scorecard: rebuilt from 3 events, 1 dead-lettered" in out.decode(), out.decode()
        report = err.decode()
        dead_topic = topics.dlq(f"{prefix}{topics.MEMBERS}")
        assert f"dead-lettered {poisoned} duty-points-awarded (to {dead_topic})" in report, report
        assert "the view cannot store item poison" in report, report

        # the other events were applied: the member's base and the later attendance item
        items = await pool.fetch(f"SELECT item_id FROM {schema}.score_items WHERE committee_id = $1 ORDER BY 1",
                                 committee)
        assert [r["item_id"] for r in items] == ["a2", "base:2026:m1"]
        # and the poisoned event is on the dead-letter topic, with the error and the replay's name
        async with TopicReader(infra.kafka_bootstrap, dead_topic) as reader:
            records = await reader.until(lambda rs: any(poisoned.encode() in (r.value or b"") for r in rs),
                                         message="the poisoned event reached the dead-letter topic")
        record = next(r for r in records if poisoned.encode() in (r.value or b""))
        headers = {k: v.decode() for k, v in record.headers}
        assert headers["dlq_consumer"] == "gateway.scorecard"
        assert "the view cannot store item poison" in headers["dlq_error"]
    finally:
        await pool.close()
        await pg_pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
