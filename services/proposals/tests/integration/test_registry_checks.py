"""The proposals service refuses what the registry does not have, through the running platform (real PostgreSQL,
real Kafka): the office registers members, a unit and an organization in the members service; the proposals
service learns of them from the members topic, and refuses an assignment to a unit never registered, an
unknown co-signer, a supervising leader who is not a chair-meeting member and an unknown organization, naming
which. Once the unit is registered, the same assignment goes through."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest_asyncio

from proposals.registry import LEADER as A_LEADER
from proposals.registry import MEMBER, ORGANIZATION, UNIT, Named, Registry, refusal
from yizheng.infra import Endpoints
from yizheng.testing.command_client import COMMITTEE, LEADER, OFFICE, CommandClient, member
from yizheng.testing.platform import InProcessPlatform, in_process_platform
from yizheng.testing.wait import wait_until

ZHANG, LI, CHAIR = "m-zhang", "m-li", "m-chair"
WATER, FARMING = "u-water", "u-farming"
MINMENG = "o-minmeng"
TEXT = {"category": "society", "title": "关于加强农村饮用水安全保障的建议", "case": "部分村组饮用水水质不稳定",
        "analysis": "供水管网老化", "suggestions": ["更新老旧管网", "设立水质监测点"]}


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def platform(infra: Endpoints, pg_pool: asyncpg.Pool) -> AsyncIterator[InProcessPlatform]:
    async with in_process_platform(infra, pg_pool, label="registry", workers_paused=("proposals",),
                                   pool_max_size=5) as running:
        async with CommandClient.over(running.members) as members:
            for member_id, name, role in ((ZHANG, "张伟", None), (LI, "李娜", None), (CHAIR, "王颖", "chair")):
                await members.do("register-member", {"member_id": member_id, "name": name, "sector": "education",
                                                     "term": 16, "joined_on": "2022-01-10", "chair_role": role,
                                                     "standing_committee": role is not None},
                                 OFFICE)
            await members.do("register-unit", {"unit_id": WATER, "name": "县水利局"}, OFFICE)
            await members.do("register-organization", {"organization_id": MINMENG, "name": "民盟县委",
                                                       "kind": "democratic_party"}, OFFICE)
        # The proposals service learns of them from the members topic: wait until its record has them all.
        registry, known = Registry(running.schemas["proposals"]), [
            Named(MEMBER, "-", (ZHANG, LI)), Named(A_LEADER, "-", (CHAIR,)), Named(UNIT, "-", (WATER,)),
            Named(ORGANIZATION, "-", (MINMENG,))]

        async def recorded() -> bool:
            return refusal(known, await registry.known(pg_pool, COMMITTEE, known)) is None

        await wait_until(recorded, timeout=30, message="the proposals service's record of the registry")
        yield running


@pytest_asyncio.fixture(loop_scope="session")
async def proposals(platform: InProcessPlatform) -> AsyncIterator[CommandClient]:
    async with CommandClient.over(platform.proposals) as client:
        yield client


async def _accepted(proposals: CommandClient) -> str:
    """张委员's proposal, submitted and accepted."""
    pid: str = (await proposals.do("draft-proposal", {"submitter_kind": "individual", **TEXT},
                                   member(ZHANG)))["proposal_id"]
    await proposals.do("submit-proposal", {"proposal_id": pid}, member(ZHANG))
    await proposals.do("accept-proposal", {"proposal_id": pid, "reason": "符合立案标准"}, OFFICE)
    return pid


async def test_an_assignment_to_a_unit_never_registered_is_refused_naming_it_until_it_is_registered(
        platform: InProcessPlatform, proposals: CommandClient) -> None:
    pid = await _accepted(proposals)
    slip = {"proposal_id": pid, "mode": "lead_with_co", "lead_unit_id": WATER, "co_unit_ids": [FARMING]}
    refused = await proposals.refused("assign-proposal", slip, OFFICE, "unknown_unit")
    # The registered lead unit is not named; the co-unit never registered is.
    assert refused["fields"] == ["co_unit_ids"] and refused["details"]["by_field"] == {"co_unit_ids": [FARMING]}
    assert FARMING in refused["message"] and WATER not in refused["message"]

    async with CommandClient.over(platform.members) as members:
        await members.do("register-unit", {"unit_id": FARMING, "name": "县农业农村局"}, OFFICE)

    async def assigned() -> dict[str, Any] | None:
        response = await proposals.post("assign-proposal", slip, OFFICE)
        return response.json()["result"] if response.status_code == 200 else None

    result = await wait_until(assigned, timeout=30, message="the assignment once the unit is registered")
    assert result["proposal_id"] == pid and result["deadline"]


async def test_a_joint_proposal_inviting_an_unknown_co_signer_is_refused_naming_the_co_signer(
        proposals: CommandClient) -> None:
    draft = {"submitter_kind": "joint", "cosigner_member_ids": [LI, "m-nobody"], **TEXT}
    refused = await proposals.refused("draft-proposal", draft, member(ZHANG), "unknown_member")
    assert refused["fields"] == ["cosigner_member_ids"]
    assert refused["details"]["by_field"] == {"cosigner_member_ids": ["m-nobody"]}
    # Inviting only registered members is fine.
    await proposals.do("draft-proposal", {**draft, "cosigner_member_ids": [LI]}, member(ZHANG))


async def test_a_key_proposal_supervised_by_someone_not_in_the_chair_meeting_is_refused_naming_them(
        proposals: CommandClient) -> None:
    pid = await _accepted(proposals)
    key = {"proposal_id": pid, "supervising_leaders": [CHAIR, LI, "m-nobody"]}
    refused = await proposals.refused("designate-key-proposal", key, LEADER, "unknown_leader")
    # 李委员 is a member but not in the chair meeting; m-nobody is no member at all.
    assert refused["fields"] == ["supervising_leaders"]
    assert refused["details"]["by_field"] == {"supervising_leaders": [LI, "m-nobody"]}
    await proposals.do("designate-key-proposal", {**key, "supervising_leaders": [CHAIR]}, LEADER)


async def test_an_organization_proposal_of_an_unknown_organization_is_refused_naming_it(
        proposals: CommandClient) -> None:
    draft = {"submitter_kind": "organization", "organization_id": "o-unknown", **TEXT}
    refused = await proposals.refused("draft-proposal", draft, member(ZHANG), "unknown_organization")
    assert refused["fields"] == ["organization_id"]
    assert refused["details"]["by_field"] == {"organization_id": ["o-unknown"]}
    await proposals.do("draft-proposal", {**draft, "organization_id": MINMENG}, member(ZHANG))


async def test_a_caller_not_allowed_learns_nothing_of_the_registry(proposals: CommandClient) -> None:
    pid = await _accepted(proposals)
    await proposals.refused("assign-proposal", {"proposal_id": pid, "mode": "separate", "unit_ids": ["u-nowhere"]},
                            member(ZHANG), "not_authorized")
