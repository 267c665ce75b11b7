"""Scalars beyond GraphQL's own (Date and DateTime come with Strawberry). Declared as NewTypes and mapped
in the schema's config (`SCALARS`), as Strawberry recommends, so type checkers see plain types."""

from __future__ import annotations

import json
from typing import Any, NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

JSON = NewType("JSON", object)

SCALARS: dict[object, ScalarDefinition] = {
    JSON: strawberry.scalar(
        name="JSON",
        description="A JSON value (object, array, string, number, boolean or null).",
        serialize=lambda v: v,
        parse_value=lambda v: v,
    ),
}


def as_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
