"""A democratic appraisal round through the gateway, against the real surveys service: the office opens it and
prints its slips once, raters cast signed ballots with no login (one corrects theirs), the office closes it,
and what everyone reads back — the round, its board and tally, `oversight.latestAppraisal` with the bottom
three's rectifications — is what the ballots said. After close anyone reads the sealed board with no login
(never before); and nothing the gateway answers or keeps puts a credential, a slip code or a tracker beside
a member (trackers and keys are on the public board only, which names no member)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest_asyncio

from contracts.envelope import Role
from contracts.surveys.appraisal_board import Ballot
from gateway.tests.harness import token
from gateway.tests.service_stack import SurveysStack, surveys_stack
from surveys.appraisal.credentials import sign
from yizheng.infra import Endpoints
from yizheng.testing.wait import wait_until

COMMITTEE = "c-appraisal-gw"
OFFICE = token(Role.office_staff, COMMITTEE)
LEADER = token(Role.leadership, COMMITTEE, member="m-chair")
MEMBER = token(Role.member, COMMITTEE, member="m-li")
UNITS = [("u-police", "县公安局"), ("u-market", "县市场监管局"), ("u-tax", "县税务局"), ("u-court", "县人民法院"),
         ("u-traffic", "县交警大队")]
SUPERVISORS, MEMBERS = ["m-zhao", "m-qian"], ["m-li", "m-zhou", "m-wu", "m-wang"]
AID = "ap-gw-1"
S, B, D, U = "satisfied", "basically_satisfied", "dissatisfied", "unknown"
# Five raters vote (six entitled, five attend): police and tax do best, traffic and the market worst.
BALLOTS = [
    {"u-police": S, "u-market": D, "u-tax": S, "u-court": B, "u-traffic": D},
    {"u-police": S, "u-market": D, "u-tax": B, "u-court": S, "u-traffic": D},
    {"u-police": B, "u-market": S, "u-tax": S, "u-court": D, "u-traffic": U},
    {"u-police": S, "u-market": D, "u-tax": S, "u-court": B},  # traffic left blank: an abstention
    {"u-police": S, "u-market": B, "u-tax": D, "u-court": S, "u-traffic": S},
]
# What the rater of the last ballot first sent, then corrected.
FIRST_TRY = {"u-police": D, "u-market": D, "u-tax": D, "u-court": D, "u-traffic": D}

CAST = """mutation($id: ID!, $b: CastBallotInput!) { castAppraisalBallot(appraisalId: $id, input: $b) {
    __typename ... on BallotCast { tracker replaced } ... on CommandRefused { rule status }
    ... on CommandInvalid { fields } } }"""
SLIPS = """mutation($id: ID!, $f: SlipFormat!) { issueAppraisalCredentials(appraisalId: $id, format: $f) {
    __typename ... on AppraisalSlips { count html slips { code publicKey qr } } ... on CommandRefused { rule } } }"""
ROUND = """query($id: ID!) { appraisal(id: $id) { id phase entitled credentials issued returned boardHead
    ballotsInBox topUnitIds bottomUnitIds results { unitId name rank rateText satisfied dissatisfied abstained } } }"""
LATEST = """{ oversight(year: 2026) { latestAppraisal { appraisal { id } ranking { unitId rank rate }
    top { unitId } bottom { unitId } rectifications { id kind sourceId unitIds open } } } }"""
# Every field of a round but its board and tally (the public board is where trackers and keys belong).
EVERYTHING = """fragment Everything on Appraisal { id year kind title heldOn phase departments { unitId name }
    dimensions { id name } entitled credentials credentialsDigest issued returned boardHead ballotsInBox voidCause
    results { unitId name satisfied basicallySatisfied dissatisfied unknown abstained rate rateText rank top bottom }
    topUnitIds bottomUnitIds rectifications { id kind sourceId title summary unitIds sentOn due round status } }"""
DUMPS = [f"query($id: ID!) {{ appraisals {{ totalCount nodes {{ ...Everything }} }} appraisal(id: $id) "
         f"{{ ...Everything }} }} {EVERYTHING}",
         f"{{ oversight(year: 2026) {{ latestAppraisal {{ appraisal {{ ...Everything }} ranking {{ unitId rank }} "
         f"top {{ unitId }} bottom {{ unitId }} rectifications {{ id title unitIds }} }} }} }} {EVERYTHING}"]


def public_board_url(sv: SurveysStack, appraisal_id: str = AID, part: str = "board.json") -> str:
    return f"{sv.api.url.removesuffix('/graphql')}/appraisal-boards/{COMMITTEE}/{appraisal_id}/{part}"


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def sv(infra: Endpoints, pg_pool: asyncpg.Pool) -> AsyncIterator[SurveysStack]:
    async with surveys_stack(infra, pg_pool) as stack:
        yield stack


def ballot(slip: dict[str, Any], marks: dict[str, str]) -> dict[str, Any]:
    """What a rater's device sends: the ballot, signed with the slip's code (the code itself never leaves it)."""
    b = Ballot(committee_id=COMMITTEE, appraisal_id=AID, credential=slip["publicKey"],
               marks={u: {"overall": c} for u, c in marks.items()})  # type: ignore[misc]
    return {"ballot": {"committeeId": COMMITTEE, "appraisalId": AID, "credential": slip["publicKey"],
                       "marks": {u: {"overall": c} for u, c in marks.items()}},
            "signature": sign(slip["code"], b)}


async def round_of(sv: SurveysStack, bearer: str = LEADER) -> dict[str, Any]:
    return dict((await sv.api.run(ROUND, {"id": AID}, bearer=bearer)).ok()["appraisal"] or {})


async def test_a_round_through_the_gateway_from_slips_to_the_bottom_three(sv: SurveysStack) -> None:
    opened = await sv.mutate("openAppraisal", "OpenAppraisal", {
        "appraisalId": AID, "year": 2026, "kind": "law_enforcement", "title": "2026年度执纪执法部门民主评议",
        "heldOn": "2026-06-10", "subjects": [{"unitId": u, "name": n} for u, n in UNITS],
        "specialSupervisorIds": SUPERVISORS, "memberIds": MEMBERS}, OFFICE)
    assert opened["__typename"] == "CommandAccepted", opened

    # Only the office prints slips; it gets them once, and never again.
    assert (await sv.api.run(SLIPS, {"id": AID, "f": "json"}, bearer=MEMBER)).codes == ["FORBIDDEN"]
    issued = (await sv.api.run(SLIPS, {"id": AID, "f": "json"}, bearer=OFFICE)).ok()["issueAppraisalCredentials"]
    assert issued["__typename"] == "AppraisalSlips" and issued["count"] == 6 and issued["html"] is None
    slips = issued["slips"]
    again = (await sv.api.run(SLIPS, {"id": AID, "f": "html"}, bearer=OFFICE)).ok()["issueAppraisalCredentials"]
    assert again == {"__typename": "CommandRefused", "rule": "credentials_issued"}

    async def voting() -> dict[str, Any] | None:
        r = await round_of(sv)
        return r if r.get("phase") == "voting" else None

    shown = await wait_until(voting, timeout=20, message="the round is voting in the gateway's view")
    assert shown["credentials"] == 6 and shown["ballotsInBox"] == 0

    # Casting needs no login; a ballot sent with someone's token is forwarded without it all the same.
    receipts = []
    first = (await sv.api.run(CAST, {"id": AID, "b": ballot(slips[4], FIRST_TRY)})).ok()["castAppraisalBallot"]
    assert first["__typename"] == "BallotCast" and first["replaced"] is False
    for i, marks in enumerate(BALLOTS):
        out = (await sv.api.run(CAST, {"id": AID, "b": ballot(slips[i], marks)},
                                bearer=MEMBER if i == 0 else None)).ok()["castAppraisalBallot"]
        assert out["__typename"] == "BallotCast", out
        receipts.append(out["tracker"])
    assert out["replaced"] is True  # the fifth rater corrected their ballot: only the last one counts

    # A forged signature, and a malformed one, are refused.
    forged = ballot(slips[5], BALLOTS[0]) | {"signature": "0" * 128}
    refused = (await sv.api.run(CAST, {"id": AID, "b": forged})).ok()["castAppraisalBallot"]
    assert refused == {"__typename": "CommandRefused", "rule": "bad_signature", "status": 400}
    bad = ballot(slips[5], BALLOTS[0]) | {"signature": "xyz"}
    malformed = (await sv.api.run(CAST, {"id": AID, "b": bad})).ok()["castAppraisalBallot"]
    assert malformed == {"__typename": "CommandInvalid", "fields": ["signature"]}
    assert (await round_of(sv))["ballotsInBox"] == 5

    # Before close there is no board to read, signed in or not.
    early = await sv.api.run("query($id: ID!) { appraisal(id: $id) { board } }", {"id": AID}, bearer=LEADER)
    assert early.codes == ["CONFLICT"], early.errors
    async with httpx.AsyncClient() as anonymous:
        for part in ("board.json", "tally.json"):
            refused_early = await anonymous.get(public_board_url(sv, part=part))
            assert refused_early.status_code == 409, refused_early.text
            assert refused_early.json()["error"]["code"] == "board_not_sealed"

    closed = await sv.mutate("closeAppraisal", "CloseAppraisal", {
        "appraisalId": AID, "issued": 5, "attendeeMemberIds": ["m-zhao", "m-li", "m-zhou", "m-wu", "m-wang"]},
        OFFICE)
    assert closed["__typename"] == "CommandAccepted" and closed["caughtUp"], closed

    r = await round_of(sv, MEMBER)
    assert (r["phase"], r["issued"], r["returned"], r["ballotsInBox"]) == ("closed", 5, 5, None)
    by_unit = {x["unitId"]: x for x in r["results"]}
    # police 5 of 5 satisfied or basically; tax 4 of 5; court 4 of 5; market 2 of 5; traffic 1 of 3 who knew it.
    assert {u: (x["rank"], x["rateText"]) for u, x in by_unit.items()} == {
        "u-police": (1, "1.0000"), "u-tax": (2, "0.8000"), "u-court": (2, "0.8000"), "u-market": (4, "0.4000"),
        "u-traffic": (5, "0.3333")}
    assert (by_unit["u-traffic"]["abstained"], by_unit["u-market"]["dissatisfied"]) == (1, 3)
    assert [x["unitId"] for x in r["results"]] == ["u-police", "u-tax", "u-court", "u-market", "u-traffic"]
    assert r["topUnitIds"] == ["u-police", "u-tax", "u-court"]
    assert r["bottomUnitIds"] == ["u-traffic", "u-market", "u-tax", "u-court"]  # tied third from the bottom

    # The board holds every receipt, and its tally agrees with the announced results.
    read = (await sv.api.run("query($id: ID!) { appraisal(id: $id) { board tally } }", {"id": AID},
                             bearer=MEMBER)).ok()["appraisal"]
    assert sorted(e["tracker"] for e in read["board"]["entries"]) == sorted(receipts)
    assert read["board"]["head"] == r["boardHead"]
    assert read["tally"]["top_unit_ids"] == r["topUnitIds"]

    # An invited representative has no login: with the round's committee and id, anyone reads the sealed board
    # (the very bytes the service published) and its tally, and finds their tracker.
    async with httpx.AsyncClient() as anonymous:
        public = await anonymous.get(public_board_url(sv))
        public_tally = await anonymous.get(public_board_url(sv, part="tally.json"))
        unknown = await anonymous.get(public_board_url(sv, "ap-gw-none"))
        malformed = await anonymous.get(f"{sv.api.url.removesuffix('/graphql')}/appraisal-boards/{COMMITTEE}/"
                                        "a%20b/board.json")
    assert public.status_code == 200, public.text
    assert receipts[3] in {e["tracker"] for e in public.json()["entries"]}
    assert public.json() == read["board"] and public.json()["head"] == r["boardHead"]
    assert public_tally.status_code == 200 and public_tally.json()["bottom_unit_ids"] == r["bottomUnitIds"]
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "appraisal_not_found")
    assert (malformed.status_code, malformed.json()["error"]["fields"]) == (400, ["appraisal_id"])

    # Leadership oversight: the ranking and the bottom three's rectifications, each sent to its department.
    async def latest() -> dict[str, Any] | None:
        found = (await sv.api.run(LATEST, bearer=LEADER)).ok()["oversight"]["latestAppraisal"]
        return found if found and len(found["rectifications"]) == 4 else None

    o = await wait_until(latest, timeout=20, message="the rectifications reached the gateway's view")
    assert o["appraisal"]["id"] == AID
    assert [(x["unitId"], x["rank"]) for x in o["ranking"]] == [
        ("u-police", 1), ("u-tax", 2), ("u-court", 2), ("u-market", 4), ("u-traffic", 5)]
    assert {x["unitId"] for x in o["bottom"]} == {"u-traffic", "u-market", "u-tax", "u-court"}
    assert {(tuple(x["unitIds"]), x["kind"], x["sourceId"], x["open"]) for x in o["rectifications"]} == {
        ((u,), "appraisal_rectification", AID, True) for u in ("u-traffic", "u-market", "u-tax", "u-court")}
    # A member reads the round but not the oversight.
    assert (await sv.api.run(LATEST, bearer=MEMBER)).codes == ["FORBIDDEN"]
    # Once closed, no more ballots.
    late = (await sv.api.run(CAST, {"id": AID, "b": ballot(slips[5], BALLOTS[0])})).ok()["castAppraisalBallot"]
    assert late == {"__typename": "CommandRefused", "rule": "appraisal_closed", "status": 409}

    # ---- nothing the gateway answers or keeps puts a rater beside a ballot ---------------------------------
    secrets = {s["publicKey"] for s in slips} | {s["code"] for s in slips} | set(receipts)
    raters = set(SUPERVISORS) | set(MEMBERS) | {"m-chair"}
    answers = [(await sv.api.run(q, {"id": AID}, bearer=LEADER)).ok() for q in DUMPS]
    assert answers[0]["appraisals"]["totalCount"] >= 1 and answers[1]["oversight"]["latestAppraisal"]
    rows = await sv.gateway.pool.fetch(
        f"SELECT to_jsonb(a)::text AS row FROM {sv.gateway.config.schema}.appraisals a WHERE committee_id = $1",
        COMMITTEE)
    kept = [r["row"] for r in rows]
    assert any(m in row for row in kept for m in MEMBERS), "the view names the raters: the search means something"
    for where, text in [*((f"GraphQL answer {i}", json.dumps(a, ensure_ascii=False)) for i, a in enumerate(answers)),
                        *((f"view row {i}", row) for i, row in enumerate(kept))]:
        leaked = sorted(k[:12] for k in secrets if k in text)
        assert not leaked, f"{where} carries a credential, slip code or tracker: {leaked}"
    # The public board carries the trackers and the keys, and names no member.
    board_text = public.text
    assert all(t in board_text for t in receipts) and all(s["publicKey"] in board_text for s in slips)
    assert not any(m in board_text for m in raters) and not any(s["code"] in board_text for s in slips)


async def test_the_printable_page_carries_every_slip_and_is_not_kept(sv: SurveysStack) -> None:
    aid = "ap-gw-print"
    opened = await sv.mutate("openAppraisal", "OpenAppraisal", {
        "appraisalId": aid, "year": 2026, "kind": "service_windows", "title": "窗口行业民主评议",
        "heldOn": "2026-06-11", "subjects": [{"unitId": "u-permits", "name": "县政务服务中心"}],
        "memberIds": MEMBERS, "invitedRepresentatives": 3}, OFFICE)
    assert opened["__typename"] == "CommandAccepted", opened
    async with httpx.AsyncClient() as client:
        response = await client.post(sv.api.url, json={"query": SLIPS, "variables": {"id": aid, "f": "html"}},
                                     headers={"Authorization": f"Bearer {OFFICE}"})
    assert response.headers["cache-control"] == "no-store"
    page = response.json()["data"]["issueAppraisalCredentials"]
    assert page["count"] == 7 and page["html"].count("<svg") == 7 and "窗口行业民主评议" in page["html"]
