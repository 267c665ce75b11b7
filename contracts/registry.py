"""Event types by name and schema version, with the upcasters that bring old shapes to the current one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from contracts.errors import InvalidEventPayload, UnknownEventType, UnknownSchemaVersion
from contracts.storable_text import NUL_IN_JSON, NUL_PROBLEM, nul_paths

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class DomainEvent(BaseModel):
    """Base of every event payload: an immutable fact, named in the past tense.

    Subclasses are declared with `@event_type("proposal-submitted", version=2, topic="proposals.internal")`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int]
    topic: ClassVar[str]


E = TypeVar("E", bound=type[DomainEvent])


@dataclass
class _Entry:
    model: type[DomainEvent]
    version: int
    topic: str
    # upcasters[v] turns a version-v payload into version v+1
    upcasters: dict[int, Upcaster] = field(default_factory=dict)


class EventRegistry:
    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def register(self, name: str, version: int, topic: str, model: type[DomainEvent]) -> None:
        existing = self._entries.get(name)
        if existing is not None and existing.model is not model:
            raise ValueError(f"event type {name!r} is already registered by {existing.model.__qualname__}")
        self._entries[name] = _Entry(model=model, version=version, topic=topic,
                                     upcasters=existing.upcasters if existing else {})

    def add_upcaster(self, name: str, from_version: int, fn: Upcaster) -> None:
        self._entry(name).upcasters[from_version] = fn

    def _entry(self, name: str) -> _Entry:
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownEventType(name) from None

    def names(self) -> list[str]:
        return sorted(self._entries)

    def model(self, name: str) -> type[DomainEvent]:
        return self._entry(name).model

    def current_version(self, name: str) -> int:
        return self._entry(name).version

    def topic(self, name: str) -> str:
        return self._entry(name).topic

    def topics(self) -> dict[str, list[str]]:
        """Internal topic -> event type names carried on it."""
        out: dict[str, list[str]] = {}
        for name, entry in sorted(self._entries.items()):
            out.setdefault(entry.topic, []).append(name)
        return out

    def upcast(self, name: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
        entry = self._entry(name)
        if version == entry.version:
            return data  # the common case, on every event read: nothing to do
        known = [*sorted(entry.upcasters), entry.version]
        if version > entry.version or version < 1 or (version < entry.version and version not in entry.upcasters):
            raise UnknownSchemaVersion(name, version, known)
        while version < entry.version:
            step = entry.upcasters.get(version)
            if step is None:
                raise UnknownSchemaVersion(name, version, known)
            data = step(dict(data))
            version += 1
        return data

    def parse(self, name: str, version: int, data: dict[str, Any]) -> DomainEvent:
        """Upcast an event payload of any known version and validate it as the current version."""
        entry = self._entry(name)
        current = self.upcast(name, version, data)
        try:
            return entry.model.model_validate(current)
        except ValidationError as err:
            problems = [(".".join(str(p) for p in e["loc"]) or "(payload)", e["msg"]) for e in err.errors()]
            raise InvalidEventPayload(name, version, problems) from None

    def validate_new(self, event: DomainEvent) -> tuple[str, int, str]:
        """(type, version, payload as JSON text) of an event about to be stored."""
        entry = self._entry(type(event).event_type)
        if entry.model is not type(event):
            raise UnknownEventType(type(event).event_type)
        data = event.model_dump_json()
        if NUL_IN_JSON in data and (paths := nul_paths(event.model_dump(mode="json"))):
            raise InvalidEventPayload(entry.model.event_type, entry.version, [(p, NUL_PROBLEM) for p in paths])
        return entry.model.event_type, entry.version, data


REGISTRY = EventRegistry()


def event_type(name: str, *, version: int = 1, topic: str, registry: EventRegistry = REGISTRY) -> Callable[[E], E]:
    """Declare a payload model as the current version of an event type (its public form: contracts.public)."""

    def decorate(cls: E) -> E:
        cls.event_type = name
        cls.schema_version = version
        cls.topic = topic
        registry.register(name, version, topic, cls)
        return cls

    return decorate


def upcaster(name: str, from_version: int, registry: EventRegistry = REGISTRY) -> Callable[[Upcaster], Upcaster]:
    """Declare a pure dict->dict function that turns a `from_version` payload into the next version."""

    def decorate(fn: Upcaster) -> Upcaster:
        registry.add_upcaster(name, from_version, fn)
        return fn

    return decorate
