"""Every event fits a Kafka message with room to spare: the largest payload each event's bounds allow (every
text at its longest in the costliest character, every list and map full) encodes to at most half of 1 MiB, so
the envelope, the CloudEvents headers and the record's framing fit beside it. When an event can outgrow this,
the bound is tightened where it is declared (e.g. a proposal's attachments, contracts.proposals.common)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from contracts import bounded, clock
from contracts.bounded import LongText
from contracts.registry import REGISTRY
from contracts.tests.schemas import WORST_CHAR, encode, largest

KAFKA_MESSAGE = 1024 * 1024  # the broker's and the producer's default limit (max.message.bytes, max.request.size)
BUDGET = KAFKA_MESSAGE // 2
# Events whose models check fields against each other (a rule gives points or points by role, not both): the
# largest value fills both, so it is an upper bound on their size but not a valid payload.
CROSS_FIELD_RULES = {"rulebook-published"}


def _largest(name: str) -> Any:
    return largest(REGISTRY.model(name).model_json_schema())


SIZES = {name: len(encode(_largest(name))) for name in REGISTRY.names()}


@pytest.mark.parametrize("name", REGISTRY.names())
def test_the_largest_payload_of_every_event_is_well_under_a_kafka_message(name: str) -> None:
    assert SIZES[name] <= BUDGET, f"{name}: {SIZES[name]:,} bytes"


def test_the_largest_event_is_a_proposal_and_it_fits() -> None:
    name, size = max(SIZES.items(), key=lambda kv: kv[1])
    assert name == "proposal-drafted", SIZES
    assert 400_000 < size <= BUDGET  # its texts really are at their bounds (20,000 characters of case, ...)


@pytest.mark.parametrize("name", sorted(set(REGISTRY.names()) - CROSS_FIELD_RULES))
def test_the_largest_payload_is_a_valid_event(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Valid whatever today is: no event's bound depends on the clock (a stored event is read back years later).
    monkeypatch.setattr(clock, "today", lambda: bounded.MIN_RECORDED_DAY)
    REGISTRY.model(name).model_validate(_largest(name))


def test_one_character_more_than_the_largest_proposal_is_refused() -> None:
    data = _largest("proposal-drafted")
    model = REGISTRY.model("proposal-drafted")
    model.model_validate(data)
    for field in ("title", "case", "analysis"):
        with pytest.raises(ValidationError) as err:
            model.model_validate({**data, field: data[field] + WORST_CHAR})
        assert [e["loc"] for e in err.value.errors()] == [(field,)]
    with pytest.raises(ValidationError):
        model.model_validate({**data, "suggestions": [*data["suggestions"], "one more"]})


class TooLarge(BaseModel):
    texts: list[LongText]


def test_the_measure_catches_a_model_that_could_outgrow_a_message() -> None:
    schema = TooLarge.model_json_schema()
    schema["properties"]["texts"]["maxItems"] = 10
    assert len(encode(largest(schema))) > BUDGET  # 10 x 20,000 control characters, 6 bytes each
