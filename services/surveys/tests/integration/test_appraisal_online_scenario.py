"""An online appraisal round (网上民主评议) through the running surveys service: the office opens it online and
issues the credentials (no slip comes back: they go into the service's pool), each entitled rater signed in as
themselves draws one slip at random, casts a ballot with it, the office closes the round with no count of its
own (the slips drawn are the credentials issued, those who drew are credited); the board verifies stand-alone.
A second draw, a rater not entitled, the office and an in-person round are refused. And after the draws nothing
— no event, log line, answer to the office, or row of the service's tables — pairs a rater with a slip's code
or public key."""

from __future__ import annotations

import asyncio
import html
import json
import logging
import re
from typing import Any

import httpx
import pytest

from contracts.envelope import Actor
from surveys.appraisal.credentials import Slip, public_key_of, slip_of

from ..appraisal_kit import MEMBERS, SUPERVISORS, ballot, open_body, standalone_verifier
from ..integration_kit import Api, SurveysService, count_events, token
from ..kit import COMMITTEE, OFFICE, member

pytestmark = pytest.mark.asyncio(loop_scope="session")
RATERS = [*SUPERVISORS, *MEMBERS]  # eight entitled: three special supervisors, five members
ALL = ["u-police", "u-market", "u-tax", "u-court", "u-traffic", "u-permits"]


def bearer(actor: Actor) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(actor)}"}


async def draw(api: Api, appraisal_id: str, member_id: str, **headers: str) -> httpx.Response:
    return await api.http.post(f"/appraisals/{appraisal_id}/slip", headers={**bearer(member(member_id)), **headers})


def drawn(response: httpx.Response) -> Slip:
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["committee_id"] == COMMITTEE and body["public_key"] == public_key_of(body["code"])
    return Slip(code=body["code"], public_key=body["public_key"], qr=body["qr"])


def refused(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


async def open_online(api: Api, appraisal_id: str) -> list[str]:
    """Open and issue an online round; the public keys the event published."""
    await api.do("open-appraisal", open_body(appraisal_id, invited=0, online=True), OFFICE)
    issued = await api.http.post(f"/appraisals/{appraisal_id}/credentials", headers=bearer(OFFICE))
    assert issued.status_code == 200, issued.text
    assert issued.json() == {"appraisal_id": appraisal_id, "online": True, "slips": []}, "no slip reaches the office"
    status = (await api.http.get(f"/appraisals/{appraisal_id}", headers=bearer(OFFICE))).json()
    assert (status["online"], status["phase"], status["credentials"], status["slips_drawn"]) == (True, "voting", 8, 0)
    return next(e["public_keys"] for e in await events_of(api.service, "appraisal-credentials-issued")
                if e["appraisal_id"] == appraisal_id)


async def events_of(service: SurveysService, event_type: str) -> list[dict[str, Any]]:
    rows = await service.pool.fetch(f"SELECT data::text AS data FROM {service.store.schema}.events WHERE type = $1 "
                                    "ORDER BY position", event_type)
    return [json.loads(r["data"]) for r in rows]


async def all_events(service: SurveysService) -> list[str]:
    rows = await service.pool.fetch(f"SELECT type || ' ' || data::text || ' ' || metadata::text AS t "
                                    f"FROM {service.store.schema}.events ORDER BY position")
    return [r["t"] for r in rows]


async def all_rows(service: SurveysService) -> dict[str, list[str]]:
    """Every row of every table of the service's schema, as text."""
    schema = service.store.schema
    tables = [r["table_name"] for r in await service.pool.fetch(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
        schema)]
    return {t: [r["row"] for r in await service.pool.fetch(f'SELECT x::text AS row FROM "{schema}"."{t}" x')]
            for t in tables}


def rater_names(member_id: str) -> set[str]:
    """How a rater may appear: their member id, their login's subject."""
    return {member_id, member(member_id).id}


async def test_an_online_round_from_the_pool_to_a_board_that_verifies(
        api: Api, service: SurveysService, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await api.refused("open-appraisal", open_body("ap-web-x", online=True), OFFICE, "online_round_needs_logins")
    await api.do("open-appraisal", open_body("ap-web", invited=0, online=True), OFFICE)
    early = await draw(api, "ap-web", "m-li")
    assert refused(early) == (409, "appraisal_not_voting")

    office_answers: list[str] = []
    issued = await api.http.post("/appraisals/ap-web/credentials", headers=bearer(OFFICE))
    office_answers.append(issued.text)
    assert issued.json() == {"appraisal_id": "ap-web", "online": True, "slips": []}, "no slip reaches the office"
    [keys] = [e["public_keys"] for e in await events_of(service, "appraisal-credentials-issued")
              if e["appraisal_id"] == "ap-web"]
    [told] = [e for e in await events_of(service, "appraisal-online-voting-opened") if e["appraisal_id"] == "ap-web"]
    assert told["member_ids"] == sorted(RATERS) and len(keys) == 8, "notify tells every rater; one key each"
    assert await service.pool.fetchval(f'SELECT count(*) FROM "{service.store.schema}".appraisal_slip_pool '
                                       "WHERE appraisal_id = 'ap-web'") == 8
    events_before = await count_events(service)

    # Six raters draw (one of them the printable page), two do not.
    drawers = RATERS[:6]
    slips: dict[str, Slip] = {}
    for m in drawers[:-1]:
        slips[m] = drawn(await draw(api, "ap-web", m))
    page = await draw(api, "ap-web", drawers[-1], accept="text/html")
    assert page.status_code == 200 and "<svg" in page.text and "民主评议投票凭证" in page.text
    [code] = re.findall(r'<p class="code">([^<]+)</p>', page.text)
    slips[drawers[-1]] = slip_of(html.unescape(code), COMMITTEE, "ap-web")
    assert len({s.code for s in slips.values()}) == 6 and {s.public_key for s in slips.values()} <= set(keys)

    # A second draw, a member not entitled, the office, and an in-person round's rater are refused.
    assert refused(await draw(api, "ap-web", "m-li")) == (409, "slip_already_drawn")
    assert refused(await draw(api, "ap-web", "m-stranger")) == (403, "not_entitled")
    as_office = await api.http.post("/appraisals/ap-web/slip", headers=bearer(OFFICE))
    assert refused(as_office) == (403, "not_authorized")
    assert await count_events(service) == events_before, "drawing writes no event"
    await api.do("open-appraisal", open_body("ap-hall"), OFFICE)
    await api.http.post("/appraisals/ap-hall/credentials", headers=bearer(OFFICE))
    assert refused(await draw(api, "ap-hall", "m-li")) == (409, "appraisal_not_online")

    status = await api.http.get("/appraisals/ap-web", headers=bearer(OFFICE))
    office_answers.append(status.text)
    assert (status.json()["slips_drawn"], status.json()["ballots_in_box"]) == (6, 0)

    # ---- after the draws nothing pairs a rater with a slip --------------------------------------------------
    codes = {s.code for s in slips.values()}
    secrets = codes | {s.public_key for s in slips.values()} | set(keys)
    rows = await all_rows(service)
    for table, texts in rows.items():
        for text in texts:
            assert not any(c in text for c in codes), f"a drawn slip's code is kept in {table}"
            if any(n in text for m in RATERS for n in rater_names(m)):
                assert not any(k in text for k in secrets), f"{table} pairs a rater with a credential: {text}"
    pool, took = rows["appraisal_slip_pool"], rows["appraisal_slips_drawn"]
    assert len([r for r in pool if "ap-web" in r]) == 2 and len([r for r in took if "ap-web" in r]) == 6
    columns = await service.pool.fetch(
        "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = $1 "
        "AND table_name IN ('appraisal_slip_pool', 'appraisal_slips_drawn')", service.store.schema)
    assert {(c["table_name"], c["column_name"]) for c in columns} == {
        ("appraisal_slip_pool", "committee_id"), ("appraisal_slip_pool", "appraisal_id"),
        ("appraisal_slip_pool", "code"), ("appraisal_slips_drawn", "committee_id"),
        ("appraisal_slips_drawn", "appraisal_id"), ("appraisal_slips_drawn", "member_id")}, "no time, no order"

    # Five of the six vote (no login: the signature is the authorization); one drew and did not vote.
    trackers = []
    for i, m in enumerate(drawers[:5]):
        marks = {u: ["satisfied", "basically_satisfied", "dissatisfied", "unknown"][(i + j) % 4]
                 for j, u in enumerate(ALL)}
        answer = await api.http.post("/appraisals/ap-web/ballots",
                                     json=ballot(slips[m], marks, appraisal_id="ap-web").model_dump(mode="json"))
        assert answer.status_code == 200, answer.text
        trackers.append(answer.json()["tracker"])

    # The office closes with no count of its own: the slips drawn are the credentials issued.
    await api.refused("close-appraisal", {"appraisal_id": "ap-web", "issued": 7}, OFFICE, "issued_mismatch")
    await api.refused("close-appraisal", {"appraisal_id": "ap-web", "attendee_member_ids": ["m-li"]}, OFFICE,
                      "attendees_not_named_online")
    await api.refused("close-appraisal", {"appraisal_id": "ap-hall", "attendee_member_ids": ["m-li"]}, OFFICE,
                      "issued_required")
    closed = await api.do("close-appraisal", {"appraisal_id": "ap-web"}, OFFICE)
    office_answers.append(json.dumps(closed))
    assert closed["returned"] == 5
    board_response = await api.http.get("/appraisals/ap-web/board", headers=bearer(OFFICE))
    tally = await api.http.get("/appraisals/ap-web/tally", headers=bearer(OFFICE))
    office_answers += [board_response.text, tally.text]
    board = board_response.json()
    assert (board["entitled"], board["issued"], board["returned"]) == (8, 6, 5)
    assert sorted(trackers) == [e["tracker"] for e in board["entries"]]
    assert standalone_verifier().verify(board, closed["board_head"]) == []
    from surveys.appraisal.board import verify

    assert verify(board, expected_head=closed["board_head"]) == []
    [shut] = [e for e in await events_of(service, "appraisal-closed") if e["appraisal_id"] == "ap-web"]
    assert (shut["issued"], shut["returned"]) == (6, 5)
    credited = [e["member_id"] for e in await events_of(service, "appraisal-participation-recorded")
                if e["appraisal_id"] == "ap-web"]
    assert credited == sorted(drawers), "those who drew are credited, whether or not they voted"
    for table in ("appraisal_slip_pool", "appraisal_slips_drawn"):
        assert await service.pool.fetchval(f'SELECT count(*) FROM "{service.store.schema}".{table} '
                                           "WHERE appraisal_id = 'ap-web'") == 0, f"{table} emptied at close"

    for text in await all_events(service):
        assert not any(c in text for c in codes), "no event holds a slip's code"
        if any(n in text for m in RATERS for n in rater_names(m)):
            assert not any(k in text for k in secrets | set(trackers)), f"an event pairs a rater and a key: {text}"
    for text in office_answers:
        assert not any(c in text for c in codes), "no answer to the office holds a slip's code"
        assert not any(n in text for m in RATERS for n in rater_names(m)), "no answer to the office names a rater"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not any(k in logged for k in secrets), "no log line carries a code or a key"
    idempotency = await service.pool.fetch(f'SELECT response::text AS r FROM "{service.store.schema}".idempotency '
                                           "WHERE response IS NOT NULL")
    assert not any(c in (r["r"] or "") for r in idempotency for c in codes)


async def test_raters_drawing_at_once_each_get_a_different_slip_and_a_void_empties_the_pool(
        api: Api, service: SurveysService) -> None:
    keys = await open_online(api, "ap-rush")
    answers = await asyncio.gather(*(draw(api, "ap-rush", m) for m in RATERS))
    slips = [drawn(a) for a in answers]
    assert sorted(s.public_key for s in slips) == sorted(keys), "every slip drawn once, none twice"
    assert refused(await draw(api, "ap-rush", RATERS[0])) == (409, "slip_already_drawn")

    await open_online(api, "ap-gone")
    drawn(await draw(api, "ap-gone", "m-li"))
    await api.do("void-appraisal", {"appraisal_id": "ap-gone", "cause": "other", "reason": "网络故障，重新评议"},
                 OFFICE)
    for table in ("appraisal_slip_pool", "appraisal_slips_drawn"):
        assert await service.pool.fetchval(f'SELECT count(*) FROM "{service.store.schema}".{table} '
                                           "WHERE appraisal_id = 'ap-gone'") == 0, f"{table} emptied when voided"
    assert refused(await draw(api, "ap-gone", "m-zhou")) == (409, "appraisal_voided")
