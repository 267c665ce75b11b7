"""The proposals service keeps the platform's service contract (eventstore.testing.service_contract)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import ClassVar

import pytest_asyncio

from contracts.envelope import Role
from eventstore.testing.service_contract import ContractSubject, ServiceContractTests, Step
from proposals.service import DEFINITION
from yizheng.infra import Endpoints
from yizheng.testing.service_contract import contract_subject

DRAFT = {"submitter_kind": "individual", "category": "society", "title": "关于加强农村饮用水安全保障的建议",
         "case": "部分村组饮用水水质不稳定", "analysis": "供水管网老化", "suggestions": ["更新老旧管网"]}


class TestProposalsServiceContract(ServiceContractTests):
    scenario: ClassVar[list[Step]] = [
        Step("draft-proposal", {**DRAFT, "proposal_id": "p-contract-1"}, Role.member, member_id="m-zhang"),
        Step("submit-proposal", {"proposal_id": "p-contract-1"}, Role.member, member_id="m-zhang"),
        Step("accept-proposal", {"proposal_id": "p-contract-1", "reason": "符合立案条件"}, Role.office_staff),
        Step("submit-opinion-report", {"title": "农村饮用水水质问题亟待重视", "body": "部分村组饮用水水质不稳定。",
                                       "category": "society"}, Role.member, member_id="m-zhang"),
    ]
    refused: ClassVar[Step] = Step("accept-proposal", {"proposal_id": "no-such-proposal", "reason": "立案"},
                                   Role.office_staff)

    @pytest_asyncio.fixture(loop_scope="session")
    async def subject(self, infra: Endpoints, fresh_schema: str,
                      topic_prefix: str) -> AsyncIterator[ContractSubject]:
        async with contract_subject(DEFINITION, infra, fresh_schema, topic_prefix) as s:
            yield s
