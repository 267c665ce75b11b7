"""A service token reads from the proposals service what service accounts may read through the gateway
(`contracts.access.ALLOWED`), nothing more: looking for similar proposals is the reviewers'."""

from __future__ import annotations

from contracts.envelope import Role
from contracts.tests.service_reads import check_service_token_reads
from runtime.auth import issue_token

from ..integration_kit import COMMITTEE, Api

SUBJECT = "svc-county-archive"
POLICY = {"/proposals/{proposal_id}/similar": "similarProposals"}


async def test_a_service_token_reads_only_what_service_accounts_may(api: Api) -> None:
    statuses = await check_service_token_reads(
        api.http, api.service.app.routes, POLICY, bearer=issue_token(Role.service, COMMITTEE, subject=SUBJECT),
        subject=SUBJECT, params={"proposal_id": "p-1"})
    assert statuses == {"/proposals/{proposal_id}/similar": 403}
