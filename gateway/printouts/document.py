"""What a printout is: its name (the URL's segment and its template's), the GraphQL query whose rows it prints
(the caller needs that query's policy row first), the roles that may print it at all, the bounded key it is
asked by, and how its template's variables are read. A document raises `gateway.errors` NotFound, Forbidden or
Conflict; the route answers them as 404, 403 and 409."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from contracts.envelope import Role
from gateway.context import Context


@dataclass(frozen=True)
class Printable:
    filename: str  # without the extension, e.g. assignment-slip-2026-001
    title: str  # the page's <title>
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Document:
    name: str
    title: str  # the domain's Chinese name, for errors
    operation: str  # a row of `contracts.access.ALLOWED`: what the printout shows is that query's
    roles: frozenset[Role]
    key: type[BaseModel]  # the path's key, validated by its contract bound (400 naming the field otherwise)
    key_field: str  # the key's name in that model and in errors, e.g. proposalId
    build: Callable[[Context, Any], Awaitable[Printable]]
