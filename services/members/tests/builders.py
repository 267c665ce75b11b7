"""Envelopes of public events as other services (and this one) publish them, for pure tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from contracts.envelope import Actor, EventEnvelope, Role
from contracts.registry import REGISTRY

SERVICES = {"proposals.internal": "proposals", "surveys.internal": "surveys", "members.internal": "members"}
_stream_versions: dict[str, int] = {}


def envelope(type_: str, data: dict[str, Any], *, stream_id: str | None = None, committee: str = "county-a",
             occurred_at: datetime | None = None, event_id: UUID | None = None) -> EventEnvelope:
    """An envelope whose payload is validated against the registered contract (so tests cannot drift from
    the real event shapes)."""
    model = REGISTRY.model(type_)
    payload = model.model_validate(data).model_dump(mode="json")
    stream = stream_id or f"{type_.split('-')[0]}-{committee}-{uuid4().hex[:8]}"
    _stream_versions[stream] = _stream_versions.get(stream, 0) + 1
    return EventEnvelope(
        event_id=event_id or uuid4(), type=type_, schema_version=REGISTRY.current_version(type_), stream_id=stream,
        stream_version=_stream_versions[stream], occurred_at=occurred_at or datetime(2025, 6, 1, 2, tzinfo=UTC),
        actor=Actor(id="office-1", role=Role.office_staff), committee_id=committee, correlation_id=uuid4(),
        source=SERVICES[model.topic], data=payload)
