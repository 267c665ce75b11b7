"""Pure pieces, without infrastructure: cursors, grade bands, live payloads, generated command inputs."""

from __future__ import annotations

import enum
import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import strawberry
from pydantic import BaseModel, Field
from strawberry.schema.config import StrawberryConfig

from contracts.proposals import Category
from gateway.commands.catalog import CommandInfo
from gateway.commands.inputs import input_for, to_json
from gateway.errors import BadRequest
from gateway.live import MAX_PAYLOAD, Audience, LiveEvent, decode, encode
from gateway.read import grades
from gateway.read.pagination import SortKey, decode_cursor, encode_cursor
from gateway.schema.scalars import SCALARS


def test_cursors_round_trip_typed_values_and_refuse_garbage() -> None:
    values = [Decimal("87.50"), date(2026, 3, 1), datetime(2026, 3, 1, 8, tzinfo=UTC), "m-1", None, 3]
    assert decode_cursor(encode_cursor(values)) == values
    with pytest.raises(BadRequest):
        decode_cursor("%%%")


def test_keyset_predicate_handles_mixed_directions_and_nulls() -> None:
    key = SortKey((("total", False), ("member_id", True)))
    sql, params = key.after([Decimal(69), "m2"], 3)
    assert sql == "(((total < $3 OR total IS NULL)) OR (total = $4 AND (member_id > $5 OR member_id IS NULL)))"
    assert params == [Decimal(69), Decimal(69), "m2"]
    sql, params = key.after([None, "m2"], 1)
    assert sql == "((total IS NULL AND (member_id > $1 OR member_id IS NULL)))" and params == ["m2"]


def test_grade_bands_next_band_and_flag_ceilings() -> None:
    bands = grades.DEFAULT_BANDS
    assert [grades.grade_by_points(Decimal(t), bands) for t in (95, 90, 89.99, 80, 60, 59)] == [
        "excellent", "excellent", "good", "good", "competent", "incompetent"]
    assert grades.capped("excellent", ["competent", None]) == "competent"
    nb = grades.next_band(Decimal(72), bands, {"absent": "competent"})
    assert nb == grades.NextBand("good", Decimal(80), Decimal(8), ("absent",))
    assert grades.next_band(Decimal(91), bands, {}) is None
    book = {"grades": [{"grade": "good", "min_total": 50}, {"grade": "incompetent", "min_total": None}]}
    assert grades.bands_of(book) == (grades.Band("good", Decimal(50)), grades.Band("incompetent", None))


def test_live_payloads_round_trip_and_stay_under_the_notify_limit() -> None:
    event = LiveEvent("c1", uuid.uuid4(), "proposal-submitted", "s", datetime(2026, 1, 1, tzinfo=UTC),
                      {"title": "提案"}, Audience(True, frozenset({"m1"}), frozenset({"u1"})))
    assert decode(encode(event)) == event
    big = LiveEvent("c1", uuid.uuid4(), "rulebook-published", "s", datetime(2026, 1, 1, tzinfo=UTC),
                    {"rulebook": "x" * 20000})
    text = encode(big)
    assert len(text.encode()) <= MAX_PAYLOAD and decode(text).data == {"truncated": True}


class Colour(enum.StrEnum):
    red = "r"
    not_ = "not"


class Nested(BaseModel):
    due: date
    amount: Decimal | None = None


class DoThing(BaseModel):
    """Do a thing."""

    thing_id: str = Field(min_length=1, description="which thing")
    category: Category
    colours: list[Colour] = Field(default_factory=list)
    lead: str | None
    promises: list[Nested] = Field(default_factory=list)
    extra: dict[str, list[str]] = Field(default_factory=dict)


def test_a_command_model_becomes_an_input_and_back_to_its_json() -> None:
    info = CommandInfo("svc", "do_thing", DoThing)
    assert (info.field_name, info.type_prefix) == ("doThing", "DoThing")
    thing_input = input_for(DoThing, "DoThingInput")

    def echo(self: object, input: object) -> str:
        return json.dumps(to_json(input), ensure_ascii=False, sort_keys=True)

    echo.__annotations__ = {"input": thing_input, "return": str}
    query = strawberry.type(type("Query", (), {"echo": strawberry.field(echo)}))
    schema = strawberry.Schema(query, config=StrawberryConfig(scalar_map=SCALARS))
    sdl = schema.as_str()
    assert '"""which thing"""\n  thingId: String!' in sdl and "lead: String = null" in sdl
    assert "extra: JSON" in sdl and "promises: [NestedInput!]" in sdl
    result = schema.execute_sync('{ echo(input: {thingId: "t1", category: education, colours: [not_], '
                                 'promises: [{due: "2026-09-30", amount: "1.50"}]}) }')
    assert result.errors is None
    assert result.data == {"echo": '{"category": "education", "colours": ["not"], "lead": null, '
                                   '"promises": [{"amount": "1.50", "due": "2026-09-30"}], "thing_id": "t1"}'}
    DoThing.model_validate_json(result.data["echo"])  # the service's model accepts what the gateway sends
