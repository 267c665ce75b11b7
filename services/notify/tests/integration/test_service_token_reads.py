"""A service token reads from the notify service what service accounts may read through the gateway
(`contracts.access.ALLOWED`), nothing more: a service account has no inbox and no preferences, and webhook
endpoints, the delivery list and the escalations are the office's."""

from __future__ import annotations

from contracts.envelope import Role
from contracts.tests.service_reads import check_service_token_reads
from runtime.auth import issue_token

from ..conftest import Notify

COMMITTEE = "county-a"
SUBJECT = "svc-county-archive"
POLICY: dict[str, str | None] = {
    "/notifications": "notifications",
    "/notifications/{notification_id}": "notifications",
    "/preferences": "notificationPreferences",
    "/webhook-endpoints": "webhookEndpoints",
    "/deliveries": "notificationDeliveries",
    "/escalations": "oversight",
    # One-click unsubscribe: the signed link is the only authorization (no login).
    "/unsubscribe": None,
}


async def test_a_service_token_reads_only_what_service_accounts_may(notify: Notify) -> None:
    for subject in (SUBJECT, "notify"):  # the notify service's own account reads no inbox either
        statuses = await check_service_token_reads(
            notify.http, notify.host.app.routes, POLICY, bearer=issue_token(Role.service, COMMITTEE, subject=subject),
            subject=subject, params={"notification_id": "n-1"})
        assert {p for p, s in statuses.items() if s == 403} == set(POLICY) - {"/unsubscribe"}, statuses
