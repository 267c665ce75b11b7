"""A service token reads from the members service what service accounts may read through the gateway
(`contracts.access.ALLOWED`), nothing more: no scorecard, no visit plan progress, no member's contact data, and
the notification addresses only as the notify service's own account."""

from __future__ import annotations

from contracts.access import NOTIFY_ACCOUNT
from contracts.envelope import Role
from contracts.tests.service_reads import check_service_token_reads
from members.tests.conftest import COMMITTEE, Client, MembersHost
from runtime.auth import issue_token

POLICY: dict[str, str | None] = {
    "/scorecards/{year:int}": "scorecards",
    "/scorecards/{year:int}/{member_id}": "memberScorecard",
    "/visit-plans/{year:int}/progress": "visitPlanProgress",
    "/members/{member_id}/contact": "memberContact",
    "/notification-addresses": "notificationAddresses",
}
PARAMS = {"year": "2025", "member_id": "m-wang"}


async def test_a_service_token_reads_only_what_service_accounts_may(host: MembersHost, client: Client) -> None:
    for subject in ("svc-county-archive", NOTIFY_ACCOUNT):
        statuses = await check_service_token_reads(
            client.http, host.app.routes, POLICY, bearer=issue_token(Role.service, COMMITTEE, subject=subject),
            subject=subject, params=PARAMS)
        refused = {p for p, s in statuses.items() if s == 403}
        addresses = set() if subject == NOTIFY_ACCOUNT else {"/notification-addresses"}
        assert refused == set(POLICY) - {"/notification-addresses"} | addresses, statuses
