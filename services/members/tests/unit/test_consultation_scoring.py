"""Consultation speaking and written opinions on a member's card: 3 points for speaking at a consultation
(协商会上发言), 2 for a written opinion (提交书面发言), at most 10 a year in the consultation category; taking
part earns nothing by itself (attendance is scored as a meeting's)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.members.enums import FactKind, ScoreCategory
from members.scoring.facts import FOREIGN_TYPES, DutyFact, RosterEntry, facts_from
from members.scoring.rulebook import default_rulebook
from members.scoring.score import MemberCard, score_member
from members.service import DEFINITION
from members.tests.builders import envelope

YEAR = 2026
ROSTER = {m: RosterEntry(member_id=m, registered_event_id=UUID(int=i), joined_on=date(2022, 1, 1))
          for i, m in enumerate(["m-zhang", "m-li", "m-wu"], start=1)}


def _held(consultation_id: str, *, participants: list[str], speakers: list[str], written: list[str],
          held_on: str = "2026-04-10") -> list[DutyFact]:
    return facts_from(envelope("consultation-held", {
        "consultation_id": consultation_id, "held_on": held_on, "participant_member_ids": participants,
        "speaker_member_ids": speakers, "written_opinion_member_ids": written, "summary": "围绕优化营商环境协商"}))


def _card(member_id: str, facts: list[DutyFact]) -> MemberCard:
    return score_member(default_rulebook(YEAR), 1, member_id, ROSTER[member_id], facts)


def _rules(card: MemberCard) -> list[tuple[str, Decimal]]:
    return [(i.rule, i.points) for i in card.items if i.category == ScoreCategory.consultation]


def test_a_speaker_and_a_written_opinion_each_earn_their_points_and_attending_earns_none() -> None:
    facts = _held("c-1", participants=["m-zhang", "m-li", "m-wu"], speakers=["m-zhang"], written=["m-li"])
    assert [(f.key, f.kind) for f in facts] == [
        ("consultation-speech:c-1:m-zhang", FactKind.consultation_speech),
        ("consultation-written:c-1:m-li", FactKind.consultation_written_opinion)]
    assert _rules(_card("m-zhang", facts)) == [("consultation.spoke", Decimal(3))]
    assert _rules(_card("m-li", facts)) == [("consultation.written", Decimal(2))]
    # 吴 took part without speaking or writing: only his base points.
    wu = _card("m-wu", facts)
    assert _rules(wu) == [] and wu.total == default_rulebook(YEAR).base_points


def test_a_member_who_spoke_and_wrote_earns_both_and_a_redelivery_adds_nothing() -> None:
    facts = _held("c-1", participants=["m-zhang"], speakers=["m-zhang"], written=["m-zhang"])
    assert len({f.key for f in facts}) == 2
    card = _card("m-zhang", facts + _held("c-1", participants=["m-zhang"], speakers=["m-zhang"], written=["m-zhang"]))
    assert sorted(_rules(card)) == [("consultation.spoke", Decimal(3)), ("consultation.written", Decimal(2))]
    labels = {i.rule: i.rule_label_zh for i in card.items}
    assert labels["consultation.spoke"] == "协商会上发言" and labels["consultation.written"] == "提交书面发言"


def test_the_members_consumer_hears_consultations_held() -> None:
    assert "consultation-held" in FOREIGN_TYPES
    (duty_facts,) = [c for c in DEFINITION.consumers if c.name == "duty-facts"]
    assert duty_facts.types is not None and "consultation-held" in duty_facts.types


def test_the_default_rulebook_caps_the_consultation_category_at_ten() -> None:
    assert default_rulebook(YEAR).category_caps[ScoreCategory.consultation] == Decimal(10)
    four_speeches = [f for i in range(4) for f in _held(f"c-{i}", participants=["m-zhang"], speakers=["m-zhang"],
                                                        written=[], held_on=f"2026-0{i + 3}-10")]
    card = _card("m-zhang", four_speeches)
    # Taken in date order: the first three earn 3 each, the fourth only the 1 left under the cap.
    assert [p for _, p in _rules(card)] == [Decimal(3), Decimal(3), Decimal(3), Decimal(1)]


sessions = st.lists(st.tuples(st.booleans(), st.booleans(), st.integers(min_value=1, max_value=12)),
                    max_size=20)


@settings(max_examples=100, deadline=None)
@given(sessions)
def test_consultation_points_never_pass_the_cap_and_are_what_each_session_earned_up_to_it(
        held: list[tuple[bool, bool, int]]) -> None:
    facts = [f for i, (spoke, wrote, month) in enumerate(held)
             for f in _held(f"c-{i}", participants=["m-zhang"], speakers=["m-zhang"] if spoke else [],
                            written=["m-zhang"] if wrote else [], held_on=f"2026-{month:02d}-01")]
    card = _card("m-zhang", facts)
    earned = sum((p for _, p in _rules(card)), Decimal(0))
    nominal = 3 * sum(s for s, _, _ in held) + 2 * sum(w for _, w, _ in held)
    assert earned == min(Decimal(nominal), Decimal(10))
    assert card.total == default_rulebook(YEAR).base_points + earned
