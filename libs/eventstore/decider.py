"""Aggregates as plain functions: decide(state, issued) -> events, evolve(state, event) -> state.

A handler runs a decider through the unit of work (`eventstore.unit_of_work`), which gives it an `Issued`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from contracts.registry import DomainEvent

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
