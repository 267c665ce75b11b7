"""Sealed ratings (no pressured satisfaction, 被满意), through the running platform (every service, the gateway,
real PostgreSQL and Kafka): 张委员 and 李委员 propose jointly; the water bureau replies; 张 rates the reply
dissatisfied, with a comment. Until 李 has rated too, the water bureau's staff find no rating, attitude,
contact or comment of 张's anywhere they can look: in everything they may query (the proposal, the lists,
their work queue, their inbox), in their open `workQueueChanged` subscription, at the webhook endpoint the
office registered for handling notices, and on the committee's public proposals topic. 李, a co-proposer,
does not read 张's answers either; the office and 张 himself do. When 李 rates, the round is complete
(`evaluations-completed`) and the bureau reads both ratings in its query and its subscription, and is told
of the dissatisfaction."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import pytest_asyncio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contracts import topics
from contracts.envelope import Role
from eventstore.kafka_access import KafkaAccess
from gateway.tests.harness import Api, token
from gateway.tests.integration.test_live import Subscriber, subscribed
from yizheng.infra import Endpoints
from yizheng.testing.asgi_server import serve
from yizheng.testing.platform import InProcessPlatform, in_process_platform
from yizheng.testing.topic_reader import TopicReader
from yizheng.testing.wait import wait_until

LABEL = "sealed"
ZHANG, LI, WATER = "m-zhang", "m-li", "u-water"
SEALED_KEYS = frozenset({"rating", "attitude", "contact", "comment"})
COMMENT = "答复没有回应管网改造的核心建议"
# 张's answers, as any reader would find them written: enum values (any case), their Chinese labels, the text.
ZHANG_SAYS = ("dissatisfied", "basically_satisfied", "不满意", "基本满意", COMMENT)
ZHANG_FORM = {"rating": "dissatisfied", "attitude": "basically_satisfied", "contact": "basically_satisfied",
              "comment": COMMENT}

OUTCOME = """__typename ... on CommandAccepted { result caughtUp } ... on CommandRefused { rule message }
             ... on CommandInvalid { message fields }"""
PROPOSAL = """id number status title leadMemberId cosigners { memberId state }
  handling { unitId round repliedRound resultClass awaitingReply replies { round resultClass text }
             evaluations { memberId round rating attitude contact comment evaluatedOn } }
  commitments { id text }"""
# Everything the water bureau's staff may ask about the proposal and their own work.
UNIT_VIEW = f"""query($id: ID!) {{
  proposal(id: $id) {{ {PROPOSAL} }}
  proposals {{ totalCount nodes {{ {PROPOSAL} }} }}
  workQueue {{ total dueReplies {{ handling {{ proposalId evaluations {{ rating attitude contact comment }} }} }}
              repliesToCosign {{ handling {{ proposalId evaluations {{ rating comment }} }} }}
              trackedItems {{ id }} }}
  notifications {{ totalCount nodes {{ template title summary reason sourceType subjectId }} }}
  trackedItems {{ totalCount }} supervisionTopics {{ totalCount }} researchTopics {{ totalCount }}
}}"""
EVALUATIONS = """query($id: ID!) { proposal(id: $id) { handling { unitId
  evaluations { memberId rating attitude contact comment } } } }"""
QUEUE = """subscription { workQueueChanged { cause { type data }
  queue { total dueReplies { handling { proposalId evaluations { rating attitude contact comment } } } } } }"""


def leaks(found: Any) -> list[str]:
    """Where 张's answers show in what a reader was handed: a sealed key with a value, or any of his words."""
    out: list[str] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in SEALED_KEYS and item not in (None, ""):
                    out.append(f"{path}.{key} = {item!r}")
                walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]")

    walk(found, "")
    text = json.dumps(found, ensure_ascii=False).lower()
    out += [f"the words {word!r}" for word in ZHANG_SAYS if word.lower() in text]
    return out


@dataclass
class WebhookEndpoint:
    """The county OA system's endpoint for handling notices: keeps every payload it is sent."""

    url: str = ""
    bodies: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class County:
    platform: InProcessPlatform
    api: Api
    committee: str
    hook: WebhookEndpoint
    kafka: KafkaAccess  # how the platform's own clients reach the broker

    def bearer(self, role: Role, **who: str) -> str:
        return token(role, self.committee, **who)

    async def ok(self, command: str, body: dict[str, Any], bearer: str) -> dict[str, Any]:
        input_type = command[:1].upper() + command[1:] + "Input"
        query = f"mutation M($input: {input_type}!) {{ {command}(input: $input) {{ {OUTCOME} }} }}"
        out = (await self.api.run(query, {"input": body}, bearer=bearer)).ok()[command]
        assert out["__typename"] == "CommandAccepted" and out["caughtUp"] is True, f"{command}: {out}"
        result: dict[str, Any] = out["result"]
        return result

    async def read(self, query: str, bearer: str, **variables: Any) -> dict[str, Any]:
        return (await self.api.run(query, variables, bearer=bearer)).ok()

    def public_topic(self) -> str:
        return f"t{LABEL}{self.platform.tag}.{topics.public('proposals', self.committee)}"


@pytest_asyncio.fixture(loop_scope="session")
async def county(infra: Endpoints, pg_pool: asyncpg.Pool) -> AsyncIterator[County]:
    hook = WebhookEndpoint()

    async def receive(request: Request) -> Response:
        hook.bodies.append(json.loads(await request.body()))
        return Response(status_code=200)

    async with serve(Starlette(routes=[Route("/hooks/oa", receive, methods=["POST"])])) as base, \
            in_process_platform(infra, pg_pool, label=LABEL, workers_paused=("proposals",),
                                pool_max_size=5) as platform:
        hook.url = f"{base}/hooks/oa"
        yield County(platform, Api(platform.gateway_url), f"county-{platform.tag}", hook, infra.kafka_bootstrap)


async def _answered_by_the_water_bureau(c: County) -> str:
    """A joint proposal of 张 (lead) and 李, assigned to and answered by the water bureau; the office's OA
    webhook takes the committee's handling notices."""
    office = c.bearer(Role.office_staff)
    zhang, li = c.bearer(Role.member, member=ZHANG), c.bearer(Role.member, member=LI)
    water = c.bearer(Role.unit_staff, unit=WATER)
    for member_id, name in ((ZHANG, "张伟"), (LI, "李娜")):
        await c.ok("registerMember", {"memberId": member_id, "name": name, "sector": "education", "term": 16,
                                      "joinedOn": "2022-01-10"}, office)
    await c.ok("registerUnit", {"unitId": WATER, "name": "县水利局"}, office)
    await c.ok("registerWebhookEndpoint", {"endpointId": "oa", "name": "县政府OA", "url": c.hook.url,
                                           "categories": ["handling"]}, office)
    pid: str = (await c.ok("draftProposal", {
        "submitterKind": "joint", "cosignerMemberIds": [LI], "category": "society",
        "title": "关于加强农村饮用水安全保障的建议", "case": "部分村组饮用水水质不稳定", "analysis": "供水管网老化",
        "suggestions": ["更新老旧管网", "设立水质监测点"]}, zhang))["proposal_id"]
    await c.ok("submitProposal", {"proposalId": pid}, zhang)
    await c.ok("confirmCosignature", {"proposalId": pid}, li)
    await c.ok("acceptProposal", {"proposalId": pid, "reason": "符合立案标准"}, office)
    await c.ok("assignProposal", {"proposalId": pid, "mode": "lead_with_co", "leadUnitId": WATER}, office)
    await c.ok("replyToProposal", {"proposalId": pid, "resultClass": "A", "text": "老旧管网已更新，水质监测点已设立"},
               water)
    return pid


def _evaluations(data: dict[str, Any]) -> list[dict[str, Any]]:
    (handling,) = data["proposal"]["handling"]
    evaluations: list[dict[str, Any]] = handling["evaluations"]
    return evaluations


def _causes(sub: Subscriber, type_: str) -> list[dict[str, Any]]:
    return [item["workQueueChanged"]["cause"]["data"] for _, item in sub.received
            if item["workQueueChanged"]["cause"]["type"] == type_]


async def _webhooks_all_sent(c: County) -> bool:
    """Every webhook delivery notify wrote has been taken by the endpoint."""
    statuses = [r["status"] for r in await c.platform.notify.pool.fetch(
        f'SELECT status FROM "{c.platform.schemas["notify"]}".deliveries WHERE channel = \'webhook\'')]
    return bool(statuses) and all(s == "sent" for s in statuses) and len(c.hook.bodies) >= len(statuses)


async def _office_told_of_the_rating(c: County) -> bool:
    data = await c.read("{ notifications { nodes { sourceType } } }", c.bearer(Role.office_staff))
    return any(n["sourceType"] == "proposal-evaluated" for n in data["notifications"]["nodes"])


async def test_a_unit_reads_no_rating_anywhere_until_every_proposer_has_rated(county: County) -> None:
    c = county
    water = c.bearer(Role.unit_staff, unit=WATER)
    office, zhang = c.bearer(Role.office_staff), c.bearer(Role.member, member=ZHANG)
    li = c.bearer(Role.member, member=LI)
    pid = await _answered_by_the_water_bureau(c)
    form = {"proposalId": pid, "unitId": WATER}

    before = c.platform.gateway.hub.subscriber_count
    async with Subscriber(c.api, water, QUEUE) as bureau, TopicReader(c.kafka, c.public_topic()) as public:
        await subscribed(c.platform.gateway.hub, before)
        await c.ok("evaluateReply", {**form, **ZHANG_FORM}, zhang)

        # The office and 张 himself read his form; that is what the others must not find.
        assert leaks(_evaluations(await c.read(EVALUATIONS, office, id=pid))), "the office reads 张's form"
        assert _evaluations(await c.read(EVALUATIONS, zhang, id=pid)) == [{"memberId": ZHANG, **ZHANG_FORM}]

        # (a) Everything the bureau may query, and 李's view of the proposal.
        assert leaks(await c.read(UNIT_VIEW, water, id=pid)) == []
        assert _evaluations(await c.read(EVALUATIONS, water, id=pid)) == []
        assert _evaluations(await c.read(EVALUATIONS, li, id=pid)) == [], "a co-proposer reads 张's only later"
        # (b) The subscription: checked below, once the round's completion has come through it (the hub hands
        # a subscriber events in the order the views applied them, so the evaluation would have come first).
        # (c) The OA webhook: notify has told the office of the dissatisfied rating, and every webhook
        # delivery it wrote has been taken; none carries the rating.
        await wait_until(lambda: _office_told_of_the_rating(c), timeout=20, message="the office told of the rating")
        await wait_until(lambda: _webhooks_all_sent(c), timeout=20, message="every webhook delivery taken")
        assert {b["type"] for b in c.hook.bodies} >= {"notification.proposal-assigned"}
        assert leaks(c.hook.bodies) == []
        # The bureau's inbox, once more now that notify has handled the evaluation.
        assert leaks(await c.read(UNIT_VIEW, water, id=pid)) == []
        # (d) The committee's public topic carries the evaluation without who rated how.
        await public.until(lambda _: any(m["type"] == "proposal-evaluated" for m in public.bodies()),
                           message="the public form of the evaluation on the public topic")
        assert leaks(public.bodies()) == []

        # 李 rates: the round is complete, and the bureau reads both ratings where it looks.
        await c.ok("evaluateReply", {**form, "rating": "satisfied", "attitude": "satisfied",
                                     "contact": "satisfied"}, li)
        released = _evaluations(await c.read(EVALUATIONS, water, id=pid))
        assert sorted(released, key=lambda e: e["memberId"]) == [
            {"memberId": LI, "rating": "satisfied", "attitude": "satisfied", "contact": "satisfied", "comment": ""},
            {"memberId": ZHANG, **ZHANG_FORM}]
        (completed,) = await wait_until(lambda: _causes(bureau, "evaluations-completed"), timeout=10,
                                        message="the bureau's subscription heard the round complete")
        assert _causes(bureau, "proposal-evaluated") == [], "a sealed evaluation is not sent to the unit at all"
        assert sorted((r["member_id"], r["rating"]) for r in completed["ratings"]) == [
            (LI, "satisfied"), (ZHANG, "dissatisfied")]
        inbox = await wait_until(lambda: _unit_inbox(c, water, "evaluation-dissatisfied"), timeout=20,
                                 message="the bureau told of the dissatisfaction")
        assert inbox["sourceType"] == "evaluations-completed"
        # Outsiders get the round's size, never who rated how: with two raters not even whether one was
        # dissatisfied (for 李, reading the topic, that would be 张's rating; `EvaluationsCompletedPublic`).
        await public.until(lambda _: any(m["type"] == "evaluations-completed" for m in public.bodies()),
                           message="the round's public form on the public topic")
        (tally,) = [m["data"] for m in public.bodies() if m["type"] == "evaluations-completed"]
        assert (tally["raters"], tally["any_dissatisfied"]) == (2, None)
        assert not {"satisfied", "basically_satisfied", "dissatisfied"} & set(tally)
        assert not SEALED_KEYS & set(_keys(public.bodies()))
        assert bureau.error is None


async def _unit_inbox(c: County, bearer: str, template: str) -> dict[str, Any] | None:
    data = await c.read("{ notifications { nodes { template sourceType } } }", bearer)
    return next((n for n in data["notifications"]["nodes"] if n["template"] == template), None)


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)
