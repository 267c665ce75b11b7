"""CloudEvents (binary mode) attributes carried in Kafka headers, so any subscriber can route on them
without parsing the body."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SPEC_VERSION = "1.0"


def headers_for(envelope: Mapping[str, Any]) -> dict[str, str]:
    return {
        "ce_specversion": SPEC_VERSION,
        "ce_id": str(envelope["event_id"]),
        "ce_type": f"{envelope['type']}.v{envelope['schema_version']}",
        "ce_source": f"/yizheng/{envelope['source']}",
        "ce_subject": str(envelope["stream_id"]),
        "ce_time": str(envelope["occurred_at"]),
        "ce_committee": str(envelope["committee_id"]),
        "content-type": "application/json",
    }


def kafka_headers(event: Mapping[str, Any]) -> list[tuple[str, bytes]]:
    """`headers_for` as aiokafka takes them, from any mapping with the envelope's fields (e.g. a row of
    `EventStore.read_for_publishing`)."""
    return [(k, v.encode()) for k, v in headers_for(event).items()]
