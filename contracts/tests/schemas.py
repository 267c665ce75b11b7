"""Walks the JSON Schema pydantic gives a model: every place an input is left unbounded, and the largest JSON
value the schema allows (for the message-size test)."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from pydantic import BaseModel

# The character that costs most in the JSON text PostgreSQL renders (jsonb) and Kafka carries: a control
# character is escaped as \u00XX, six bytes for one character (any other character takes at most four).
WORST_CHAR = "\x01"
# Formats whose strings have a fixed shape (pydantic validates them as dates and times, not free text).
FIXED_FORMATS = {"date": "2200-12-31", "date-time": "2200-12-31T23:59:59.999999+14:00",
                 "uuid": "ffffffff-ffff-ffff-ffff-ffffffffffff", "time": "23:59:59.999999"}


def models_of(module: ModuleType) -> list[type[BaseModel]]:
    """The pydantic models a module defines (not the ones it imports)."""
    return [obj for _, obj in sorted(vars(module).items())
            if inspect.isclass(obj) and issubclass(obj, BaseModel) and obj.__module__ == module.__name__]


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = root["$defs"][name]
    return schema


def _is_decimal(branches: list[dict[str, Any]]) -> bool:
    """pydantic's rendering of a Decimal: a number, or a string that is parsed as the same number."""
    kinds = sorted(b.get("type", "") for b in branches)
    return kinds == ["number", "string"]


def unbounded(schema: dict[str, Any], root: dict[str, Any] | None = None, path: str = "",
              seen: frozenset[str] = frozenset()) -> Iterator[str]:
    """`path: what is missing` for every string without maxLength, array without maxItems, integer or number
    without minimum and maximum, and map without maxProperties or bounded keys."""
    root = root if root is not None else schema
    if "$ref" in schema:
        ref = schema["$ref"]
        if ref in seen:
            return
        seen = seen | {ref}
    schema = _resolve(schema, root)
    if "enum" in schema or "const" in schema:
        return
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        real = [_resolve(b, root) for b in branches if b.get("type") != "null"]
        if _is_decimal(real):
            number = next(b for b in real if b.get("type") == "number")
            yield from unbounded(number, root, path, seen)
            return
        for b in branches:
            yield from unbounded(b, root, path, seen)
        return
    kind = schema.get("type")
    if kind == "string":
        if schema.get("format") not in FIXED_FORMATS and "maxLength" not in schema:
            yield f"{path or '(value)'}: string without maxLength"
    elif kind in ("integer", "number"):
        for bound, alternative in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
            if bound not in schema and alternative not in schema:
                yield f"{path or '(value)'}: {kind} without {bound}"
    elif kind == "array":
        if "maxItems" not in schema:
            yield f"{path or '(value)'}: array without maxItems"
        yield from unbounded(schema.get("items", {}), root, f"{path}[]", seen)
    elif kind == "object":
        for name, prop in schema.get("properties", {}).items():
            yield from unbounded(prop, root, f"{path}.{name}" if path else name, seen)
        values = [schema.get("additionalProperties"), *schema.get("patternProperties", {}).values()]
        values = [v for v in values if isinstance(v, dict)]
        if values:
            if "maxProperties" not in schema:
                yield f"{path or '(value)'}: map without maxProperties"
            keys = _resolve(schema.get("propertyNames", {}), root)
            if "maxLength" not in keys and "enum" not in keys and not schema.get("patternProperties"):
                yield f"{path or '(value)'}: map keys without maxLength"
            for v in values:
                yield from unbounded(v, root, f"{path}{{}}", seen)


def _longest_match(pattern: str | None, length: int) -> str:
    """The costliest string of `length` characters that `pattern` accepts (a JSON-escaped character if it can)."""
    for char in (WORST_CHAR, '"', "\\", "a", "A", "0"):
        candidate = char * length
        if pattern is None or re.search(pattern, candidate):
            return candidate
    raise AssertionError(f"no filler fits {pattern!r}")


def _keys(key_schema: dict[str, Any], pattern: str | None, count: int) -> list[str]:
    if "enum" in key_schema:
        return [str(k) for k in key_schema["enum"]][:count]
    length = key_schema.get("maxLength", 64)
    keys = []
    for i in range(count):
        suffix = str(i)
        for char in (WORST_CHAR, "a"):
            key = char * (length - len(suffix)) + suffix
            if pattern is None or re.search(pattern, key):
                keys.append(key)
                break
        else:
            raise AssertionError(f"no key fits {pattern!r}")
    return keys


def largest(schema: dict[str, Any], root: dict[str, Any] | None = None) -> Any:
    """The JSON value of the schema with every string at its longest (in the costliest characters), every
    list and map full, every number at its extreme and every optional value present. Fields that exclude each
    other are all filled, so the value may break a model's own cross-field rules: it is an upper bound on
    the size of any value the schema accepts."""
    root = root if root is not None else schema
    schema = _resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return max(schema["enum"], key=lambda v: len(json.dumps(v, ensure_ascii=False)))
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        real = [_resolve(b, root) for b in branches if b.get("type") != "null"]
        if _is_decimal(real):
            real = [b for b in real if b.get("type") == "number"]
        return max((largest(b, root) for b in real), key=lambda v: len(encode(v)))
    kind = schema.get("type")
    if kind == "string":
        if schema.get("format") in FIXED_FORMATS:
            return FIXED_FORMATS[schema["format"]]
        return _longest_match(schema.get("pattern"), schema["maxLength"])
    if kind in ("integer", "number"):
        return max(schema["minimum"], schema["maximum"], key=lambda n: len(json.dumps(n)))
    if kind == "boolean":
        return False
    if kind == "array":
        return [largest(schema["items"], root) for _ in range(schema["maxItems"])]
    if kind == "object":
        out = {name: largest(prop, root) for name, prop in schema.get("properties", {}).items()}
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) or "patternProperties" in schema:
            value_schema = extra if isinstance(extra, dict) else next(iter(schema["patternProperties"].values()))
            key_pattern = next(iter(schema.get("patternProperties", {})), None)
            key_schema = _resolve(schema.get("propertyNames", {}), root)
            for key in _keys(key_schema, key_pattern or key_schema.get("pattern"), schema["maxProperties"]):
                out[key] = largest(value_schema, root)
        return out
    raise AssertionError(f"no largest value for {schema}")


def encode(value: Any) -> bytes:
    """JSON as PostgreSQL renders a jsonb value for the relay (", " and ": " separators, UTF-8, control
    characters escaped)."""
    return json.dumps(value, ensure_ascii=False).encode()
