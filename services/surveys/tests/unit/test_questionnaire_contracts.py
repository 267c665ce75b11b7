"""The questionnaire contracts keep the platform's rules: every command field bounded (the anonymous route's
body too), every event accepting what the command that produces it accepted, responses never public."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from contracts import clock
from contracts.public import PUBLIC
from contracts.surveys import questionnaire as e
from contracts.surveys import questionnaire_commands as q
from contracts.surveys.questionnaire_service import QUESTIONNAIRE_COMMANDS
from contracts.tests.schemas import models_of, unbounded
from contracts.tests.test_events_accept_what_commands_produce import TODAY, _adapter, _extremes

COMMAND_MODELS = [m for m in models_of(q) if m.__name__ != "Command"]
PRODUCES: list[tuple[type[BaseModel], type[BaseModel]]] = [
    (q.PublishQuestionnaire, e.QuestionnairePublished),
    (q.PublishQuestionnaire, e.QuestionnaireInvitationsSent),
    (q.InviteToQuestionnaire, e.QuestionnaireInvitationsSent),
    (q.SubmitQuestionnaireResponse, e.QuestionnaireResponseSubmitted),
    (q.SubmitAnonymousResponse, e.QuestionnaireAnonymousResponseRecorded),
    (q.CloseQuestionnaire, e.QuestionnaireClosed),
]
CASES = [(c, ev, n) for c, ev in PRODUCES for n in sorted(c.model_fields) if n in ev.model_fields]


def test_every_command_is_in_the_table() -> None:
    assert {cc.model for cc in QUESTIONNAIRE_COMMANDS} | {q.SubmitAnonymousResponse} == set(COMMAND_MODELS)
    assert {c for c, _ in PRODUCES} == set(COMMAND_MODELS)


@pytest.mark.parametrize("model", COMMAND_MODELS, ids=lambda m: m.__name__)
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


def test_no_response_and_no_form_text_is_public() -> None:
    for name in ("questionnaire-response-submitted", "questionnaire-anonymous-response-recorded"):
        assert PUBLIC.view(name).model is None and PUBLIC.view(name).withheld_because
    published = PUBLIC.view("questionnaire-published").model
    assert published is not None and not {"questions", "intro"} & set(published.model_fields)
