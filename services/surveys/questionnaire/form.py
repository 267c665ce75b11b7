"""A questionnaire's form, checked without I/O: at publication (`check_form`) and for each response
(`check_answers`). Every refusal names the command's field (a dotted path) and the rule.

At publication:
- question keys are unique (`duplicate_question_ids`), and option and row keys within a question
  (`duplicate_option_ids`); at least one question is answerable (`no_questions`);
- a field is given only for the kinds it belongs to (`field_not_for_kind`: options on a text question, a cap on
  a single choice, bounds on a date …); a section heading is never required (`section_not_answerable`);
- a choice question has at least two options (`too_few_options`), a cap no larger than what can be chosen
  (`max_choices_out_of_range`); a matrix has statements and a scale of at least two points
  (`matrix_incomplete`); a number's bounds are in order (`number_range_inverted`);
- a condition looks at a question of the form (`condition_unknown_question`), an earlier one
  (`condition_not_earlier`: a condition on the question itself or a later one, which is how a cycle would
  start — so none can), a choice question (`condition_not_on_choice`), and names its options
  (`condition_unknown_option`).

For a response: a question is shown when it has no condition, or when the question its condition looks at
is shown and its answer includes one of the condition's options. A hidden question is not required, and an
answer to it is refused (`answer_to_hidden_question`); a shown required question must be answered
(`answer_required`); each answer fits its question's kind."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from contracts.surveys.questionnaire_form import (
    CHOICE_KINDS,
    MAX_SHORT_ANSWER,
    TEXT_KINDS,
    Answer,
    Question,
    QuestionKind,
)
from surveys.domain.refusals import refuse

K = QuestionKind


def _dupes(keys: Sequence[str]) -> list[str]:
    return sorted({k for k in keys if list(keys).count(k) > 1})


# ---- at publication -----------------------------------------------------------------------------------------

def _not_for_kind(q: Question, at: str) -> None:
    kind = q.kind
    given: list[tuple[str, bool]] = [
        ("options", bool(q.options) and kind not in CHOICE_KINDS | {K.matrix}),
        ("rows", bool(q.rows) and kind is not K.matrix),
        ("allow_other", q.allow_other and kind not in CHOICE_KINDS),
        ("max_choices", q.max_choices is not None and kind is not K.multiple_choice),
        ("minimum", q.minimum is not None and kind is not K.number),
        ("maximum", q.maximum is not None and kind is not K.number),
        ("integer", q.integer and kind is not K.number),
    ]
    for name, wrong in given:
        if wrong:
            raise refuse("field_not_for_kind", f"question {q.question_id}: {name} is not for a {kind.value} question",
                         fields=[f"{at}.{name}"])


def check_form(questions: Sequence[Question], field: str = "questions") -> None:
    """Refuse a malformed form, naming the first problem's field."""
    repeated = _dupes([q.question_id for q in questions])
    if repeated:
        first = next(i for i, q in enumerate(questions[1:], start=1)
                     if q.question_id in repeated and q.question_id in {p.question_id for p in questions[:i]})
        raise refuse("duplicate_question_ids", f"question keys used twice: {', '.join(repeated)}",
                     fields=[f"{field}.{first}.question_id"])
    if not any(q.kind is not K.section for q in questions):
        raise refuse("no_questions", "a questionnaire asks at least one question", fields=[field])
    index = {q.question_id: i for i, q in enumerate(questions)}
    for i, q in enumerate(questions):
        at = f"{field}.{i}"
        _not_for_kind(q, at)
        for name, choices in (("options", q.options), ("rows", q.rows)):
            twice = _dupes([c.key for c in choices])
            if twice:
                raise refuse("duplicate_option_ids", f"question {q.question_id}: keys used twice: {', '.join(twice)}",
                             fields=[f"{at}.{name}"])
        if q.kind is K.section and q.required:
            raise refuse("section_not_answerable", f"{q.question_id} is a section heading: nothing to answer",
                         fields=[f"{at}.required"])
        if q.kind in CHOICE_KINDS and len(q.options) < 2:
            raise refuse("too_few_options", f"question {q.question_id}: a choice needs at least two options",
                         fields=[f"{at}.options"])
        if q.max_choices is not None and q.max_choices > len(q.options) + int(q.allow_other):
            raise refuse("max_choices_out_of_range", f"question {q.question_id}: at most {q.max_choices} of "
                         f"{len(q.options) + int(q.allow_other)} choices", fields=[f"{at}.max_choices"])
        if q.kind is K.matrix and (not q.rows or len(q.options) < 2):
            raise refuse("matrix_incomplete", f"question {q.question_id}: a matrix rates at least one statement "
                         "(rows) on a scale of at least two points (options)",
                         fields=[f"{at}.rows" if not q.rows else f"{at}.options"])
        if q.minimum is not None and q.maximum is not None and q.minimum > q.maximum:
            raise refuse("number_range_inverted", f"question {q.question_id}: minimum {q.minimum} is above maximum "
                         f"{q.maximum}", fields=[f"{at}.minimum"])
        if q.show_if is not None:
            _check_condition(questions, index, i, q, at)


def _check_condition(questions: Sequence[Question], index: dict[str, int], i: int, q: Question, at: str) -> None:
    assert q.show_if is not None
    target = q.show_if.question_id
    if target not in index:
        raise refuse("condition_unknown_question", f"question {q.question_id} is shown on an answer to {target}, "
                     "which the questionnaire does not ask", fields=[f"{at}.show_if.question_id"])
    if index[target] >= i:
        raise refuse("condition_not_earlier", f"question {q.question_id} is shown on an answer to "
                     f"{'itself' if target == q.question_id else 'a later question, ' + target}: a condition looks "
                     "at an earlier question only (so conditions can never go round in a cycle)",
                     fields=[f"{at}.show_if.question_id"])
    looked_at = questions[index[target]]
    if looked_at.kind not in CHOICE_KINDS:
        raise refuse("condition_not_on_choice", f"question {q.question_id} is shown on an answer to {target}, a "
                     f"{looked_at.kind.value} question: a condition looks at a choice question",
                     fields=[f"{at}.show_if.question_id"])
    keys = {c.key for c in looked_at.options}
    for j, option in enumerate(q.show_if.any_of):
        if option not in keys:
            raise refuse("condition_unknown_option", f"question {q.question_id} is shown on option {option} of "
                         f"{target}, which has no such option", fields=[f"{at}.show_if.any_of.{j}"])


# ---- for each response --------------------------------------------------------------------------------------

def shown(questions: Sequence[Question], answers: Sequence[Answer]) -> set[str]:
    """The questions a respondent with these answers is shown (in form order; a condition on a hidden
    question hides too)."""
    by_id = {a.question_id: a for a in answers}
    visible: set[str] = set()
    for q in questions:
        cond = q.show_if
        if cond is None:
            visible.add(q.question_id)
            continue
        answer = by_id.get(cond.question_id)
        if cond.question_id in visible and answer is not None and set(answer.options) & set(cond.any_of):
            visible.add(q.question_id)
    return visible


def _only(a: Answer, at: str, allowed: set[str]) -> None:
    present = {"text": bool(a.text), "options": bool(a.options), "other": bool(a.other),
               "number": a.number is not None, "day": a.day is not None, "cells": bool(a.cells)}
    for name, has in present.items():
        if has and name not in allowed:
            raise refuse("answer_field_not_for_kind", f"question {a.question_id}: {name} does not answer it",
                         fields=[f"{at}.{name}"])


def _check_answer(q: Question, a: Answer, at: str) -> None:
    kind = q.kind
    if kind in TEXT_KINDS:
        _only(a, at, {"text"})
        if kind is K.short_text and len(a.text) > MAX_SHORT_ANSWER:
            raise refuse("answer_too_long", f"question {q.question_id}: a short answer is at most "
                         f"{MAX_SHORT_ANSWER} characters", fields=[f"{at}.text"])
    elif kind in CHOICE_KINDS:
        _only(a, at, {"options", "other"})
        keys = {c.key for c in q.options}
        for j, option in enumerate(a.options):
            if option not in keys:
                raise refuse("answer_unknown_option", f"question {q.question_id} has no option {option}",
                             fields=[f"{at}.options.{j}"])
        if _dupes(a.options):
            raise refuse("duplicate_option_ids", f"question {q.question_id}: an option chosen twice",
                         fields=[f"{at}.options"])
        if a.other.strip() and not q.allow_other:
            raise refuse("answer_other_not_allowed", f"question {q.question_id} offers no 其他", fields=[f"{at}.other"])
        chosen = len(a.options) + int(bool(a.other.strip()))
        if kind is K.single_choice and chosen > 1:
            raise refuse("answer_single_choice", f"question {q.question_id} takes one choice", fields=[f"{at}.options"])
        if q.max_choices is not None and chosen > q.max_choices:
            raise refuse("answer_too_many_choices", f"question {q.question_id} takes at most {q.max_choices} "
                         "choices", fields=[f"{at}.options"])
    elif kind is K.number:
        _only(a, at, {"number"})
        n = a.number
        if n is not None:
            if q.integer and n != int(n):
                raise refuse("answer_not_integer", f"question {q.question_id} takes a whole number",
                             fields=[f"{at}.number"])
            if (q.minimum is not None and n < q.minimum) or (q.maximum is not None and n > q.maximum):
                raise refuse("answer_out_of_range", f"question {q.question_id} takes a number from "
                             f"{q.minimum} to {q.maximum}", fields=[f"{at}.number"])
    elif kind is K.date:
        _only(a, at, {"day"})
    elif kind is K.matrix:
        _only(a, at, {"cells"})
        rows, scale = {r.key for r in q.rows}, {o.key for o in q.options}
        for j, cell in enumerate(a.cells):
            if cell.row not in rows:
                raise refuse("answer_unknown_option", f"question {q.question_id} has no statement {cell.row}",
                             fields=[f"{at}.cells.{j}.row"])
            if cell.option not in scale:
                raise refuse("answer_unknown_option", f"question {q.question_id}'s scale has no point {cell.option}",
                             fields=[f"{at}.cells.{j}.option"])
        if _dupes([c.row for c in a.cells]):
            raise refuse("answer_repeated", f"question {q.question_id}: a statement rated twice",
                         fields=[f"{at}.cells"])


def _complete(q: Question, a: Answer | None) -> bool:
    if a is None or not a.given:
        return False
    if q.kind is K.matrix:  # a required matrix rates every statement
        return {c.row for c in a.cells} >= {r.key for r in q.rows}
    return True


def check_answers(questions: Sequence[Question], answers: Sequence[Answer], field: str = "answers") -> list[Answer]:
    """The answers kept (those given, in form order), or a refusal naming the answer and the rule."""
    by_id = {q.question_id: q for q in questions}
    seen: set[str] = set()
    for i, a in enumerate(answers):
        if a.question_id not in by_id:
            raise refuse("answer_unknown_question", f"the questionnaire asks no question {a.question_id}",
                         fields=[f"{field}.{i}.question_id"])
        if a.question_id in seen:
            raise refuse("answer_repeated", f"question {a.question_id} answered twice",
                         fields=[f"{field}.{i}.question_id"])
        seen.add(a.question_id)
        if by_id[a.question_id].kind is K.section:
            raise refuse("answer_to_section", f"{a.question_id} is a section heading: nothing to answer",
                         fields=[f"{field}.{i}"])
    visible = shown(questions, answers)
    for i, a in enumerate(answers):
        if a.given and a.question_id not in visible:
            raise refuse("answer_to_hidden_question", f"question {a.question_id} is not shown for these answers "
                         "(its condition is not met): it cannot be answered", fields=[f"{field}.{i}"],
                         question_id=a.question_id)
        _check_answer(by_id[a.question_id], a, f"{field}.{i}")
    given = {a.question_id: a for a in answers if a.given}
    missing = [q.question_id for q in questions
               if q.required and q.question_id in visible and not _complete(q, given.get(q.question_id))]
    if missing:
        raise refuse("answer_required", f"required questions not answered: {', '.join(missing)}", fields=[field],
                     question_ids=missing)
    return [given[q.question_id] for q in questions if q.question_id in given]


def open_on(closes_on: date, today: date) -> bool:
    """Whether a response is accepted today (the last day counts, in China)."""
    return today <= closes_on
