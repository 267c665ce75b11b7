"""End to end through the real services: the proposals and members services (their own composition roots,
stores, relays and consumers) on a topic prefix of their own, the gateway in front of them. Every step
goes through a GraphQL mutation, and what it did is read back through the gateway's views."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from contracts.clock import local_date
from contracts.envelope import Role
from gateway.app import Gateway
from gateway.tests.harness import Api, token
from gateway.tests.integration.test_live import Subscriber, subscribed
from runtime.service_host import ServiceHost
from yizheng.infra import Endpoints
from yizheng.testing.platform import in_process_platform
from yizheng.testing.wait import wait_until

OUTCOME = """__typename
  ... on CommandAccepted { result caughtUp eventIds replayed }
  ... on CommandRefused { rule status message }
  ... on CommandInvalid { message fields }"""


@dataclass
class Services:
    api: Api
    gateway: Gateway
    proposals: ServiceHost[Any]
    members: ServiceHost[Any]
    committee: str

    async def do(self, command: str, body: dict[str, Any], bearer: str, *, key: str | None = None) -> dict[str, Any]:
        input_type = command[:1].upper() + command[1:] + "Input"
        query = (f"mutation M($input: {input_type}!, $key: String) {{ {command}(input: $input, idempotencyKey: $key) "
                 f"{{ {OUTCOME} }} }}")
        result = await self.api.run(query, {"input": body, "key": key}, bearer=bearer)
        out: dict[str, Any] = result.ok()[command]
        return out

    async def ok(self, command: str, body: dict[str, Any], bearer: str) -> dict[str, Any]:
        out = await self.do(command, body, bearer)
        assert out["__typename"] == "CommandAccepted", out
        assert out["caughtUp"] is True, f"{command}: the views did not catch up"
        result: dict[str, Any] = out["result"]
        return result

    async def read(self, query: str, bearer: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        return (await self.api.run(query, variables, bearer=bearer)).ok()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def services(infra: Endpoints, pg_pool: asyncpg.Pool) -> AsyncIterator[Services]:
    async with in_process_platform(infra, pg_pool, label="e2e", workers_paused=("proposals",),
                                   pool_max_size=5) as platform:
        yield Services(Api(platform.gateway_url), platform.gateway, platform.proposals, platform.members,
                       f"county-{platform.tag}")


DRAFT = {"submitterKind": "joint", "cosignerMemberIds": ["m-li"], "category": "society",
         "title": "关于加强农村饮用水安全保障的建议", "case": "部分村组饮用水水质不稳定",
         "analysis": "供水管网老化", "suggestions": ["更新老旧管网", "设立水质监测点"]}
QUEUE = """{ workQueue { total toReview { id } toAssign { id } toCosign { proposalId }
            toEvaluate { proposalId unitId } dueReplies { handling { proposalId deadline } } } }"""


async def test_a_proposal_from_draft_to_evaluation_through_the_gateway(services: Services) -> None:
    s, c = services, services.committee
    office, lead = token(Role.office_staff, c), token(Role.leadership, c)
    zhang, li = token(Role.member, c, member="m-zhang"), token(Role.member, c, member="m-li")
    water = token(Role.unit_staff, c, unit="u-water")
    year = local_date(datetime.now(UTC)).year

    await s.ok("publishRulebook", {"year": year}, office)
    await s.ok("registerMember", {"memberId": "m-zhang", "name": "张伟", "sector": "education", "term": 16,
                                  "joinedOn": "2022-01-10", "contact": {"phone": "13800138000"}}, office)
    await s.ok("registerMember", {"memberId": "m-li", "name": "李娜", "sector": "economy", "term": 16,
                                  "joinedOn": "2022-01-10"}, office)
    await s.ok("registerUnit", {"unitId": "u-water", "name": "县水利局"}, office)
    members = await s.read("{ members { edges { node { id name sector } } } }", lead)
    assert sorted(e["node"]["id"] for e in members["members"]["edges"]) == ["m-li", "m-zhang"]

    pid = (await s.ok("draftProposal", DRAFT, zhang))["proposal_id"]
    mine = await s.read('query($id: ID!) { proposal(id: $id) { status title } }', zhang, {"id": pid})
    assert mine["proposal"] == {"status": "draft", "title": DRAFT["title"]}
    assert (await s.read('query($id: ID!) { proposal(id: $id) { id } }', office, {"id": pid}))["proposal"] is None

    await s.ok("submitProposal", {"proposalId": pid}, zhang)
    assert (await s.read(QUEUE, li))["workQueue"]["toCosign"] == [{"proposalId": pid}]
    await s.ok("confirmCosignature", {"proposalId": pid}, li)
    assert (await s.read(QUEUE, office))["workQueue"]["toReview"] == [{"id": pid}]

    refused = await s.do("acceptProposal", {"proposalId": pid, "reason": "符合立案标准"}, zhang)
    assert refused["__typename"] == "CommandRefused" and refused["rule"] == "not_authorized"
    assert refused["status"] == 403
    accepted = await s.ok("acceptProposal", {"proposalId": pid, "reason": "符合立案标准"}, office)
    assert accepted["number"] == f"{year}-001"
    assert (await s.read(QUEUE, office))["workQueue"]["toAssign"] == [{"id": pid}]

    slip = await s.ok("assignProposal", {"proposalId": pid, "mode": "lead_with_co", "leadUnitId": "u-water"}, office)
    due = (await s.read(QUEUE, water))["workQueue"]["dueReplies"]
    assert due == [{"handling": {"proposalId": pid, "deadline": slip["deadline"]}}]

    await s.ok("recordHandlingContact", {"proposalId": pid, "kind": "meeting",
                                         "heldOn": local_date(datetime.now(UTC)).isoformat()}, water)
    await s.ok("replyToProposal", {"proposalId": pid, "resultClass": "A", "text": "管网改造已完成"}, water)
    assert (await s.read(QUEUE, zhang))["workQueue"]["toEvaluate"] == [{"proposalId": pid, "unitId": "u-water"}]
    form = {"proposalId": pid, "unitId": "u-water", "rating": "satisfied", "attitude": "satisfied",
            "contact": "satisfied"}
    await s.ok("evaluateReply", form, zhang)
    await s.ok("evaluateReply", {**form, "rating": "basically_satisfied"}, li)
    assert (await s.read(QUEUE, zhang))["workQueue"]["toEvaluate"] == []

    figures = await s.read("""query($y: Int!) { oversight(year: $y) { byUnit { unitId assigned replied
        replyOnTime { numerator denominator } meeting { numerator denominator }
        satisfaction { numerator denominator } classes { resultClass count } } } }""", lead, {"y": year})
    [unit] = figures["oversight"]["byUnit"]
    assert unit["unitId"] == "u-water" and (unit["assigned"], unit["replied"]) == (1, 1)
    assert unit["replyOnTime"] == {"numerator": 1, "denominator": 1}
    assert unit["meeting"] == {"numerator": 1, "denominator": 1}
    assert unit["satisfaction"] == {"numerator": 2, "denominator": 2}
    assert {x["resultClass"]: x["count"] for x in unit["classes"]} == {"A": 1, "B": 0, "C": 0}

    # The members service scored the acceptance it consumed from the proposals topic; the gateway shows it.
    card_query = """query($y: Int!) { memberScorecard(memberId: "m-zhang", year: $y) {
        total items { category points sourceEventType } proposals { accepted asLead } } }"""

    async def scored() -> dict[str, Any] | None:
        card = (await s.read(card_query, zhang, {"y": year}))["memberScorecard"]
        return card if card and any(i["sourceEventType"] == "proposal-accepted" for i in card["items"]) else None

    card = await wait_until(scored, timeout=30, message="张伟's proposal points on the scorecard")
    assert card["total"] == sum(i["points"] for i in card["items"])
    assert {i["category"] for i in card["items"]} >= {"base", "proposals"}
    assert card["proposals"] == {"accepted": 1, "asLead": 1}

    contact = '{ member(id: "m-zhang") { contact { phone } } }'
    assert (await s.read(contact, office))["member"]["contact"] == {"phone": "13800138000"}
    assert (await s.read(contact, zhang))["member"]["contact"] == {"phone": "13800138000"}
    denied = await s.api.run(contact, bearer=li)
    assert denied.codes == ["FORBIDDEN"]


@pytest.mark.parametrize(("role", "extra", "expected"), [
    (Role.office_staff, {}, "CommandAccepted"),
    (Role.admin, {}, "CommandAccepted"),
    (Role.member, {"member": "m-x"}, "not_authorized"),
    (Role.unit_staff, {"unit": "u-x"}, "not_authorized"),
    (Role.leadership, {}, "not_authorized"),
])
async def test_the_services_decide_who_may_run_a_command(services: Services, role: Role, extra: dict[str, str],
                                                         expected: str) -> None:
    out = await services.do("registerUnit", {"unitId": f"u-{uuid.uuid4().hex[:6]}", "name": "县某局"},
                            token(role, services.committee, **extra))
    assert (out["__typename"] if expected == "CommandAccepted" else out["rule"]) == expected, out


async def test_a_retried_mutation_acts_once_against_the_real_service(services: Services) -> None:
    office = token(Role.office_staff, services.committee)
    key = str(uuid.uuid4())
    body = {"unitId": f"u-{uuid.uuid4().hex[:6]}", "name": "县重试局"}
    first = await services.do("registerUnit", body, office, key=key)
    second = await services.do("registerUnit", body, office, key=key)
    assert first["__typename"] == second["__typename"] == "CommandAccepted"
    assert second["replayed"] is True and second["eventIds"] == first["eventIds"]
    schema = services.members.schema
    count = await services.members.pool.fetchval(f"SELECT count(*) FROM {schema}.events WHERE type = "
                                                 "'unit-registered' AND data->>'unit_id' = $1", body["unitId"])
    assert count == 1


async def test_the_feed_hears_a_real_command(services: Services) -> None:
    s = services
    before = s.gateway.hub.subscriber_count
    async with Subscriber(s.api, token(Role.leadership, s.committee), "subscription { oversightFeed { type data } }") \
            as feed:
        await subscribed(s.gateway.hub, before)
        unit_id = f"u-{uuid.uuid4().hex[:6]}"
        await s.ok("registerUnit", {"unitId": unit_id, "name": "县实时局"}, token(Role.office_staff, s.committee))
        await wait_until(lambda: any(i["oversightFeed"]["data"].get("unit_id") == unit_id for _, i in feed.received),
                         timeout=30, message="the feed heard the unit's registration")
