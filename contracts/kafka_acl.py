"""Who may do what on the platform's Kafka, as data: one scheme, read by the local broker's set-up
(`yizheng.infra.kafka_users`), `yizheng subscribers add` and the Kubernetes `KafkaUser` manifests (whose test
compares them with it). Every permission is an ALLOW for one principal from any host; the broker refuses
whatever is not allowed (`allow.everyone.if.no.acl.found=false`).

- A service (`<svc>`) writes (and may create) its internal topic, the dead-letter topics of the topics it
  consumes, the kernel's audit heads topic and every committee's public topic (`<svc>.public.*`, made by its public
  relay the first time it sees a committee); it reads only the internal topics its consumers declare
  (least privilege: a service that starts needing another's facts declares a consumer, and its ACLs follow);
  its consumer groups are `<svc>-<consumer>`.
- The gateway reads every internal topic (its views are built from all of them), writes their dead letters,
  and uses the groups starting `gateway`.
- An outside subscriber reads one committee's public topics (literal names, never a prefix: a prefix
  `proposals.public.a` would also match committee `ab`) and uses the groups starting `<name>.`.

Tests and tenants of a shared cluster prefix every topic and group name (`prefix`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from contracts import topics
from contracts.topics import dlq

TOPIC = "topic"
GROUP = "group"
LITERAL = "literal"
PREFIXED = "prefixed"
# Operation names as Kafka spells them (AclOperation); READ and WRITE imply DESCRIBE on the broker.
READ = "Read"
WRITE = "Write"
CREATE = "Create"
DESCRIBE = "Describe"
GATEWAY = "gateway"
GATEWAY_GROUP_PREFIX = "gateway"


@dataclass(frozen=True, order=True)
class Acl:
    resource: str  # TOPIC | GROUP
    pattern: str  # LITERAL | PREFIXED
    name: str
    operation: str  # READ | WRITE | CREATE | DESCRIBE


def _allow(resource: str, pattern: str, name: str, *operations: str) -> set[Acl]:
    return {Acl(resource, pattern, name, op) for op in operations}


def service_group_prefix(service: str) -> str:
    """Every consumer group of a service starts with this (`runtime.service_host.consumer_for`)."""
    return f"{service}-"


def subscriber_group_prefix(name: str) -> str:
    return f"{name}."


def service_acls(service: str, *, internal_topic: str, consumed: Iterable[str], also_writes: Iterable[str] = (),
                 prefix: str = "") -> frozenset[Acl]:
    """What the principal of one service may do: from its contract's topic, its consumers' topics, and the
    kernel's own topics every service writes (`also_writes`: the audit heads, `eventstore.audit_anchor`)."""
    acls = _allow(TOPIC, LITERAL, prefix + internal_topic, WRITE, CREATE, DESCRIBE)
    for topic in also_writes:
        acls |= _allow(TOPIC, LITERAL, prefix + topic, WRITE, CREATE, DESCRIBE)
    acls |= _allow(TOPIC, PREFIXED, prefix + topics.public_prefix(service), WRITE, CREATE, DESCRIBE)
    for topic in consumed:
        acls |= _allow(TOPIC, LITERAL, prefix + topic, READ, DESCRIBE)
        acls |= _allow(TOPIC, LITERAL, prefix + dlq(topic), WRITE, CREATE, DESCRIBE)
    acls |= _allow(GROUP, PREFIXED, prefix + service_group_prefix(service), READ)
    return frozenset(acls)


def gateway_acls(internal_topics: Iterable[str], *, prefix: str = "") -> frozenset[Acl]:
    acls: set[Acl] = set()
    for topic in internal_topics:
        acls |= _allow(TOPIC, LITERAL, prefix + topic, READ, DESCRIBE)
        acls |= _allow(TOPIC, LITERAL, prefix + dlq(topic), WRITE, CREATE, DESCRIBE)
    acls |= _allow(GROUP, PREFIXED, prefix + GATEWAY_GROUP_PREFIX, READ)
    return frozenset(acls)


def subscriber_topics(committee_id: str, services: Iterable[str], *, prefix: str = "") -> list[str]:
    return sorted(prefix + topics.public(s, committee_id) for s in services)


def subscriber_acls(name: str, committee_id: str, services: Iterable[str], *, prefix: str = "") -> frozenset[Acl]:
    """An outside system: read one committee's public topics of the named services, nothing else."""
    acls: set[Acl] = set()
    for topic in subscriber_topics(committee_id, services, prefix=prefix):
        acls |= _allow(TOPIC, LITERAL, topic, READ, DESCRIBE)
    acls |= _allow(GROUP, PREFIXED, prefix + subscriber_group_prefix(name), READ)
    return frozenset(acls)
