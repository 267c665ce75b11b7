"""The appraisal contracts keep the platform's rules: every command field bounded (the ballot route's body too),
every event accepting what the command that produces it accepted, no public event carrying a ballot, a
credential beside a member, or free text."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from contracts import clock
from contracts.public import PUBLIC
from contracts.surveys import appraisal as e
from contracts.surveys import appraisal_commands as a
from contracts.surveys.appraisal_board import CastBallot
from contracts.surveys.appraisal_service import APPRAISAL_COMMANDS
from contracts.tests.schemas import models_of, unbounded
from contracts.tests.test_events_accept_what_commands_produce import TODAY, _adapter, _extremes

COMMAND_MODELS = [m for m in models_of(a) if m.__name__ != "Command"]
PRODUCES: list[tuple[type[BaseModel], type[BaseModel]]] = [
    (a.OpenAppraisal, e.AppraisalOpened),
    (a.UnitInput, e.AppraisedUnit),
    (a.DimensionInput, e.AppraisalDimension),
    (a.CloseAppraisal, e.AppraisalClosed),
    (a.VoidAppraisal, e.AppraisalVoided),
]
CASES = [(c, ev, n) for c, ev in PRODUCES for n in sorted(c.model_fields) if n in ev.model_fields]


def test_every_command_is_in_the_table() -> None:
    parts: set[type[BaseModel]] = {a.UnitInput, a.DimensionInput}
    assert {cc.model for cc in APPRAISAL_COMMANDS} | parts == set(COMMAND_MODELS)
    assert {c for c, _ in PRODUCES} == set(COMMAND_MODELS)


@pytest.mark.parametrize("model", [*COMMAND_MODELS, CastBallot], ids=lambda m: m.__name__)
def test_every_command_field_is_bounded(model: type[BaseModel]) -> None:
    assert list(unbounded(model.model_json_schema())) == []


@pytest.mark.parametrize(("command", "event", "name"), CASES, ids=[f"{c.__name__}.{n}->{e.__name__}"
                                                                   for c, e, n in CASES])
def test_the_event_field_takes_every_value_the_command_field_took(
        command: type[BaseModel], event: type[BaseModel], name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    given, recorded = _adapter(command, name), _adapter(event, name)
    taken = 0
    for value in _extremes(command, name):
        try:
            accepted = given.validate_python(value)
        except Exception:  # a value the command refuses is no value to copy
            continue
        taken += 1
        dumped: Any = given.dump_python(accepted, mode="json")
        recorded.validate_python(dumped)
    assert taken > 0, "no extreme value of the command's field was valid: the test checked nothing"


def test_no_appraisal_event_carries_a_ballot_or_names_a_credential_beside_a_member() -> None:
    for name in ("appraisal-opened", "appraisal-credentials-issued", "appraisal-closed", "appraisal-voided"):
        model = PUBLIC.view(name).model
        assert model is not None
        fields = set(model.model_fields)
        assert not fields & {"marks", "ballot", "ballots", "signature", "tracker", "trackers", "reason"}
        assert not ({"public_keys"} <= fields and fields & {"member_ids", "special_supervisor_ids", "member_id"})
