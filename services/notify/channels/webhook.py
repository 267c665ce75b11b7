"""Webhooks signed per the Standard Webhooks specification (the `standardwebhooks` package):
`webhook-id` is the notification id (the same on every retry, so the receiver can drop duplicates),
`webhook-timestamp` the attempt's time, `webhook-signature` `v1,<base64 HMAC-SHA256>` over
`id.timestamp.body` with the endpoint's secret.

One POST, no redirects followed (a redirect could lead anywhere, SSRF): 2xx → sent; 410 → gone (the core
disables the endpoint); 429, 5xx, 408 and no response (timeouts, refused connections) → retry, honouring
Retry-After; any other answer → failed."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from standardwebhooks import Webhook

from eventstore.errors import DomainError
from notify.channels.base import Outcome, Outgoing, SendResult
from notify.channels.settings import WebhookSettings
from notify.channels.webhook_url import validate_webhook_url

SECRET_PREFIX = "whsec_"
MAX_RETRY_AFTER_SECONDS = 24 * 3600.0
# The endpoint's signing secret, kept privately by the core: (committee id, endpoint id) -> "whsec_...".
SecretLookup = Callable[[str, str], Awaitable[str]]


def new_secret() -> str:
    """A signing secret for a newly registered endpoint, in the spec's `whsec_<base64>` form."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def payload(message: Outgoing, now: datetime) -> dict[str, Any]:
    """The body: the spec's recommended envelope, `type`, `timestamp` and `data`."""
    return {
        "type": f"notification.{message.template}",
        "timestamp": now.isoformat().replace("+00:00", "Z"),
        "data": {
            "notification_id": message.notification_id,
            "committee_id": message.committee_id,
            "category": message.category,
            "urgency": message.urgency,
            "reason": message.reason,
            "variables": dict(message.variables),
        },
    }


def signed_request(message: Outgoing, secret: str, now: datetime) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload(message, now), ensure_ascii=False, separators=(",", ":"), default=str)
    signature = Webhook(secret).sign(message.notification_id, now, body)
    headers = {
        "content-type": "application/json; charset=utf-8",
        "webhook-id": message.notification_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
        "user-agent": "yizheng-notify",
    }
    return body.encode(), headers


def retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), bounded; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(int(value))
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - now).total_seconds()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


class WebhookChannel:
    name = "webhook"

    def __init__(self, secret_for: SecretLookup, config: WebhookSettings | None = None,
                 client: httpx.AsyncClient | None = None) -> None:
        self.secret_for = secret_for
        self.config = config or WebhookSettings.from_env()
        self._client = client

    async def send(self, message: Outgoing) -> SendResult:
        try:
            # Checked again at each send: the host's addresses may have changed since it was registered.
            url = await validate_webhook_url(message.address,
                                             refuse_private=self.config.refuse_private_addresses)
        except DomainError as err:
            return SendResult(Outcome.failed, f"refused URL: {err.message}")
        now = datetime.now(UTC).replace(microsecond=0)
        body, headers = signed_request(message, await self.secret_for(message.committee_id, message.recipient_id),
                                       now)
        try:
            if self._client is not None:
                response = await self._client.post(url, content=body, headers=headers)
            else:
                async with httpx.AsyncClient(timeout=self.config.timeout_seconds, follow_redirects=False) as c:
                    response = await c.post(url, content=body, headers=headers)
        except httpx.HTTPError as err:
            # A webhook carries its id: a receiver drops the duplicate, so retrying an unanswered POST is safe.
            return SendResult(Outcome.retry, f"no response: {type(err).__name__}")
        status = response.status_code
        if 200 <= status < 300:
            return SendResult(Outcome.sent, f"HTTP {status}")
        if status == 410:
            return SendResult(Outcome.gone, "HTTP 410")
        if status in (408, 425, 429) or status >= 500:
            return SendResult(Outcome.retry, f"HTTP {status}",
                              retry_after=retry_after(response.headers.get("retry-after"), now))
        return SendResult(Outcome.failed, f"HTTP {status}")
