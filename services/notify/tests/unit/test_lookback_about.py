"""A look-back's messages name what is looked back at: the proposal by number and title, or the
recommendation report by its title — never the look-back's own id."""

from __future__ import annotations

from datetime import date

from notify import mail


def test_a_lookback_at_a_commitment_names_its_proposal() -> None:
    v = mail.email_variables("lookback-due", {"lookback_id": "p-1-c1-lb", "proposal_id": "p-1", "number": "2026-015",
                                              "title": "关于加快农村生活污水治理的提案", "due": "2026-11-30"},
                             today=date(2026, 11, 2))
    assert v["about"] == "提案2026-015《关于加快农村生活污水治理的提案》"
    assert "p-1-c1-lb" not in mail.render("lookback-due", v, reason="回头看到期").subject


def test_a_lookback_at_a_recommendation_report_names_the_report() -> None:
    v = mail.email_variables("deadline-overdue", {"task_id": "lookback:r-1-lb", "subject_id": "r-1-lb",
                                                  "recommendation_id": "r-1", "title": "关于养老服务的建议案",
                                                  "due": "2026-11-30"}, today=date(2026, 12, 2))
    assert v["about"] == "建议案《关于养老服务的建议案》"
