"""Subscriptions over graphql-transport-ws (gql's websockets transport against uvicorn): the oversight feed
and work-queue changes arrive once the command is stored, for the right committee and caller only (how soon
is a benchmark's figure, the platform bench's view lag, not a test's)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from gql import GraphQLRequest
from gql.transport.exceptions import TransportClosed, TransportConnectionFailed, TransportQueryError

from contracts.envelope import Role
from gateway.app import build_gateway
from gateway.live import LiveHub
from gateway.tests import events as ev
from gateway.tests.conftest import Stack
from gateway.tests.harness import Api, token
from yizheng.testing.asgi_server import serve
from yizheng.testing.wait import wait_until

FEED = "subscription { oversightFeed { eventId type data } }"
QUEUE = """subscription { workQueueChanged { cause { type } queue { total toCosign { proposalId title }
           dueReplies { handling { proposalId deadline } } } } }"""


class Subscriber:
    """Runs one subscription in the background and keeps what arrives, with the loop time of arrival."""

    def __init__(self, api: Api, bearer: str | None, query: str) -> None:
        self.api, self.bearer, self.query = api, bearer, query
        self.received: list[tuple[float, dict[str, Any]]] = []
        self.error: BaseException | None = None
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        try:
            async with self.api.ws_client(self.bearer) as session:
                stream: AsyncIterator[dict[str, Any]] = session.subscribe(GraphQLRequest(self.query))
                async for item in stream:
                    self.received.append((asyncio.get_running_loop().time(), item))
        except Exception as err:
            self.error = err

    async def __aenter__(self) -> Subscriber:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


async def subscribed(hub: LiveHub, before: int) -> None:
    await wait_until(lambda: hub.subscriber_count > before, timeout=10,
                     message="the subscription registered with the live hub")


async def test_the_oversight_feed_gets_the_event_of_the_command(stack: Stack, committee: str) -> None:
    before = stack.gateway.hub.subscriber_count
    async with Subscriber(stack.api, token(Role.leadership, committee), FEED) as lead, \
            Subscriber(stack.api, token(Role.leadership, f"{committee}-b"), FEED) as other:
        await subscribed(stack.gateway.hub, before + 1)
        mutation = 'mutation { fakeSubmit(input: {proposalId: "L1", title: "实时"}) { __typename } }'
        result = await stack.api.run(mutation, bearer=token(Role.member, committee, member="m-1"))
        assert result.ok()["fakeSubmit"]["__typename"] == "CommandAccepted"
        await wait_until(lambda: lead.received, timeout=30, message="the feed delivered the event")
        _, item = lead.received[0]
        assert item["oversightFeed"]["type"] == "proposal-submitted"
        assert item["oversightFeed"]["data"]["proposal_id"] == "L1"
        # the other committee's feed gets its own event, never this one
        other_mutation = 'mutation { fakeSubmit(input: {proposalId: "L2", title: "乙"}) { __typename } }'
        await stack.api.run(other_mutation, bearer=token(Role.member, f"{committee}-b", member="m-2"))
        await wait_until(lambda: other.received, timeout=5, message="the other committee's feed")
        assert [i["oversightFeed"]["data"]["proposal_id"] for _, i in other.received] == ["L2"]
        assert lead.error is None and other.error is None


async def test_a_members_queue_changes_when_invited_to_cosign(stack: Stack, committee: str) -> None:
    before = stack.gateway.hub.subscriber_count
    async with Subscriber(stack.api, token(Role.member, committee, member="m-9"), QUEUE) as member, \
            Subscriber(stack.api, token(Role.member, committee, member="m-10"), QUEUE) as bystander:
        await subscribed(stack.gateway.hub, before + 1)
        mutation = """mutation { fakeSubmit(input: {proposalId: "Q1", title: "联名", leadMemberId: "m-8",
                       cosignerMemberIds: ["m-9"]}) { __typename } }"""
        assert (await stack.api.run(mutation, bearer=token(Role.office_staff, committee))).ok()
        await wait_until(lambda: member.received, timeout=5, message="the member's queue changed")
        change = member.received[0][1]["workQueueChanged"]
        assert change["cause"]["type"] == "proposal-submitted"
        assert change["queue"]["toCosign"] == [{"proposalId": "Q1", "title": "联名"}]
        assert change["queue"]["total"] == 1
        # the bystander is told nothing about it; their first change is their own
        mutation2 = """mutation { fakeSubmit(input: {proposalId: "Q2", title: "另一个", leadMemberId: "m-8",
                        cosignerMemberIds: ["m-10"]}) { __typename } }"""
        assert (await stack.api.run(mutation2, bearer=token(Role.office_staff, committee))).ok()
        await wait_until(lambda: bystander.received, timeout=5, message="the bystander's own change")
        assert bystander.received[0][1]["workQueueChanged"]["queue"]["toCosign"][0]["proposalId"] == "Q2"


async def test_a_units_queue_changes_when_a_proposal_is_assigned(stack: Stack, committee: str, feed: Any) -> None:
    before = stack.gateway.hub.subscriber_count
    async with Subscriber(stack.api, token(Role.unit_staff, committee, unit="U7"), QUEUE) as unit:
        await subscribed(stack.gateway.hub, before)
        await feed.emit(*ev.proposal_submitted("A1", "交办", "m-1"))
        await feed.emit(*ev.proposal_accepted("A1", "2026-050", "m-1"))
        await feed.emit(*ev.proposal_assigned("A1", ["U7"], "2026-09-01"))
        await wait_until(lambda: unit.received, timeout=5, message="the unit's queue changed")
        change = unit.received[0][1]["workQueueChanged"]
        assert change["cause"]["type"] == "proposal-assigned"
        assert change["queue"]["dueReplies"] == [{"handling": {"proposalId": "A1", "deadline": "2026-09-01"}}]


async def test_subscriptions_refuse_the_wrong_caller(stack: Stack, committee: str) -> None:
    async with Subscriber(stack.api, token(Role.member, committee, member="m-1"), FEED) as member:
        await wait_until(lambda: member.error is not None, timeout=5, message="the member was refused")
    assert isinstance(member.error, TransportQueryError)
    assert member.error.errors and member.error.errors[0]["extensions"]["code"] == "FORBIDDEN"
    async with Subscriber(stack.api, None, FEED) as anonymous:
        await wait_until(lambda: anonymous.error is not None, timeout=5, message="no token was refused")
    assert isinstance(anonymous.error, TransportConnectionFailed | TransportClosed), anonymous.error
    close = anonymous.error.__cause__ or anonymous.error.__context__
    assert "4403" in str(close), close  # graphql-transport-ws: Forbidden


@pytest.mark.parametrize("role", [Role.office_staff, Role.admin])
async def test_the_office_queue_changes_with_submissions(stack: Stack, committee: str, role: Role) -> None:
    before = stack.gateway.hub.subscriber_count
    query = "subscription { workQueueChanged { queue { toReview { id } } } }"
    async with Subscriber(stack.api, token(role, committee), query) as office:
        await subscribed(stack.gateway.hub, before)
        mutation = 'mutation { fakeSubmit(input: {proposalId: "O1", title: "待审"}) { __typename } }'
        assert (await stack.api.run(mutation, bearer=token(Role.member, committee, member="m-3"))).ok()
        await wait_until(lambda: office.received, timeout=5, message="the office queue changed")
        assert office.received[0][1]["workQueueChanged"]["queue"]["toReview"] == [{"id": "O1"}]


async def test_a_replica_that_does_not_project_still_hears_every_event(stack: Stack, committee: str) -> None:
    # A second gateway on the same views, without a projector of its own (as another pod would be when
    # Kafka assigned it no partition): its subscribers hear what the first replica applied.
    replica = await build_gateway(stack.gateway.config, catalog=[], run_projector=False, pool_max_size=2)
    await replica.start()
    try:
        async with serve(replica.app) as url:
            api = Api(url)
            async with Subscriber(api, token(Role.leadership, committee), FEED) as lead:
                await subscribed(replica.hub, 0)
                mutation = 'mutation { fakeSubmit(input: {proposalId: "RP1", title: "副本"}) { __typename } }'
                assert (await stack.api.run(mutation, bearer=token(Role.member, committee, member="m-1"))).ok()
                await wait_until(lambda: lead.received, timeout=5, message="the replica's subscriber heard it")
                assert lead.received[0][1]["oversightFeed"]["data"]["proposal_id"] == "RP1"
    finally:
        await replica.stop()


async def test_a_reply_reaches_the_co_unit_and_the_proposer(stack: Stack, committee: str, feed: Any) -> None:
    before = stack.gateway.hub.subscriber_count
    unit_q = ("subscription { workQueueChanged { cause { type } "
              "queue { repliesToCosign { handling { proposalId } } } } }")
    member_q = "subscription { workQueueChanged { cause { type } queue { toEvaluate { proposalId unitId } } } }"
    async with Subscriber(stack.api, token(Role.unit_staff, committee, unit="U9"), unit_q) as co, \
            Subscriber(stack.api, token(Role.member, committee, member="m-5"), member_q) as proposer:
        await subscribed(stack.gateway.hub, before + 1)
        await feed.emit(*ev.proposal_submitted("B1", "协办", "m-5"))
        await feed.emit(*ev.proposal_accepted("B1", "2026-060", "m-5"))
        await feed.emit(*ev.proposal_assigned("B1", ["U8", "U9"], "2026-09-01"))
        await feed.emit(*ev.replied("B1", "U8", "B", on_time=True, replied_on="2026-06-01", deadline="2026-09-01"))

        def replied(sub: Subscriber) -> list[dict[str, Any]]:
            return [i["workQueueChanged"] for _, i in sub.received
                    if i["workQueueChanged"]["cause"]["type"] == "proposal-replied"]

        await wait_until(lambda: replied(co) and replied(proposer), timeout=5, message="both queues changed")
        assert replied(co)[0]["queue"]["repliesToCosign"] == [{"handling": {"proposalId": "B1"}}]
        assert replied(proposer)[0]["queue"]["toEvaluate"] == [{"proposalId": "B1", "unitId": "U8"}]
