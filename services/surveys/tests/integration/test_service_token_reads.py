"""A service token reads from the surveys service what service accounts may read through the gateway
(`contracts.access.ALLOWED`), nothing more: a questionnaire's form is for staff and the members invited, its
results and exports for staff; an appraisal round's status, board and tally are published, for every role."""

from __future__ import annotations

from contracts.envelope import Role
from contracts.tests.service_reads import check_service_token_reads
from runtime.auth import issue_token
from yizheng.testing.command_client import COMMITTEE

from ..integration_kit import Api

SUBJECT = "svc-county-archive"
POLICY: dict[str, str | None] = {
    "/questionnaires/{questionnaire_id}": "questionnaire",
    "/questionnaires/{questionnaire_id}/results": "questionnaireResults",
    "/questionnaires/{questionnaire_id}/export.xlsx": "questionnaireExport",
    "/questionnaires/{questionnaire_id}/export.csv": "questionnaireExport",
    "/appraisals/{appraisal_id}": "appraisal",
    "/appraisals/{appraisal_id}/board": "appraisalBoard",
    "/appraisals/{appraisal_id}/tally": "appraisalTally",
    # The published board and tally, by committee, for anyone (no login: a citizen checks the signatures).
    "/appraisal-boards/{committee_id}/{appraisal_id}": None,
    "/appraisal-boards/{committee_id}/{appraisal_id}/tally": None,
}


async def test_a_service_token_reads_only_what_service_accounts_may(api: Api) -> None:
    statuses = await check_service_token_reads(
        api.http, api.service.app.routes, POLICY, bearer=issue_token(Role.service, COMMITTEE, subject=SUBJECT),
        subject=SUBJECT, params={"questionnaire_id": "q-1", "appraisal_id": "a-1", "committee_id": COMMITTEE})
    refused = {path for path, status in statuses.items() if status == 403}
    assert refused == {p for p in POLICY if p.startswith("/questionnaires/")}
