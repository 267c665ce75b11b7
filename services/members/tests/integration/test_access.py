"""Who may do what: office staff manage, a member acts for themself, leadership reads, and no one reaches
another committee's records. Refusals name the broken rule."""

from __future__ import annotations

from contracts.envelope import Role
from members.tests.conftest import Client, member_body, token
from yizheng.testing.wait import WaitUntil

WANG = token(Role.member, member_id="m-wang")
LEADER = token(Role.leadership)
OTHER_COUNTY = token(Role.office_staff, committee="county-b")
SERVICE = token(Role.service, subject="svc-proposals")


async def _register(client: Client) -> None:
    await client.command("register-member", member_body("m-wang", "王芳"))
    await client.command("register-member", member_body("m-li", "李明", sector="economy"))


async def test_members_and_leadership_cannot_manage_the_registry(client: Client) -> None:
    for headers in (WANG, LEADER):
        refused = await client.command("register-member", member_body("m-x", "某某"), headers=headers, expect=403)
        assert refused["error"]["code"] == "not_authorized"
    await client.command("register-member", member_body("m-x", "某某"), headers={}, expect=401)


async def test_a_member_logs_their_own_visits_only(client: Client) -> None:
    await _register(client)
    visit = {"visit_id": "v-9", "kind": "member_visits_sector", "visitor_member_id": "m-li",
             "visited_sector": "economy", "visited_on": "2025-06-01", "roles": ["grassroots_investigator"],
             "people_reached": 5}
    await client.command("log-visit", visit, headers=WANG, expect=403)
    wrong_sector = await client.command("log-visit", {**visit, "visitor_member_id": "m-wang", "visit_id": "v-10"},
                                        headers=WANG, expect=422)
    assert wrong_sector["error"]["code"] == "not_own_sector" and wrong_sector["error"]["fields"] == ["visited_sector"]
    chair_only = await client.command("log-visit", {**visit, "visitor_member_id": "m-wang", "visit_id": "v-11",
                                                    "kind": "chair_visits_member", "visited_member_ids": ["m-li"]},
                                      headers=WANG, expect=422)
    assert chair_only["error"]["code"] == "visitor_not_chair_meeting_member"
    done = await client.command("log-visit", {**visit, "visitor_member_id": "m-wang", "visit_id": "v-12",
                                              "visited_sector": "education"}, headers=WANG)
    assert done["stream_id"] == "visit-county-a-v-12" and done["positions"] and done["checkpoint"]


async def test_another_committee_sees_none_of_these_members(client: Client) -> None:
    await _register(client)
    refused = await client.command("update-member", {"member_id": "m-wang", "township_id": "t-1"},
                                   headers=OTHER_COUNTY, expect=422)
    assert refused["error"]["code"] == "unknown_member"
    refused = await client.command("record-charity", {"charity_id": "c-1", "kind": "school_donation",
                                                      "title": "捐资助学", "done_on": "2025-05-01",
                                                      "member_ids": ["m-wang"]}, headers=OTHER_COUNTY, expect=422)
    assert refused["error"]["code"] == "unknown_member"
    assert (await client.get("/members/m-wang/contact", OTHER_COUNTY)).status_code == 404


async def test_contact_data_is_for_office_staff_and_the_member(client: Client) -> None:
    await client.command("register-member", member_body("m-wang", "王芳", contact={"phone": "0571-88001234"}))
    assert (await client.get("/members/m-wang/contact", WANG)).json()["phone"] == "0571-88001234"
    assert (await client.get("/members/m-wang/contact", LEADER)).status_code == 403
    assert (await client.get("/members/m-wang/contact", token(Role.member, member_id="m-li"))).status_code == 403


async def test_scorecards_follow_the_gateways_policy_for_a_service_account_too(
        client: Client, wait_until: WaitUntil) -> None:
    await client.command("publish-rulebook", {"year": 2025, "note": "默认规则"})
    await _register(client)

    async def both_scored() -> bool:
        codes = [(await client.get(f"/scorecards/2025/{m}")).status_code for m in ("m-wang", "m-li")]
        return codes == [200, 200]

    await wait_until(both_scored, timeout=30, message="both members' cards (the base points) in the read model")
    for path in ("/scorecards/2025", "/scorecards/2025/m-wang", "/visit-plans/2025/progress"):
        refused = await client.get(path, SERVICE)
        assert refused.status_code == 403, f"a service token reads {path}"
        assert refused.json()["error"]["code"] == "not_authorized"
    for headers in (LEADER, token(Role.office_staff), token(Role.admin)):
        ranking = (await client.get("/scorecards/2025", headers)).json()["members"]
        assert {r["member_id"] for r in ranking} == {"m-wang", "m-li"}
        assert (await client.get("/scorecards/2025/m-li", headers)).json()["total"] == 70
    assert (await client.get("/scorecards/2025/m-wang", WANG)).json()["member_id"] == "m-wang"
    assert (await client.get("/scorecards/2025/m-li", WANG)).status_code == 403, "a member sees their own card"
    assert (await client.get("/scorecards/2025", WANG)).status_code == 403
    assert (await client.get("/scorecards/2025/m-wang", token(Role.unit_staff, unit_id="U1"))).status_code == 403


async def test_a_service_account_reads_no_contact_data(client: Client) -> None:
    await client.command("register-member", member_body("m-wang", "王芳", contact={"phone": "0571-88001234"}))
    assert (await client.get("/members/m-wang/contact", SERVICE)).status_code == 403
    assert (await client.get("/members/m-wang/contact", token(Role.admin))).json()["phone"] == "0571-88001234"


async def test_the_openapi_document_lists_every_command(client: Client) -> None:
    document = (await client.get("/openapi.json")).json()
    assert {"/commands/register-member", "/commands/log-visit", "/commands/check-in", "/commands/rescore-year",
            "/commands/import-roster", "/commands/publish-rulebook"} <= set(document["paths"])
