"""Aggregates as plain functions: decide(state, command) -> events, evolve(state, event) -> state."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from contracts.registry import DomainEvent
from eventstore.errors import ConcurrencyError
from eventstore.store import AppendResult, CommandContext, EventStore

S = TypeVar("S")
C = TypeVar("C")


@dataclass(frozen=True)
class Decider(Generic[S, C]):
    """The pure heart of an aggregate. `decide` raises DomainError to refuse a command."""

    initial: Callable[[], S]
    decide: Callable[[S, C], Sequence[DomainEvent]]
    evolve: Callable[[S, DomainEvent], S]

    def fold(self, events: Iterable[DomainEvent], state: S | None = None) -> S:
        current = self.initial() if state is None else state
        for event in events:
            current = self.evolve(current, event)
        return current


@dataclass(frozen=True)
class Decision(Generic[S]):
    result: AppendResult
    state: S
    events: Sequence[DomainEvent]


async def execute(store: EventStore, stream_id: str, decider: Decider[S, Any], command: Any,
                  ctx: CommandContext, *, attempts: int = 3) -> Decision[S]:
    """Load the stream, decide, append at the version loaded; on a concurrent write, decide again on the
    newer state (the command may now be refused)."""
    for attempt in range(attempts):
        history = await store.read_stream(stream_id)
        state = decider.fold(e.event for e in history)
        events = decider.decide(state, command)
        try:
            result = await store.append(stream_id, len(history), events, ctx)
        except ConcurrencyError:
            if attempt == attempts - 1:
                raise
            continue
        return Decision(result, decider.fold(events, state), events)
    raise AssertionError("unreachable")
