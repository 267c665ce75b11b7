"""The registry beyond members (organizations, units and staff, liaison contacts), status over time, and
the visit plan's progress as leadership reads it."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Role
from members.tests.conftest import Client, MembersHost, member_body, token
from yizheng.testing.wait import WaitUntil

CHAIR = token(Role.member, member_id="m-chair")


async def test_organizations_units_and_liaison_contacts_keep_phones_private(client: Client,
                                                                          host: MembersHost) -> None:
    await client.command("register-member", member_body("m-wang", "王芳", sector="democratic_league"))
    await client.command("register-organization", {"organization_id": "org-mm", "name": "民盟县委会",
                                                   "kind": "democratic_party", "sector": "democratic_league"})
    await client.command("add-organization-member", {"organization_id": "org-mm", "member_id": "m-wang",
                                                     "position": "主委"})
    again = await client.command("add-organization-member", {"organization_id": "org-mm", "member_id": "m-wang"},
                                 expect=422)
    assert again["error"]["code"] == "already_a_member"
    await client.command("register-unit", {"unit_id": "u-edu", "name": "县教育局"})
    await client.command("add-unit-staff", {"unit_id": "u-edu", "staff_id": "edu-liu", "name": "刘老师",
                                            "is_liaison": True, "phone": "13900001111"})
    refused = await client.command("add-liaison-contact", {"contact_id": "c-1", "kind": "member_enterprise",
                                                           "name": "某某科技有限公司"}, expect=422)
    assert refused["error"]["code"] == "enterprise_needs_member"
    await client.command("add-liaison-contact", {"contact_id": "c-2", "kind": "hometown_talent", "name": "陈先生",
                                                 "based_in": "深圳", "phone": "13700002222", "address": "深圳市南山区"})
    rows = await host.pool.fetch(f"SELECT data::text AS data FROM {host.store.schema}.events")
    texts = [r["data"] for r in rows]
    assert all("13900001111" not in t and "13700002222" not in t and "南山区" not in t for t in texts)
    stored = await host.pool.fetch(f"SELECT kind, person_id, phone FROM {host.store.schema}.person_contacts "
                                      "ORDER BY kind")
    assert [tuple(r) for r in stored] == [("liaison_contact", "c-2", "13700002222"),
                                          ("unit_staff", "edu-liu", "13900001111")]


async def test_status_changes_are_kept_in_date_order_and_a_departure_is_final(client: Client) -> None:
    await client.command("register-member", member_body("m-wang", "王芳"))
    await client.command("change-member-status", {"member_id": "m-wang", "status": "suspended",
                                                  "effective_on": "2024-05-01", "reason": "外出学习"})
    earlier = await client.command("change-member-status", {"member_id": "m-wang", "status": "active",
                                                            "effective_on": "2024-04-01"}, expect=422)
    assert earlier["error"]["code"] == "effective_before_last_change"
    await client.command("change-member-status", {"member_id": "m-wang", "status": "resigned",
                                                  "effective_on": "2024-09-01"})
    final = await client.command("change-member-status", {"member_id": "m-wang", "status": "active",
                                                          "effective_on": "2024-10-01"}, expect=422)
    assert final["error"]["code"] == "status_final"
    invite = await client.command("record-training", {"training_id": "t-1", "kind": "theory_study", "title": "学习",
                                                      "held_on": "2025-03-01", "member_ids": ["m-wang"]}, expect=422)
    assert invite["error"]["code"] == "member_not_active"


async def test_leadership_reads_the_visit_plan_progress(client: Client, wait_until: WaitUntil) -> None:
    await client.command("register-member", member_body("m-chair", "李主席", sector="cpc", standing_committee=True,
                                                        chair_role="chair"))
    await client.command("register-member", member_body("m-a", "周一"))
    await client.command("register-member", member_body("m-b", "吴二"))
    await client.command("set-visit-plan", {"year": 2025, "sector_visits_per_member": 1,
                                            "pairings": {"m-chair": ["m-a", "m-b"]}})
    bad = await client.command("set-visit-plan", {"year": 2025, "pairings": {"m-a": ["m-b"]}}, expect=422)
    assert bad["error"]["code"] == "pairing_needs_chair_member"
    await client.command("log-visit", {
        "visit_id": "v-1", "kind": "chair_visits_member", "visitor_member_id": "m-chair",
        "visited_member_ids": ["m-a"], "visited_on": "2025-04-02", "township_id": "chengguan",
        "roles": ["grassroots_investigator", "policy_explainer", "service_provider"], "people_reached": 1,
        "issues_heard": ["村卫生室缺医生"], "follow_up": "形成社情民意信息"}, headers=CHAIR)
    await client.command("link-visit-outcome", {"visit_id": "v-1", "outcome_kind": "opinion_report",
                                                "outcome_id": "r-42"}, headers=CHAIR)
    await client.command("link-visit-outcome", {"visit_id": "v-1", "outcome_kind": "opinion_report",
                                                "outcome_id": "r-42"}, headers=token(Role.member, member_id="m-a"),
                         expect=403)

    async def progress() -> dict[str, Any] | None:
        response = await client.get("/visit-plans/2025/progress", token(Role.leadership))
        body: dict[str, Any] = response.json()
        return body if response.status_code == 200 and body["grassroots_visited"] == 1 else None

    body = await wait_until(progress, message="the plan's progress")
    assert (body["grassroots_total"], body["grassroots_not_visited"], body["pairings_done"]) == (2, ["m-b"], 1)
    assert body["plan_version"] == 1
    assert (await client.get("/visit-plans/2025/progress", token(Role.member, member_id="m-a"))).status_code == 403
