"""The public relay: publishes each stored event's public form (`contracts.public`) to its committee's public
topic, `<svc>.public.<committee>`, keyed by stream, then advances its own checkpoint.

It runs beside the relay (which sends every event in full to `<svc>.internal`), tailing the same store with a
checkpoint of its own, so the internal topic's latency never waits on deriving public forms. Withheld types
and types a committee does not publish only move the checkpoint. At-least-once like the relay: subscribers
drop duplicates by `event_id`. A committee's topic is created the first time one of its facts is published
(the broker refuses stray topics in a cluster; the service's principal may create its own public ones)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

from contracts import topics
from contracts.public import DEFAULT_PUBLICATION, PUBLIC, Publication, PublicRegistry, public_message
from eventstore.cloudevents import SPEC_VERSION
from eventstore.kafka_access import KafkaAccess
from eventstore.store import EventStore, StoredEvent
from eventstore.store_publisher import StorePublisher

log = logging.getLogger("eventstore.public_relay")

# (topic, value, key, headers) of one public message.
Outgoing = tuple[str, bytes, bytes, list[tuple[str, bytes]]]


def public_record(stored: StoredEvent, *, publication: Publication = DEFAULT_PUBLICATION,
                  registry: PublicRegistry = PUBLIC, topic_prefix: str = "") -> Outgoing | None:
    """The public message of one stored event, or None if it is not for outsiders. Pure."""
    envelope = stored.envelope
    view = registry.view(envelope.type)
    payload = view(stored.event, publication)
    if payload is None:
        return None
    message = public_message(view, event_id=envelope.event_id, stream_id=envelope.stream_id,
                             stream_version=envelope.stream_version, occurred_at=envelope.occurred_at,
                             committee_id=envelope.committee_id, source=envelope.source, payload=payload)
    topic = topic_prefix + topics.public(envelope.source, envelope.committee_id)
    headers = [("ce_specversion", SPEC_VERSION.encode()), ("ce_id", str(envelope.event_id).encode()),
               ("ce_type", f"{view.type}.v{view.version}".encode()),
               ("ce_source", f"/yizheng/{envelope.source}".encode()),
               ("ce_subject", envelope.stream_id.encode()), ("ce_time", envelope.occurred_at.isoformat().encode()),
               ("ce_committee", envelope.committee_id.encode()), ("content-type", b"application/json")]
    return topic, message.model_dump_json().encode(), envelope.stream_id.encode(), headers


# A public topic is the log an outside county system replays from, so it is kept like the internal topics it is
# derived from: a subscriber that joins years later must still find every public fact (cleanup.policy=delete,
# never compact: keys are stream ids, so compaction would keep only each stream's latest fact). The broker
# default (7 days) would silently drop them. A public topic can be rebuilt by resetting the public relay's
# checkpoint, but that republishes duplicates into the log; keeping it is the plan.
FOREVER = -1


def public_topic_config(replicas: int, *, min_insync_replicas: int | None = None,
                        retention_ms: int = FOREVER) -> dict[str, str]:
    """The topic-level config a public topic is created with. `min_insync_replicas` None: 2 when there are
    at least 3 replicas, else 1. The relay produces with acks=all, so an acknowledged fact is on that many
    brokers; it must never exceed the replicas (no write would ever be acknowledged), and with 3 replicas 2
    keeps the topic writable while one broker is down. (The broker's own min.insync.replicas applies to a
    topic created without one, and in production it is 2: a single-replica topic could never be written.)"""
    if replicas < 1:
        raise ValueError(f"replicas={replicas}: a topic needs at least one replica")
    insync = min_insync_replicas if min_insync_replicas is not None else (2 if replicas >= 3 else 1)
    if not 1 <= insync <= replicas:
        raise ValueError(f"min.insync.replicas={insync} must be between 1 and the topic's replicas ({replicas})")
    if retention_ms != FOREVER and retention_ms < 1:
        raise ValueError(f"retention.ms={retention_ms}: use -1 (forever) or a positive number of milliseconds")
    return {"cleanup.policy": "delete", "min.insync.replicas": str(insync), "retention.ms": str(retention_ms),
            "retention.bytes": "-1"}


class PublicRelay(StorePublisher):
    def __init__(self, store: EventStore, bootstrap: KafkaAccess, *, topic_prefix: str = "",
                 publication: Callable[[str], Publication] = lambda _committee: DEFAULT_PUBLICATION,
                 name: str = "public-relay", batch_size: int = 500, partitions: int = 3,
                 replication_factor: int = 1, safety_poll_seconds: float = 1.0,
                 registry: PublicRegistry = PUBLIC, topic_config: Mapping[str, str] | None = None) -> None:
        super().__init__(store, bootstrap, name=name, label=f"public-relay:{store.source}",
                         safety_poll_seconds=safety_poll_seconds)
        self.bootstrap = bootstrap
        self.topic_prefix = topic_prefix
        self.publication = publication
        self.batch_size = batch_size
        self.partitions = partitions
        self.replication_factor = replication_factor
        # None: the defaults for that many replicas (public_topic_config); runtime.settings.public_topic_config()
        # reads the overrides from the environment.
        self.topic_config = dict(topic_config) if topic_config is not None else public_topic_config(replication_factor)
        self.registry = registry
        self._topics: set[str] = set()

    async def publish_pending(self) -> int:
        """Publish the public forms of everything after the checkpoint; returns how many messages went out."""
        if not await self.leading():
            return 0
        sent = 0
        checkpoint = await self.store.load_checkpoint(self.name)
        while True:
            batch = await self.store.read_all(checkpoint, self.batch_size)
            if not batch:
                return sent
            outgoing = [m for stored in batch
                        if (m := public_record(stored, publication=self.publication(stored.envelope.committee_id),
                                               registry=self.registry, topic_prefix=self.topic_prefix))]
            await self._ensure_topics({topic for topic, *_ in outgoing})
            futures = [await self.producer.send(topic, value=value, key=key, headers=headers)
                       for topic, value, key, headers in outgoing]
            await asyncio.gather(*futures)  # checkpoint only what the broker has acknowledged
            checkpoint = batch[-1].checkpoint
            await self.store.save_checkpoint(self.name, checkpoint)
            sent += len(outgoing)
            self.published += len(outgoing)
            if len(batch) < self.batch_size:
                return sent

    def new_topics(self, names: list[str]) -> list[NewTopic]:
        """What the relay asks the broker to create for public topics it has not seen yet."""
        return [NewTopic(t, self.partitions, self.replication_factor, topic_configs=dict(self.topic_config))
                for t in names]

    async def _ensure_topics(self, wanted: set[str]) -> None:
        missing = wanted - self._topics
        if not missing:
            return
        admin = AIOKafkaAdminClient(**self.bootstrap.client_kwargs(), client_id=f"{self.store.source}-public-relay")
        await admin.start()
        try:
            existing = set(await admin.list_topics())
            new = sorted(missing - existing)
            if new:
                response = await admin.create_topics(self.new_topics(new))
                for topic, code, *_ in response.topic_errors:
                    # another replica or an operator may have made it first
                    if code not in (0, TopicAlreadyExistsError.errno):
                        raise for_code(code)(f"could not create public topic {topic}")
                log.info("created public topics %s", ", ".join(new))
        finally:
            await admin.close()
        self._topics |= missing
