"""A member's year through the running service: meetings and visits by command, proposals and surveys
events from Kafka, points in the ledger, the scorecard read model, and the public topic."""

from __future__ import annotations

import json
from typing import Any

from aiokafka import AIOKafkaProducer

from contracts.envelope import EventEnvelope, Role
from eventstore.kafka_access import KafkaAccess
from members.tests.builders import envelope
from members.tests.conftest import COMMITTEE, Client, MembersHost, member_body, token
from yizheng.testing.topic_reader import TopicReader
from yizheng.testing.wait import WaitUntil

WANG = token(Role.member, member_id="m-wang")
ZHAO = token(Role.member, member_id="m-zhao")


async def _publish(bootstrap: KafkaAccess, topic: str, *events: EventEnvelope) -> None:
    producer = AIOKafkaProducer(**bootstrap.client_kwargs(), acks="all")
    await producer.start()
    try:
        for e in events:
            await producer.send_and_wait(topic, json.dumps(e.model_dump(mode="json"), ensure_ascii=False).encode(),
                                         key=e.stream_id.encode())
    finally:
        await producer.stop()


async def _card(client: Client, member_id: str, headers: dict[str, str] | None = None) -> dict[str, Any] | None:
    response = await client.get(f"/scorecards/2025/{member_id}", headers)
    return response.json() if response.status_code == 200 else None


async def _setup_members(client: Client) -> None:
    await client.command("publish-rulebook", {"year": 2025, "note": "默认规则"})
    await client.command("register-member", member_body("m-wang", "王芳", contact={"phone": "13800138000"}))
    await client.command("register-member", member_body("m-zhao", "赵强"))
    await client.command("register-member", member_body("m-chair", "李主席", standing_committee=True,
                                                        chair_role="vice_chair"))


async def test_a_members_year_from_three_services_to_a_graded_scorecard(
        client: Client, host: MembersHost, kafka_bootstrap: KafkaAccess, topic_prefix: str,
        wait_until: WaitUntil) -> None:
    await _setup_members(client)
    scheduled = await client.command("schedule-meeting", {
        "meeting_id": "plenary-2025", "kind": "plenary", "title": "县政协十六届四次会议",
        "starts_at": "2025-12-20T09:00:00+08:00", "ends_at": "2025-12-20T17:00:00+08:00"})
    code = scheduled["result"]["check_in_code"]
    await client.command("invite-to-meeting", {"meeting_id": "plenary-2025", "member_ids": ["m-wang", "m-zhao"]})
    await client.command("check-in", {"meeting_id": "plenary-2025", "code": "000000" if code != "000000" else "1"},
                         headers=WANG, expect=422)
    await client.command("check-in", {"meeting_id": "plenary-2025", "code": code}, headers=WANG)
    closed = await client.command("close-attendance", {"meeting_id": "plenary-2025"})
    assert len(closed["event_ids"]) == 2, "赵强 recorded absent, then the roll closed"
    await client.command("log-visit", {
        "visit_id": "v-1", "kind": "member_visits_sector", "visitor_member_id": "m-wang",
        "visited_sector": "education", "visited_on": "2025-10-08", "roles": ["policy_explainer", "service_provider"],
        "people_reached": 30, "issues_heard": ["乡村学校缺音乐教师"]}, headers=WANG)

    accepted = envelope("proposal-accepted", {
        "proposal_id": "p-7", "number": "2025-007", "year": 2025, "sequence": 7, "category": "culture",
        "submitter_kind": "joint", "lead_member_id": "m-wang", "cosigner_member_ids": ["m-zhao"], "reason": "立案"},
        stream_id="proposal-county-a-p-7", committee=COMMITTEE)
    inspected = envelope("research-participation-recorded", {
        "activity_id": "ins-3", "kind": "inspection", "title": "义务教育均衡发展视察", "held_on": "2025-09-12",
        "member_ids": ["m-wang"]}, committee=COMMITTEE)
    # The proposal's acceptance arrives twice (at-least-once delivery): it must score once.
    await _publish(kafka_bootstrap, f"{topic_prefix}proposals.internal", accepted, accepted)
    await _publish(kafka_bootstrap, f"{topic_prefix}surveys.internal", inspected)

    # By hand: 王芳 70 base + 15 (lead, p-7) + 2 (inspection) + 2 (visit); present at the plenary: 89.
    #          赵强 70 base + 3 (co-signer, p-7) - 30 (absent from the plenary without leave): 43.
    wang = await wait_until(lambda: _total_is(client, "m-wang", 89), message="王芳's card at 89")
    await wait_until(lambda: _total_is(client, "m-zhao", 43), message="赵强's card at 43")
    assert sorted((i["rule"], i["points"], i["source_event_type"]) for i in wang["items"]) == [
        ("base", 70, "member-registered"), ("proposal.accepted", 15, "proposal-accepted"),
        ("research.inspection", 2, "research-participation-recorded"), ("visit.logged", 2, "visit-logged")]
    [proposal_item] = [i for i in wang["items"] if i["rule"] == "proposal.accepted"]
    assert proposal_item["source_event_id"] == str(accepted.event_id)
    assert [c.name for c in host.consumers] == [f"{topic_prefix}members-duty-facts"]
    assert await host.pool.fetchval(f"SELECT count(*) FROM {host.store.schema}.inbox") == 2, "the duplicate is skipped"

    await client.command("grade-year", {"year": 2025})
    graded = await wait_until(lambda: _graded(client, "m-wang"), message="王芳 graded")
    assert (graded["grade"], graded["graded_total"]) == ("good", 89)
    zhao = await wait_until(lambda: _graded(client, "m-zhao"), message="赵强 graded")
    assert zhao["grade"] == "incompetent"

    ranking = (await client.get("/scorecards/2025", token(Role.leadership))).json()["members"]
    assert [(r["member_id"], r["total"]) for r in ranking] == [("m-wang", 89), ("m-chair", 70), ("m-zhao", 43)]
    assert (await client.get("/scorecards/2025/m-wang", ZHAO)).status_code == 403, "members see their own card"
    assert (await client.get("/scorecards/2025/m-wang", WANG)).status_code == 200

    async with TopicReader(kafka_bootstrap, f"{topic_prefix}members.internal") as reader:
        records = await reader.until(lambda rs: any(json.loads(r.value or b"{}")["type"] == "member-graded"
                                                    and json.loads(r.value or b"{}")["data"]["member_id"] == "m-zhao"
                                                    for r in rs), message="member-graded on the public topic")
    bodies = [json.loads(r.value or b"{}") for r in records]
    awarded = [b["data"] for b in bodies if b["type"] == "duty-points-awarded" and b["data"]["member_id"] == "m-wang"]
    assert {(a["rule"], a["points"], a["source_event_type"]) for a in awarded} >= {
        ("proposal.accepted", 15, "proposal-accepted")}
    assert all("13800138000" not in (r.value or b"").decode() for r in records), "no phone number is published"
    assert all("check_in_code" not in (r.value or b"").decode() and code not in json.dumps(b["data"])
               for r, b in zip(records, bodies, strict=True) if b["type"].startswith("meeting"))


async def _total_is(client: Client, member_id: str, total: int) -> dict[str, Any] | None:
    card = await _card(client, member_id)
    return card if card is not None and card["total"] == total else None


async def _graded(client: Client, member_id: str) -> dict[str, Any] | None:
    card = await _card(client, member_id)
    return card if card is not None and card["grade"] is not None else None
