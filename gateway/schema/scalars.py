"""Scalars beyond GraphQL's own (Date and DateTime come with Strawberry)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NewType

import strawberry

if TYPE_CHECKING:
    JSON = Any
else:
    JSON = strawberry.scalar(
        NewType("JSON", object),
        description="A JSON value (object, array, string, number, boolean or null).",
        serialize=lambda v: v,
        parse_value=lambda v: v,
    )


def as_json(value: Any) -> Any:
    import json

    return json.loads(value) if isinstance(value, str) else value
