"""Questionnaires decided without I/O: a malformed form is refused at publication naming the field and the
rule; a question hidden by its condition is neither required nor answerable; the deadline, invitations and
one response per member."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from contracts.surveys import questionnaire_commands as c
from contracts.surveys.questionnaire import QuestionnaireInvitationsSent, QuestionnaireResponseSubmitted
from surveys.questionnaire.decider import QUESTIONNAIRE, RESPONSE, Close, Publish, QuestionnaireState, Respond

from ..kit import OFFICE, Harness, member, types
from ..questionnaire_kit import form, publish, stayed_away, took_part


def published(**kw: Any) -> Harness[QuestionnaireState]:
    h: Harness[QuestionnaireState] = Harness(QUESTIONNAIRE)
    h.run(Publish("q1", c.PublishQuestionnaire.model_validate(publish(**kw))), OFFICE)
    return h


def respond(q: Harness[QuestionnaireState], answers: list[dict[str, Any]], who: str = "m-zhang",
            rule: str | None = None) -> Any:
    r: Harness[Any] = Harness(RESPONSE, today=q.today)
    cmd = Respond(q.state, c.SubmitQuestionnaireResponse(questionnaire_id="q1", answers=answers))
    return r.refused(cmd, member(who), rule) if rule else r.run(cmd, member(who))


def test_publishing_records_the_form_and_the_invitations() -> None:
    h = published()
    assert types(h.events) == ["questionnaire-published", "questionnaire-invitations-sent"]
    assert h.state.invited == {"m-zhang", "m-li", "m-wang"}
    assert [q.kind.value for q in h.state.questions][:4] == ["section", "single_choice", "single_choice", "number"]


def _broken(change: Any) -> c.PublishQuestionnaire:
    questions = form()
    change(questions)
    return c.PublishQuestionnaire.model_validate(publish(questions=questions))


@pytest.mark.parametrize(("change", "rule", "field"), [
    (lambda qs: qs[3].update(show_if={"question_id": "advice", "any_of": ["yes"]}), "condition_not_earlier",
     "questions.3.show_if.question_id"),
    (lambda qs: qs[3].update(show_if={"question_id": "how_many", "any_of": ["yes"]}), "condition_not_earlier",
     "questions.3.show_if.question_id"),
    (lambda qs: qs[3].update(show_if={"question_id": "nope", "any_of": ["yes"]}), "condition_unknown_question",
     "questions.3.show_if.question_id"),
    (lambda qs: qs[3].update(show_if={"question_id": "joined", "any_of": ["yes", "maybe"]}),
     "condition_unknown_option", "questions.3.show_if.any_of.1"),
    (lambda qs: qs[8].update(show_if={"question_id": "when", "any_of": ["x"]}), "condition_not_on_choice",
     "questions.8.show_if.question_id"),
    (lambda qs: qs[4].update(max_choices=4), "max_choices_out_of_range", "questions.4.max_choices"),
    (lambda qs: qs[1].update(max_choices=1), "field_not_for_kind", "questions.1.max_choices"),
    (lambda qs: qs[7].update(options=[{"key": "a", "label": "甲"}]), "field_not_for_kind", "questions.7.options"),
    (lambda qs: qs[2].update(options=[{"key": "yes", "label": "是"}]), "too_few_options", "questions.2.options"),
    (lambda qs: qs[2].update(options=[{"key": "a", "label": "是"}, {"key": "a", "label": "否"}]),
     "duplicate_option_ids", "questions.2.options"),
    (lambda qs: qs[5].update(rows=[]), "matrix_incomplete", "questions.5.rows"),
    (lambda qs: qs[3].update(minimum=9, maximum=2), "number_range_inverted", "questions.3.minimum"),
    (lambda qs: qs[0].update(required=True), "section_not_answerable", "questions.0.required"),
    (lambda qs: qs[8].update(question_id="name"), "duplicate_question_ids", "questions.8.question_id"),
])
def test_a_malformed_form_is_refused_at_publication_naming_the_field_and_the_rule(change: Any, rule: str,
                                                                                   field: str) -> None:
    h: Harness[QuestionnaireState] = Harness(QUESTIONNAIRE)
    refused = h.refused(Publish("q1", _broken(change)), OFFICE, rule)
    assert refused.fields == [field]


def test_a_form_of_headings_only_or_a_deadline_already_past_is_refused() -> None:
    h: Harness[QuestionnaireState] = Harness(QUESTIONNAIRE)
    only = c.PublishQuestionnaire.model_validate(publish(questions=[form()[0]]))
    assert h.refused(Publish("q1", only), OFFICE, "no_questions").fields == ["questions"]
    late = c.PublishQuestionnaire.model_validate(publish(closes_on="2026-03-31"))
    assert h.refused(Publish("q1", late), OFFICE, "deadline_passed").fields == ["closes_on"]


def test_a_required_question_hidden_by_its_condition_is_not_required() -> None:
    q = published()
    (response,) = respond(q, stayed_away())  # no count of sessions: it is hidden for a member who did not join
    assert isinstance(response, QuestionnaireResponseSubmitted)
    assert [a.question_id for a in response.answers] == ["sector", "joined"]


def test_a_required_question_shown_must_be_answered() -> None:
    q = published()
    error = respond(q, took_part(how_many=None), rule="answer_required")
    assert error.details["question_ids"] == ["how_many"] and error.fields == ["answers"]
    (kept,) = respond(q, took_part(rating=None))  # the matrix is not required
    assert "rating" not in [a.question_id for a in kept.answers]


def test_an_answer_to_a_hidden_question_is_refused() -> None:
    q = published()
    error = respond(q, stayed_away(how_many={"question_id": "how_many", "number": 2}),
                    rule="answer_to_hidden_question")
    assert error.fields == ["answers.2"]


@pytest.mark.parametrize(("answer", "rule", "field"), [
    ({"question_id": "topics", "options": ["health", "water", "roads"]}, "answer_too_many_choices",
     "answers.3.options"),
    ({"question_id": "topics", "options": ["school"]}, "answer_unknown_option", "answers.3.options.0"),
    ({"question_id": "topics", "other": "养老"}, "answer_other_not_allowed", "answers.3.other"),
    ({"question_id": "topics", "text": "医疗"}, "answer_field_not_for_kind", "answers.3.text"),
    ({"question_id": "how_many", "number": 2.5}, "answer_not_integer", "answers.2.number"),
    ({"question_id": "how_many", "number": 51}, "answer_out_of_range", "answers.2.number"),
])
def test_each_answer_fits_its_question(answer: dict[str, Any], rule: str, field: str) -> None:
    q = published()
    answers = took_part(**{answer["question_id"]: answer})
    assert respond(q, answers, rule=rule).fields == [field]


def test_one_response_per_member_and_only_from_those_invited() -> None:
    q = published()
    r: Harness[Any] = Harness(RESPONSE, today=q.today)
    cmd = Respond(q.state, c.SubmitQuestionnaireResponse(questionnaire_id="q1", answers=stayed_away()))
    r.run(cmd, member("m-li"))
    r.refused(cmd, member("m-li"), "already_responded")
    respond(q, stayed_away(), who="m-stranger", rule="not_invited")


def test_no_response_after_the_last_day_nor_once_closed() -> None:
    q = published(closes_on="2026-04-10")
    q.advance(to=date(2026, 4, 10))
    respond(q, stayed_away())  # the last day counts
    q.advance(to=date(2026, 4, 11))
    respond(q, stayed_away(), rule="deadline_passed")
    q.refused(c.InviteToQuestionnaire(questionnaire_id="q1", member_ids=["m-zhao"]), OFFICE, "deadline_passed")
    early = published()
    early.run(Close(c.CloseQuestionnaire(questionnaire_id="q1"), responses=0), OFFICE)
    respond(early, stayed_away(), rule="questionnaire_closed")


def test_an_anonymous_questionnaire_takes_no_identified_response() -> None:
    respond(published(mode="anonymous"), stayed_away(), rule="questionnaire_is_anonymous")


def test_inviting_again_adds_only_the_new_members() -> None:
    q = published()
    (sent,) = q.run(c.InviteToQuestionnaire(questionnaire_id="q1", member_ids=["m-li", "m-zhao"]), OFFICE)
    assert isinstance(sent, QuestionnaireInvitationsSent) and sent.member_ids == ["m-zhao"]
    q.refused(c.InviteToQuestionnaire(questionnaire_id="q1", member_ids=["m-zhao"]), OFFICE, "already_invited")


def test_a_two_question_cycle_is_refused_at_publication() -> None:
    # "a" is shown on an answer to "b", and "b" on an answer to "a": the first condition looks forward, which the
    # form refuses, so no cycle of conditions is ever published.
    cycle = [
        {"question_id": "a", "kind": "single_choice", "title": "甲", "show_if": {"question_id": "b", "any_of": ["y"]},
         "options": [{"key": "y", "label": "是"}, {"key": "n", "label": "否"}]},
        {"question_id": "b", "kind": "single_choice", "title": "乙", "show_if": {"question_id": "a", "any_of": ["y"]},
         "options": [{"key": "y", "label": "是"}, {"key": "n", "label": "否"}]},
    ]
    h: Harness[QuestionnaireState] = Harness(QUESTIONNAIRE)
    refused = h.refused(Publish("q1", c.PublishQuestionnaire.model_validate(publish(questions=cycle))), OFFICE,
                        "condition_not_earlier")
    assert refused.fields == ["questions.0.show_if.question_id"]
    assert "a later question, b" in refused.message and "cycle" in refused.message
    # Either way round: with "b" first, its condition on "a" is the forward one.
    flipped = [cycle[1], cycle[0]]
    refused = h.refused(Publish("q1", c.PublishQuestionnaire.model_validate(publish(questions=flipped))), OFFICE,
                        "condition_not_earlier")
    assert refused.fields == ["questions.0.show_if.question_id"]
    # A question shown on an answer to itself is the shortest cycle.
    alone = [dict(cycle[0], show_if={"question_id": "a", "any_of": ["y"]})]
    refused = h.refused(Publish("q1", c.PublishQuestionnaire.model_validate(publish(questions=alone))), OFFICE,
                        "condition_not_earlier")
    assert "itself" in refused.message


def _capped_with_other(cap: int) -> list[dict[str, Any]]:
    return [{"question_id": "help", "kind": "multiple_choice", "title": "希望机关提供哪些服务（最多两项）",
             "max_choices": cap, "allow_other": True,
             "options": [{"key": "train", "label": "履职培训"}, {"key": "data", "label": "资料查询"},
                         {"key": "visit", "label": "调研联系"}]}]


def test_a_multiple_choice_with_other_under_a_cap_counts_other_as_a_choice() -> None:
    # The cap may reach every option and "other" (3 + 1), not beyond.
    h: Harness[QuestionnaireState] = Harness(QUESTIONNAIRE)
    too_big = c.PublishQuestionnaire.model_validate(publish(questions=_capped_with_other(5)))
    assert h.refused(Publish("q1", too_big), OFFICE, "max_choices_out_of_range").fields == ["questions.0.max_choices"]
    q = published(questions=_capped_with_other(4))
    assert q.state.questions[0].max_choices == 4
    q = published(questions=_capped_with_other(2))
    (kept,) = respond(q, [{"question_id": "help", "options": ["train"], "other": "法律咨询"}])
    assert (kept.answers[0].options, kept.answers[0].other) == (["train"], "法律咨询")
    error = respond(q, [{"question_id": "help", "options": ["train", "data"], "other": "法律咨询"}],
                    rule="answer_too_many_choices")
    assert error.fields == ["answers.0.options"]
    (blank_other,) = respond(q, [{"question_id": "help", "options": ["train", "data"], "other": "  "}], who="m-li")
    assert blank_other.answers[0].options == ["train", "data"]  # a blank "other" is no choice
    assert respond(q, [{"question_id": "help", "other": "法律咨询"}], who="m-wang")[0].answers[0].other == "法律咨询"
