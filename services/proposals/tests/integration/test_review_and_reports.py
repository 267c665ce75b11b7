"""Review decisions and public-opinion reports against the real store."""

from __future__ import annotations

import asyncio
from datetime import date

from proposals import streams

from ..flows import ZHANG, accepted, draft_body, submitted
from ..integration_kit import COMMITTEE, OTHER_COMMITTEE, Api, FakeClock, ProposalsService, event_types
from ..kit import OFFICE, member


async def test_a_proposal_merged_into_a_similar_one(api: Api, service: ProposalsService) -> None:
    first = await submitted(api)
    second = await submitted(api, "关于保障农村饮用水安全的建议")
    await api.refused("merge-proposal", {"proposal_id": second, "into_proposal_id": second, "reason": "相同"},
                      OFFICE, "merge_into_itself")
    await api.refused("merge-proposal", {"proposal_id": second, "into_proposal_id": "no-such", "reason": "相同"},
                      OFFICE, "proposal_not_found")
    merged = await api.do("merge-proposal", {"proposal_id": second, "into_proposal_id": first,
                                             "reason": "内容相近，并案办理"}, OFFICE)
    assert merged["events"] == ["proposal-merged", "proposal-merge-received"]
    assert (await event_types(service, streams.proposal(COMMITTEE, second)))[-1] == "proposal-merged"
    assert (await event_types(service, streams.proposal(COMMITTEE, first)))[-1] == "proposal-merge-received"
    await api.refused("accept-proposal", {"proposal_id": second, "reason": "x"}, OFFICE, "not_under_review")
    assert (await api.do("accept-proposal", {"proposal_id": first, "reason": "立案"}, OFFICE))["number"] == "2026-001"


async def test_not_accepted_and_converted_into_a_public_opinion_report(api: Api, service: ProposalsService) -> None:
    pid = await submitted(api)
    result = await api.do("not-accept-proposal", {"proposal_id": pid, "converted_to": "opinion_report",
                                                  "reason": "反映情况具体，宜作社情民意信息报送"}, OFFICE)
    report_id = result["opinion_report_id"]
    (submitted_report,) = await service.store.read_stream(streams.opinion_report(COMMITTEE, report_id))
    data = submitted_report.event
    assert (data.from_proposal_id, data.author_member_id) == (pid, "m-zhang")  # type: ignore[attr-defined]
    assert "管网老化" in data.body  # type: ignore[attr-defined]
    # The report goes on like any other, and the proposal is settled.
    await api.do("forward-opinion-report", {"report_id": report_id, "level": "county"}, OFFICE)
    await api.refused("return-proposal", {"proposal_id": pid, "reason": "x"}, OFFICE, "not_under_review")


async def test_a_report_adopted_at_city_level_with_a_leaders_instruction(api: Api, service: ProposalsService,
                                                                       clock: FakeClock) -> None:
    clock.set(date(2026, 4, 7))
    rid = (await api.do("submit-opinion-report", {"title": "关于乡村客运班线停运影响群众出行的情况反映",
                                                  "body": "部分乡镇客运班线停运……", "category": "society"},
                        member("m-li")))["report_id"]
    await api.do("edit-opinion-report", {"report_id": rid, "title": "乡村客运班线停运影响群众出行",
                                         "body": "编辑后的正文", "note": "压缩篇幅"}, OFFICE)
    await api.refused("record-opinion-report-adoption", {"report_id": rid, "level": "city"}, OFFICE,
                      "not_forwarded_to_level")
    await api.do("forward-opinion-report", {"report_id": rid, "level": "city", "recipient": "市政协办公室"}, OFFICE)
    await api.do("record-opinion-report-adoption", {"report_id": rid, "level": "city", "adopted_by": "市政协"}, OFFICE)
    await api.do("record-opinion-report-instruction", {"report_id": rid, "level": "city", "leader": "市委副书记",
                                                       "instruction": "请市交通局研究解决"}, OFFICE)
    await api.do("publish-opinion-report", {"report_id": rid, "issue": "2026年第5期"}, OFFICE)
    history = await service.store.read_stream(streams.opinion_report(COMMITTEE, rid))
    assert [e.envelope.type for e in history] == [
        "opinion-report-submitted", "opinion-report-edited", "opinion-report-forwarded", "opinion-report-adopted",
        "opinion-report-instructed", "opinion-report-published"]
    adopted, instructed = history[3].event, history[4].event
    assert (adopted.level, adopted.author_member_id) == ("city", "m-li")  # type: ignore[attr-defined]
    assert (instructed.leader, instructed.instructed_on) == ("市委副书记", date(2026, 4, 7))  # type: ignore[attr-defined]


async def test_numbers_are_unique_and_gap_free_under_concurrent_acceptance(api: Api, service: ProposalsService) -> None:
    pids = [await submitted(api, f"关于第{i}项工作的建议") for i in range(12)]
    results = await asyncio.gather(*(api.do("accept-proposal", {"proposal_id": p, "reason": "立案"}, OFFICE)
                                     for p in pids))
    numbers = sorted(r["number"] for r in results)
    assert numbers == [f"2026-{i:03d}" for i in range(1, 13)]
    assert await event_types(service, streams.numbering(COMMITTEE, 2026)) == ["proposal-number-assigned"] * 12
    await api.caught_up()
    assert await service.parts.read_model.numbers(service.pool, COMMITTEE, 2026) == numbers
    # Another committee counts from one.
    other = (await api.do("draft-proposal", draft_body(), ZHANG, committee=OTHER_COMMITTEE))["proposal_id"]
    await api.do("submit-proposal", {"proposal_id": other}, ZHANG, committee=OTHER_COMMITTEE)
    result = await api.do("accept-proposal", {"proposal_id": other, "reason": "立案"}, OFFICE,
                          committee=OTHER_COMMITTEE)
    assert result["number"] == "2026-001"


async def test_similar_proposals_of_earlier_years_are_offered_on_submission(api: Api, clock: FakeClock) -> None:
    clock.set(date(2025, 3, 3))
    earlier = await accepted(api, "关于加强农村饮用水安全保障的建议")
    unrelated = await accepted(api, "关于发展县域全域旅游的建议", case="旅游资源丰富但开发不足",
                               analysis="缺少精品线路", suggestions=["打造精品线路"])
    await submitted(api, "关于农村饮用水的建议")  # never reviewed: not offered
    clock.set(date(2026, 3, 2))
    await api.caught_up()
    pid = (await api.do("draft-proposal", draft_body("关于保障农村饮用水安全的建议"), ZHANG))["proposal_id"]
    result = await api.do("submit-proposal", {"proposal_id": pid}, ZHANG)
    similar = result["similar"]
    assert [s["proposal_id"] for s in similar] == [earlier]
    assert similar[0]["number"] == "2025-001" and similar[0]["year"] == 2025 and similar[0]["score"] > 0.5
    assert unrelated not in {s["proposal_id"] for s in similar}
