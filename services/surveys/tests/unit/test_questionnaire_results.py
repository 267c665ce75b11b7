"""A questionnaire's results and its export, from its form and responses: counts and shares per question,
free text listed, the XLSX opened back with openpyxl, the CSV starting with the UTF-8 byte-order mark, and a
respondent's text never taken as a formula."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook

from contracts.surveys import questionnaire_commands as c
from contracts.surveys.questionnaire_form import Answer
from surveys.questionnaire.decider import QUESTIONNAIRE, Publish, QuestionnaireState
from surveys.questionnaire.export import to_csv, to_xlsx
from surveys.questionnaire.form import check_answers
from surveys.questionnaire.responses import Response
from surveys.questionnaire.results import results

from ..kit import OFFICE, Harness
from ..questionnaire_kit import publish, stayed_away, took_part


def questionnaire(mode: str = "identified") -> QuestionnaireState:
    h: Harness[QuestionnaireState] = Harness(QUESTIONNAIRE)
    h.run(Publish("q1", c.PublishQuestionnaire.model_validate(publish(mode=mode))), OFFICE)
    return h.state


def answers(raw: list[dict[str, Any]], state: QuestionnaireState) -> list[Answer]:
    return check_answers(state.questions, [Answer.model_validate(a) for a in raw])


def sample(state: QuestionnaireState) -> list[Response]:
    return [Response("m-li", "m-li", answers(took_part(), state)),
            Response("m-wang", "m-wang", answers(took_part(topics={"question_id": "topics", "options": ["water"]},
                                                           how_many={"question_id": "how_many", "number": 5}), state)),
            Response("m-zhang", "m-zhang", answers(stayed_away(), state))]


def by_id(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["question_id"]: q for q in found["questions"]}


def test_counts_and_shares_per_question_and_the_free_text_listed() -> None:
    state = questionnaire()
    found = results(state, [r.answers for r in sample(state)])
    q = by_id(found)
    assert found["responses"] == 3 and found["invited"] == 3
    assert [(o["label"], o["count"], o["share"]) for o in q["joined"]["options"]] == [
        ("参加过", 2, 0.6667), ("没有参加", 1, 0.3333)]
    # a multiple choice's shares are of those who answered it, and may add up to more than one
    assert [(o["key"], o["count"], o["share"]) for o in q["topics"]["options"]] == [
        ("health", 1, 0.5), ("water", 2, 1.0), ("roads", 0, 0.0)]
    assert q["sector"]["other"] == {"count": 1, "share": 0.3333, "texts": ["=农业界"]}
    assert (q["how_many"]["shown"], q["how_many"]["answered"]) == (2, 2)  # hidden from the member who stayed away
    assert q["how_many"]["summary"] == {"count": 2, "min": 3, "max": 5, "mean": 4, "median": 4}
    plan = q["rating"]["rows"][0]
    assert plan["answered"] == 2 and plan["options"][0]["count"] == 2 and plan["mean_point"] == 1
    assert q["advice"]["texts"] == ["建议增加基层协商", "建议增加基层协商"]


def test_the_xlsx_opens_with_the_summary_and_every_response() -> None:
    state = questionnaire()
    book = load_workbook(io.BytesIO(to_xlsx(state, sample(state))))
    assert book.sheetnames == ["汇总", "答卷"]
    sheet = [list(r) for r in book["答卷"].iter_rows(values_only=True)]
    heading = sheet[0]
    assert heading[0] == "委员" and "对以下工作的评价 — 年度计划" in heading
    rows = {r[0]: dict(zip(heading, r, strict=True)) for r in sheet[1:]}
    assert rows["m-wang"]["参加次数"] == 5 and rows["m-wang"]["对以下工作的评价 — 年度计划"] == "满意"
    assert rows["m-zhang"]["参加次数"] is None
    assert rows["m-zhang"]["您所在的界别"] == "其他：=农业界"
    summary = [list(r) for r in book["汇总"].iter_rows(values_only=True)]
    assert ["参加过", 2, 0.6667] in [r[2:] for r in summary]


def test_a_respondent_s_formula_is_kept_as_text_in_the_xlsx() -> None:
    state = questionnaire()
    formula = [Response("m-x", "m-x", answers(stayed_away(name={"question_id": "name", "text": "=1+1"}), state))]
    sheet = load_workbook(io.BytesIO(to_xlsx(state, formula)))["答卷"]
    heading = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=heading.index("一句话建议") + 1)
    assert (cell.value, cell.data_type) == ("'=1+1", "s")


def test_an_anonymous_export_names_no_member() -> None:
    state = questionnaire("anonymous")
    anonymous = [Response(r.response_id, None, r.answers) for r in sample(state)]
    book = load_workbook(io.BytesIO(to_xlsx(state, anonymous)))
    sheet = list(book["答卷"].iter_rows(values_only=True))
    assert sheet[0][0] == "序号" and [r[0] for r in sheet[1:]] == [1, 2, 3]
    assert not any(str(v).startswith("m-") for row in sheet for v in row if v is not None)


def test_the_csv_starts_with_the_utf8_byte_order_mark_and_escapes_formulas() -> None:
    state = questionnaire()
    raw = to_csv(state, sample(state))
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "委员" and len(rows) == 4
    sector = rows[0].index("您所在的界别")
    assert rows[3][sector] == "其他：=农业界"  # starts with 其, not a formula
    formula = [Response("m-x", "m-x", answers(stayed_away(sector={"question_id": "sector", "options": ["edu"]},
                                                          name={"question_id": "name", "text": "=HYPERLINK(1)"}),
                                              state))]
    row = list(csv.reader(io.StringIO(to_csv(state, formula).decode("utf-8-sig"))))[1]
    assert "'=HYPERLINK(1)" in row


def test_a_date_question_gives_its_earliest_and_latest_day() -> None:
    state = questionnaire()
    days = ["2026-03-15", "2026-01-08", "2026-02-20"]
    given = [answers(took_part(when={"question_id": "when", "day": d}), state) for d in days]
    q = by_id(results(state, [*given, answers(stayed_away(), state)]))["when"]
    assert (q["earliest"], q["latest"]) == ("2026-01-08", "2026-03-15")
    assert q["answered"] == 3
    nobody = by_id(results(state, [answers(stayed_away(), state)]))["when"]
    assert (nobody["earliest"], nobody["latest"], nobody["answered"]) == (None, None, 0)


def test_a_multiple_choice_s_other_is_counted_and_listed_beside_its_options() -> None:
    h: Harness[QuestionnaireState] = Harness(QUESTIONNAIRE)
    form = [{"question_id": "help", "kind": "multiple_choice", "title": "希望机关提供哪些服务（最多两项）",
             "max_choices": 2, "allow_other": True,
             "options": [{"key": "train", "label": "履职培训"}, {"key": "data", "label": "资料查询"}]}]
    h.run(Publish("q1", c.PublishQuestionnaire.model_validate(publish(questions=form))), OFFICE)
    raw: list[list[dict[str, Any]]] = [[{"question_id": "help", "options": ["train"], "other": "法律咨询"}],
           [{"question_id": "help", "options": ["train", "data"]}],
           [{"question_id": "help", "other": "车辆保障"}]]
    q = by_id(results(h.state, [answers(r, h.state) for r in raw]))["help"]
    assert [(o["key"], o["count"]) for o in q["options"]] == [("train", 2), ("data", 1)]
    assert q["other"] == {"count": 2, "share": 0.6667, "texts": ["法律咨询", "车辆保障"]}
