"""The surveys routes reader: a ballot and an anonymous response leave the gateway with no login, whatever the
caller sent; the slips' answer is handed back as it came and kept nowhere; a refusal keeps the service's rule."""

from __future__ import annotations

import httpx

from gateway.read.surveys_routes import SurveysReader

BALLOT = {"ballot": {"committeeId": "c-1"}, "signature": "ab"}


def reader_seeing(seen: list[httpx.Request], answer: httpx.Response) -> SurveysReader:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer

    return SurveysReader(httpx.AsyncClient(transport=httpx.MockTransport(handle)), "http://surveys.test")


async def test_a_ballot_and_an_anonymous_response_carry_no_authorization() -> None:
    seen: list[httpx.Request] = []
    reader = reader_seeing(seen, httpx.Response(200, json={"tracker": "t", "replaced": False}))
    cast = await reader.cast_ballot("ap 1/x", BALLOT)
    await reader.submit_anonymous("c-1", "q-1", {"ticket": "t" * 30, "answers": []})
    assert cast.ok and cast.body == {"tracker": "t", "replaced": False}
    assert [r.url.raw_path.decode() for r in seen] == ["/appraisals/ap%201%2Fx/ballots",
                                                       "/questionnaire-responses/c-1/q-1"]
    assert all("authorization" not in r.headers for r in seen)


async def test_the_slips_come_back_as_answered_and_a_second_issue_is_the_services_refusal() -> None:
    seen: list[httpx.Request] = []
    page = "<html><div class=\"slip\">…</div></html>"
    reader = reader_seeing(seen, httpx.Response(200, text=page, headers={"Cache-Control": "no-store"}))
    first = await reader.issue_credentials("tok", "ap-1", html=True)
    assert first.ok and first.text == page
    assert seen[0].headers["authorization"] == "Bearer tok" and seen[0].headers["accept"] == "text/html"
    refused = reader_seeing([], httpx.Response(409, json={"error": {"code": "credentials_issued", "message": "no"}}))
    again = await refused.issue_credentials("tok", "ap-1", html=True)
    assert (again.ok, again.status, again.error["code"], again.text) == (False, 409, "credentials_issued", "")
