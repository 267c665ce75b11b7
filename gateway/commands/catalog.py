"""Every command of the services the gateway fronts, read from the services' own `CommandSpec` lists so
that a new command is a new mutation without touching the gateway. Only names, pydantic models and
summaries are read; no handler runs here."""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

log = logging.getLogger("gateway.commands")


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


def _specs(service: str, specs: Iterable[Any]) -> list[CommandInfo]:
    return [CommandInfo(service, s.name, s.model, getattr(s, "summary", "") or "") for s in specs]


def _members() -> list[CommandInfo]:
    from members.handlers import MembersService
    from members.roster_import import ImportRoster

    # `specs()` only pairs names with models and bound handlers; nothing is called, so no store is needed.
    service = MembersService.__new__(MembersService)
    # MembersApp (members/app.py) serves `import-roster` beside the service's own specs.
    roster = CommandInfo("members", "import-roster", ImportRoster, "")
    return [*_specs("members", service.specs()), roster]


def _proposals() -> list[CommandInfo]:
    from proposals.handlers import ProposalsHandlers

    handlers = ProposalsHandlers.__new__(ProposalsHandlers)
    return _specs("proposals", handlers.specs())


# Each service's loader, by service name. A service that adds a command needs no change here.
LOADERS: dict[str, Callable[[], list[CommandInfo]]] = {"proposals": _proposals, "members": _members}


def load_catalog(services: Iterable[str] | None = None, *, strict: bool = False) -> list[CommandInfo]:
    """The commands of the named services (default: all known). A service whose code cannot be imported is
    left out with a warning (strict: raise), so the gateway still starts while a service is being built."""
    found: list[CommandInfo] = []
    for name in services or LOADERS:
        try:
            found.extend(LOADERS[name]())
        except Exception as err:
            if strict:
                raise
            log.warning("commands of %s are not available: %s", name, err)
    names = [c.field_name for c in found]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise ValueError(f"two services offer commands named {', '.join(clashes)}; rename one")
    return sorted(found, key=lambda c: (c.service, c.name))
