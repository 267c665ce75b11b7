"""A democratic appraisal round through the running surveys service: the office opens it and prints the slips,
attendees cast signed ballots with no login (one replaces their first), the office closes it; the published
board verifies stand-alone, the bottom three get rectification requests, the attendees' participation is
credited; and nothing stored, read or logged links a rater to a ballot. Bad ballots, a quorum miss and more
ballots than slips handed out are refused with nothing on the board."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from surveys.appraisal.credentials import Slip, generate

from ..appraisal_kit import MEMBERS, SUPERVISORS, ballot, open_body, standalone_verifier
from ..integration_kit import Api, SurveysService, count_events, token
from ..kit import COMMITTEE, OFFICE, member

pytestmark = pytest.mark.asyncio(loop_scope="session")
ALL = ["u-police", "u-market", "u-tax", "u-court", "u-traffic", "u-permits"]


def office() -> dict[str, str]:
    return {"Authorization": f"Bearer {token(OFFICE)}"}


async def slips_of(api: Api, appraisal_id: str = "ap-2026") -> list[Slip]:
    response = await api.http.post(f"/appraisals/{appraisal_id}/credentials", headers=office())
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return [Slip(code=s["code"], public_key=s["public_key"], qr=s["qr"]) for s in response.json()["slips"]]


async def cast(api: Api, appraisal_id: str, body: Any) -> httpx.Response:
    payload = body.model_dump(mode="json") if hasattr(body, "model_dump") else body
    return await api.http.post(f"/appraisals/{appraisal_id}/ballots", json=payload)


async def all_events(service: SurveysService) -> list[dict[str, Any]]:
    rows = await service.pool.fetch(f"SELECT type, data::text AS data, metadata::text AS metadata, recorded_at "
                                    f"FROM {service.store.schema}.events ORDER BY position")
    return [dict(r) for r in rows]


def a_good_choice(i: int, unit: int) -> str:
    return ["satisfied", "basically_satisfied", "dissatisfied", "unknown"][(i * 3 + unit * 2) % 4]


async def test_a_round_from_credentials_to_a_board_that_verifies_on_its_own(
        api: Api, service: SurveysService, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await api.do("open-appraisal", open_body(), OFFICE)
    page = await api.http.post("/appraisals/ap-2026/credentials", headers={**office(), "Accept": "text/html"})
    assert page.status_code == 200 and "<svg" in page.text and "民主评议投票凭证" in page.text
    again = await api.http.post("/appraisals/ap-2026/credentials", headers=office())
    assert again.status_code == 409 and again.json()["error"]["code"] == "credentials_issued"
    # The printed page went to the printer; this test uses a second round to hold the slips it casts with.
    await api.do("open-appraisal", open_body("ap-2026b"), OFFICE)
    slips = await slips_of(api, "ap-2026b")
    assert len(slips) == 10 and len({s.public_key for s in slips}) == 10
    events_before = await count_events(service)

    trackers = []
    for i, slip in enumerate(slips[:7]):
        marks = {u: a_good_choice(i, j) for j, u in enumerate(ALL) if (i + j) % 6}  # some blanks
        answer = await cast(api, "ap-2026b", ballot(slip, marks, appraisal_id="ap-2026b"))
        assert answer.status_code == 200, answer.text
        trackers.append(answer.json()["tracker"])
    # The seventh rater changes their mind before close: the second ballot replaces the first.
    second = await cast(api, "ap-2026b", ballot(slips[6], {u: "satisfied" for u in ALL}, appraisal_id="ap-2026b"))
    assert second.status_code == 200 and second.json()["replaced"] is True
    trackers[6] = second.json()["tracker"]
    assert await count_events(service) == events_before, "casting writes no event"

    status = (await api.http.get("/appraisals/ap-2026b", headers=office())).json()
    assert (status["phase"], status["ballots_in_box"], status["credentials"]) == ("voting", 7, 10)
    not_yet = await api.http.get("/appraisals/ap-2026b/board", headers=office())
    assert not_yet.status_code == 409 and not_yet.json()["error"]["code"] == "board_not_sealed"

    attendees = [*SUPERVISORS, *MEMBERS[:4]]
    closed = await api.do("close-appraisal", {"appraisal_id": "ap-2026b", "issued": 8,
                                              "attendee_member_ids": attendees}, OFFICE)
    assert closed["returned"] == 7
    board_response = await api.http.get("/appraisals/ap-2026b/board", headers={
        "Authorization": f"Bearer {token(member('m-li'))}"})
    board = board_response.json()
    assert sorted(e["tracker"] for e in board["entries"]) == [e["tracker"] for e in board["entries"]]
    assert sorted(trackers) == [e["tracker"] for e in board["entries"]], "every rater finds their tracker"
    assert board["returned"] == 7 and board["head"] == closed["board_head"]
    assert standalone_verifier().verify(board, board["head"]) == []
    from surveys.appraisal.board import verify

    assert verify(board, expected_head=closed["board_head"]) == []

    tally = (await api.http.get("/appraisals/ap-2026b/tally", headers=office())).json()
    assert tally["bottom_unit_ids"] == board["tally"]["bottom_unit_ids"] == closed["bottom_unit_ids"]
    assert [i["unit_id"] for i in closed["rectification_items"]] == closed["bottom_unit_ids"]
    events = await all_events(service)
    opened = [json.loads(e["data"]) for e in events if e["type"] == "tracked-item-opened"]
    assert sorted(o["unit_ids"][0] for o in opened) == sorted(closed["bottom_unit_ids"])
    assert {o["subject"] for o in opened} == {"appraisal_rectification"}
    credited = [json.loads(e["data"]) for e in events if e["type"] == "appraisal-participation-recorded"]
    assert sorted(c["member_id"] for c in credited) == sorted(attendees)

    # ---- nothing links a rater to a ballot --------------------------------------------------------------
    secrets = {s.public_key for s in slips} | set(trackers) | {s.code for s in slips}
    raters = set(SUPERVISORS) | set(MEMBERS)
    for e in events:
        text = e["data"] + e["metadata"]
        if any(m in text for m in raters):
            assert not any(k in text for k in secrets), f"{e['type']} names a rater and a credential or tracker"
    assert not any(s.code in e["data"] for e in events for s in slips), "no private part is stored"
    columns = await service.pool.fetch(
        "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = $1 "
        "AND table_name IN ('appraisal_ballot_box', 'appraisal_boards')", service.store.schema)
    assert {c["column_name"] for c in columns} == {"committee_id", "appraisal_id", "credential", "ballot",
                                                   "signature", "board"}
    assert not any("time" in c["data_type"] or "date" in c["data_type"] for c in columns), "no cast time is kept"
    assert await service.pool.fetchval(f"SELECT count(*) FROM {service.store.schema}.appraisal_ballot_box") == 0
    assert not any(m in json.dumps(board) for m in raters), "the board names no rater"
    assert not any(m in json.dumps(tally) for m in raters)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not any(k in logged for k in secrets), "no log line carries a credential, a code or a tracker"
    idempotency = await service.pool.fetch(f"SELECT response::text AS r FROM {service.store.schema}.idempotency "
                                           "WHERE response IS NOT NULL")
    assert not any(s.code in (r["r"] or "") for r in idempotency for s in slips)


async def test_bad_ballots_are_refused_and_nothing_reaches_the_board(api: Api, service: SurveysService) -> None:
    await api.do("open-appraisal", open_body("ap-bad"), OFFICE)
    await api.do("open-appraisal", open_body("ap-other"), OFFICE)
    early = generate(1, COMMITTEE, "ap-bad")[0]
    not_yet = await cast(api, "ap-bad", ballot(early, {"u-police": "satisfied"}, appraisal_id="ap-bad"))
    assert (not_yet.status_code, not_yet.json()["error"]["code"]) == (409, "appraisal_not_voting")
    slips = await slips_of(api, "ap-bad")
    others = await slips_of(api, "ap-other")

    stranger = generate(1, COMMITTEE, "ap-bad")[0]
    good = ballot(slips[0], {"u-police": "satisfied"}, appraisal_id="ap-bad")
    forged = good.model_dump(mode="json")
    forged["ballot"]["marks"]["u-police"]["overall"] = "dissatisfied"
    unknown_choice = good.model_dump(mode="json")
    unknown_choice["ballot"]["marks"]["u-police"]["overall"] = "very_satisfied"
    cases: list[tuple[Any, int, str]] = [
        (ballot(stranger, {"u-police": "satisfied"}, appraisal_id="ap-bad"), 400, "unknown_credential"),
        (forged, 400, "bad_signature"),
        (ballot(slips[0], {"u-nowhere": "satisfied"}, appraisal_id="ap-bad"), 400, "unknown_unit"),
        (unknown_choice, 400, "invalid_ballot"),
        ({"ballot": good.model_dump(mode="json")["ballot"]}, 400, "invalid_ballot"),
        (ballot(others[0], {"u-police": "satisfied"}, appraisal_id="ap-other"), 400, "ballot_for_another_appraisal"),
        (ballot(others[0], {"u-police": "satisfied"}, appraisal_id="ap-bad"), 400, "unknown_credential"),
        # The ballot's committee selects the round: another committee holds no round ap-bad.
        (ballot(slips[0], {"u-police": "satisfied"}, appraisal_id="ap-bad", committee_id="c-elsewhere"), 404,
         "appraisal_not_found"),
    ]
    for body, status, code in cases:
        response = await cast(api, "ap-bad", body)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), response.text
    assert (await api.http.get("/appraisals/ap-bad", headers=office())).json()["ballots_in_box"] == 0

    for slip in slips[:6]:
        assert (await cast(api, "ap-bad", ballot(slip, {"u-tax": "dissatisfied"}, appraisal_id="ap-bad"))
                ).status_code == 200
    await api.do("close-appraisal", {"appraisal_id": "ap-bad", "issued": 6, "attendee_member_ids": MEMBERS}, OFFICE)
    late = await cast(api, "ap-bad", ballot(slips[7], {"u-tax": "satisfied"}, appraisal_id="ap-bad"))
    assert (late.status_code, late.json()["error"]["code"]) == (409, "appraisal_closed")
    board = (await api.http.get("/appraisals/ap-bad/board", headers=office())).json()
    assert board["returned"] == 6 and standalone_verifier().verify(board) == []
    missing = await cast(api, "ap-none", ballot(slips[0], {}, appraisal_id="ap-none"))
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "appraisal_not_found")


async def test_a_quorum_miss_and_more_ballots_than_slips_handed_out_are_refused(
        api: Api, service: SurveysService) -> None:
    await api.do("open-appraisal", open_body("ap-q"), OFFICE)
    slips = await slips_of(api, "ap-q")
    for slip in slips[:7]:  # an undrawn slip was used: 7 ballots, 6 slips handed out
        assert (await cast(api, "ap-q", ballot(slip, {"u-court": "satisfied"}, appraisal_id="ap-q"))).status_code == 200
    error = await api.refused("close-appraisal", {"appraisal_id": "ap-q", "issued": 5}, OFFICE, "quorum_not_met")
    assert "more than half" in error["message"]
    await api.refused("close-appraisal", {"appraisal_id": "ap-q", "issued": 6, "attendee_member_ids": MEMBERS},
                      OFFICE, "more_returned_than_issued")
    assert (await api.http.get("/appraisals/ap-q", headers=office())).json()["phase"] == "voting"
    await api.do("void-appraisal", {"appraisal_id": "ap-q", "cause": "more_returned_than_issued",
                                    "reason": "收回票数多于发出票数，重新评议"}, OFFICE)
    assert await service.pool.fetchval(f"SELECT count(*) FROM {service.store.schema}.appraisal_ballot_box "
                                       "WHERE appraisal_id = 'ap-q'") == 0
    voided = await cast(api, "ap-q", ballot(slips[8], {"u-court": "satisfied"}, appraisal_id="ap-q"))
    assert (voided.status_code, voided.json()["error"]["code"]) == (409, "appraisal_voided")
    board = await api.http.get("/appraisals/ap-q/board", headers=office())
    assert board.status_code == 409


async def test_the_sealed_board_is_public_and_an_open_rounds_box_is_not(api: Api, service: SurveysService) -> None:
    await api.do("open-appraisal", open_body("ap-pub"), OFFICE)
    public = f"/appraisal-boards/{COMMITTEE}/ap-pub"
    fresh = await api.http.get(public)
    assert (fresh.status_code, fresh.json()["error"]["code"]) == (409, "board_not_sealed")
    slips = await slips_of(api, "ap-pub")
    receipts = []
    for slip in slips[:6]:
        answer = await cast(api, "ap-pub", ballot(slip, {"u-tax": "satisfied"}, appraisal_id="ap-pub"))
        receipts.append(answer.json()["tracker"])
    # While voting, nobody reads the box through the public route, with or without a login.
    for headers in ({}, office()):
        for path in (public, f"{public}/tally"):
            early = await api.http.get(path, headers=headers)
            assert (early.status_code, early.json()["error"]["code"]) == (409, "board_not_sealed"), early.text
    await api.do("close-appraisal", {"appraisal_id": "ap-pub", "issued": 6, "attendee_member_ids": MEMBERS}, OFFICE)
    # After close, anyone (no Authorization at all) reads the board and finds their tracker, and its tally.
    board = await api.http.get(public)
    assert board.status_code == 200, board.text
    assert receipts[2] in {e["tracker"] for e in board.json()["entries"]}
    assert standalone_verifier().verify(board.json()) == []
    assert board.text == (await api.http.get("/appraisals/ap-pub/board", headers=office())).text
    tally = (await api.http.get(f"{public}/tally")).json()
    assert (tally["returned"], tally["issued"], tally["entitled"]) == (6, 6, 10)
    # Another committee's path finds no such round; a path that is no committee id is refused.
    elsewhere = await api.http.get("/appraisal-boards/c-elsewhere/ap-pub")
    assert (elsewhere.status_code, elsewhere.json()["error"]["code"]) == (404, "appraisal_not_found")
    assert (await api.http.get("/appraisal-boards/%20bad/ap-pub")).status_code == 404
