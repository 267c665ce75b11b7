"""The surveys service keeps the platform's service contract (eventstore.testing.service_contract): its plan,
a session, an outcome and its tracking, through the command API, the store and the relay to Kafka."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import ClassVar

import pytest_asyncio

from contracts.envelope import Role
from eventstore.testing.service_contract import ContractSubject, ServiceContractTests, Step
from surveys.service import DEFINITION
from yizheng.infra import Endpoints
from yizheng.testing.service_contract import contract_subject

from ..kit import outcome, plan_draft


class TestSurveysServiceContract(ServiceContractTests):
    scenario: ClassVar[list[Step]] = [
        Step("draft-consultation-plan", plan_draft(), Role.office_staff),
        Step("adopt-consultation-plan", {"year": 2026, "adopted_on": "2026-03-20",
                                         "meeting": "十六届县政协第十二次主席会议"}, Role.office_staff),
        Step("amend-consultation-plan", {"year": 2026, "reason": "并入专题协商", "withdraw_item_ids": ["i-grassroots"]},
             Role.office_staff),
        Step("schedule-consultation", {"consultation_id": "c-contract", "year": 2026, "item_id": "i-counterpart",
                                       "scheduled_on": "2026-04-10"}, Role.office_staff),
        Step("hold-consultation", {"consultation_id": "c-contract", "held_on": "2026-04-10",
                                   "participant_member_ids": ["m-zhang"]}, Role.office_staff),
        Step("record-consultation-outcome", outcome("c-contract", outcome_id="o-contract"), Role.office_staff),
        Step("report-tracked-item-progress", {"item_id": "o-contract", "status": "in_progress", "progress": 50,
                                              "text": "正在推进", "reported_on": "2026-05-06",
                                              "milestones": [{"reached_on": "2026-04-30", "text": "完成招标"}]},
             Role.unit_staff, unit_id="u-env"),
        Step("follow-up-tracked-item", {"item_id": "o-contract", "method": "visit", "followed_up_on": "2026-05-07"},
             Role.leadership),
        Step("record-tracked-item-verdict", {"item_id": "o-contract", "verdict": "partly"}, Role.office_staff),
        Step("reopen-tracked-item", {"item_id": "o-contract", "reason": "水利局部分未落实"}, Role.office_staff),
    ]
    refused: ClassVar[Step] = Step("schedule-consultation", {"year": 2031, "item_id": "i-counterpart",
                                                             "scheduled_on": "2031-04-10"}, Role.office_staff)

    @pytest_asyncio.fixture(loop_scope="session")
    async def subject(self, infra: Endpoints, fresh_schema: str,
                      topic_prefix: str) -> AsyncIterator[ContractSubject]:
        async with contract_subject(DEFINITION, infra, fresh_schema, topic_prefix) as s:
            yield s
