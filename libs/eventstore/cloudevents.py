"""CloudEvents (binary mode) attributes carried in Kafka headers, so any subscriber can route on them
without parsing the body."""

from __future__ import annotations

from typing import Any

SPEC_VERSION = "1.0"


def headers_for(envelope: dict[str, Any]) -> dict[str, str]:
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
