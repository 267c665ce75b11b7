"""Solicitation windows and what the HTTP API promises its callers (idempotent retries, plain refusals)."""

from __future__ import annotations

from datetime import date

from proposals import streams

from ..flows import ZHANG, draft_body
from ..integration_kit import COMMITTEE, Api, FakeClock, ProposalsService, event_types, token
from ..kit import OFFICE

SOLICITATION = {
    "year": 2027, "title": "县政协十届二次会议提案征集参考要目", "opens_on": "2026-12-01", "closes_on": "2027-01-15",
    "topics": [{"title": "县域经济高质量发展", "category": "economy"},
               {"title": "农村人居环境整治", "category": "ecology", "description": "垃圾、污水、厕所革命"}],
}


async def test_proposals_answer_a_solicitation_within_its_window(api: Api, service: ProposalsService,
                                                                 clock: FakeClock) -> None:
    clock.set(date(2026, 11, 20))
    sid = (await api.do("publish-solicitation", SOLICITATION, OFFICE))["solicitation_id"]
    await api.refused("draft-proposal", draft_body(solicitation_id=sid, reference_topic="教育"), ZHANG,
                      "unknown_reference_topic")
    await api.refused("draft-proposal", draft_body(solicitation_id="no-such"), ZHANG, "solicitation_not_found")
    pid = (await api.do("draft-proposal", draft_body(solicitation_id=sid, reference_topic="农村人居环境整治"),
                        ZHANG))["proposal_id"]
    await api.refused("submit-proposal", {"proposal_id": pid}, ZHANG, "outside_submission_window")
    clock.set(date(2026, 12, 3))
    submitted = await api.do("submit-proposal", {"proposal_id": pid}, ZHANG)
    assert submitted["year"] == 2027, "a proposal for next year's session belongs to that year"
    accepted = await api.do("accept-proposal", {"proposal_id": pid, "reason": "立案"}, OFFICE)
    assert accepted["number"] == "2027-001"


async def test_a_retried_command_with_the_same_idempotency_key_acts_once(api: Api, service: ProposalsService) -> None:
    headers = {"Authorization": f"Bearer {token(ZHANG)}", "Idempotency-Key": "draft-zhang-001"}
    first = await api.http.post("/commands/draft-proposal", json=draft_body(), headers=headers)
    again = await api.http.post("/commands/draft-proposal", json=draft_body(), headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replay") == "true"
    pid = first.json()["result"]["proposal_id"]
    assert again.json()["result"]["proposal_id"] == pid
    assert await event_types(service, streams.proposal(COMMITTEE, pid)) == ["proposal-drafted"]


async def test_malformed_and_unauthenticated_commands_are_turned_away(api: Api) -> None:
    no_token = await api.http.post("/commands/draft-proposal", json=draft_body())
    assert no_token.status_code == 401
    bad = await api.http.post("/commands/assign-proposal", json={"proposal_id": "p", "mode": "separate"},
                              headers={"Authorization": f"Bearer {token(OFFICE)}"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_command"
