"""CloudEvents (binary mode) attributes carried in Kafka headers, so any subscriber can route on them
without parsing the body."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SPEC_VERSION = "1.0"
_SPEC_VERSION = SPEC_VERSION.encode()
_CONTENT_TYPE = b"application/json"


def kafka_headers(row: Mapping[str, Any]) -> list[tuple[str, bytes]]:
    """The headers of one event, from a row of `EventStore.read_for_publishing` (PostgreSQL renders the
    attribute values: ce_id the event id, ce_type `<type>.v<schema version>`, ce_source `/yizheng/<service>`,
    ce_time when it occurred; ce_subject is the stream, ce_committee the tenant)."""
    return [("ce_specversion", _SPEC_VERSION), ("ce_id", row["ce_id"]), ("ce_type", row["ce_type"]),
            ("ce_source", row["ce_source"]), ("ce_subject", row["key"]), ("ce_time", row["ce_time"]),
            ("ce_committee", row["ce_committee"]), ("content-type", _CONTENT_TYPE)]
