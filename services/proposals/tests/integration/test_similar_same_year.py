"""Reviewers looking for proposals to merge (并案): for a proposal under review, the service offers the same
year's submitted proposals most like it beside the earlier years' reviewed ones — never a draft, a withdrawn
proposal, the proposal itself or another committee's."""

from __future__ import annotations

from datetime import date
from typing import Any

from yizheng.testing.command_client import token

from ..flows import ZHANG, accepted, draft_body, submitted
from ..integration_kit import OTHER_COMMITTEE, Api, FakeClock
from ..kit import OFFICE, member

WATER = "关于保障农村饮用水安全的建议"


async def similar(api: Api, proposal_id: str, bearer: str, **params: str) -> tuple[int, dict[str, Any]]:
    response = await api.http.get(f"/proposals/{proposal_id}/similar", params=params,
                                  headers={"Authorization": f"Bearer {bearer}"})
    return response.status_code, response.json()


async def test_the_office_sees_this_years_like_proposals_to_merge_and_earlier_years_reviewed_ones(
        api: Api, clock: FakeClock) -> None:
    clock.set(date(2025, 3, 3))
    last_year = await accepted(api, "关于加强农村饮用水安全保障的建议")
    clock.set(date(2026, 3, 2))
    under_review = await submitted(api, WATER)
    twin = (await api.do("draft-proposal", draft_body("关于农村饮用水安全问题的建议"), member("m-li")))["proposal_id"]
    await api.do("submit-proposal", {"proposal_id": twin}, member("m-li"))
    await api.do("draft-proposal", draft_body("关于农村饮用水安全的建议（草稿）"), ZHANG)  # a draft: not offered
    withdrawn = await submitted(api, "关于改善农村饮用水安全的建议")
    await api.do("withdraw-proposal", {"proposal_id": withdrawn, "reason": "重复提交"}, ZHANG)
    unrelated = await submitted(api, "关于发展县域全域旅游的建议", case="旅游资源丰富但开发不足",
                                analysis="缺少精品线路", suggestions=["打造精品线路"])
    await api.caught_up()

    status, found = await similar(api, under_review, token(OFFICE))
    assert status == 200, found
    assert [s["proposal_id"] for s in found["same_year"]] == [twin]
    assert found["same_year"][0]["year"] == 2026 and found["same_year"][0]["score"] > 0.3
    assert [s["proposal_id"] for s in found["earlier_years"]] == [last_year]
    assert unrelated not in {s["proposal_id"] for s in found["same_year"]}

    status, earlier_only = await similar(api, under_review, token(OFFICE), same_year="false")
    assert status == 200 and earlier_only["same_year"] == [] and len(earlier_only["earlier_years"]) == 1


async def test_only_reviewers_ask_and_only_about_their_committees_submitted_proposals(api: Api) -> None:
    pid = await submitted(api, WATER)
    draft = (await api.do("draft-proposal", draft_body(WATER), ZHANG))["proposal_id"]
    await api.caught_up()
    status, body = await similar(api, pid, token(ZHANG))
    assert (status, body["error"]["code"]) == (403, "not_authorized")
    status, body = await similar(api, pid, token(OFFICE, committee=OTHER_COMMITTEE))
    assert (status, body["error"]["code"]) == (404, "not_found")
    status, body = await similar(api, draft, token(OFFICE))
    assert (status, body["error"]["code"]) == (404, "not_found")
    status, body = await similar(api, pid, token(OFFICE), same_year="maybe")
    assert (status, body["error"]["fields"]) == (400, ["same_year"])
    status, body = await similar(api, "no such id", token(OFFICE))
    assert (status, body["error"]["fields"]) == (400, ["proposal_id"])
