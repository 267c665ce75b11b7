"""The public topics the public relay creates are writable and kept: the NewTopic it sends carries the
replicas, a min.insync.replicas no higher than them, and retention forever unless the settings say otherwise
(the broker default of 7 days would drop public facts; a cluster's min.insync.replicas above a topic's replicas
would refuse every acks=all write). No broker needed: the request is only built, never sent."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest
from aiokafka.admin import NewTopic

from eventstore.kafka_access import KafkaAccess
from eventstore.public_relay import FOREVER, PublicRelay, public_topic_config
from eventstore.store import EventStore
from runtime import settings

SETTINGS = ("YIZHENG_PUBLIC_TOPIC_REPLICAS", "YIZHENG_PUBLIC_TOPIC_MIN_INSYNC_REPLICAS",
            "YIZHENG_PUBLIC_TOPIC_RETENTION_MS")


async def new_topics(names: list[str], **kwargs: Any) -> list[NewTopic]:
    """What a relay with these arguments would ask the broker to create (its producer never connects)."""
    store = cast(EventStore, SimpleNamespace(source="samples", schema="samples", pool=None, channel="samples"))
    relay = PublicRelay(store, KafkaAccess("unused:9092"), **kwargs)
    try:
        return relay.new_topics(names)
    finally:
        await relay.producer.stop()


def test_defaults_keep_public_topics_forever_and_writable() -> None:
    assert public_topic_config(1) == {"cleanup.policy": "delete", "min.insync.replicas": "1", "retention.ms": "-1",
                                      "retention.bytes": "-1"}
    assert public_topic_config(3)["min.insync.replicas"] == "2"
    assert public_topic_config(2)["min.insync.replicas"] == "1", "two replicas: one broker down must not block"
    assert public_topic_config(3, min_insync_replicas=3, retention_ms=86_400_000)["retention.ms"] == "86400000"
    with pytest.raises(ValueError, match=r"min.insync.replicas=3 must be between 1 and the topic's replicas \(2\)"):
        public_topic_config(2, min_insync_replicas=3)
    with pytest.raises(ValueError, match=r"retention\.ms=0"):
        public_topic_config(1, retention_ms=0)


async def test_the_relay_creates_topics_with_the_config() -> None:
    [topic] = await new_topics(["samples.public.county-a"], replication_factor=3, partitions=3)
    assert (topic.name, topic.num_partitions, topic.replication_factor) == ("samples.public.county-a", 3, 3)
    assert topic.topic_configs == {"cleanup.policy": "delete", "min.insync.replicas": "2",
                                   "retention.ms": str(FOREVER), "retention.bytes": "-1"}
    [given] = await new_topics(["t"], replication_factor=3, topic_config={"min.insync.replicas": "3"})
    assert given.topic_configs == {"min.insync.replicas": "3"}


async def test_the_settings_reach_the_new_topic(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in SETTINGS:
        monkeypatch.delenv(var, raising=False)
    assert settings.public_topic_config() == public_topic_config(1)
    # The production overlay's settings (deploy/k8s/overlays/production): three replicas, two in sync.
    monkeypatch.setenv("YIZHENG_PUBLIC_TOPIC_REPLICAS", "3")
    [topic] = await new_topics(["samples.public.county-a"], replication_factor=settings.public_topic_replicas(),
                               topic_config=settings.public_topic_config())
    assert topic.replication_factor == 3
    assert topic.topic_configs["min.insync.replicas"] == "2" and topic.topic_configs["retention.ms"] == "-1"
    monkeypatch.setenv("YIZHENG_PUBLIC_TOPIC_RETENTION_MS", "604800000")
    monkeypatch.setenv("YIZHENG_PUBLIC_TOPIC_MIN_INSYNC_REPLICAS", "3")
    assert settings.public_topic_config()["retention.ms"] == "604800000"
    assert settings.public_topic_config()["min.insync.replicas"] == "3"
    monkeypatch.setenv("YIZHENG_PUBLIC_TOPIC_MIN_INSYNC_REPLICAS", "4")
    with pytest.raises(ValueError, match="YIZHENG_PUBLIC_TOPIC_"):
        settings.public_topic_config()
    monkeypatch.setenv("YIZHENG_PUBLIC_TOPIC_MIN_INSYNC_REPLICAS", "two")
    with pytest.raises(ValueError, match="YIZHENG_PUBLIC_TOPIC_MIN_INSYNC_REPLICAS='two' is not a whole number"):
        settings.public_topic_min_insync_replicas()
