"""What a service promises the rest of the platform, in contracts alone: its name, the port its command API
listens on locally, the topic it publishes, and its commands. The gateway learns its mutations from this,
never from a service's code; the service's own declaration (`<svc>.service`, an
`eventstore.service.ServiceDefinition`) pairs each command with its handler."""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel

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

    def __post_init__(self) -> None:
        if not COMMAND_NAME.match(self.name):
            raise ValueError(f"command name {self.name!r} is not kebab-case (e.g. 'submit-proposal')")

    @property
    def description(self) -> str:
        return inspect.cleandoc(self.summary or self.model.__doc__ or "")


def command(name: str, model: type[BaseModel], roles: frozenset[Role], summary: str = "") -> CommandContract:
    return CommandContract(name, model, roles, summary)


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
