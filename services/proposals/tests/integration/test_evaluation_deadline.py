"""The evaluation deadline (评议时限): a reply is rated within the committee's working days after the day it was
given; when the deadline passes with ratings missing, the deadline watcher records who did not evaluate, the
round completes with the ratings given, and a late rating is refused naming the rule. Real store, read model
and watcher, on an injected clock."""

from __future__ import annotations

from datetime import date

from contracts.proposals import EvaluationLapsed, EvaluationsCompleted
from proposals import streams

from ..flows import ZHANG, assigned
from ..integration_kit import COMMITTEE, Api, FakeClock, ProposalsService
from ..kit import OFFICE, member, unit

WATER = unit("u-water")
LI = member("m-li")
RATING = {"rating": "satisfied", "attitude": "satisfied", "contact": "satisfied"}


async def joint_assigned(api: Api) -> str:
    """A joint proposal by m-zhang with m-li, both proposers, assigned to the water bureau."""
    pid: str = (await api.do("draft-proposal", {
        "submitter_kind": "joint", "category": "society", "title": "关于加强农村饮用水安全保障的建议",
        "case": "部分村组饮用水水质不稳定", "analysis": "管网老化", "suggestions": ["更新管网"],
        "cosigner_member_ids": ["m-li"]}, ZHANG))["proposal_id"]
    await api.do("submit-proposal", {"proposal_id": pid}, ZHANG)
    await api.do("confirm-cosignature", {"proposal_id": pid}, LI)
    await api.do("accept-proposal", {"proposal_id": pid, "reason": "符合立案标准"}, OFFICE)
    await api.do("assign-proposal", {"proposal_id": pid, "mode": "separate", "unit_ids": ["u-water"]}, OFFICE)
    return pid


async def test_a_reply_is_rated_within_ten_working_days_by_default(api: Api, clock: FakeClock) -> None:
    clock.set(date(2026, 3, 16))
    pid = await assigned(api)
    clock.set(date(2026, 4, 1))
    # Ten working days after Wednesday 1 April, over the Qingming holiday (4–6 April): Thursday 16 April.
    replied = await api.do("reply-to-proposal", {"proposal_id": pid, "result_class": "A", "text": "已解决"}, WATER)
    assert replied["evaluation_due"] == "2026-04-16"


async def test_the_committee_sets_its_own_evaluation_window(api: Api, clock: FakeClock) -> None:
    clock.set(date(2026, 3, 16))
    pid = await assigned(api)
    await api.refused("set-evaluation-window", {"working_days": 5}, ZHANG, "not_authorized")
    bad = await api.refused("set-evaluation-window", {"working_days": 0}, OFFICE, "invalid_command")
    assert "working_days" in bad["message"] and "greater than or equal to 1" in bad["message"]
    await api.do("set-evaluation-window", {"working_days": 5}, OFFICE)
    clock.set(date(2026, 5, 11))
    replied = await api.do("reply-to-proposal", {"proposal_id": pid, "result_class": "A", "text": "已解决"}, WATER)
    assert replied["evaluation_due"] == "2026-05-18", "five working days after Monday 11 May"


async def test_a_back_dated_reply_letter_counts_its_deadline_from_the_day_it_was_given(
        api: Api, clock: FakeClock) -> None:
    clock.set(date(2026, 3, 16))
    pid = await assigned(api)
    clock.set(date(2026, 4, 20))
    replied = await api.do("reply-to-proposal", {"proposal_id": pid, "unit_id": "u-water", "result_class": "A",
                                                 "text": "已解决", "occurred_on": "2026-04-01"}, OFFICE)
    assert replied["evaluation_due"] == "2026-04-16"


async def test_a_lapsed_evaluation_names_who_did_not_rate_and_releases_the_ratings_given(
        api: Api, service: ProposalsService, clock: FakeClock) -> None:
    clock.set(date(2026, 3, 16))
    pid = await joint_assigned(api)
    clock.set(date(2026, 4, 1))
    await api.do("reply-to-proposal", {"proposal_id": pid, "result_class": "A", "text": "已解决"}, WATER)
    await api.do("evaluate-reply", {"proposal_id": pid, "unit_id": "u-water", **RATING}, ZHANG)

    clock.set(date(2026, 4, 16))  # the last day to rate: nothing lapses yet
    await api.caught_up()
    assert await service.parts.watcher.tick() == []
    clock.set(date(2026, 4, 17))
    await api.caught_up()
    assert len(await service.parts.watcher.tick()) == 1
    history = [e.event for e in await service.store.read_stream(streams.proposal(COMMITTEE, pid))]
    lapsed, completed = history[-2:]
    assert isinstance(lapsed, EvaluationLapsed) and isinstance(completed, EvaluationsCompleted)
    assert (lapsed.not_rated_member_ids, lapsed.not_rated, lapsed.rated) == (["m-li"], 1, 1)
    assert lapsed.deadline == date(2026, 4, 16)
    # The round is complete with the one rating given, so the unit may now read it.
    assert [(r.member_id, r.rating.value) for r in completed.ratings] == [("m-zhang", "satisfied")]
    assert not completed.dissatisfied

    # m-li's feedback form comes too late, whoever enters it.
    late = await api.refused("evaluate-reply", {"proposal_id": pid, "unit_id": "u-water", **RATING}, LI,
                             "evaluation_deadline_passed")
    assert late["details"]["deadline"] == "2026-04-16" and "evaluation deadline" in late["message"]
    await api.refused("evaluate-reply", {"proposal_id": pid, "unit_id": "u-water", "member_id": "m-li", **RATING},
                      OFFICE, "evaluation_deadline_passed")
    await api.caught_up()
    assert await service.parts.watcher.tick() == [], "recorded once"


async def test_a_rating_after_the_deadline_is_refused_before_the_watcher_has_run(
        api: Api, clock: FakeClock) -> None:
    clock.set(date(2026, 3, 16))
    pid = await assigned(api)
    clock.set(date(2026, 4, 1))
    await api.do("reply-to-proposal", {"proposal_id": pid, "result_class": "A", "text": "已解决"}, WATER)
    clock.set(date(2026, 4, 17))
    await api.refused("evaluate-reply", {"proposal_id": pid, "unit_id": "u-water", **RATING}, ZHANG,
                      "evaluation_deadline_passed")
    # A feedback form filled in on the last day and entered later by the office still counts.
    result = await api.do("evaluate-reply", {"proposal_id": pid, "unit_id": "u-water", "member_id": "m-zhang",
                                             **RATING, "occurred_on": "2026-04-16"}, OFFICE)
    assert result["events"] == ["proposal-evaluated", "evaluations-completed"]


async def test_a_dissatisfied_rating_given_in_time_still_brings_re_handling_when_the_rest_lapse(
        api: Api, service: ProposalsService, clock: FakeClock) -> None:
    clock.set(date(2026, 3, 16))
    pid = await joint_assigned(api)
    clock.set(date(2026, 4, 1))
    await api.do("reply-to-proposal", {"proposal_id": pid, "result_class": "C", "text": "留作参考"}, WATER)
    await api.do("evaluate-reply", {"proposal_id": pid, "unit_id": "u-water", **RATING, "rating": "dissatisfied"},
                 ZHANG)
    clock.set(date(2026, 4, 17))
    await api.caught_up()
    assert len(await service.parts.watcher.tick()) == 1
    types = [e.event.event_type for e in await service.store.read_stream(streams.proposal(COMMITTEE, pid))]
    assert types[-3:] == ["evaluation-lapsed", "evaluations-completed", "handling-reopened"]


async def test_nobody_rating_at_all_is_recorded_as_not_evaluated_by_every_proposer(
        api: Api, service: ProposalsService, clock: FakeClock) -> None:
    clock.set(date(2026, 3, 16))
    pid = await joint_assigned(api)
    clock.set(date(2026, 4, 1))
    await api.do("reply-to-proposal", {"proposal_id": pid, "result_class": "A", "text": "已解决"}, WATER)
    clock.set(date(2026, 4, 20))
    await api.caught_up()
    assert len(await service.parts.watcher.tick()) == 1
    history = [e.event for e in await service.store.read_stream(streams.proposal(COMMITTEE, pid))]
    lapsed, completed = history[-2:]
    assert isinstance(lapsed, EvaluationLapsed) and isinstance(completed, EvaluationsCompleted)
    assert (lapsed.not_rated_member_ids, lapsed.rated) == (["m-zhang", "m-li"], 0)
    assert completed.ratings == []
