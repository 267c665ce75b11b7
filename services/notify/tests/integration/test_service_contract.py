"""The notify service keeps the platform's service contract (eventstore.testing.service_contract): a member
sets preferences, the office registers and disables a webhook endpoint, through the command API, the store
and the relay to Kafka."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import ClassVar

import pytest_asyncio

from contracts.envelope import Role
from eventstore.testing.service_contract import ContractSubject, ServiceContractTests, Step
from notify.service import DEFINITION
from yizheng.infra import Endpoints
from yizheng.testing.service_contract import contract_subject


class TestNotifyServiceContract(ServiceContractTests):
    scenario: ClassVar[list[Step]] = [
        Step("set-notification-preferences", {"digest": "daily", "digest_hour": 18, "quiet_from": 1320,
                                              "quiet_until": 420}, Role.member, member_id="m-zhang"),
        Step("set-notification-preferences", {"categories": [{"category": "meetings", "channels": ["inbox"]}]},
             Role.member, member_id="m-zhang"),
        Step("register-webhook-endpoint", {"endpoint_id": "oa", "name": "县政府OA", "url": "https://oa.example.cn/hook",
                                           "categories": ["handling"]}, Role.office_staff),
        Step("disable-webhook-endpoint", {"endpoint_id": "oa"}, Role.office_staff),
    ]
    refused: ClassVar[Step] = Step("archive-notification", {"notification_id": "n-nosuch"}, Role.member,
                                   member_id="m-zhang")

    @pytest_asyncio.fixture(loop_scope="session")
    async def subject(self, infra: Endpoints, fresh_schema: str,
                      topic_prefix: str) -> AsyncIterator[ContractSubject]:
        async with contract_subject(DEFINITION, infra, fresh_schema, topic_prefix) as s:
            yield s
