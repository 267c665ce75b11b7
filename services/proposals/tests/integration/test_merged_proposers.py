"""A proposal merged into another (并案): its proposers — the lead, the co-signers who confirmed, a collective's
contact member — become proposers of the proposal it was merged into. They evaluate its replies (every one of
them, before the round is complete) and are credited with it by the rulebook's joint-work rule."""

from __future__ import annotations

from typing import Any

from contracts.members.enums import FactKind
from contracts.proposals import KeyProposalDesignated, ProposalAccepted, ProposalMergeReceived
from contracts.registry import REGISTRY
from members.scoring.facts import facts_from
from proposals import streams

from ..flows import draft_body
from ..integration_kit import COMMITTEE, Api, FakeClock, ProposalsService, event_types
from ..kit import LEADER, OFFICE, member, unit

ZHANG, LI, ZHAO, WU, QIAN = member("m-zhang"), member("m-li"), member("m-zhao"), member("m-wu"), member("m-qian")
WATER = unit("u-water")
RATING = {"unit_id": "u-water", "rating": "satisfied", "attitude": "satisfied", "contact": "satisfied"}


async def _submitted(api: Api, lead: Any, title: str, **extra: Any) -> str:
    pid: str = (await api.do("draft-proposal", draft_body(title, **extra), lead))["proposal_id"]
    await api.do("submit-proposal", {"proposal_id": pid}, lead)
    return pid


async def _joint_by_li(api: Api) -> str:
    """Li's joint proposal: Zhao confirms, Wu declines."""
    pid = await _submitted(api, LI, "关于保障农村饮用水安全的建议", submitter_kind="joint",
                           cosigner_member_ids=["m-zhao", "m-wu"])
    await api.do("confirm-cosignature", {"proposal_id": pid}, ZHAO)
    await api.do("decline-cosignature", {"proposal_id": pid}, WU)
    return pid


async def _merge(api: Api, source: str, target: str) -> None:
    await api.do("merge-proposal", {"proposal_id": source, "into_proposal_id": target, "reason": "内容相近，并案办理"},
                 OFFICE)


async def _last(service: ProposalsService, pid: str, kind: type[Any]) -> Any:
    history = await service.store.read_stream(streams.proposal(COMMITTEE, pid))
    return [e for e in history if isinstance(e.event, kind)][-1]


def _credited(stored: Any) -> dict[str, str]:
    """What the members service's duty facts make of the event: member -> role."""
    return {f.member_id: f.role for f in facts_from(stored.envelope, stored.event.model_dump(mode="json"))}


async def test_the_merged_proposers_evaluate_the_target_and_share_its_acceptance(
        api: Api, service: ProposalsService, clock: FakeClock) -> None:
    target = await _submitted(api, ZHANG, "关于加强农村饮用水安全保障的建议")
    source = await _joint_by_li(api)
    await _merge(api, source, target)
    received = (await _last(service, target, ProposalMergeReceived)).event
    assert (received.proposer_member_ids, received.accepted) == (["m-li", "m-zhao"], False), "Wu declined"

    await api.do("accept-proposal", {"proposal_id": target, "reason": "符合立案标准"}, OFFICE)
    accepted = await _last(service, target, ProposalAccepted)
    assert accepted.event.merged_proposer_ids == ["m-li", "m-zhao"]
    assert _credited(accepted) == {"m-zhang": "lead", "m-li": "cosigner", "m-zhao": "cosigner"}

    await api.do("assign-proposal", {"proposal_id": target, "mode": "separate", "unit_ids": ["u-water"]}, OFFICE)
    # The unit meets Li as one of the proposers.
    await api.do("record-handling-contact", {"proposal_id": target, "kind": "meeting",
                                             "held_on": clock.today.isoformat(), "member_ids": ["m-zhang", "m-li"]},
                 WATER)
    await api.do("reply-to-proposal", {"proposal_id": target, "result_class": "A", "text": "已完成管网改造"}, WATER)
    await api.refused("evaluate-reply", {"proposal_id": target, **RATING}, WU, "not_authorized")
    await api.do("evaluate-reply", {"proposal_id": target, **RATING}, ZHANG)
    evaluated = await api.do("evaluate-reply", {"proposal_id": target, **RATING}, LI)
    assert evaluated["events"] == ["proposal-evaluated"], "Zhao has still to rate the reply"
    completed = await api.do("evaluate-reply", {"proposal_id": target, **RATING}, ZHAO)
    assert completed["events"] == ["proposal-evaluated", "evaluations-completed"]

    await api.do("designate-key-proposal", {"proposal_id": target, "supervising_leaders": ["m-chair"]}, LEADER)
    key = await _last(service, target, KeyProposalDesignated)
    assert key.event.merged_proposer_ids == ["m-li", "m-zhao"]
    assert _credited(key) == {"m-zhang": "lead", "m-li": "cosigner", "m-zhao": "cosigner"}


async def test_merged_into_an_accepted_proposal_they_are_credited_from_the_merge(
        api: Api, service: ProposalsService) -> None:
    target = await _submitted(api, ZHANG, "关于加强农村饮用水安全保障的建议")
    await api.do("accept-proposal", {"proposal_id": target, "reason": "符合立案标准"}, OFFICE)
    # An organization's proposal: its contact member is its proposer.
    source = await _submitted(api, QIAN, "关于农村供水的建议", submitter_kind="organization",
                              organization_id="o-mm")
    await _merge(api, source, target)
    received = await _last(service, target, ProposalMergeReceived)
    assert (received.event.proposer_member_ids, received.event.accepted, received.event.year) == (
        ["m-qian"], True, 2026)
    credited = facts_from(received.envelope, received.event.model_dump(mode="json"))
    assert [(f.key, f.member_id, f.kind, f.role) for f in credited] == [
        (f"proposal-accepted:{target}:m-qian", "m-qian", FactKind.proposal_accepted, "cosigner")]
    await api.do("assign-proposal", {"proposal_id": target, "mode": "separate", "unit_ids": ["u-water"]}, OFFICE)
    await api.do("reply-to-proposal", {"proposal_id": target, "result_class": "A", "text": "已完成"}, WATER)
    await api.do("evaluate-reply", {"proposal_id": target, **RATING}, QIAN)


async def test_the_targets_own_proposers_keep_their_roles(api: Api, service: ProposalsService) -> None:
    # Zhang leads the target and co-signs the merged proposal: he stays the lead, named once.
    target = await _submitted(api, ZHANG, "关于加强农村饮用水安全保障的建议")
    source = await _submitted(api, LI, "关于保障农村饮用水安全的建议", submitter_kind="joint",
                              cosigner_member_ids=["m-zhang"])
    await api.do("confirm-cosignature", {"proposal_id": source}, ZHANG)
    await _merge(api, source, target)
    assert (await _last(service, target, ProposalMergeReceived)).event.proposer_member_ids == ["m-li"]
    assert (await event_types(service, streams.proposal(COMMITTEE, source)))[-1] == "proposal-merged"


def test_a_merge_recorded_before_v2_reads_back_naming_nobody() -> None:
    v1 = {"proposal_id": "p-1", "from_proposal_id": "p-2", "reason": "内容相近"}
    event = REGISTRY.parse("proposal-merge-received", 1, v1)
    assert isinstance(event, ProposalMergeReceived) and REGISTRY.current_version("proposal-merge-received") == 2
    assert (event.proposer_member_ids, event.year, event.accepted, event.key) == ([], None, False, False)
