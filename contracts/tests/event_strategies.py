"""Hypothesis strategies for every event model, read off the models' own bounds (the types of
`contracts.bounded`: lengths, patterns, ranges, not-blank), so that pydantic accepts what they make.

`events(Model)` builds any event model: its fields' annotations are read (nested models, lists, maps, unions,
enums, literals, dates, decimals), and a type or a model the reader does not know raises `Unbuildable` — the
derive test then fails for that type; it is never skipped. Models whose fields are checked against each
other get a strategy of their own in `REGISTERED` (a rulebook's unique ids and descending grade bands) or are
listed in `CROSS_FIELD` (built, then kept only if pydantic accepts them: most draws are)."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from uuid import UUID

from hypothesis import strategies as st
from pydantic import AfterValidator, BaseModel, ValidationError
from pydantic.fields import FieldInfo

from contracts import bounded
from contracts.members.enums import Grade, ScoreCategory
from contracts.members.rulebook import FlagRule, GradeBand, PointRule, Rulebook

# Text people write: CJK, Latin letters, digits and punctuation; no whitespace (so a drawn text is never blank).
TEXT = st.sampled_from("王芳李明提案办理答复满意社情民意abcXYZ0189-_.,，。（）:")
MAX_TEXT = 16  # characters of a drawn free text (the bounds allow thousands; the contract does not care)
MAX_ITEMS = 3  # entries of a drawn list or map beyond its minimum
SMALL_INT = 1_000


class Unbuildable(TypeError):
    """An annotation this module cannot draw values for: give it a strategy in `REGISTERED`."""


_PICK: dict[str, Callable[[Any, Any], Any]] = {"min_length": max, "max_length": min, "ge": max, "gt": max,
                                             "le": min, "lt": min}


def _bounds(meta: Sequence[Any]) -> dict[str, Any]:
    """The bounds an annotation's metadata set (the tightest of each), and its after-validators."""
    out: dict[str, Any] = {"validators": []}
    for m in meta:
        if isinstance(m, FieldInfo):  # `Annotated[Year, Field(ge=2000)]`
            nested = _bounds(m.metadata)
            out["validators"] += nested.pop("validators")
            items = list(nested.items())
        elif isinstance(m, AfterValidator):
            out["validators"].append(m.func)
            continue
        else:
            items = [(k, getattr(m, k, None)) for k in (*_PICK, "pattern", "decimal_places", "max_digits")]
        for key, value in items:
            if value is None:
                continue
            out[key] = _PICK[key](out[key], value) if key in _PICK and out.get(key) is not None else value
    return out


def _text(b: Mapping[str, Any]) -> st.SearchStrategy[str]:
    low = b.get("min_length") or 0
    high = b.get("max_length") or MAX_TEXT
    if b.get("pattern"):
        return st.from_regex(b["pattern"], fullmatch=True).filter(lambda s: low <= len(s) <= high)
    if bounded.email_address in b["validators"]:
        return st.from_regex(r"[a-z][a-z0-9]{0,7}@[a-z]{1,8}\.(cn|com)", fullmatch=True)
    if bounded.not_blank in b["validators"]:
        low = max(low, 1)
    return st.text(TEXT, min_size=low, max_size=max(low, min(high, low + MAX_TEXT)))


def _number(kind: type, b: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    if kind is int:
        low = b["ge"] if b.get("ge") is not None else (b["gt"] + 1 if b.get("gt") is not None else 0)
        high = b["le"] if b.get("le") is not None else (b["lt"] - 1 if b.get("lt") is not None else low + SMALL_INT)
        return st.integers(low, high)
    if kind is float:
        return st.floats(b.get("ge", b.get("gt", 0.0)), b.get("le", b.get("lt", float(SMALL_INT))),
                         exclude_min=b.get("gt") is not None, exclude_max=b.get("lt") is not None,
                         allow_nan=False, allow_infinity=False)
    places = b.get("decimal_places", 2)
    low = Decimal(b["ge"] if b.get("ge") is not None else b.get("gt", 0))
    high = Decimal(b["le"] if b.get("le") is not None else b.get("lt", SMALL_INT))
    step = Decimal(1).scaleb(-places)
    if b.get("gt") is not None:
        low += step
    if b.get("lt") is not None:
        high -= step
    return st.decimals(low, high, places=places, allow_nan=False, allow_infinity=False)


def _when(kind: type, b: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    if kind is date:
        low = b.get("ge") or bounded.MIN_RECORDED_DAY
        high = b.get("le") or bounded.MAX_RECORDED_DAY
        return st.dates(low, high)
    return st.datetimes(datetime(bounded.MIN_YEAR, 1, 1), datetime(bounded.MAX_YEAR, 12, 31),
                        timezones=st.just(UTC))


def for_annotation(tp: Any, meta: Sequence[Any] = ()) -> st.SearchStrategy[Any]:
    origin = get_origin(tp)
    if origin is Annotated:
        base, *more = get_args(tp)
        return for_annotation(base, (*meta, *more))
    if tp in REGISTERED:
        return REGISTERED[tp]
    b = _bounds(meta)
    if origin in (Union, types.UnionType):
        return st.one_of([st.none() if a is type(None) else for_annotation(a, meta) for a in get_args(tp)])
    if origin is Literal:
        return st.sampled_from(get_args(tp))
    if origin in (list, set, frozenset, tuple, Sequence, typing.Sequence):
        args = get_args(tp)
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return st.tuples(*(for_annotation(a) for a in args))
        low = b.get("min_length") or 0
        high = min(b.get("max_length") or low + MAX_ITEMS, low + MAX_ITEMS)
        items = st.lists(for_annotation(args[0]), min_size=low, max_size=high)
        return items.map(origin) if origin in (set, frozenset, tuple) else items
    if origin in (dict, Mapping, typing.Mapping):
        key, value = get_args(tp)
        low = b.get("min_length") or 0
        high = min(b.get("max_length") or low + MAX_ITEMS, low + MAX_ITEMS)
        return st.dictionaries(for_annotation(key), for_annotation(value), min_size=low, max_size=high)
    if tp is type(None):
        return st.none()
    if isinstance(tp, type):
        if issubclass(tp, BaseModel):
            return models(tp)
        if issubclass(tp, Enum):
            return st.sampled_from(list(tp))
        if tp is bool:
            return st.booleans()
        if tp in (int, float, Decimal):
            return _number(tp, b)
        if tp in (date, datetime):
            return _when(tp, b)
        if tp is UUID:
            return st.uuids()
        if tp is str:
            return _text(b)
    raise Unbuildable(f"no strategy for {tp!r} (register one in contracts/tests/event_strategies.py)")


def _accepted(model: type[BaseModel]) -> Callable[[dict[str, Any]], BaseModel | None]:
    def build(values: dict[str, Any]) -> BaseModel | None:
        try:
            return model.model_validate(values)
        except ValidationError:
            return None

    return build


def models(model: type[BaseModel], **override: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`model`'s instances: every required field drawn, each optional one drawn or left to its default."""
    if model in REGISTERED and not override:
        return REGISTERED[model]
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, info in model.model_fields.items():
        strategy = override.get(name) or for_annotation(info.annotation, info.metadata)
        (required if info.is_required() else optional)[info.alias or name] = strategy
    values = st.fixed_dictionaries(required, optional=optional)
    if model in CROSS_FIELD:
        return values.map(_accepted(model)).filter(lambda m: m is not None)
    return values.map(model.model_validate)


events = models

# Models whose fields are checked against each other, kept when pydantic accepts them (about half the draws).
CROSS_FIELD: frozenset[type[BaseModel]] = frozenset({PointRule, FlagRule})


@st.composite
def _rulebooks(draw: st.DrawFn) -> Rulebook:
    rules = draw(st.lists(models(PointRule), max_size=MAX_ITEMS, unique_by=lambda r: r.id))
    taken = {r.id for r in rules}
    flags = draw(st.lists(models(FlagRule).filter(lambda f: f.id not in taken), max_size=2, unique_by=lambda f: f.id))
    minimums = draw(st.lists(st.integers(-50, 200), max_size=3, unique=True))
    grades = [GradeBand(grade=draw(st.sampled_from(list(Grade))), min_total=Decimal(m))
              for m in sorted(minimums, reverse=True)]
    grades.append(GradeBand(grade=draw(st.sampled_from(list(Grade)))))
    fields = {k: v for k, v in Rulebook.model_fields.items() if k not in ("rules", "flags", "grades", "category_caps")}
    rest = draw(st.fixed_dictionaries({k: for_annotation(v.annotation, v.metadata) for k, v in fields.items()
                                       if v.is_required()}))
    caps = draw(st.dictionaries(st.sampled_from(list(ScoreCategory)), st.integers(1, 100).map(Decimal), max_size=2))
    return Rulebook.model_validate({**rest, "rules": rules, "flags": flags, "grades": grades, "category_caps": caps})


REGISTERED: dict[Any, st.SearchStrategy[Any]] = {}
REGISTERED[Rulebook] = _rulebooks()

__all__ = ["CROSS_FIELD", "REGISTERED", "Unbuildable", "events", "for_annotation", "models"]
