"""Every public view, on events hypothesis builds from the internal models' own bounds: the public event it
derives is accepted by the exported public JSON Schema for its type (what an outside system validates against,
`contracts.export`), carries none of the fields the view omits, and copies the rest as the internal event has
it. Withheld types and types a committee has not chosen to publish derive nothing. No type is skipped: a model
the strategies cannot build fails here (give it a strategy in `contracts/tests/event_strategies.py`)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any
from uuid import UUID

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.export import public_json_schema
from contracts.public import DEFAULT_PUBLICATION, PUBLIC, Publication, PublicView, public_message
from contracts.registry import REGISTRY, DomainEvent
from contracts.tests.event_strategies import events

EXAMPLES = 12
PUBLICATIONS = (DEFAULT_PUBLICATION, Publication(member_performance=True))
TYPES = sorted(PUBLIC.views)


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = public_json_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)  # type: ignore[no-any-return]


def _without(data: Any, path: str) -> Any:
    """`data` with the dotted `path` taken out (through lists of nested models too)."""
    if isinstance(data, list):
        return [_without(item, path) for item in data]
    if not isinstance(data, dict):
        return data
    head, _, rest = path.partition(".")
    if not rest:
        return {k: v for k, v in data.items() if k != head}
    return {k: (_without(v, rest) if k == head else v) for k, v in data.items()}


def _has(data: Any, path: str) -> bool:
    if isinstance(data, list):
        return any(_has(item, path) for item in data)
    if not isinstance(data, dict):
        return False
    head, _, rest = path.partition(".")
    return head in data and (not rest or _has(data[head], rest))


def _is_copy(view: PublicView) -> bool:
    """Whether the view publishes the internal event with fields left out (`publish`), not a model of its own."""
    assert view.model is not None
    top = {o for o in view.omitted if "." not in o}
    return set(view.model.model_fields) == set(view.internal.model_fields) - top


def _check(view: PublicView, event: DomainEvent, publication: Publication) -> bool:
    """Derives the public event of `event`; whether one was published."""
    public = view(event, publication)
    if view.model is None or (view.only_if is not None and not getattr(publication, view.only_if)):
        assert public is None, f"{view.type} is not published here but derived {public!r}"
        return False
    assert isinstance(public, view.model)
    message = public_message(view, event_id=UUID(int=1), stream_id=f"{view.service}-county-a-1", stream_version=1,
                             occurred_at=datetime(2026, 3, 2, 2, tzinfo=UTC), committee_id="county-a",
                             source=view.service, payload=public)
    document = message.model_dump(mode="json")
    errors = sorted(_validator(view.type).iter_errors(document), key=str)
    assert not errors, f"{view.type}: the exported schema refuses {errors[0].json_path}: {errors[0].message}"
    internal = event.model_dump(mode="json")
    for path in view.omitted:
        assert not _has(document["data"], path), f"{view.type} publishes the omitted {path}"
    expected = internal
    for path in view.omitted:
        expected = _without(expected, path)
    if _is_copy(view):
        assert document["data"] == expected
    else:
        shared = set(document["data"]) & set(expected)
        assert {k: document["data"][k] for k in shared} == {k: expected[k] for k in shared}
    return True


@pytest.mark.parametrize("name", TYPES)
def test_every_public_view_derives_what_its_exported_schema_accepts_and_nothing_it_omits(name: str) -> None:
    view = PUBLIC.view(name)
    drawn = {"examples": 0, "published": 0}

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def check(data: st.DataObject) -> None:
        event = data.draw(events(view.internal), label=name)
        drawn["examples"] += 1
        for publication in PUBLICATIONS:
            drawn["published"] += _check(view, event, publication)

    check()
    assert drawn["examples"] >= 1, f"{name}: no event was built"
    if view.model is not None:
        assert drawn["published"] >= 1, f"{name}: no public event was derived"


def test_the_test_above_runs_over_every_type_the_platform_records() -> None:
    assert TYPES == sorted(REGISTRY.names())
    assert {PUBLIC.view(n).internal for n in TYPES} == {REGISTRY.model(n) for n in REGISTRY.names()}


def test_the_check_fails_a_view_that_publishes_what_it_says_it_omits() -> None:
    view = PUBLIC.view("leave-requested")
    leaky = PublicView(view.internal, view.model, lambda e, _: view.model.model_validate(  # type: ignore[union-attr]
        e.model_dump(exclude={"reason"})), omitted=frozenset({"reason"}))
    event = view.internal.model_validate({"meeting_id": "mt-1", "member_id": "m-3", "reason": "illness"})
    assert _check(leaky, event, DEFAULT_PUBLICATION)
    wrong = PublicView(view.internal, view.internal, lambda e, _: e, omitted=frozenset({"reason"}))
    with pytest.raises(AssertionError, match=r"omitted reason|refuses"):
        _check(wrong, event, DEFAULT_PUBLICATION)
