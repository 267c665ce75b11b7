"""What the delivery worker hands a channel and what a channel answers: the one seam between deciding who
is told what (the rest of the service) and how it reaches them (email, SMS, webhook).

A channel never retries and never decides: it makes one attempt and says how it ended. The worker keeps the
attempts, the backoff and the state of each delivery."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


@dataclass(frozen=True)
class Outgoing:
    """One message for one recipient on one channel."""

    notification_id: str  # stable across attempts: the email's Message-ID and the webhook-id derive from it
    committee_id: str
    channel: str  # "email" | "sms" | "webhook"
    recipient_id: str  # a member id, a unit id or a webhook endpoint id
    address: str  # an email address, a mobile number or a webhook URL; never logged
    template: str  # e.g. "proposal-assigned"; "digest" for a digest of several notifications
    category: str  # the preference category, e.g. "proposal_workflow"
    urgency: str  # "normal" | "critical"
    variables: Mapping[str, Any] = field(default_factory=dict)  # what the template may use
    reason: str = ""  # why the recipient got it ("you are a co-signer of 2026-015")
    unsubscribe_url: str | None = None  # one-click (RFC 8058) for this recipient and category


class Outcome(StrEnum):
    sent = "sent"  # handed over: the server or endpoint took it
    retry = "retry"  # refused before handover (connection refused, 4xx, TLS): safe to try again
    unknown = "unknown"  # may or may not have been handed over (e.g. timeout after DATA): never retried blindly
    failed = "failed"  # refused for good (5xx at RCPT: a bounce; a malformed address)
    gone = "gone"  # the endpoint said 410: disable it


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    detail: str = ""  # for the office's delivery status; never contains the address
    retry_after: float | None = None  # seconds, when the other side asked for a pause


class Channel(Protocol):
    name: str

    async def send(self, message: Outgoing) -> SendResult: ...
