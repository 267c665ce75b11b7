"""A member's year, from events of three services to a grade, against cards computed by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from contracts.envelope import EventEnvelope
from contracts.members.enums import Grade, ScoreCategory
from members.scoring.facts import DutyFact, RosterEntry, facts_from
from members.scoring.reconcile import LedgerState, Reconcile, ledger
from members.scoring.rulebook import default_rulebook
from members.scoring.score import MemberCard, score_year
from members.tests.builders import envelope

YEAR = 2025


def _registered(member_id: str, name: str) -> EventEnvelope:
    return envelope("member-registered", {"member_id": member_id, "name": name, "family_name": name[0],
                                          "sector": "education", "term": 16, "joined_on": "2022-01-10"},
                    stream_id=f"member-county-a-{member_id}")


def _attendance(meeting: str, kind: str, member: str, status: str, day: str) -> EventEnvelope:
    return envelope("meeting-attendance-recorded", {
        "meeting_id": meeting, "meeting_kind": kind, "member_id": member, "status": status, "held_on": day,
        "source": "closing"})


def _year_of_events() -> tuple[list[EventEnvelope], list[EventEnvelope]]:
    """(registrations, duty events) of three members: 王芳 (active), 赵强 (absent twice), 孙丽 (no proposal)."""
    accepted_p1 = envelope("proposal-accepted", {
        "proposal_id": "p-1", "number": "2025-001", "year": YEAR, "sequence": 1, "category": "economy",
        "submitter_kind": "joint", "lead_member_id": "m-wang", "cosigner_member_ids": ["m-li"], "reason": "立案"})
    duty = [
        accepted_p1,
        accepted_p1,  # delivered twice: scores once
        envelope("proposal-accepted", {
            "proposal_id": "p-2", "number": "2025-002", "year": YEAR, "sequence": 2, "category": "society",
            "submitter_kind": "joint", "lead_member_id": "m-li", "cosigner_member_ids": ["m-wang", "m-zhao"],
            "reason": "立案"}),
        envelope("key-proposal-designated", {"proposal_id": "p-1", "year": YEAR, "supervising_leaders": ["m-chair"],
                                             "lead_member_id": "m-wang", "cosigner_member_ids": ["m-li"]}),
        envelope("opinion-report-submitted", {"report_id": "r-1", "author_member_id": "m-wang", "title": "农村饮水",
                                              "body": "……"}),
        envelope("opinion-report-adopted", {"report_id": "r-1", "level": "county", "author_member_id": "m-wang",
                                            "adopted_on": "2025-05-02"}),
        envelope("opinion-report-instructed", {"report_id": "r-1", "leader": "县委书记", "level": "city",
                                               "author_member_id": "m-wang", "instructed_on": "2025-05-20"}),
        envelope("opinion-report-submitted", {"report_id": "r-2", "author_member_id": None,
                                              "direct_report_point_id": "drp-1", "title": "直报点", "body": "……"}),
        _attendance("mtg-plenary", "plenary", "m-wang", "on_leave", "2025-01-15"),
        _attendance("mtg-standing-1", "standing_committee", "m-wang", "absent", "2025-03-10"),
        _attendance("mtg-plenary", "plenary", "m-zhao", "absent", "2025-01-15"),
        _attendance("mtg-plenary-2", "plenary", "m-zhao", "absent", "2025-09-15"),
        envelope("research-participation-recorded", {"activity_id": "res-1", "kind": "research", "title": "乡村振兴",
                                                     "held_on": "2025-04-01", "member_ids": ["m-wang"]}),
        envelope("research-participation-recorded", {"activity_id": "ins-1", "kind": "inspection", "title": "养老",
                                                     "held_on": "2025-04-11", "member_ids": ["m-wang", "m-sun"]}),
        envelope("supervision-reported", {"supervision_id": "sv-1", "report_id": "svr-1", "topic_title": "营商环境",
                                          "reported_on": "2025-07-01", "member_ids": ["m-wang"]}),
        envelope("training-recorded", {"training_id": "tr-1", "kind": "capacity_training", "title": "履职培训",
                                       "held_on": "2025-02-20", "member_ids": ["m-wang"]}),
        envelope("award-granted", {"award_id": "aw-1", "title": "优秀政协委员", "level": "county",
                                   "granted_on": "2025-12-01", "member_ids": ["m-wang"]}),
        envelope("award-granted", {"award_id": "aw-2", "title": "省级先进个人", "level": "province",
                                   "granted_on": "2025-11-01", "member_ids": ["m-sun"]}),
    ]
    for i in range(6):  # 王芳 logs six visits; the visits rule stops at 10 points
        duty.append(envelope("visit-logged", {
            "visit_id": f"v-{i}", "kind": "member_visits_sector", "visitor_member_id": "m-wang",
            "visited_sector": "education", "visited_on": f"2025-0{i + 3}-05", "roles": ["policy_explainer"],
            "people_reached": 12}))
    for i in range(2):
        duty.append(envelope("charity-recorded", {"charity_id": f"ch-w{i}", "kind": "school_donation",
                                                  "title": "捐资助学", "done_on": f"2025-0{i + 6}-01",
                                                  "member_ids": ["m-wang"]}))
    for i in range(6):  # 孙丽: six charity activities, capped at 10 points
        duty.append(envelope("charity-recorded", {"charity_id": f"ch-s{i}", "kind": "three_to_countryside",
                                                  "title": "三下乡", "done_on": f"2025-0{i + 1}-20",
                                                  "member_ids": ["m-sun"]}))
    regs = [_registered("m-wang", "王芳"), _registered("m-zhao", "赵强"), _registered("m-sun", "孙丽")]
    return regs, duty


def _cards() -> dict[str, MemberCard]:
    regs, duty = _year_of_events()
    roster = [RosterEntry(member_id=e.data["member_id"], registered_event_id=e.event_id, joined_on=date(2022, 1, 10))
              for e in regs]
    facts: list[DutyFact] = [f for e in duty for f in facts_from(e)]
    return score_year(default_rulebook(YEAR), 1, roster, facts)


def test_wang_fang_card_matches_the_hand_computed_one() -> None:
    card = _cards()["m-wang"]
    # By hand, default rulebook: base 70; proposals 15 (lead p-1) + 3 (co-signer p-2) + 15 (key p-1) = 33;
    # reports 5 + 10 (adopted) + 10 (instructed) = 25; meetings -10 (plenary on leave) - 5 (standing absent)
    # = -15; visits 6 x 2 capped at 10; research 2 + 2; supervision 2; training 1; charity 2 x 2 = 4; award 5.
    assert card.by_category() == {
        ScoreCategory.base: 70, ScoreCategory.proposals: 33, ScoreCategory.opinion_reports: 25,
        ScoreCategory.attendance: -15, ScoreCategory.visits: 10, ScoreCategory.research: 4,
        ScoreCategory.supervision: 2, ScoreCategory.training: 1, ScoreCategory.charity: 4, ScoreCategory.awards: 5}
    assert card.total == Decimal(139)
    assert card.grade is Grade.excellent and card.flags == ()
    capped = [i for i in card.items if i.capped]
    assert [(i.rule, i.nominal_points, i.points) for i in capped] == [("visit.logged", 2, 0)]
    assert {i.source_event_type for i in card.items} >= {
        "member-registered", "proposal-accepted", "key-proposal-designated", "opinion-report-adopted",
        "meeting-attendance-recorded", "research-participation-recorded", "supervision-reported", "visit-logged"}


def test_two_unexcused_plenary_absences_flag_and_stop_at_the_meeting_cap() -> None:
    card = _cards()["m-zhao"]
    # 70 + 3 (co-signer p-2) - 30 - 20 (the second absence stops at the 50-point meeting cap) = 23
    assert [(i.rule, i.points) for i in card.items if i.category is ScoreCategory.attendance] == [
        ("attendance.plenary.absent", -30), ("attendance.plenary.absent", -20)]
    assert card.total == Decimal(23) and card.grade is Grade.incompetent
    assert [(f.flag, f.count) for f in card.flags] == [("plenary_unexcused_twice", 2)]


def test_a_year_without_proposal_or_report_caps_an_excellent_total_at_competent() -> None:
    card = _cards()["m-sun"]
    # 70 + 2 (inspection) + 10 (six charity activities, capped at 10) + 10 (provincial award) = 92
    assert card.total == Decimal(92)
    assert card.grade_by_points is Grade.excellent
    assert [f.flag for f in card.flags] == ["no_proposal_no_report"]
    assert card.grade is Grade.competent


def test_a_direct_report_point_earns_no_member_points() -> None:
    _, duty = _year_of_events()
    [report] = [e for e in duty if e.type == "opinion-report-submitted" and e.data["author_member_id"] is None]
    assert facts_from(report) == []


@pytest.mark.parametrize("graded", [False, True])
def test_the_ledger_published_from_a_card_adds_up_to_it_and_does_not_repeat(graded: bool) -> None:
    card = _cards()["m-wang"]
    events = ledger.decide(LedgerState(), Reconcile(card, graded_year=graded))
    state = ledger.fold(events)
    assert state.total == card.total == Decimal(139)
    assert len(state.items) == len([i for i in card.items if i.points])
    assert (state.graded is not None) is graded
    assert ledger.decide(state, Reconcile(card, graded_year=graded)) == []
