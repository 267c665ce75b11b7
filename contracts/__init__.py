"""Event and command contracts shared by every service and subscriber.

Per service: `contracts/<svc>/` holds its events, `commands.py` its command models, `service.py` its
`ServiceContract` (name, port, topic, commands and who may send them); `platform.py` lists the services;
`bounded.py` holds the bounded types every field uses. Importing this package registers every public event
type (see `catalog`)."""

from contracts.catalog import load_all as _load_all
from contracts.envelope import Actor, EventEnvelope, Role
from contracts.errors import ContractError, InvalidEventPayload, UnknownEventType, UnknownSchemaVersion
from contracts.registry import REGISTRY, EventRegistry, event_type

_load_all()

__all__ = [
    "REGISTRY",
    "Actor",
    "ContractError",
    "EventEnvelope",
    "EventRegistry",
    "InvalidEventPayload",
    "Role",
    "UnknownEventType",
    "UnknownSchemaVersion",
    "event_type",
]
