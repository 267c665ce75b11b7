"""The kernel bench's event: its registry and topic, one small fact of a typical size, the context it is
appended under, and the bench's error (shared by the kernel and the consumer benches)."""

from __future__ import annotations

from contracts.envelope import Actor, Role
from contracts.registry import DomainEvent, EventRegistry, event_type
from eventstore.store import CommandContext

BENCH_EVENTS = EventRegistry()
BENCH_TOPIC = "bench.events"
BENCH_PARTITIONS = 3  # the local broker's num.partitions
SOURCE = "bench"
# A typical small fact: a counter and one line of text.
NOTE = "proposal 2025-041: repair the township's east road before the rainy season; seconded by 3 members"


@event_type("bench-noted", version=1, topic=BENCH_TOPIC, registry=BENCH_EVENTS)
class BenchNoted(DomainEvent):
    n: int
    note: str


class BenchError(RuntimeError):
    pass


def bench_ctx() -> CommandContext:
    return CommandContext(actor=Actor(id="bench-office-1", role=Role.office_staff), committee_id="county-bench")
