"""The members service keeps the platform's service contract (eventstore.testing.service_contract)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import ClassVar

import pytest_asyncio

from contracts.envelope import Role
from eventstore.testing.service_contract import ContractSubject, ServiceContractTests, Step
from members.service import DEFINITION
from yizheng.infra import Endpoints
from yizheng.testing.service_contract import contract_subject


class TestMembersServiceContract(ServiceContractTests):
    scenario: ClassVar[list[Step]] = [
        Step("register-member", {"member_id": "m-wang", "name": "王芳", "sector": "education", "term": 16,
                                 "joined_on": "2022-01-10", "contact": {"phone": "13800138000"}}, Role.office_staff),
        Step("register-unit", {"unit_id": "u-jyj", "name": "县教育局"}, Role.office_staff),
        Step("log-visit", {"visit_id": "v-1", "kind": "member_visits_sector", "visitor_member_id": "m-wang",
                           "visited_sector": "education", "visited_on": "2026-03-02", "roles": ["policy_explainer"],
                           "people_reached": 12}, Role.member, member_id="m-wang"),
    ]
    refused: ClassVar[Step] = Step("change-member-status", {"member_id": "m-nobody", "status": "resigned",
                                                            "effective_on": "2026-03-01"}, Role.office_staff)

    @pytest_asyncio.fixture(loop_scope="session")
    async def subject(self, infra: Endpoints, fresh_schema: str,
                      topic_prefix: str) -> AsyncIterator[ContractSubject]:
        async with contract_subject(DEFINITION, infra, fresh_schema, topic_prefix) as s:
            yield s
