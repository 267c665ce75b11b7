"""The main scenario, through the HTTP command API against the real PostgreSQL and Kafka: a joint proposal
goes through review, assignment, a re-assignment request, a reply, one co-signer's dissatisfaction, a second
reply and everyone's satisfaction — and every fact reaches the public topic."""

from __future__ import annotations

import json
from datetime import date

from contracts.proposals import EvaluationsCompleted, ProposalAccepted
from eventstore.kafka_access import KafkaAccess
from proposals import streams
from proposals.handlers import WATCHER
from yizheng.testing.topic_reader import TopicReader

from ..integration_kit import COMMITTEE, OTHER_COMMITTEE, Api, FakeClock, ProposalsService, event_types
from ..kit import OFFICE, member, unit

ZHANG, LI, ZHAO, WU = member("m-zhang"), member("m-li"), member("m-zhao"), member("m-wu")
WATER, HEALTH, AGRI = unit("u-water"), unit("u-health"), unit("u-agri")

DRAFT = {
    "submitter_kind": "joint", "cosigner_member_ids": ["m-li", "m-zhao", "m-wu"], "category": "society",
    "title": "关于加强农村饮用水安全保障的建议", "case": "部分村组饮用水水质不稳定，夏季尤甚",
    "analysis": "供水管网老化，水质监测点少，乡镇水厂管理力量不足",
    "suggestions": ["分年度更新老旧管网", "每个乡镇设立水质监测点", "落实水厂管护经费"],
    "attachments": [{"ref": "doc://attachments/2026/water-survey.pdf", "name": "水质调查表.pdf"}],
}


async def test_a_joint_proposal_from_draft_to_everyones_satisfaction(
        kafka_api: Api, kafka_service: ProposalsService, clock: FakeClock, kafka_bootstrap: KafkaAccess) -> None:
    api, service = kafka_api, kafka_service
    clock.set(date(2026, 3, 2))

    drafted = await api.do("draft-proposal", DRAFT, ZHANG)
    pid = drafted["proposal_id"]
    # A draft is the lead's alone; another committee does not know the proposal at all.
    await api.refused("submit-proposal", {"proposal_id": pid}, LI, "proposal_not_found")
    await api.refused("submit-proposal", {"proposal_id": pid}, ZHANG, "proposal_not_found", committee=OTHER_COMMITTEE)
    submitted = await api.do("submit-proposal", {"proposal_id": pid}, ZHANG)
    assert submitted["cosign_deadline"] == "2026-03-09" and submitted["similar"] == []

    await api.do("confirm-cosignature", {"proposal_id": pid}, LI)
    await api.do("confirm-cosignature", {"proposal_id": pid}, ZHAO)
    await api.refused("accept-proposal", {"proposal_id": pid, "reason": "符合立案标准"}, OFFICE, "cosigners_pending")
    await api.refused("accept-proposal", {"proposal_id": pid, "reason": "符合立案标准"}, ZHANG, "not_authorized")

    # Wu never confirms: after the deadline the watcher lets the proposal go ahead without him.
    clock.set(date(2026, 3, 10))
    await api.caught_up()
    await service.parts.watcher.tick()
    assert (await event_types(service, streams.proposal(COMMITTEE, pid)))[-1] == "cosigner-lapsed"
    accepted = await api.do("accept-proposal", {"proposal_id": pid, "reason": "符合立案标准"}, OFFICE)
    assert accepted["number"] == "2026-001"

    slip = await api.do("assign-proposal", {"proposal_id": pid, "mode": "lead_with_co", "lead_unit_id": "u-water",
                                            "co_unit_ids": ["u-health"]}, OFFICE)
    assert slip["deadline"] == "2026-06-10" and slip["reassignment_window_ends"] == "2026-03-17"

    # The health bureau asks within five working days to be re-assigned; the office hands it to agriculture.
    clock.set(date(2026, 3, 12))
    await api.do("request-reassignment", {"proposal_id": pid, "reason": "农村供水属农业农村部门职责"}, HEALTH)
    await api.refused("grant-reassignment", {"proposal_id": pid, "unit_id": "u-health", "new_unit_id": "u-agri",
                                             "reason": "职责调整"}, HEALTH, "not_authorized")
    await api.do("grant-reassignment", {"proposal_id": pid, "unit_id": "u-health", "new_unit_id": "u-agri",
                                        "reason": "职责调整"}, OFFICE)

    clock.set(date(2026, 4, 1))
    await api.do("record-handling-contact", {"proposal_id": pid, "kind": "meeting", "held_on": "2026-04-01",
                                             "member_ids": ["m-zhang", "m-li"], "summary": "实地查看水厂"}, WATER)
    clock.set(date(2026, 4, 15))
    await api.refused("reply-to-proposal", {"proposal_id": pid, "result_class": "A", "text": "x"}, AGRI,
                      "co_unit_cannot_reply")
    reply = await api.do("reply-to-proposal", {
        "proposal_id": pid, "result_class": "B", "text": "已列入2026年农村供水保障工程",
        "commitments": [{"text": "完成12个村管网改造", "due": "2026-09-30"}]}, WATER)
    assert reply["events"] == ["proposal-replied", "commitment-recorded"]
    await api.refused("cosign-reply", {"proposal_id": pid}, HEALTH, "proposal_not_found")  # released
    await api.do("cosign-reply", {"proposal_id": pid}, AGRI)

    form = {"proposal_id": pid, "unit_id": "u-water", "attitude": "satisfied", "contact": "satisfied"}
    await api.refused("evaluate-reply", {**form, "rating": "satisfied"}, WU, "not_authorized")
    await api.refused("evaluate-reply", {**form, "rating": "satisfied"}, WATER, "not_authorized")
    await api.do("evaluate-reply", {**form, "rating": "satisfied"}, ZHANG)
    await api.do("evaluate-reply", {**form, "rating": "dissatisfied", "comment": "进度太慢"}, LI)
    last = await api.do("evaluate-reply", {**form, "rating": "basically_satisfied"}, ZHAO)
    assert last["events"] == ["proposal-evaluated", "evaluations-completed", "handling-reopened"]

    clock.set(date(2026, 5, 12))
    second = await api.do("reply-to-proposal", {"proposal_id": pid, "result_class": "A",
                                                "text": "管网改造提前完成，水质监测点已设立"}, WATER)
    assert second["events"] == ["proposal-replied"]
    for proposer in (ZHANG, LI):
        await api.do("evaluate-reply", {**form, "rating": "satisfied"}, proposer)
    done = await api.do("evaluate-reply", {**form, "rating": "satisfied"}, ZHAO)
    assert done["events"] == ["proposal-evaluated", "evaluations-completed"]

    history = await service.store.read_stream(streams.proposal(COMMITTEE, pid))
    (acc,) = [e.event for e in history if isinstance(e.event, ProposalAccepted)]
    assert acc.cosigner_member_ids == ["m-li", "m-zhao"] and acc.lead_member_id == "m-zhang"
    completions = [e.event for e in history if isinstance(e.event, EvaluationsCompleted)]
    assert [(x.round, x.dissatisfied) for x in completions] == [(1, True), (2, False)]
    replies = [e.event for e in history if e.event.event_type == "proposal-replied"]
    assert [(r.round, r.on_time) for r in replies] == [(1, True), (2, True)]  # type: ignore[attr-defined]
    assert [e.envelope.type for e in history if e.envelope.actor == WATCHER] == ["cosigner-lapsed"]

    # Every fact went out on the topic, keyed by the proposal's stream, with CloudEvents headers.
    expected = [e.envelope.type for e in history]
    key, numbering_key = streams.proposal(COMMITTEE, pid).encode(), streams.numbering(COMMITTEE, 2026).encode()
    assert service.relay is not None
    async with TopicReader(kafka_bootstrap, service.relay.topic) as reader:
        # Two streams, so possibly two partitions arriving in any order: wait for both.
        records = await reader.until(
            lambda rs: len([r for r in rs if r.key == key]) >= len(expected) and any(r.key == numbering_key
                                                                                      for r in rs),
            message="the proposal's events and its number on the topic")
        mine = [r for r in records if r.key == key]
        assert [json.loads(r.value or b"")["type"] for r in mine] == expected
        accepted_record = next(r for r in mine if reader.headers(r)["ce_type"] == "proposal-accepted.v1")
        body = json.loads(accepted_record.value or b"")
        assert body["data"]["number"] == "2026-001" and body["committee_id"] == COMMITTEE
        (number,) = [json.loads(r.value or b"") for r in records if r.key == numbering_key]
        assert (number["type"], number["data"]["number"]) == ("proposal-number-assigned", "2026-001")
