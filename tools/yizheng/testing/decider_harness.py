"""Runs commands against a pure decider the way the unit of work does — fold the events, decide on an
`Issued`, keep what was decided — for the services' unit tests. No I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Generic, TypeVar

import pytest

from contracts.envelope import Actor
from contracts.registry import DomainEvent
from eventstore.decider import Decider
from eventstore.errors import DomainError
from eventstore.issued import Issued
from eventstore.workdays import DEFAULT_CALENDAR, WorkCalendar
from yizheng.testing.command_client import COMMITTEE, on

S = TypeVar("S")


@dataclass
class Harness(Generic[S]):
    decider: Decider[S, Any]
    today: date = date(2026, 3, 2)
    calendar: WorkCalendar = DEFAULT_CALENDAR
    events: list[DomainEvent] = field(default_factory=list)

    @property
    def state(self) -> S:
        return self.decider.fold(self.events)

    def issued(self, command: object, actor: Actor) -> Issued[object]:
        return Issued(command, actor, COMMITTEE, on(self.today), self.calendar)

    def run(self, command: object, actor: Actor) -> Sequence[DomainEvent]:
        new = self.decider.decide(self.state, self.issued(command, actor))
        self.events.extend(new)
        return new

    def refused(self, command: object, actor: Actor, rule: str) -> DomainError:
        """The command must be refused by `rule`, and nothing decided."""
        before = list(self.events)
        with pytest.raises(DomainError) as caught:
            self.run(command, actor)
        assert caught.value.rule == rule, f"refused by {caught.value.rule!r} ({caught.value}), expected {rule!r}"
        assert self.events == before
        return caught.value

    def advance(self, days: int = 0, *, to: date | None = None) -> None:
        self.today = to or self.today + timedelta(days=days)


def types(events: Sequence[DomainEvent]) -> list[str]:
    return [e.event_type for e in events]
