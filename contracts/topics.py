"""Topic names. Two kinds per service:

- `<svc>.internal`: every fact the service records, in full, for the platform's own consumers (the other
  services, the gateway). Only platform principals may read it (Kafka ACLs, `contracts.kafka_acl`).
- `<svc>.public.<committee>`: the curated public events of one committee (`contracts.public`), written for
  other county systems. One topic per committee because Kafka authorizes topics, not partitions or keys:
  per-committee topics are the only scheme in which the broker itself keeps a subscriber to its own
  committee. A province of a hundred counties makes a few hundred topics, well within one cluster.

Tests and tenants of a shared cluster may prefix every name."""

from __future__ import annotations

import re

# Each service's contract names its own internal topic (`contracts/<svc>/service.py`).
PROPOSALS = "proposals.internal"
MEMBERS = "members.internal"
SURVEYS = "surveys.internal"
# Facts about notifications: that someone (named by id: a member, a unit, the office) was told of a fact of
# another service, by which template and on which channels, whether it was delivered, read or archived;
# preferences set; webhook endpoints registered and disabled; reminders scheduled, cancelled, escalated.
# Never an email address, a mobile number, a webhook URL or a message's text (those stay in the service's
# private tables). Notify publishes nothing publicly: its facts are the platform's own traffic.
NOTIFY = "notify.internal"

INTERNAL_SUFFIX = ".internal"
PUBLIC_INFIX = ".public."

# What a committee id may be, so that it is always a valid part of a Kafka topic name (Kafka allows
# [A-Za-z0-9._-], up to 249 characters) and of an ACL: no dots, so a committee cannot reach into another's
# name space.
COMMITTEE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
_COMMITTEE_ID = re.compile(COMMITTEE_ID_PATTERN)


def internal(service: str) -> str:
    return f"{service}{INTERNAL_SUFFIX}"


def public(service: str, committee_id: str) -> str:
    """The public topic of one service and one committee."""
    if not _COMMITTEE_ID.match(committee_id):
        raise ValueError(f"committee id {committee_id!r} does not match {COMMITTEE_ID_PATTERN}")
    return f"{service}{PUBLIC_INFIX}{committee_id}"


def public_prefix(service: str) -> str:
    """Every committee's public topic of a service starts with this (a producer's ACL is on the prefix)."""
    return f"{service}{PUBLIC_INFIX}"


def dlq(topic: str) -> str:
    return f"{topic}.dlq"
