"""Questionnaires through the gateway, against the real surveys service: the office publishes an identified and
an anonymous one; members see the ones they are invited to and answer — the identified one under their login,
the anonymous one with a ticket and no login at all; staff read the results and the exports, an anonymous
questionnaire's only once it is closed."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import asyncpg
import pytest_asyncio

from contracts.envelope import Role
from gateway.tests.harness import token
from gateway.tests.service_stack import SurveysStack, surveys_stack
from yizheng.infra import Endpoints
from yizheng.testing.wait import wait_until

COMMITTEE = "c-questionnaire-gw"
OFFICE = token(Role.office_staff, COMMITTEE)
LEADER = token(Role.leadership, COMMITTEE, member="m-chair")
LI, ZHOU, WU = (token(Role.member, COMMITTEE, member=m) for m in ("m-li", "m-zhou", "m-wu"))
UNIT = token(Role.unit_staff, COMMITTEE, unit="u-1")
CLOSES = (date.today() + timedelta(days=30)).isoformat()
QUESTIONS = [
    {"questionId": "q1", "kind": "single_choice", "title": "对委员履职服务的总体评价", "required": True,
     "options": [{"key": "a", "label": "满意"}, {"key": "b", "label": "基本满意"}, {"key": "c", "label": "不满意"}]},
    {"questionId": "q2", "kind": "long_text", "title": "意见和建议"},
]
LIST = """{ questionnaires { totalCount nodes { id title mode closed responses invited invitedMe responded } } }"""
TICKET = """mutation($id: ID!) { drawQuestionnaireTicket(questionnaireId: $id) { __typename
    ... on QuestionnaireTicket { ticket committeeId } ... on CommandRefused { rule } } }"""
ANSWER = """mutation($c: ID!, $id: ID!, $r: SubmitAnonymousResponseInput!) {
    submitAnonymousQuestionnaireResponse(committeeId: $c, questionnaireId: $id, input: $r) { __typename
    ... on AnonymousResponseAccepted { accepted } ... on CommandRefused { rule } ... on CommandInvalid { fields } } }"""
RESULTS = "query($id: ID!) { questionnaireResults(id: $id) }"
EXPORT = "query($id: ID!) { questionnaireExport(id: $id, format: csv) { filename contentType base64 } }"


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def sv(infra: Endpoints, pg_pool: asyncpg.Pool) -> AsyncIterator[SurveysStack]:
    async with surveys_stack(infra, pg_pool) as stack:
        yield stack


async def listed(sv: SurveysStack, bearer: str) -> dict[str, dict[str, Any]]:
    nodes = (await sv.api.run(LIST, bearer=bearer)).ok()["questionnaires"]["nodes"]
    return {n["id"]: n for n in nodes}


async def test_members_answer_identified_and_anonymous_questionnaires_and_staff_read_the_results(
        sv: SurveysStack) -> None:
    for qid, mode, invited in (("q-named", "identified", ["m-li", "m-zhou"]),
                               ("q-secret", "anonymous", ["m-li", "m-zhou", "m-wu"])):
        out = await sv.mutate("publishQuestionnaire", "PublishQuestionnaire", {
            "questionnaireId": qid, "title": f"委员履职服务满意度调查（{mode}）", "mode": mode, "closesOn": CLOSES,
            "questions": QUESTIONS, "memberIds": invited}, OFFICE)
        assert out["__typename"] == "CommandAccepted" and out["caughtUp"], out

    # Each member sees the questionnaires they are invited to; unit staff none at all.
    assert set(await listed(sv, LI)) == {"q-named", "q-secret"}
    assert set(await listed(sv, WU)) == {"q-secret"}
    assert (await sv.api.run(LIST, bearer=UNIT)).codes == ["FORBIDDEN"]
    assert (await listed(sv, OFFICE))["q-secret"]["invited"] == 3

    # The identified one: answered under the member's own login.
    form = (await sv.api.run("query($id: ID!) { questionnaire(id: $id) { title mode questions responded } }",
                             {"id": "q-named"}, bearer=LI)).ok()["questionnaire"]
    assert (form["mode"], [q["question_id"] for q in form["questions"]], form["responded"]) == \
        ("identified", ["q1", "q2"], False)
    assert (await sv.api.run("query($id: ID!) { questionnaire(id: $id) { title } }", {"id": "q-named"},
                             bearer=WU)).codes == ["NOT_FOUND"]  # not invited
    sent = await sv.mutate("submitQuestionnaireResponse", "SubmitQuestionnaireResponse", {
        "questionnaireId": "q-named", "answers": [{"questionId": "q1", "options": ["a"]},
                                                  {"questionId": "q2", "text": "希望多组织视察活动"}]}, LI)
    assert sent["__typename"] == "CommandAccepted" and sent["caughtUp"], sent
    assert (await listed(sv, LI))["q-named"]["responded"] is True
    assert (await listed(sv, ZHOU))["q-named"]["responded"] is False

    # The anonymous one: a ticket for the invited member, once; the response goes with it and no login.
    assert (await sv.api.run(TICKET, {"id": "q-secret"}, bearer=OFFICE)).codes == ["FORBIDDEN"]
    drawn = (await sv.api.run(TICKET, {"id": "q-secret"}, bearer=ZHOU)).ok()["drawQuestionnaireTicket"]
    assert drawn["__typename"] == "QuestionnaireTicket" and drawn["committeeId"] == COMMITTEE
    twice = (await sv.api.run(TICKET, {"id": "q-secret"}, bearer=ZHOU)).ok()["drawQuestionnaireTicket"]
    assert twice == {"__typename": "CommandRefused", "rule": "ticket_already_drawn"}
    response = {"ticket": drawn["ticket"], "answers": [{"questionId": "q1", "options": ["c"]},
                                                       {"questionId": "q2", "text": "反馈渠道不够通畅"}]}
    ok = (await sv.api.run(ANSWER, {"c": COMMITTEE, "id": "q-secret", "r": response})).ok()
    assert ok["submitAnonymousQuestionnaireResponse"] == {"__typename": "AnonymousResponseAccepted", "accepted": True}
    again = (await sv.api.run(ANSWER, {"c": COMMITTEE, "id": "q-secret", "r": response})).ok()
    assert again["submitAnonymousQuestionnaireResponse"] == {"__typename": "CommandRefused", "rule": "ticket_used"}
    short = (await sv.api.run(ANSWER, {"c": COMMITTEE, "id": "q-secret", "r": response | {"ticket": "x"}})).ok()
    assert short["submitAnonymousQuestionnaireResponse"] == {"__typename": "CommandInvalid", "fields": ["ticket"]}

    # Results: staff only; the anonymous questionnaire's wait for its close.
    named = (await sv.api.run(RESULTS, {"id": "q-named"}, bearer=LEADER)).ok()["questionnaireResults"]
    q1 = named["questions"][0]
    assert (named["responses"], [o["count"] for o in q1["options"]]) == (1, [1, 0, 0])
    assert (await sv.api.run(RESULTS, {"id": "q-named"}, bearer=LI)).codes == ["FORBIDDEN"]
    assert (await sv.api.run(RESULTS, {"id": "q-secret"}, bearer=OFFICE)).codes == ["CONFLICT"]

    for qid in ("q-named", "q-secret"):
        closed = await sv.mutate("closeQuestionnaire", "CloseQuestionnaire", {"questionnaireId": qid}, OFFICE)
        assert closed["__typename"] == "CommandAccepted", closed

    async def counted() -> dict[str, dict[str, Any]] | None:
        found = await listed(sv, OFFICE)
        return found if all(n["closed"] for n in found.values()) else None

    done = await wait_until(counted, timeout=20, message="both questionnaires closed in the gateway's view")
    assert {q: (n["responses"], n["mode"]) for q, n in done.items()} == {
        "q-named": (1, "identified"), "q-secret": (1, "anonymous")}
    secret = (await sv.api.run(RESULTS, {"id": "q-secret"}, bearer=OFFICE)).ok()["questionnaireResults"]
    assert [o["count"] for o in secret["questions"][0]["options"]] == [0, 0, 1]
    assert secret["questions"][1]["texts"] == ["反馈渠道不够通畅"]
    export = (await sv.api.run(EXPORT, {"id": "q-secret"}, bearer=LEADER)).ok()["questionnaireExport"]
    assert export["filename"] == "questionnaire-q-secret.csv" and export["contentType"].startswith("text/csv")
    assert "反馈渠道不够通畅" in base64.b64decode(export["base64"]).decode("utf-8-sig")
    assert (await sv.api.run(EXPORT, {"id": "q-secret"}, bearer=ZHOU)).codes == ["FORBIDDEN"]
