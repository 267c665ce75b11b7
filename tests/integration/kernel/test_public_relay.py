"""The public relay against the real PostgreSQL and Kafka: each committee's facts reach its own public topic
in their public form, withheld facts reach none, and a restart resumes where it stopped."""

from __future__ import annotations

import json

from contracts import topics
from contracts.public import PublicRegistry, publish, withhold
from eventstore.kafka_access import KafkaAccess
from eventstore.public_relay import PublicRelay
from eventstore.store import EventStore
from tests.integration.kernel.sample_events import SampleNoted, VisitSampled, ctx
from yizheng.testing.topic_reader import TopicReader
from yizheng.testing.wait import WaitUntil

SAMPLE_VIEWS = PublicRegistry()
SAMPLE_VIEWS.declare([publish(SampleNoted, omit={"text"}),
                      withhold(VisitSampled, because="a visit names the people visited")])


async def test_each_committee_gets_its_own_public_topic_with_only_the_public_form(
        store: EventStore, kafka_bootstrap: KafkaAccess, topic_prefix: str, wait_until: WaitUntil) -> None:
    await store.append("proposal-1", 0, [SampleNoted(n=1, text="private note"), SampleNoted(n=2)], ctx("county-a"))
    await store.append("visit-1", 0, [VisitSampled(visitor_id="m-1", roles=["listener"])], ctx("county-a"))
    await store.append("proposal-2", 0, [SampleNoted(n=3, text="other county")], ctx("county-b"))
    relay = PublicRelay(store, kafka_bootstrap, topic_prefix=topic_prefix, registry=SAMPLE_VIEWS)
    await relay.start()
    try:
        a_topic = topic_prefix + topics.public("samples", "county-a")
        b_topic = topic_prefix + topics.public("samples", "county-b")
        async with TopicReader(kafka_bootstrap, a_topic) as a, TopicReader(kafka_bootstrap, b_topic) as b:
            await a.until(lambda rs: len(rs) >= 2)
            await b.until(lambda rs: len(rs) >= 1)
    finally:
        await relay.stop()
    bodies = a.bodies()
    assert [m["data"] for m in bodies] == [{"n": 1}, {"n": 2}], "text left out; the withheld visit not sent"
    assert {m["committee_id"] for m in bodies} == {"county-a"}
    assert [m["data"] for m in b.bodies()] == [{"n": 3}]
    headers = a.headers(a.records[0])
    assert headers["ce_type"] == "sample-noted.v1" and headers["ce_committee"] == "county-a"
    assert "actor" not in bodies[0] and "private note" not in json.dumps(bodies)

    # A second relay (a restart) starts from the checkpoint: only what came after goes out.
    await store.append("proposal-1", 2, [SampleNoted(n=4)], ctx("county-a"))
    again = PublicRelay(store, kafka_bootstrap, topic_prefix=topic_prefix, registry=SAMPLE_VIEWS)
    try:
        # A reader sees a row once every older transaction of the cluster has ended: ask until it is readable.
        async def sent_after_restart() -> bool:
            await again.publish_pending()
            return again.published >= 1

        await wait_until(sent_after_restart, timeout=20, message="the restarted relay published the new event")
        assert again.published == 1
    finally:
        await again.stop()
