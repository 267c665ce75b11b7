"""What each request's resolvers share: the caller, the views' database (with per-request DataLoaders),
the command forwarder, the projector (read-your-writes) and the live hub."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import asyncpg

from gateway.auth import ANONYMOUS, Viewer, from_connection_params
from gateway.config import GatewayConfig
from gateway.live import LiveHub
from gateway.read.contacts import ContactDirectory
from gateway.read.db import Db
from gateway.read.loaders import Loaders
from gateway.read.notifications import NotifyReader
from gateway.read.proposals_routes import ProposalsReader
from gateway.read.surveys_routes import SurveysReader

if TYPE_CHECKING:
    from gateway.commands.forward import Forwarder
    from gateway.projector import Projector


@dataclass
class Services:
    """The long-lived parts a request uses (built once by the composition root)."""

    pool: asyncpg.Pool
    config: GatewayConfig
    hub: LiveHub
    projector: Projector | None
    forwarder: Forwarder | None
    contacts: ContactDirectory | None = None
    notify: NotifyReader | None = None
    surveys: SurveysReader | None = None
    proposals: ProposalsReader | None = None


@dataclass
class Context:
    services: Services
    viewer: Viewer = ANONYMOUS
    request: Any = None
    response: Any = None
    # graphql-transport-ws puts the `connection_init` payload here.
    connection_params: dict[str, Any] | None = None
    db: Db = field(init=False)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.db = Db(self.services.pool, self.services.config.schema)
        self.loaders = Loaders(self.db, self.viewer, self.services.contacts)

    def authenticate_connection(self) -> Viewer:
        """For WebSockets: the caller comes from `connection_init`, after the context was made."""
        self.viewer = from_connection_params(self.connection_params)
        self.loaders = Loaders(self.db, self.viewer, self.services.contacts)
        return self.viewer

    def refresh_loaders(self) -> None:
        self.loaders = Loaders(self.db, self.viewer, self.services.contacts)

