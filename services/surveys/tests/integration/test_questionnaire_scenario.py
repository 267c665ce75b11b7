"""Questionnaires through the service on the real PostgreSQL, in the domain's words. The office asks the members
about its consultation work by name: each member answers once, a question hidden by its condition is neither
required nor answerable, nothing is taken after the last day; staff read the results and export them (XLSX,
CSV with a BOM). Then an anonymous questionnaire: each invited member draws one ticket, answers by the ticket
alone (their login, sent along, is ignored), a ticket answers once; the results stay sealed until the office
closes it, and nothing stored — no event, no row — links a response to a member or a ticket."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import httpx
from openpyxl import load_workbook

from contracts.envelope import Actor
from surveys.questionnaire import streams

from ..integration_kit import Api, FakeClock, SurveysService, count_events, event_types, token
from ..kit import COMMITTEE, LEADER, OFFICE, member
from ..questionnaire_kit import publish, stayed_away, took_part

ZHANG, LI, WANG = member("m-zhang"), member("m-li"), member("m-wang")


def bearer(actor: Actor) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(actor)}"}


async def get(api: Api, path: str, actor: Actor) -> httpx.Response:
    return await api.http.get(path, headers=bearer(actor))


async def test_an_identified_questionnaire_answered_read_and_exported(api: Api, service: SurveysService,
                                                                     clock: FakeClock) -> None:
    clock.set(date(2026, 4, 1))
    assert (await api.do("publish-questionnaire", publish("q-work", closes_on="2026-04-10"), OFFICE)) \
        ["questionnaire_id"] == "q-work"
    form = (await get(api, "/questionnaires/q-work", LI)).json()
    assert form["responded"] is False and len(form["questions"]) == 9
    assert (await get(api, "/questionnaires/q-work", member("m-stranger"))).status_code == 404

    await api.do("submit-questionnaire-response", {"questionnaire_id": "q-work", "answers": took_part()}, LI)
    # a required question hidden by its condition is not required …
    await api.do("submit-questionnaire-response", {"questionnaire_id": "q-work", "answers": stayed_away()}, ZHANG)
    # … and an answer to it is refused
    await api.refused("submit-questionnaire-response", {"questionnaire_id": "q-work", "answers": stayed_away(
        how_many={"question_id": "how_many", "number": 2})}, WANG, "answer_to_hidden_question")
    await api.refused("submit-questionnaire-response", {"questionnaire_id": "q-work", "answers": took_part()}, LI,
                      "already_responded")
    assert (await get(api, "/questionnaires/q-work", LI)).json()["responded"] is True
    assert await event_types(service, streams.response(COMMITTEE, "q-work", "m-li")) == [
        "questionnaire-response-submitted"]

    clock.set(date(2026, 4, 11))  # the day after the last day
    await api.refused("submit-questionnaire-response", {"questionnaire_id": "q-work", "answers": took_part()}, WANG,
                      "deadline_passed")

    assert (await get(api, "/questionnaires/q-work/results", LI)).status_code == 403
    found = (await get(api, "/questionnaires/q-work/results", LEADER)).json()
    joined = {q["question_id"]: q for q in found["questions"]}["joined"]
    assert found["responses"] == 2 and [o["count"] for o in joined["options"]] == [1, 1]

    xlsx = await get(api, "/questionnaires/q-work/export.xlsx", OFFICE)
    assert xlsx.status_code == 200 and xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(xlsx.content))["答卷"].iter_rows(values_only=True))
    assert sorted(r[0] for r in rows[1:]) == ["m-li", "m-zhang"]
    csv = await get(api, "/questionnaires/q-work/export.csv", OFFICE)
    assert csv.content.startswith(b"\xef\xbb\xbf") and "委员" in csv.content.decode("utf-8-sig").splitlines()[0]


async def _draw(api: Api, actor: Actor, qid: str = "q-anon") -> httpx.Response:
    return await api.http.post(f"/questionnaires/{qid}/ticket", headers=bearer(actor))


async def _answer(api: Api, ticket: str, answers: list[dict[str, Any]], login: Actor | None = None,
                  qid: str = "q-anon") -> httpx.Response:
    # The member's own login sent along: the route must not take it.
    headers = bearer(login) if login else {}
    return await api.http.post(f"/questionnaire-responses/{COMMITTEE}/{qid}",
                               json={"ticket": ticket, "answers": answers}, headers=headers)


async def _every_stored_text(service: SurveysService, but: tuple[str, ...]) -> str:
    """Every event (envelope included) but those of the types named, and every row of the questionnaires'
    tables, as one text."""
    s = service.store.schema
    parts = [json.dumps([dict(r) for r in await service.pool.fetch(
        f"SELECT stream_id, type, data::text, metadata::text FROM {s}.events WHERE type <> ALL($1::text[])",
        list(but))], default=str, ensure_ascii=False)]
    for table in ("questionnaire_responses", "questionnaire_tickets", "questionnaire_ticket_holders"):
        rows = [dict(r) for r in await service.pool.fetch(f"SELECT * FROM {s}.{table}")]
        parts.append(json.dumps(rows, default=str, ensure_ascii=False))
    return "\n".join(parts)


async def test_an_anonymous_questionnaire_links_no_response_to_anyone(api: Api, service: SurveysService,
                                                                     clock: FakeClock) -> None:
    clock.set(date(2026, 4, 1))
    await api.do("publish-questionnaire", publish("q-anon", mode="anonymous", closes_on="2026-04-10"), OFFICE)
    await api.refused("submit-questionnaire-response", {"questionnaire_id": "q-anon", "answers": took_part()}, LI,
                      "questionnaire_is_anonymous")

    drawn = await _draw(api, LI)
    assert drawn.status_code == 200 and drawn.headers["cache-control"] == "no-store"
    li_ticket = drawn.json()["ticket"]
    again = await _draw(api, LI)
    assert again.status_code == 422 and again.json()["error"]["code"] == "ticket_already_drawn"
    assert (await _draw(api, member("m-stranger"))).json()["error"]["code"] == "not_invited"
    zhang_ticket = (await _draw(api, ZHANG)).json()["ticket"]
    wang_ticket = (await _draw(api, WANG)).json()["ticket"]

    before = await count_events(service)
    answered = await _answer(api, li_ticket, took_part(advice={"question_id": "advice", "text": "李委员的意见"}),
                             login=LI)
    assert answered.status_code == 200, answered.text
    # one response per ticket
    reused = await _answer(api, li_ticket, stayed_away())
    assert reused.status_code == 422 and reused.json()["error"]["code"] == "ticket_used"
    # a refused response leaves the ticket unspent: Zhang corrects the answer and sends it again
    hidden = await _answer(api, zhang_ticket, stayed_away(how_many={"question_id": "how_many", "number": 2}))
    assert hidden.json()["error"]["code"] == "answer_to_hidden_question"
    assert (await _answer(api, zhang_ticket, stayed_away(), login=ZHANG)).status_code == 200
    forged = await _answer(api, "x" * 43, stayed_away())
    assert forged.json()["error"]["code"] == "ticket_unknown"
    assert await count_events(service) == before, "an anonymous response writes no event until the closing"

    sealed = await get(api, "/questionnaires/q-anon/results", OFFICE)
    assert sealed.status_code == 409 and sealed.json()["error"]["code"] == "results_sealed"

    clock.set(date(2026, 4, 11))
    late = await _answer(api, wang_ticket, stayed_away())
    assert late.json()["error"]["code"] == "deadline_passed"
    closing = clock.now
    await api.do("close-questionnaire", {"questionnaire_id": "q-anon"}, OFFICE)

    ballots = await service.store.read_stream(streams.ballots(COMMITTEE, "q-anon"))
    assert [e.envelope.type for e in ballots] == ["questionnaire-anonymous-response-recorded"] * 2
    # the events carry the closing's actor and time, not a respondent's
    assert {e.envelope.actor.id for e in ballots} == {OFFICE.id}
    assert {e.envelope.occurred_at for e in ballots} == {closing}
    # Who was invited is no secret (the invitations name them); nothing else stored names a respondent or a ticket.
    stored = await _every_stored_text(service, but=("questionnaire-invitations-sent",))
    for trace in ("m-li", "m-zhang", "m-wang", li_ticket, zhang_ticket, wang_ticket):
        assert trace not in stored, f"{trace} is stored"
    assert "李委员的意见" in stored  # the answers themselves are kept
    rows = await service.pool.fetch(f"SELECT member_id FROM {service.store.schema}.questionnaire_responses")
    assert [r["member_id"] for r in rows] == [None, None]
    assert await service.pool.fetchval(
        f"SELECT count(*) FROM {service.store.schema}.questionnaire_tickets") == 0

    found = (await get(api, "/questionnaires/q-anon/results", OFFICE)).json()
    advice = {q["question_id"]: q for q in found["questions"]}["advice"]
    assert found["responses"] == 2 and advice["texts"] == ["李委员的意见"]
    rows_x = list(load_workbook(io.BytesIO((await get(api, "/questionnaires/q-anon/export.xlsx", OFFICE)).content))
                  ["答卷"].iter_rows(values_only=True))
    assert rows_x[0][0] == "序号" and [r[0] for r in rows_x[1:]] == [1, 2]
