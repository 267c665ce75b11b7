"""A county system's webhook endpoint receives notifications signed per Standard Webhooks, checked with the
spec's own verifier; its answers decide what the worker does next."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

import pytest
import pytest_asyncio
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from eventstore.errors import DomainError
from notify.channels.base import Outcome, Outgoing
from notify.channels.settings import WebhookSettings
from notify.channels.webhook import WebhookChannel, new_secret
from notify.channels.webhook_url import validate_webhook_url
from yizheng.infra.ports import free_port
from yizheng.testing.asgi_server import serve

SECRET = new_secret()


@dataclass
class Receiver:
    """The OA system's endpoint: keeps every request, answers with `status` (and `headers`)."""

    url: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    received: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)
    stall: asyncio.Event | None = None


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[Receiver]:
    state = Receiver()

    async def hook(request: Request) -> Response:
        state.received.append((await request.body(), dict(request.headers)))
        if state.stall is not None:
            await state.stall.wait()
        return Response(status_code=state.status, headers=state.headers)

    async with serve(Starlette(routes=[Route("/hooks/cppcc", hook, methods=["POST"])])) as base:
        state.url = f"{base}/hooks/cppcc"
        yield state
        if state.stall is not None:
            state.stall.set()


async def secret_for(committee_id: str, endpoint_id: str) -> str:
    assert (committee_id, endpoint_id) == ("c-demo", "ep-oa")
    return SECRET


def notification(url: str, notification_id: str = "n-2026-015-ep-oa") -> Outgoing:
    return Outgoing(notification_id=notification_id, committee_id="c-demo", channel="webhook",
                    recipient_id="ep-oa", address=url, template="proposal-assigned", category="handling",
                    urgency="normal", variables={"number": "2026-015", "title": "关于加强农村饮用水安全保障的建议"},
                    reason="该系统订阅了提案办理通知")


def channel(timeout: float = 5.0) -> WebhookChannel:
    return WebhookChannel(secret_for, WebhookSettings(timeout_seconds=timeout))


async def test_the_endpoint_verifies_the_signature_with_the_reference_verifier(receiver: Receiver) -> None:
    result = await channel().send(notification(receiver.url))

    assert result.outcome is Outcome.sent, result
    ((body, headers),) = receiver.received
    event = Webhook(SECRET).verify(body, headers)
    assert headers["webhook-id"] == "n-2026-015-ep-oa"
    assert event["type"] == "notification.proposal-assigned"
    assert event["data"]["variables"]["title"] == "关于加强农村饮用水安全保障的建议"
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)  # another endpoint's secret does not verify it
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body.replace(b"2026-015", b"2026-016"), headers)


async def test_the_webhook_id_is_the_same_on_every_retry(receiver: Receiver) -> None:
    receiver.status = 503
    receiver.headers = {"Retry-After": "120"}
    first = await channel().send(notification(receiver.url))
    receiver.status, receiver.headers = 204, {}
    second = await channel().send(notification(receiver.url))

    assert (first.outcome, first.retry_after) == (Outcome.retry, 120.0)
    assert second.outcome is Outcome.sent
    assert [h["webhook-id"] for _, h in receiver.received] == ["n-2026-015-ep-oa"] * 2
    for body, headers in receiver.received:
        Webhook(SECRET).verify(body, headers)


@pytest.mark.parametrize(("status", "outcome"), [
    (200, Outcome.sent), (202, Outcome.sent), (410, Outcome.gone), (429, Outcome.retry), (500, Outcome.retry),
    (502, Outcome.retry), (400, Outcome.failed), (401, Outcome.failed), (404, Outcome.failed),
    (301, Outcome.failed),
])
async def test_the_endpoints_answer_decides_the_outcome(receiver: Receiver, status: int, outcome: Outcome) -> None:
    receiver.status = status
    if status == 301:
        receiver.headers = {"Location": "http://169.254.169.254/latest/meta-data/"}
    result = await channel().send(notification(receiver.url))
    assert result.outcome is outcome, result
    assert len(receiver.received) == 1  # one attempt, and a redirect is not followed


async def test_an_endpoint_that_does_not_answer_in_time_is_retried(receiver: Receiver) -> None:
    receiver.stall = asyncio.Event()
    result = await channel(timeout=0.5).send(notification(receiver.url))
    assert result.outcome is Outcome.retry
    assert "Timeout" in result.detail


async def test_nothing_listening_is_retried() -> None:
    result = await channel().send(notification(f"http://127.0.0.1:{free_port()}/hooks"))
    assert result.outcome is Outcome.retry


async def test_in_production_a_private_target_is_refused_at_send_too(receiver: Receiver) -> None:
    production = WebhookChannel(secret_for, WebhookSettings(refuse_private_addresses=True))
    result = await production.send(notification(receiver.url))
    assert result.outcome is Outcome.failed
    assert receiver.received == []


@pytest.mark.parametrize("url", [
    "", "not a url", "ftp://oa.example.gov.cn/hook", "https://", "https://user:pw@oa.example.gov.cn/hook",
    "https://oa.example.gov.cn:99999/hook", "https://oa.example.gov.cn/hook#x", "https://oa.example.gov.cn/\nhook",
    "javascript:alert(1)", "https://" + "a" * 2050 + ".cn/",
])
async def test_a_malformed_webhook_url_is_refused(url: str) -> None:
    with pytest.raises(DomainError) as refused:
        await validate_webhook_url(url, refuse_private=False)
    assert (refused.value.rule, refused.value.fields) == ("webhook_url_invalid", ["url"])


@pytest.mark.parametrize("url", [
    "https://127.0.0.1/hook", "https://[::1]/hook", "https://10.1.2.3/hook", "https://192.168.1.10/hook",
    "https://172.16.0.1/hook", "https://169.254.169.254/latest/meta-data/", "https://[fe80::1]/hook",
    "https://[::ffff:127.0.0.1]/hook", "https://100.64.0.1/hook", "https://0.0.0.0/hook",
    "https://localhost/hook", "http://oa.example.gov.cn/hook",
])
async def test_in_production_loopback_private_and_link_local_targets_are_refused(url: str) -> None:
    async def public(host: str, port: int) -> Sequence[str]:
        return ["127.0.0.1"] if host == "localhost" else ["203.0.113.7"]

    with pytest.raises(DomainError, match=r"webhook|production"):
        await validate_webhook_url(url, refuse_private=True, resolver=public)


async def test_a_host_is_refused_if_any_of_its_addresses_is_private() -> None:
    async def split(host: str, port: int) -> Sequence[str]:
        return ["93.184.216.34", "10.0.0.5"]

    with pytest.raises(DomainError, match=r"private address \(10\.0\.0\.5\)"):
        await validate_webhook_url("https://oa.example.gov.cn/hook", refuse_private=True, resolver=split)


async def test_a_public_https_url_is_accepted_in_production() -> None:
    async def public(host: str, port: int) -> Sequence[str]:
        assert (host, port) == ("oa.example.gov.cn", 8443)
        return ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]

    url = "https://oa.example.gov.cn:8443/hooks/cppcc?from=yizheng"
    assert await validate_webhook_url(url, refuse_private=True, resolver=public) == url


async def test_outside_production_a_local_receiver_is_allowed() -> None:
    assert await validate_webhook_url("http://127.0.0.1:9000/hook", refuse_private=False)
