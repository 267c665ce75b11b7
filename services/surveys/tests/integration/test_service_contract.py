"""The surveys service keeps the platform's service contract (eventstore.testing.service_contract): its plan,
a session, an outcome and its tracking, a supervision topic and a research topic with their reports, through
the command API, the store and the relay to Kafka."""

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
        # democratic supervision: a topic, an activity, a report opening a rectification, its look-back
        Step("open-supervision-topic", {"supervision_id": "s-contract", "year": 2026, "title": "营商环境专项民主监督",
                                        "unit_ids": ["u-market"], "team_member_ids": ["m-zhang"]}, Role.office_staff),
        Step("log-supervision-activity", {"supervision_id": "s-contract", "activity_id": "a-contract",
                                          "kind": "hearing", "held_on": "2026-04-08",
                                          "participant_member_ids": ["m-li"]}, Role.office_staff),
        Step("report-supervision", {"supervision_id": "s-contract", "report_id": "r-contract",
                                    "reported_on": "2026-04-20", "summary": "监督报告",
                                    "findings": [{"finding_id": "f1", "title": "审批时限偏长", "text": "超时办结",
                                                  "unit_ids": ["u-market"]}]}, Role.office_staff),
        Step("report-tracked-item-progress", {"item_id": "r-contract.f1", "status": "done", "progress": 100,
                                              "text": "已整改", "reported_on": "2026-05-06"},
             Role.unit_staff, unit_id="u-market"),
        Step("record-tracked-item-verdict", {"item_id": "r-contract.f1", "verdict": "implemented"}, Role.office_staff),
        Step("record-tracked-item-lookback", {"item_id": "r-contract.f1", "outcome": "not_implemented",
                                              "looked_back_on": "2026-09-01"}, Role.office_staff),
        Step("record-appraisal-participation", {"appraisal_id": "ap-contract", "round_id": "r1", "member_id": "m-zhao",
                                                "unit_id": "u-police", "held_on": "2026-06-10"}, Role.office_staff),
        # a secret-ballot appraisal round opened, then voided (credentials and ballots are the service's routes)
        Step("open-appraisal", {"appraisal_id": "ap-contract", "year": 2026, "kind": "service_windows",
                                "title": "窗口行业民主评议", "held_on": "2026-06-10",
                                "subjects": [{"unit_id": "u-permits", "name": "县政务服务中心"}],
                                "member_ids": ["m-zhang", "m-li"], "invited_representatives": 1}, Role.office_staff),
        Step("void-appraisal", {"appraisal_id": "ap-contract", "cause": "quorum_not_met", "reason": "到会人数未过半"},
             Role.office_staff),
        # research: a topic applied for and approved, a team, a field day, a report opening a recommendation
        Step("plan-research-topic", {"topic_id": "t-contract", "year": 2026, "title": "农村物流体验式调研",
                                     "kind": "experiential"}, Role.office_staff),
        Step("apply-for-research-topic", {"topic_id": "t-contract", "application_id": "ap-1",
                                          "organization_id": "org-minmeng", "applied_on": "2026-03-10"},
             Role.office_staff),
        Step("decide-research-application", {"topic_id": "t-contract", "application_id": "ap-1", "approved": True,
                                             "reason": "列入年度重点"}, Role.office_staff),
        Step("form-research-team", {"topic_id": "t-contract", "member_ids": ["m-zhang"]}, Role.office_staff),
        Step("log-research-field-day", {"topic_id": "t-contract", "activity_id": "d-contract",
                                        "held_on": "2026-04-02", "member_ids": ["m-zhang"]}, Role.office_staff),
        Step("report-research", {"topic_id": "t-contract", "report_id": "rr-contract", "reported_on": "2026-04-15",
                                 "summary": "调研报告", "recommendations": [
                                     {"recommendation_id": "k1", "title": "完善物流体系", "text": "建设村级物流点",
                                      "unit_ids": ["u-commerce"]}]}, Role.office_staff),
    ]
    refused: ClassVar[Step] = Step("schedule-consultation", {"year": 2031, "item_id": "i-counterpart",
                                                             "scheduled_on": "2031-04-10"}, Role.office_staff)

    @pytest_asyncio.fixture(loop_scope="session")
    async def subject(self, infra: Endpoints, fresh_schema: str,
                      topic_prefix: str) -> AsyncIterator[ContractSubject]:
        async with contract_subject(DEFINITION, infra, fresh_schema, topic_prefix) as s:
            yield s
