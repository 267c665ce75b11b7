"""A questionnaire's export: XLSX (openpyxl) with the results (汇总) and every response (答卷), and the
responses as CSV with a UTF-8 byte-order mark (so Excel opens the Chinese text as UTF-8).

One row per response and one column per answerable question (a matrix: one per statement). An identified
questionnaire's rows name their member; an anonymous one's are numbered only, in the random order of their
ids. Text that a spreadsheet would take as a formula (starting with = + - @, a tab or a return) is written
with a leading apostrophe, so a respondent's words are never run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from contracts.surveys.questionnaire_form import CHOICE_KINDS, Answer, Question, QuestionKind, ResponseMode
from surveys.questionnaire.decider import QuestionnaireState
from surveys.questionnaire.responses import Response
from surveys.questionnaire.results import results

K = QuestionKind
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(value: Any) -> Any:
    """A cell's value, text that would start a formula escaped."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _columns(questions: Sequence[Question]) -> list[tuple[Question, str | None, str]]:
    """(question, matrix row key or None, heading) for each column of the responses."""
    cols: list[tuple[Question, str | None, str]] = []
    for q in questions:
        if q.kind is K.section:
            continue
        if q.kind is K.matrix:
            cols += [(q, r.key, f"{q.title} — {r.label}") for r in q.rows]
        else:
            cols.append((q, None, q.title))
    return cols


def _cell(q: Question, row: str | None, a: Answer | None) -> Any:
    if a is None:
        return None
    if q.kind in CHOICE_KINDS:
        labels = {o.key: o.label for o in q.options}
        picked = [labels[o] for o in a.options] + ([f"其他：{a.other}"] if a.other.strip() else [])
        return "；".join(picked) or None
    if q.kind is K.matrix:
        labels = {o.key: o.label for o in q.options}
        return next((labels[c.option] for c in a.cells if c.row == row), None)
    if q.kind is K.number:
        n = a.number
        return int(n) if n is not None and n == int(n) else n
    if q.kind is K.date:
        return a.day.isoformat() if a.day else None
    return a.text or None


def response_rows(state: QuestionnaireState, responses: Sequence[Response]) -> list[list[Any]]:
    """The responses sheet: a heading row, then one row per response."""
    identified = state.mode is ResponseMode.identified
    cols = _columns(state.questions)
    rows: list[list[Any]] = [[*(["委员"] if identified else ["序号"]), *(h for _, _, h in cols)]]
    for n, r in enumerate(responses, start=1):
        by_id = {a.question_id: a for a in r.answers}
        lead = r.member_id if identified else n
        rows.append([lead, *(_cell(q, row, by_id.get(q.question_id)) for q, row, _ in cols)])
    return rows


def summary_rows(state: QuestionnaireState, responses: Sequence[Response]) -> list[list[Any]]:
    found = results(state, [r.answers for r in responses])
    rows: list[list[Any]] = [["题目", "题型", "选项", "人数", "占比"]]
    rows.append([f"{state.title}（答卷 {found['responses']} 份，邀请 {found['invited']} 人）", None, None, None, None])
    for q in found["questions"]:
        kind = K(q["kind"]).label_zh
        if "answered" not in q:
            rows.append([q["title"], kind, None, None, None])
            continue
        rows.append([q["title"], kind, "作答人数", q["answered"], None])
        for o in q.get("options", []):
            rows.append([None, None, o["label"], o["count"], o["share"]])
        if "other" in q:
            rows.append([None, None, "其他", q["other"]["count"], q["other"]["share"]])
        for r in q.get("rows", []):
            for o in r["options"]:
                rows.append([None, None, f"{r['label']} — {o['label']}", o["count"], o["share"]])
        if "summary" in q:
            s = q["summary"]
            rows += [[None, None, name, s[key], None] for key, name in
                     (("min", "最小值"), ("max", "最大值"), ("mean", "平均值"), ("median", "中位数"))]
        for text in q.get("texts", []) + q.get("other", {}).get("texts", []):
            rows.append([None, None, text, None, None])
    return rows


def to_xlsx(state: QuestionnaireState, responses: Sequence[Response]) -> bytes:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "汇总"
    for row in summary_rows(state, responses):
        summary.append([safe(v) for v in row])
    sheet = book.create_sheet("答卷")
    for row in response_rows(state, responses):
        sheet.append([safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(state: QuestionnaireState, responses: Sequence[Response]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for row in response_rows(state, responses):
        writer.writerow(["" if v is None else safe(v) for v in row])
    return (BOM + text.getvalue()).encode("utf-8")
