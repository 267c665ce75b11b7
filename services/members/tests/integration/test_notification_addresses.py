"""Where notifications go: the office keeps members' and unit staff's emails with their private contact data;
only the notify service's account reads them back, and then only email and mobile — never an ID number or a
postal address, never another committee's people, and never in an event."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.access import NOTIFY_ACCOUNT
from contracts.envelope import Role
from members.tests.conftest import OFFICE, Client, MembersHost, member_body, token

NOTIFY = token(Role.service, subject=NOTIFY_ACCOUNT)
WANG_CONTACT = {"phone": "138 0013 8000", "email": " Wang.Fang@Example.CN ", "id_number": "11010519491231002X",
                "address": "城关镇人民路1号"}


async def _register(client: Client) -> None:
    await client.command("register-member", member_body("m-wang", "王芳", contact=WANG_CONTACT))
    await client.command("register-member", member_body("m-li", "李明", contact={"phone": "0571-88001234"}))
    await client.command("register-member", member_body("m-zhao", "赵强"))
    await client.command("register-unit", {"unit_id": "u-edu", "name": "县教育局"})
    await client.command("add-unit-staff", {"unit_id": "u-edu", "staff_id": "edu-chen", "name": "陈科长",
                                            "email": "chen@jyj.example.cn"})
    await client.command("add-unit-staff", {"unit_id": "u-edu", "staff_id": "edu-liu", "name": "刘老师",
                                            "is_liaison": True, "phone": "13900001111", "email": "liu@jyj.example.cn"})
    await client.command("add-unit-staff", {"unit_id": "u-edu", "staff_id": "edu-he", "name": "何干事"})


async def _addresses(client: Client, query: str, headers: dict[str, str] = NOTIFY) -> dict[str, Any]:
    response = await client.get(f"/notification-addresses?{query}", headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_the_office_keeps_a_members_email_and_sees_it_with_the_contact_data(client: Client) -> None:
    await _register(client)
    seen = (await client.get("/members/m-wang/contact")).json()
    assert seen == {"phone": "13800138000", "id_number": "11010519491231002X", "address": "城关镇人民路1号",
                    "email": "Wang.Fang@example.cn"}
    await client.command("update-member", {"member_id": "m-li", "contact": {"email": "li.ming@example.cn"}})
    assert (await client.get("/members/m-li/contact")).json() == {
        "phone": "0571-88001234", "id_number": None, "address": None, "email": "li.ming@example.cn"}


@pytest.mark.parametrize(("email", "why"), [("wang.example.cn", "no @"), ("wang@localhost", "one label"),
                                            ("王芳@example.cn", "not ASCII"), ("a..b@example.cn", "two dots"),
                                            ("x" * 65 + "@example.cn", "local part too long"),
                                            ("a@" + "b" * 250 + ".cn", "too long")])
async def test_a_malformed_email_is_refused_naming_the_field_and_nothing_is_stored(
        client: Client, host: MembersHost, email: str, why: str) -> None:
    refused = await client.command("register-member", member_body("m-wang", "王芳", contact={"email": email}),
                                   expect=400)
    assert refused["error"]["fields"] == ["contact.email"], (why, refused)
    await client.command("register-unit", {"unit_id": "u-edu", "name": "县教育局"})
    refused = await client.command("add-unit-staff", {"unit_id": "u-edu", "staff_id": "s-1", "name": "刘老师",
                                                      "email": email}, expect=400)
    assert refused["error"]["fields"] == ["email"], (why, refused)
    assert await host.pool.fetchval(f"SELECT count(*) FROM {host.store.schema}.member_contacts") == 0
    assert await host.pool.fetchval(f"SELECT count(*) FROM {host.store.schema}.person_contacts") == 0


async def test_the_notify_service_reads_email_and_mobile_only(client: Client, host: MembersHost) -> None:
    await _register(client)
    body = await _addresses(client, "member_id=m-wang&member_id=m-li&member_id=m-zhao&member_id=m-nobody"
                                    "&unit_id=u-edu&unit_id=u-none")
    assert body == {
        "members": {"m-wang": {"email": "Wang.Fang@example.cn", "mobile": "13800138000"},
                    "m-li": None,  # a landline takes no SMS and there is no email: nothing to notify at
                    "m-zhao": None, "m-nobody": None},
        "units": {"u-edu": [{"staff_id": "edu-liu", "liaison": True, "email": "liu@jyj.example.cn",
                             "mobile": "13900001111"},
                            {"staff_id": "edu-chen", "liaison": False, "email": "chen@jyj.example.cn",
                             "mobile": None}],
                  "u-none": []}}
    events = [r["data"] for r in await host.pool.fetch(f"SELECT data::text AS data FROM {host.store.schema}.events")]
    for private in ("13800138000", "138 0013 8000", "Wang.Fang", "wang.fang", "liu@jyj", "chen@jyj",
                    "11010519491231002X", "人民路"):
        assert not [e for e in events if private in e], f"{private} is in an event"


async def test_no_one_else_reads_notification_addresses(client: Client) -> None:
    await _register(client)
    for headers in (token(Role.service, subject="svc-proposals"), token(Role.service),
                    token(Role.member, member_id="m-wang"), OFFICE, token(Role.admin), token(Role.leadership),
                    token(Role.unit_staff, unit_id="u-edu")):
        refused = await client.get("/notification-addresses?member_id=m-wang", headers)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_authorized"
        assert "Wang" not in refused.text and "138" not in refused.text
    assert (await client.get("/notification-addresses?member_id=m-wang", {})).status_code == 401


async def test_another_committees_members_read_as_unknown(client: Client) -> None:
    await _register(client)
    elsewhere = token(Role.service, committee="county-b", subject=NOTIFY_ACCOUNT)
    answer = await _addresses(client, "member_id=m-wang&unit_id=u-edu", elsewhere)
    unknown = await _addresses(client, "member_id=m-nobody&unit_id=u-nobody")
    assert answer == {"members": {"m-wang": None}, "units": {"u-edu": []}}
    assert unknown == {"members": {"m-nobody": None}, "units": {"u-nobody": []}}
    # The office's contact view: a 404 either way, the same words but for the id asked.
    other, missing = (await client.get("/members/m-wang/contact", token(Role.office_staff, committee="county-b")),
                      await client.get("/members/m-nobody/contact"))
    assert other.status_code == missing.status_code == 404
    assert other.json()["error"]["code"] == missing.json()["error"]["code"]


async def test_a_malformed_query_is_refused_naming_the_parameter(client: Client) -> None:
    refused = await client.get("/notification-addresses?member_id=m%20wang", NOTIFY)
    assert refused.status_code == 400 and refused.json()["error"]["fields"] == ["member_id"]
    many = "&".join(f"unit_id=u-{i}" for i in range(1_001))
    refused = await client.get(f"/notification-addresses?{many}", NOTIFY)
    assert refused.status_code == 400 and refused.json()["error"]["fields"] == ["member_id", "unit_id"]
