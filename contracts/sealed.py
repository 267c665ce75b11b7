"""Sealed fields: values of an event that only some readers may read until a later fact releases them.

The rule they carry is the committee's against pressured satisfaction (被满意): a handling unit may read a
proposer's individual rating of its reply only once every proposer has rated it (`evaluations-completed`);
before that only the office (office staff, leadership, admin) and the proposer themself may. The seal is
declared once, on the contract's field:

    rating: Rating = Field(json_schema_extra=sealed_until("evaluations-completed", owner="member_id"))

and every path that hands event data to a reader — the gateway's queries and subscriptions, notify's inbox,
mail and webhooks, the public topics — passes it through `visible` (or asks `may_see`). The platform's own
consumers read the internal topic in full: they are the platform, not readers.

The exported JSON Schema carries the marker (`x-sealed-until`, `x-sealed-owner`) on each sealed property, so
a subscriber in any language can see which values are sealed and by which fact they are released."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonDict

from contracts.envelope import Role
from contracts.errors import UnknownEventType
from contracts.registry import REGISTRY, EventRegistry
from contracts.roles import STAFF

SEALED_UNTIL = "x-sealed-until"
SEALED_OWNER = "x-sealed-owner"
# Who reads a sealed value before its release, whoever it belongs to: the office, leadership, admin.
UNSEALED_ROLES = STAFF


def sealed_until(release: str, *, owner: str) -> JsonDict:
    """The field marker (a pydantic `json_schema_extra`): the value is sealed until an event of type `release`
    for the same subject; the member named by the event's `owner` field may always read it."""
    return {SEALED_UNTIL: release, SEALED_OWNER: owner}


@dataclass(frozen=True)
class Seal:
    field: str
    until: str  # the event type that releases the value
    owner: str  # the field of the event naming the member whose value it is


@dataclass(frozen=True)
class Reader:
    """Who is about to read event data: a role, and for a member their member id."""

    role: Role
    member_id: str | None = None


# A county system, a webhook endpoint, a public topic's subscriber: no office role and no member.
OUTSIDER = Reader(Role.service)


def seals_of(model: type[BaseModel]) -> tuple[Seal, ...]:
    """The sealed fields a payload model declares, in field order."""
    found = []
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra
        if isinstance(extra, Mapping) and SEALED_UNTIL in extra:
            found.append(Seal(name, str(extra[SEALED_UNTIL]), str(extra[SEALED_OWNER])))
    return tuple(found)


def seals(event_type: str, registry: EventRegistry = REGISTRY) -> tuple[Seal, ...]:
    """The seals of an event type (none for a type that declares none, or that no contract declares)."""
    try:
        return seals_of(registry.model(event_type))
    except UnknownEventType:
        return ()


def sealed_fields(registry: EventRegistry = REGISTRY) -> dict[str, frozenset[str]]:
    """Event type -> its sealed fields, for every type that has any (a public view must publish none of them
    before their release)."""
    out = {name: frozenset(s.field for s in seals(name, registry)) for name in registry.names()}
    return {name: fields for name, fields in out.items() if fields}


def _may_see(seal: Seal, data: Mapping[str, Any], reader: Reader, released: bool) -> bool:
    if released or reader.role in UNSEALED_ROLES:
        return True
    return reader.role is Role.member and reader.member_id is not None and data.get(seal.owner) == reader.member_id


def may_see(event_type: str, data: Mapping[str, Any], reader: Reader, *, released: bool = False,
            registry: EventRegistry = REGISTRY) -> bool:
    """Whether `reader` may read every sealed value of this event. `released`: the releasing fact (e.g. the
    round's `evaluations-completed`) has happened; an event read as it happens is never released yet."""
    return all(_may_see(s, data, reader, released) for s in seals(event_type, registry))


def visible(event_type: str, data: Mapping[str, Any], reader: Reader, *, released: bool = False,
            registry: EventRegistry = REGISTRY) -> dict[str, Any]:
    """A copy of the event's data without the sealed values `reader` may not read (see `may_see`)."""
    hidden = {s.field for s in seals(event_type, registry) if not _may_see(s, data, reader, released)}
    return {k: v for k, v in data.items() if k not in hidden}
