"""The surveys service's scored events as its supervision and research commands now write them: one duty
fact per member, keyed so a redelivery replaces it; taking part in a consultation earns no fact of its own
(members attend it as a meeting: `meeting-attendance-recorded` with `meeting_kind: consultation`), speaking
at it and written opinions do (test_consultation_scoring.py)."""

from __future__ import annotations

from datetime import date

from contracts.members.enums import FactKind
from members.scoring.facts import FOREIGN_TYPES, facts_from
from members.tests.builders import envelope


def test_a_supervision_report_credits_the_team_and_the_activities_participants_once_each() -> None:
    reported = envelope("supervision-reported", {
        "supervision_id": "s-business", "report_id": "r-1", "topic_title": "优化营商环境专项民主监督",
        "reported_on": "2026-04-20", "member_ids": ["m-zhang", "m-li", "m-wu"], "unit_ids": ["u-market", "u-tax"],
        "findings": 2, "rectification_due": "2026-06-03"})
    facts = facts_from(reported)
    assert [(f.key, f.kind, f.occurred_on, f.participants) for f in facts] == [
        (f"supervision:r-1:{m}", FactKind.supervision, date(2026, 4, 20), 3) for m in ("m-zhang", "m-li", "m-wu")]
    assert facts_from(reported) == facts  # keyed by report and member: a redelivery is the same facts


def test_a_field_day_of_an_embedded_inspection_counts_as_inspection() -> None:
    day = envelope("research-participation-recorded", {
        "activity_id": "d-1", "kind": "inspection", "title": "乡村振兴农村物流融入性视察", "held_on": "2026-04-02",
        "member_ids": ["m-zhang", "m-li"]})
    assert [(f.key, f.kind, f.attrs) for f in facts_from(day)] == [
        ("research:d-1:m-zhang", FactKind.research, {"kind": "inspection"}),
        ("research:d-1:m-li", FactKind.research, {"kind": "inspection"})]


def test_a_special_supervisors_appraisal_rounds_are_one_fact_per_round() -> None:
    def took_part(unit_id: str) -> list[str]:
        return [f.key for f in facts_from(envelope("appraisal-participation-recorded", {
            "appraisal_id": "ap-2026", "round_id": "r1", "member_id": "m-zhao", "unit_id": unit_id,
            "held_on": "2026-06-10"}))]
    assert took_part("u-police") == took_part("u-court") == ["appraisal:ap-2026:r1:m-zhao"]


def test_consultation_sessions_earn_no_fact_of_their_own() -> None:
    outcome = envelope("consultation-outcome-recorded", {
        "consultation_id": "c-1", "outcome_id": "o-1", "kind": "counterpart", "title": "协商意见",
        "held_on": "2026-04-10", "participant_member_ids": ["m-zhang"]})
    assert facts_from(outcome) == []
    assert {"supervision-reported", "research-participation-recorded",
            "appraisal-participation-recorded"} <= FOREIGN_TYPES
    assert "consultation-outcome-recorded" not in FOREIGN_TYPES
