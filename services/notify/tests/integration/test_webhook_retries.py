"""The county OA system's webhook endpoint, registered by the office, is down twice and then takes the
notification: notify tries again on the Standard Webhooks specification's schedule (at once, 5 s, 5 min, …),
on its own clock, each attempt signed so the spec's own verifier accepts it and carrying the same
`webhook-id`, so the OA system can drop a duplicate. An endpoint that answers 410 Gone is disabled and sent
nothing more."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest_asyncio
from standardwebhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contracts import topics
from notify.channels.webhook import WebhookChannel
from notify.deliveries import backoff, max_attempts
from yizheng.testing.asgi_server import serve
from yizheng.testing.command_client import COMMITTEE, OFFICE, CommandClient, on
from yizheng.testing.wait import wait_until

from ..conftest import Notify
from ..facts import assigned, stream
from ..kit import envelope

ENDPOINT = "oa"
DAY = date(2026, 3, 2)


@dataclass
class OaEndpoint:
    """The OA system's endpoint: answers each request with the next status queued (200 when none left)."""

    url: str = ""
    answers: list[int] = field(default_factory=list)
    received: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)


@pytest_asyncio.fixture(loop_scope="session")
async def oa() -> AsyncIterator[OaEndpoint]:
    state = OaEndpoint()

    async def hook(request: Request) -> Response:
        state.received.append((await request.body(), dict(request.headers)))
        return Response(status_code=state.answers.pop(0) if state.answers else 200)

    async with serve(Starlette(routes=[Route("/hooks/cppcc", hook, methods=["POST"])])) as base:
        state.url = f"{base}/hooks/cppcc"
        yield state


async def registered(notify: Notify, oa: OaEndpoint) -> str:
    """The office registers the endpoint for handling notices; notify sends over its real webhook channel."""
    deliveries = notify.parts.deliveries
    deliveries.channels = {**deliveries.channels, "webhook": WebhookChannel(deliveries.webhook_secret)}
    async with CommandClient.over(notify.host) as commands:
        await commands.do("register-webhook-endpoint", {"endpoint_id": ENDPOINT, "name": "县政府OA", "url": oa.url,
                                                        "categories": ["handling"]}, OFFICE)
    return await deliveries.webhook_secret(COMMITTEE, ENDPOINT)


async def a_proposal_assigned(notify: Notify) -> None:
    notify.clock.set(DAY, hour=9)
    await notify.topics.publish(topics.PROPOSALS, envelope(assigned(date(2026, 6, 30), DAY), stream(), on(DAY, 9)))
    await wait_until(lambda: _webhook_status(notify), message="the notice's webhook delivery written")


async def _webhook_status(notify: Notify) -> str | None:
    status: str | None = await notify.host.pool.fetchval(
        f'SELECT status FROM "{notify.host.schema}".deliveries WHERE channel = \'webhook\'')
    return status


async def later(notify: Notify, seconds: float) -> int:
    """Notify's clock moved on; one delivery pass."""
    notify.clock.now += timedelta(seconds=seconds)
    return await notify.parts.deliveries.tick()


def test_the_webhook_schedule_is_the_specifications() -> None:
    waits = [backoff(n, "webhook") for n in range(1, max_attempts("webhook"))]
    assert waits == [timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                     timedelta(hours=5), timedelta(hours=10), timedelta(hours=10)]
    assert max_attempts("webhook") == 8, "at once, then the seven waits"


async def test_an_endpoint_down_twice_gets_the_notice_on_the_third_attempt_signed_and_with_one_id(
        notify: Notify, oa: OaEndpoint) -> None:
    secret = await registered(notify, oa)
    oa.answers = [503, 503]
    await a_proposal_assigned(notify)

    assert await later(notify, 0) >= 1 and len(oa.received) == 1, "the first attempt at once"
    assert await later(notify, 4) == 0, "not before 5 s"
    assert await later(notify, 1) == 1 and len(oa.received) == 2, "the second attempt after 5 s"
    assert await later(notify, 4 * 60 + 59) == 0, "not before 5 min"
    assert await later(notify, 1) == 1 and len(oa.received) == 3, "the third attempt after 5 min"
    assert await _webhook_status(notify) == "sent"
    assert await later(notify, 10 * 3600) == 0, "nothing more once taken"

    verifier = Webhook(secret)
    for body, headers in oa.received:
        verifier.verify(body, headers)  # raises WebhookVerificationError on a bad signature or timestamp
    assert len({h["webhook-id"] for _, h in oa.received}) == 1, "the same webhook-id on every attempt"
    assert len({json.loads(b)["data"]["notification_id"] for b, _ in oa.received}) == 1, "one notice, three tries"


async def test_an_endpoint_that_answers_410_is_disabled_and_sent_nothing_more(notify: Notify,
                                                                              oa: OaEndpoint) -> None:
    await registered(notify, oa)
    oa.answers = [410]
    await a_proposal_assigned(notify)

    await later(notify, 0)
    assert await _webhook_status(notify) == "gone"
    enabled = await notify.host.pool.fetchval(f'SELECT enabled FROM "{notify.host.schema}".webhook_endpoints '
                                              "WHERE endpoint_id = $1", ENDPOINT)
    assert enabled is False
    await later(notify, 5 * 3600)
    assert len(oa.received) == 1, "no second request to a gone endpoint"
