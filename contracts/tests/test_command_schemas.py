"""Nothing a command accepts is unbounded: every string of every command model's JSON Schema (nested models
included) has a maxLength, every array a maxItems, every number a minimum and a maximum, every map a
maxProperties and bounded keys; and each top-level bound is enforced, naming the field (a pure-unit mirror of
the service contract's HTTP checks, eventstore.testing.service_contract)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

import contracts
from contracts.members import commands as member_commands
from contracts.proposals import commands as proposal_commands
from contracts.registry import REGISTRY
from contracts.tests.schemas import models_of, unbounded

COMMAND_MODELS: list[type[BaseModel]] = [
    m for m in models_of(proposal_commands) + models_of(member_commands) if m.__name__ != "Command"]
EVENT_NAMES = REGISTRY.names()


def test_the_commands_modules_hold_the_models() -> None:
    names = {m.__name__ for m in COMMAND_MODELS}
    assert {"DraftProposal", "ReplyToProposal", "Promise", "RegisterMember", "LogVisit", "PublishRulebook",
            "ImportRoster"} <= names
    assert len(COMMAND_MODELS) >= 60
    assert contracts.REGISTRY is REGISTRY and len(EVENT_NAMES) >= 70


@pytest.mark.parametrize("model", COMMAND_MODELS, ids=lambda m: m.__name__)
def test_every_command_field_is_bounded(model: type[BaseModel]) -> None:
    assert list(unbounded(model.model_json_schema())) == []


@pytest.mark.parametrize("name", EVENT_NAMES)
def test_every_event_field_is_bounded(name: str) -> None:
    assert list(unbounded(REGISTRY.model(name).model_json_schema())) == []


@settings(max_examples=150, deadline=None)
@given(model=st.sampled_from(COMMAND_MODELS))
def test_property_no_command_schema_leaves_an_input_unbounded(model: type[BaseModel]) -> None:
    schema = model.model_json_schema()
    assert list(unbounded(schema)) == [], model.__name__
    # And the walk is not vacuous: it sees every property of the model.
    assert set(schema.get("properties", {})) == set(model.model_fields)


class Unbounded(BaseModel):
    text: str
    count: int
    items: list[int]
    notes: dict[str, str]
    nested: list[dict[str, list[str]]]


def test_the_walk_finds_what_is_left_unbounded() -> None:
    found = list(unbounded(Unbounded.model_json_schema()))
    assert found == [
        "text: string without maxLength", "count: integer without minimum", "count: integer without maximum",
        "items: array without maxItems", "items[]: integer without minimum", "items[]: integer without maximum",
        "notes: map without maxProperties", "notes: map keys without maxLength", "notes{}: string without maxLength",
        "nested: array without maxItems", "nested[]: map without maxProperties",
        "nested[]: map keys without maxLength", "nested[]{}: array without maxItems",
        "nested[]{}[]: string without maxLength"]


# ---- each top-level bound is enforced and names its field ------------------------------------------------------

def _cases(model: type[BaseModel]) -> list[tuple[str, str, Any]]:
    """(field, what, value) that the model must refuse naming the field: one per bound of each field."""
    cases: list[tuple[str, str, Any]] = []
    for name, prop in model.model_json_schema().get("properties", {}).items():
        for branch in [p for p in prop.get("anyOf", [prop]) if p.get("type") != "null"]:
            kind = branch.get("type")
            if kind == "string" and "format" not in branch and "enum" not in branch:
                if "maxLength" in branch:
                    cases.append((name, "too long", "长" * (branch["maxLength"] + 1)))
                cases.append((name, "NUL", "a\x00b"))
                cases.append((name, "lone surrogate", "a\ud800b"))
            elif kind == "integer":
                cases.append((name, "above maximum", branch["maximum"] + 1))
                cases.append((name, "below minimum", branch["minimum"] - 1))
            elif kind == "array":
                item = branch.get("items", {})
                value: Any = "x" if item.get("type") == "string" else 1
                cases.append((name, "too many items", [value] * (branch["maxItems"] + 1)))
    return cases


FIELD_CASES = [(m, f, what, v) for m in COMMAND_MODELS for f, what, v in _cases(m)]


def test_there_are_field_cases_for_every_kind_of_bound() -> None:
    kinds = {what for _, _, what, _ in FIELD_CASES}
    assert kinds == {"too long", "NUL", "lone surrogate", "above maximum", "below minimum", "too many items"}
    assert len(FIELD_CASES) > 300


@pytest.mark.parametrize(("model", "field", "what", "value"), FIELD_CASES,
                         ids=[f"{m.__name__}.{f}:{w}" for m, f, w, _ in FIELD_CASES])
def test_each_bound_refuses_naming_the_field(model: type[BaseModel], field: str, what: str, value: Any) -> None:
    with pytest.raises(ValidationError) as err:
        model.model_validate({field: value})
    named = [e for e in err.value.errors() if e["loc"][:1] == (field,)]
    assert named, f"{what}: {[e['loc'] for e in err.value.errors()]}"
    if what in ("NUL", "lone surrogate") and all(e["type"] != "string_pattern_mismatch" for e in named):
        problem = "NUL character" if what == "NUL" else "lone surrogate"
        assert any(problem in e["msg"] for e in named), [e["msg"] for e in named]
    if what != "lone surrogate":
        # The same refusal through JSON, as the command API reads a body.
        with pytest.raises(ValidationError) as from_json:
            model.model_validate_json(json.dumps({field: value}))
        assert any(e["loc"][:1] == (field,) for e in from_json.value.errors())


# The command APIs' body limit (eventstore.body_limit.COMMAND_BODY_LIMIT; contracts import nothing above them).
COMMAND_BODY_LIMIT = 8 * 1024 * 1024


def test_a_value_one_over_any_bound_still_fits_a_command_body() -> None:
    # So the command API answers with the field's rule (a 400 naming it), not with the body limit's 413, even
    # when every character is JSON-escaped (six bytes each).
    for model, field, what, value in FIELD_CASES:
        body = json.dumps({field: value}).encode()
        assert len(body) < COMMAND_BODY_LIMIT, f"{model.__name__}.{field}: {what} is {len(body):,} bytes"
