"""Every command of the services the gateway fronts, read from their contracts (`contracts.platform`, each
service's `contracts/<svc>/service.py`), so that a new command is a new mutation without touching the
gateway. The gateway imports no service code."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel

from contracts import platform


@dataclass(frozen=True)
class CommandInfo:
    service: str  # the owning service, a key of GatewayConfig.service_urls
    name: str  # the command API's name, e.g. "submit-proposal"
    model: type[BaseModel]
    summary: str = ""

    @property
    def field_name(self) -> str:
        """The mutation's name: the command name in camelCase (`submit-proposal` -> `submitProposal`)."""
        head, *rest = re.split(r"[-_.]", self.name)
        return head + "".join(part[:1].upper() + part[1:] for part in rest)

    @property
    def type_prefix(self) -> str:
        name = self.field_name
        return name[:1].upper() + name[1:]

    @property
    def description(self) -> str:
        text = inspect.cleandoc(self.summary or self.model.__doc__ or "")
        return f"{text}\n\n(`{self.service}` command `{self.name}`)".strip()


def load_catalog(services: Iterable[str] | None = None) -> list[CommandInfo]:
    """The commands of the named services (default: every service of the platform)."""
    found = [CommandInfo(name, c.name, c.input_model, c.summary)
             for name in services or platform.SERVICES for c in platform.contract(name).commands]
    names = [c.field_name for c in found]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise ValueError(f"two services offer commands named {', '.join(clashes)}; rename one")
    return sorted(found, key=lambda c: (c.service, c.name))
