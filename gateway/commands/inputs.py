"""GraphQL input types generated from the services' pydantic command models, and back to JSON.

Each command model becomes `<Command>Input`; nested models become `<Model>Input`; contract enums become
the shared mirrored enums (values described by their Chinese label); dates, datetimes, decimals and UUIDs
keep their scalars; free-form mappings (`dict[...]`) and other unions travel as `JSON`. Optional fields
left out are left out of the forwarded body, so the service applies its own defaults and validators
(the GraphQL type checks the shape; the service checks the rules)."""

from __future__ import annotations

import datetime as dt
import enum
import inspect
import types
import typing
import uuid
from decimal import Decimal
from typing import Any, Literal

import pydantic
import strawberry
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from strawberry.types.base import has_object_definition

from gateway.schema.enums import mirror
from gateway.schema.scalars import JSON

_INPUTS: dict[type[BaseModel], Any] = {}
# Checked in order: bool before int (a bool is an int), datetime before date (a datetime is a date).
_SCALARS: tuple[tuple[type, Any], ...] = (
    (bool, bool), (str, str), (int, int), (float, float), (dt.datetime, dt.datetime), (dt.date, dt.date),
    (dt.time, dt.time), (Decimal, Decimal), (uuid.UUID, uuid.UUID),
)
# pydantic's constrained date types are marker classes, not subclasses of date or datetime.
_PYDANTIC: dict[Any, Any] = {
    pydantic.AwareDatetime: dt.datetime, pydantic.NaiveDatetime: dt.datetime, pydantic.PastDatetime: dt.datetime,
    pydantic.FutureDatetime: dt.datetime, pydantic.PastDate: dt.date, pydantic.FutureDate: dt.date,
}


def input_for(model: type[BaseModel], name: str | None = None) -> Any:
    """The GraphQL input type of a pydantic model (one per model; `name` for a command's own model)."""
    if model in _INPUTS:
        return _INPUTS[model]
    type_name = name or f"{model.__name__}Input"
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        gql = graphql_type(info.annotation)
        python_name = field_name
        required = info.is_required()
        nullable = _allows_none(info.annotation)
        if not required or nullable:
            gql = gql | None
        annotations[python_name] = gql
        kwargs: dict[str, Any] = {"description": info.description}
        if info.alias and info.alias != field_name:
            kwargs["name"] = info.alias
        if not required:
            kwargs["default"] = strawberry.UNSET
        elif nullable:
            kwargs["default"] = None
        namespace[python_name] = strawberry.field(**kwargs)
    namespace["__annotations__"] = annotations
    doc = inspect.cleandoc(model.__doc__ or "") or None
    created = strawberry.input(name=type_name, description=doc)(type(type_name, (), namespace))
    _INPUTS[model] = created
    return created


def graphql_type(annotation: Any) -> Any:
    """The GraphQL type of a field annotation (never nullable itself; the caller adds that)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return graphql_type(args[0])
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        return graphql_type(rest[0]) if len(rest) == 1 else JSON
    if origin in (list, set, frozenset, tuple) or annotation in (list, set, frozenset, tuple):
        if origin is tuple and (len(args) != 2 or args[1] is not Ellipsis):
            return JSON
        inner = args[0] if args else Any
        return list[graphql_type(inner)]  # type: ignore[misc]
    if origin is Literal:
        return str if all(isinstance(a, str) for a in args) else JSON
    if origin in (dict, typing.Mapping) or annotation in (dict, Any, object):
        return JSON
    if annotation in _PYDANTIC:
        return _PYDANTIC[annotation]
    if isinstance(annotation, type):
        if issubclass(annotation, enum.Enum):
            return mirror(annotation)
        if issubclass(annotation, BaseModel):
            return input_for(annotation)
        for python_type, gql in _SCALARS:
            if issubclass(annotation, python_type):
                return gql
    return JSON


def _allows_none(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _allows_none(typing.get_args(annotation)[0])
    return origin in (typing.Union, types.UnionType) and type(None) in typing.get_args(annotation)


def to_json(value: Any) -> Any:
    """A GraphQL input value as the JSON body the service's model validates. Unset fields are left out."""
    if value is strawberry.UNSET:
        raise ValueError("UNSET has no JSON form")
    if has_object_definition(value):
        out: dict[str, Any] = {}
        for f in value.__strawberry_definition__.fields:  # type: ignore[attr-defined]
            v = getattr(value, f.python_name)
            if v is strawberry.UNSET:
                continue
            out[_json_key(type(value), f.python_name)] = to_json(v)
        return out
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    return value


def _json_key(input_cls: type, python_name: str) -> str:
    # The input's python names are the pydantic field names; an alias, if any, is the JSON key.
    for model, cls in _INPUTS.items():
        if cls is input_cls:
            info: FieldInfo | None = model.model_fields.get(python_name)
            if info is not None and info.alias:
                return info.alias
            break
    return python_name

