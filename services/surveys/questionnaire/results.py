"""A questionnaire's results, computed without I/O from its form and its responses: per question how many
were shown it and answered it, counts and shares per option (a share is of those who answered the question,
so a multiple choice's shares may add up to more than one), the "other" words and every free-text answer
listed, a matrix's counts per statement with the mean point on its scale (1 = its first point), a number's
count, least, greatest, mean and median, a date's earliest and latest."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import mean, median
from typing import Any

from contracts.surveys.questionnaire_form import CHOICE_KINDS, TEXT_KINDS, Answer, Choice, Question, QuestionKind
from surveys.questionnaire.decider import QuestionnaireState
from surveys.questionnaire.form import shown

K = QuestionKind


def share(count: int, of: int) -> float:
    return round(count / of, 4) if of else 0.0


def _counts(choices: Sequence[Choice], picked: Sequence[str], answered: int) -> list[dict[str, Any]]:
    return [{"key": c.key, "label": c.label, "count": picked.count(c.key),
             "share": share(picked.count(c.key), answered)} for c in choices]


def _question(q: Question, given: list[Answer], shown_to: int) -> dict[str, Any]:
    out: dict[str, Any] = {"question_id": q.question_id, "kind": q.kind.value, "title": q.title,
                           "required": q.required, "shown": shown_to, "answered": len(given)}
    n = len(given)
    if q.kind in CHOICE_KINDS:
        out["options"] = _counts(q.options, [o for a in given for o in a.options], n)
        if q.allow_other:
            others = [a.other for a in given if a.other.strip()]
            out["other"] = {"count": len(others), "share": share(len(others), n), "texts": others}
    elif q.kind in TEXT_KINDS:
        out["texts"] = [a.text for a in given]
    elif q.kind is K.matrix:
        points = {o.key: i + 1 for i, o in enumerate(q.options)}
        rows = []
        for r in q.rows:
            picked = [c.option for a in given for c in a.cells if c.row == r.key]
            rows.append({"key": r.key, "label": r.label, "answered": len(picked),
                         "options": _counts(q.options, picked, len(picked)),
                         "mean_point": round(mean(points[p] for p in picked), 4) if picked else None})
        out["rows"] = rows
    elif q.kind is K.number:
        values = [a.number for a in given if a.number is not None]
        out["summary"] = ({"count": len(values), "min": min(values), "max": max(values),
                           "mean": round(mean(values), 4), "median": median(values)} if values
                          else {"count": 0, "min": None, "max": None, "mean": None, "median": None})
    elif q.kind is K.date:
        days = sorted(a.day for a in given if a.day is not None)
        out["earliest"] = days[0].isoformat() if days else None
        out["latest"] = days[-1].isoformat() if days else None
    return out


def results(state: QuestionnaireState, responses: Sequence[Sequence[Answer]]) -> dict[str, Any]:
    questions = []
    visible = [shown(state.questions, r) for r in responses]
    for q in state.questions:
        if q.kind is K.section:
            questions.append({"question_id": q.question_id, "kind": q.kind.value, "title": q.title})
            continue
        given = [a for r in responses for a in r if a.question_id == q.question_id and a.given]
        questions.append(_question(q, given, sum(q.question_id in v for v in visible)))
    return {"questionnaire_id": state.questionnaire_id, "title": state.title, "mode": state.mode.value,
            "closes_on": state.closes_on.isoformat() if state.closes_on else None, "closed": state.closed,
            "invited": len(state.invited), "responses": len(responses), "questions": questions}
