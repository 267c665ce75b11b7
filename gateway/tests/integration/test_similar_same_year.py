"""Through the gateway, against the real proposals service: a reviewer asks which proposals are like one under
review and sees the same year's submitted proposals to merge (并案); a member may not ask."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest_asyncio

from contracts.envelope import Role
from gateway.tests.harness import token
from gateway.tests.service_stack import ServiceStack, service_stack
from yizheng.infra import Endpoints

COMMITTEE = "c-similar-gw"
OFFICE = token(Role.office_staff, COMMITTEE)
ZHANG, LI = (token(Role.member, COMMITTEE, member=m) for m in ("m-zhang", "m-li"))
SIMILAR = """query($id: ID!, $same: Boolean!) { similarProposals(proposalId: $id, sameYear: $same) {
    proposalId sameYear { id year title score proposal { id status } } earlierYears { id } } }"""


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def stack(infra: Endpoints, pg_pool: asyncpg.Pool) -> AsyncIterator[ServiceStack]:
    async with service_stack(infra, pg_pool, "proposals") as s:
        yield s


async def submit(stack: ServiceStack, title: str, bearer: str, **text: object) -> str:
    drafted = await stack.mutate("draftProposal", "DraftProposal", {
        "submitterKind": "individual", "category": "society", "title": title,
        "case": text.get("case", "部分村组饮用水水质不稳定"), "analysis": text.get("analysis", "管网老化，监测不足"),
        "suggestions": text.get("suggestions", ["更新管网", "建立水质监测制度"])}, bearer)
    pid = str(drafted["result"]["proposal_id"])
    submitted = await stack.mutate("submitProposal", "SubmitProposal", {"proposalId": pid}, bearer)
    assert submitted["__typename"] == "CommandAccepted", submitted
    return pid


async def test_a_reviewer_sees_the_same_years_like_proposals_to_merge(stack: ServiceStack) -> None:
    under_review = await submit(stack, "关于保障农村饮用水安全的建议", ZHANG)
    twin = await submit(stack, "关于农村饮用水安全问题的建议", LI)
    await submit(stack, "关于发展县域全域旅游的建议", LI, case="旅游资源丰富但开发不足", analysis="缺少精品线路",
                 suggestions=["打造精品线路"])
    found = (await stack.api.run(SIMILAR, {"id": under_review, "same": True}, bearer=OFFICE)).ok()
    same_year = found["similarProposals"]["sameYear"]
    assert [p["id"] for p in same_year] == [twin]
    assert same_year[0]["title"] == "关于农村饮用水安全问题的建议" and same_year[0]["proposal"]["id"] == twin
    assert found["similarProposals"]["earlierYears"] == []

    refused = await stack.api.run(SIMILAR, {"id": under_review, "same": True}, bearer=ZHANG)
    assert refused.errors and refused.errors[0]["extensions"]["code"] == "FORBIDDEN", refused.errors
