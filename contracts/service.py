"""What a service promises the rest of the platform, in contracts alone: its name, the port its command API
listens on locally, the topic it publishes, and its commands. The gateway learns its mutations from this,
never from a service's code; the service's own declaration (`<svc>.service`, an
`eventstore.service.ServiceDefinition`) pairs each command with its handler."""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field, create_model

from contracts.bounded import OccurredOn
from contracts.envelope import Role

# Command names on the wire: kebab-case verbs (`submit-proposal`), like the event types (`proposal-submitted`).
COMMAND_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
SERVICE_NAME = re.compile(r"^[a-z][a-z0-9]*$")


@dataclass(frozen=True)
class CommandContract:
    name: str
    model: type[BaseModel]
    # Who may send it (`contracts.roles`); the command API refuses every other role before reading the body.
    # Deciders check the finer rules (a member's own records, a unit's own assignments).
    roles: frozenset[Role]
    summary: str = ""
    # A workflow step the office may enter from paper days later, giving the day it happened (`occurred_on`,
    # the office and admin only; `eventstore.backdating`).
    backdatable: bool = False

    def __post_init__(self) -> None:
        if not COMMAND_NAME.match(self.name):
            raise ValueError(f"command name {self.name!r} is not kebab-case (e.g. 'submit-proposal')")

    @property
    def input_model(self) -> type[BaseModel]:
        """What a client sends: the command, and `occurred_on` when it is back-datable."""
        return backdatable_model(self.model) if self.backdatable else self.model

    @property
    def description(self) -> str:
        return inspect.cleandoc(self.summary or self.model.__doc__ or "")


def command(name: str, model: type[BaseModel], roles: frozenset[Role], summary: str = "", *,
            backdatable: bool = False) -> CommandContract:
    return CommandContract(name, model, roles, summary, backdatable)


OCCURRED_ON = "occurred_on"


@functools.cache
def backdatable_model(model: type[BaseModel]) -> type[BaseModel]:
    """`model` with an optional `occurred_on`, under the same name (the command's schema as clients see it).
    The command API takes the day off before the handler sees the command (`eventstore.backdating`)."""
    if OCCURRED_ON in model.model_fields:
        raise ValueError(f"{model.__name__} has its own {OCCURRED_ON!r}; a back-datable command must not")
    return create_model(  # type: ignore[call-overload,no-any-return]
        model.__name__, __base__=model, __module__=model.__module__, __doc__=model.__doc__,
        occurred_on=(OccurredOn | None, Field(default=None, description=(
            "the day the step happened, when the office enters it from paper later (office and admin only; "
            "not later than today, in the current year, not before the step it follows)"))))


@dataclass(frozen=True)
class ServiceContract:
    name: str
    port: int  # where its command API listens locally (`yizheng run`); in a cluster, its Service's port
    topic: str  # the topic it publishes its events to
    commands: Sequence[CommandContract]
    description: str = ""

    def __post_init__(self) -> None:
        if not SERVICE_NAME.match(self.name):
            raise ValueError(f"service name {self.name!r} must be lower-case letters and digits")
        names = [c.name for c in self.commands]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"{self.name} declares commands twice: {', '.join(repeated)}")

    def command(self, name: str) -> CommandContract:
        for c in self.commands:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no command {name!r}")
