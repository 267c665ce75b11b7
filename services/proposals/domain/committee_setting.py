"""A number the committee's office sets for itself (one stream per committee and setting): the look-back
interval, the evaluation window. The default holds until the office sets its own; setting the value in force
again writes nothing. One decider for every such setting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from contracts.registry import DomainEvent
from contracts.roles import OFFICE
from eventstore.decider import Decider
from eventstore.issued import Issued, require_role


@dataclass(frozen=True)
class Setting:
    value: int


def setting(*, what: str, event: type[DomainEvent], field: str, default: int) -> Decider[Setting, Issued[Any]]:
    """The decider of one setting: `event` records it, its `field` (and the command's) holds the number."""

    def decide(state: Setting, issued: Issued[Any]) -> Sequence[DomainEvent]:
        require_role(issued, OFFICE, f"setting {what}")
        value = getattr(issued.command, field)
        return [] if value == state.value else [event(**{field: value})]

    def evolve(state: Setting, recorded: DomainEvent) -> Setting:
        if isinstance(recorded, event):
            return Setting(getattr(recorded, field))
        raise TypeError(f"{what} has no event {type(recorded).__name__}")

    return Decider(initial=lambda: Setting(default), decide=decide, evolve=evolve)
