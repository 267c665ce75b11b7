"""Who may do what with the surveys service's work, through the gateway: every surveys query against every
role (allowed, or refused by the gateway), and every surveys mutation against every role (forwarded to the
real surveys service: a role the command is not for is refused `not_authorized`; an allowed one reaches the
service's rules — accepted, or refused by a domain rule, never for its role)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from contracts.envelope import Role
from contracts.surveys.service import COMMANDS
from gateway.app import build_gateway
from gateway.commands.catalog import CommandInfo, load_catalog
from gateway.tests.conftest import Stack
from gateway.tests.harness import Api, token
from runtime.service_host import HostConfig, build_service
from yizheng.infra import Endpoints
from yizheng.serve import definition
from yizheng.testing.asgi_server import serve

ROLES: dict[str, tuple[Role | None, dict[str, str]]] = {
    "member": (Role.member, {"member": "m1"}),
    "unit_staff": (Role.unit_staff, {"unit": "U1"}),
    "office_staff": (Role.office_staff, {}),
    "leadership": (Role.leadership, {}),
    "admin": (Role.admin, {}),
    "service": (Role.service, {}),
    "anonymous": (None, {}),
}

QUERIES = {
    "consultationPlan": "{ consultationPlan(year: 2026) { year } }",
    "consultations": "{ consultations { totalCount } }",
    "trackedItems": "{ trackedItems { totalCount } }",
    "supervisionTopics": "{ supervisionTopics { totalCount } }",
    "researchTopics": "{ researchTopics { totalCount } }",
    "oversight(surveys)": """{ oversight(year: 2026) { planProgress { planned } trackedOverdue { id }
        trackedNotReportedByUnit(kind: consultation_outcome) { unitId } rectificationsOverdue { id }
        recommendationsWithoutResult { id } } }""",
    "workQueue.trackedItems": "{ workQueue { trackedItems { id } } }",
    "appraisals": "{ appraisals { totalCount } }",
    "appraisal": '{ appraisal(id: "AP1") { id } }',
    "oversight.latestAppraisal": "{ oversight(year: 2026) { latestAppraisal { ranking { unitId } } } }",
    "questionnaires": "{ questionnaires { totalCount } }",
}
Y, N = True, False
#                          member unit office lead admin service
QUERY_ALLOWED: dict[str, tuple[bool, ...]] = {
    "consultationPlan":       (Y, N, Y, Y, Y, N),
    "consultations":          (Y, N, Y, Y, Y, N),
    "trackedItems":           (N, Y, Y, Y, Y, N),
    "supervisionTopics":      (Y, Y, Y, Y, Y, N),
    "researchTopics":         (Y, Y, Y, Y, Y, N),
    "oversight(surveys)":     (N, N, Y, Y, Y, N),
    "workQueue.trackedItems": (Y, Y, Y, Y, Y, N),
    "appraisals":             (Y, Y, Y, Y, Y, Y),
    "appraisal":              (Y, Y, Y, Y, Y, Y),
    "oversight.latestAppraisal": (N, N, Y, Y, Y, N),
    "questionnaires":         (Y, N, Y, Y, Y, N),
}
QUERY_CASES = [(q, r) for q in QUERIES for r in ROLES]


def bearer_for(role: str, committee: str) -> str | None:
    parsed, extra = ROLES[role]
    return token(parsed, committee, **extra) if parsed else None


@pytest.mark.parametrize(("query", "role"), QUERY_CASES, ids=[f"{q}-{r}" for q, r in QUERY_CASES])
async def test_every_surveys_query_against_every_role(stack: Stack, query: str, role: str) -> None:
    result = await stack.api.run(QUERIES[query], bearer=bearer_for(role, f"c-acc-{uuid.uuid4().hex[:8]}"))
    if role == "anonymous":
        assert result.codes == ["UNAUTHENTICATED"], result.errors
    elif QUERY_ALLOWED[query][list(ROLES).index(role)]:
        assert not result.errors, result.errors
    else:
        assert result.codes == ["FORBIDDEN"], result.errors


# ---- mutations, through the gateway to the real surveys service -------------------------------------------

TODAY = date.today().isoformat()
# A well-formed input of every surveys command (GraphQL field names). The records they name need not exist:
# an allowed role gets past the role check to the service's rules, which may refuse (e.g. no such item).
INPUTS: dict[str, dict[str, Any]] = {
    "draft-consultation-plan": {"year": 2026, "title": "2026年度协商监督计划", "items": [
        {"itemId": "I1", "kind": "topic", "title": "农村饮水安全", "lead": "经济委员会", "plannedMonth": 5}]},
    "amend-consultation-plan": {"year": 2026, "reason": "调整议题", "withdrawItemIds": ["I1"]},
    "adopt-consultation-plan": {"year": 2026, "adoptedOn": TODAY, "meeting": "主席会议"},
    "carry-over-plan-items": {"year": 2026, "itemIds": ["I1"], "reason": "年内未能召开，结转下年度"},
    "schedule-consultation": {"year": 2026, "itemId": "I1", "scheduledOn": TODAY, "invitedMemberIds": ["m1"],
                              "invitedOrganizationIds": ["O1"], "invitedUnitIds": ["U1"]},
    "hold-consultation": {"consultationId": "C1", "heldOn": TODAY},
    "record-consultation-outcome": {"consultationId": "C1", "title": "协商意见", "text": "意见正文",
                                    "sentTo": ["county_government"], "sentOn": TODAY, "parentOutcomeId": "O0",
                                    "proposalIds": ["P1"], "opinionReportIds": ["R1"]},
    "record-outcome-instruction": {"consultationId": "C1", "outcomeId": "O1", "leader": "县委书记王某",
                                   "level": "county_party_committee", "text": "请认真研究落实",
                                   "instructedOn": TODAY},
    "report-tracked-item-progress": {"itemId": "T1", "status": "in_progress", "progress": 40, "text": "推进中",
                                     "reportedOn": TODAY},
    "follow-up-tracked-item": {"itemId": "T1", "method": "call", "followedUpOn": TODAY},
    "record-tracked-item-verdict": {"itemId": "T1", "verdict": "implemented"},
    "reopen-tracked-item": {"itemId": "T1", "reason": "部分落实"},
    "record-tracked-item-lookback": {"itemId": "T1", "outcome": "implemented", "lookedBackOn": TODAY},
    "open-supervision-topic": {"year": 2026, "title": "河长制专项监督", "unitIds": ["U1"]},
    "log-supervision-activity": {"supervisionId": "S1", "kind": "forum", "heldOn": TODAY},
    "report-supervision": {"supervisionId": "S1", "reportedOn": TODAY, "summary": "监督报告"},
    "record-appraisal-participation": {"appraisalId": "AP1", "roundId": "1", "memberId": "m1", "unitId": "U1",
                                       "heldOn": TODAY},
    "plan-research-topic": {"year": 2026, "title": "乡村教师调研", "kind": "research"},
    "apply-for-research-topic": {"topicId": "R1", "organizationId": "O1", "appliedOn": TODAY},
    "decide-research-application": {"topicId": "R1", "applicationId": "A1", "approved": True, "reason": "同意"},
    "form-research-team": {"topicId": "R1", "memberIds": ["m1"]},
    "log-research-field-day": {"topicId": "R1", "heldOn": TODAY, "memberIds": ["m1"]},
    "report-research": {"topicId": "R1", "reportedOn": TODAY, "summary": "调研报告"},
    "open-appraisal": {"year": 2026, "kind": "law_enforcement", "title": "执纪执法部门民主评议", "heldOn": TODAY,
                       "subjects": [{"unitId": "U1", "name": "县公安局"}], "memberIds": ["m1"]},
    "close-appraisal": {"appraisalId": "AP1", "issued": 1, "attendeeMemberIds": ["m1"]},
    "void-appraisal": {"appraisalId": "AP1", "cause": "other", "reason": "会场停电"},
    "publish-questionnaire": {"title": "委员履职满意度调查", "mode": "identified", "closesOn": TODAY, "questions": [
        {"questionId": "q1", "kind": "single_choice", "title": "总体评价", "options": [
            {"key": "a", "label": "满意"}, {"key": "b", "label": "不满意"}]}], "memberIds": ["m1"]},
    "invite-to-questionnaire": {"questionnaireId": "Q1", "memberIds": ["m1"]},
    "submit-questionnaire-response": {"questionnaireId": "Q1", "answers": [{"questionId": "q1", "options": ["a"]}]},
    "close-questionnaire": {"questionnaireId": "Q1"},
}
SURVEYS_COMMANDS = {c.name: c for c in COMMANDS}
MUTATION_CASES = [(c, r) for c in SURVEYS_COMMANDS for r in ROLES]
OUTCOME = """__typename ... on CommandRefused { rule status message } ... on CommandInvalid { message fields }"""


def test_every_surveys_command_has_an_input_here() -> None:
    assert set(INPUTS) == set(SURVEYS_COMMANDS)


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def surveys_api(infra: Endpoints, pg_pool: asyncpg.Pool, stack: Stack) -> AsyncIterator[Api]:
    """The real surveys service (no relay: nothing needs to reach the views) behind a gateway of its own."""
    schema = f"gwsurveys_{uuid.uuid4().hex[:8]}"
    host = await build_service(definition("surveys"), HostConfig(dsn=infra.database_url, schema=schema,
                                                                 run_workers=False, pool_max_size=4))
    await host.start()
    try:
        async with serve(host.app) as surveys_url:
            config = dataclasses.replace(stack.gateway.config, service_urls={"surveys": surveys_url})
            gateway = await build_gateway(config, catalog=load_catalog(["surveys"]), run_projector=False,
                                          pool_max_size=2)
            await gateway.start()
            try:
                async with serve(gateway.app) as url:
                    yield Api(url)
            finally:
                await gateway.stop()
    finally:
        await host.stop()
        await pg_pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.mark.parametrize(("command", "role"), MUTATION_CASES, ids=[f"{c}-{r}" for c, r in MUTATION_CASES])
async def test_every_surveys_mutation_against_every_role(surveys_api: Api, command: str, role: str) -> None:
    info = CommandInfo("surveys", command, SURVEYS_COMMANDS[command].model)
    field = info.field_name
    mutation = f"mutation M($input: {info.type_prefix}Input!) {{ {field}(input: $input) {{ {OUTCOME} }} }}"
    result = await surveys_api.run(mutation, {"input": INPUTS[command]},
                                   bearer=bearer_for(role, f"c-mut-{uuid.uuid4().hex[:8]}"))
    if role == "anonymous":
        assert result.codes == ["UNAUTHENTICATED"], result.errors
        return
    out = result.ok()[field]
    allowed = SURVEYS_COMMANDS[command].roles
    assert allowed is not None
    if ROLES[role][0] in allowed:
        assert out["__typename"] in ("CommandAccepted", "CommandRefused"), out
        if out["__typename"] == "CommandRefused":  # the service's rules answered, not its role check
            assert out["rule"] != "not_authorized" and out["status"] == 422, out
    else:
        assert out == {"__typename": "CommandRefused", "rule": "not_authorized", "status": 403,
                       "message": out["message"]}, out


# ---- mutations on the surveys service's own routes ----------------------------------------------------------

ROUTE_MUTATIONS = {
    "issueAppraisalCredentials": ('mutation { issueAppraisalCredentials(appraisalId: "AP1") { __typename '
                                  '... on CommandRefused { rule status } } }'),
    "drawQuestionnaireTicket": ('mutation { drawQuestionnaireTicket(questionnaireId: "Q1") { __typename '
                                '... on CommandRefused { rule status } } }'),
    "drawAppraisalSlip": ('mutation { drawAppraisalSlip(appraisalId: "AP1") { __typename '
                          '... on CommandRefused { rule status } } }'),
    "castAppraisalBallot": ("mutation($b: CastBallotInput!) { castAppraisalBallot(appraisalId: \"AP1\", input: $b) "
                            "{ __typename ... on CommandRefused { rule status } } }"),
    "submitAnonymousQuestionnaireResponse": (
        "mutation($r: SubmitAnonymousResponseInput!) { submitAnonymousQuestionnaireResponse(committeeId: "
        "\"c-x\", questionnaireId: \"Q1\", input: $r) { __typename ... on CommandRefused { rule status } } }"),
}
ROUTE_VARIABLES: dict[str, dict[str, Any]] = {
    "castAppraisalBallot": {"b": {"ballot": {"committeeId": "c-x", "appraisalId": "AP1", "credential": "a" * 64,
                                             "marks": {"U1": {"overall": "satisfied"}}}, "signature": "b" * 128}},
    "submitAnonymousQuestionnaireResponse": {"r": {"ticket": "t" * 32, "answers": []}},
}
#                                          member unit office lead admin service anonymous
ROUTE_ALLOWED: dict[str, tuple[bool, ...]] = {
    "issueAppraisalCredentials":            (N, N, Y, N, N, N, N),
    "drawQuestionnaireTicket":              (Y, N, N, N, N, N, N),
    "drawAppraisalSlip":                    (Y, N, N, N, N, N, N),
    # No login: every caller, signed in or not, reaches the service, which checks the signature or the ticket.
    "castAppraisalBallot":                  (Y, Y, Y, Y, Y, Y, Y),
    "submitAnonymousQuestionnaireResponse": (Y, Y, Y, Y, Y, Y, Y),
}
ROUTE_CASES = [(m, r) for m in ROUTE_MUTATIONS for r in ROLES]


@pytest.mark.parametrize(("mutation", "role"), ROUTE_CASES, ids=[f"{m}-{r}" for m, r in ROUTE_CASES])
async def test_every_surveys_route_mutation_against_every_role(surveys_api: Api, mutation: str, role: str) -> None:
    """An allowed caller reaches the service, which refuses for want of the record (nothing is open in this
    committee), never for the role; a caller the access table leaves out is refused by the gateway."""
    result = await surveys_api.run(ROUTE_MUTATIONS[mutation], ROUTE_VARIABLES.get(mutation),
                                   bearer=bearer_for(role, f"c-rt-{uuid.uuid4().hex[:8]}"))
    if ROUTE_ALLOWED[mutation][list(ROLES).index(role)]:
        out = result.ok()[mutation]
        assert out["__typename"] == "CommandRefused" and out["rule"] != "not_authorized", out
    elif role == "anonymous":
        assert result.codes == ["UNAUTHENTICATED"], result.errors
    else:
        assert result.codes == ["FORBIDDEN"], result.errors


# ---- queries answered by the surveys service's own routes ---------------------------------------------------

ROUTE_QUERIES = {
    "questionnaire": '{ questionnaire(id: "Q1") { title } }',
    "questionnaireResults": '{ questionnaireResults(id: "Q1") }',
    "questionnaireExport": '{ questionnaireExport(id: "Q1", format: csv) { filename } }',
}
#                                  member unit office lead admin service
ROUTE_QUERY_ALLOWED: dict[str, tuple[bool, ...]] = {
    "questionnaire":        (Y, N, Y, Y, Y, N),
    "questionnaireResults": (N, N, Y, Y, Y, N),
    "questionnaireExport":  (N, N, Y, Y, Y, N),
}
ROUTE_QUERY_CASES = [(q, r) for q in ROUTE_QUERIES for r in ROLES]


@pytest.mark.parametrize(("query", "role"), ROUTE_QUERY_CASES, ids=[f"{q}-{r}" for q, r in ROUTE_QUERY_CASES])
async def test_every_surveys_route_query_against_every_role(surveys_api: Api, query: str, role: str) -> None:
    """An allowed role is asked of the service, which finds no such questionnaire; the others are refused by the
    gateway before it asks."""
    result = await surveys_api.run(ROUTE_QUERIES[query], bearer=bearer_for(role, f"c-rq-{uuid.uuid4().hex[:8]}"))
    if role == "anonymous":
        assert result.codes == ["UNAUTHENTICATED"], result.errors
    elif ROUTE_QUERY_ALLOWED[query][list(ROLES).index(role)]:
        assert result.codes == ["NOT_FOUND"], result.errors
    else:
        assert result.codes == ["FORBIDDEN"], result.errors
