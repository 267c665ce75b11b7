"""Event types used only by the kernel's own tests, in a registry of their own."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Actor, Role
from contracts.registry import DomainEvent, EventRegistry, event_type, upcaster
from eventstore.store import CommandContext

SAMPLES = EventRegistry()
TOPIC = "samples.events"


@event_type("sample-noted", version=1, topic=TOPIC, registry=SAMPLES)
class SampleNoted(DomainEvent):
    n: int
    text: str = ""


@event_type("visit-sampled", version=2, topic=TOPIC, registry=SAMPLES)
class VisitSampled(DomainEvent):
    """v1 had one `roles` string, comma-separated; v2 has a list and the township."""

    visitor_id: str
    roles: list[str]
    township_id: str | None = None


@upcaster("visit-sampled", from_version=1, registry=SAMPLES)
def _visit_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    roles = [r.strip() for r in data.pop("roles", "").split(",") if r.strip()]
    return {**data, "roles": roles, "township_id": None}


def ctx(committee: str = "county-a") -> CommandContext:
    return CommandContext(actor=Actor(id="office-1", role=Role.office_staff), committee_id=committee)
