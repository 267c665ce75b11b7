"""What notify tells of a proposer's rating before every proposer has rated (contracts.sealed): the office
is told at once, the unit only when the round is complete; a rule that would tell a unit of a rating (its
condition reads the sealed value) is refused when the rulebook is read; each recipient's variables and every
webhook payload keep only what the recipient may read."""

from __future__ import annotations

import pytest

from contracts.notify.vocabulary import RecipientKind
from notify.rules import default_rulebook, parse
from notify.sealing import for_recipient, for_webhook

FORM = {"rating", "attitude", "contact", "comment"}
EVALUATED = {"proposal_id": "p-1", "unit_id": "u-water", "round": 1, "member_id": "m-zhang",
             "rating": "dissatisfied", "attitude": "satisfied", "contact": "satisfied", "comment": "进度太慢"}


def test_the_default_rules_tell_the_office_of_a_dissatisfied_rating_and_the_unit_of_the_completed_round() -> None:
    book = default_rulebook()
    assert [(r.to, r.sealed) for r in book.for_event("proposal-evaluated")] == [("office", True)]
    assert [(r.to, dict(r.when), r.sealed) for r in book.for_event("evaluations-completed")] == [
        ("units", {"dissatisfied": True}, False)]


@pytest.mark.parametrize("to", ["units", "proposers", "cosigners", "members"])
def test_a_rule_telling_anyone_but_the_office_or_the_proposer_of_a_rating_is_refused(to: str) -> None:
    raw = {"rules": {"proposal-evaluated": [{"to": to, "template": "evaluation-dissatisfied", "category": "handling",
                                             "channels": ["inbox"], "reason": "不满意",
                                             "when": {"rating": "dissatisfied"}}]}}
    with pytest.raises(ValueError, match=r"proposal-evaluated: its condition reads rating, sealed until "
                                         r"evaluations-completed"):
        parse(raw)


def test_the_proposer_themself_may_be_told_of_their_own_rating() -> None:
    raw = {"rules": {"proposal-evaluated": [{"to": "member", "template": "evaluation-dissatisfied",
                                             "category": "handling", "channels": ["inbox"], "reason": "你的评价",
                                             "when": {"attitude": "dissatisfied"}}]}}
    (rule,) = parse(raw).for_event("proposal-evaluated")
    assert rule.sealed, "its notices reach no webhook"


def test_each_recipient_keeps_only_what_they_may_read() -> None:
    assert FORM.isdisjoint(for_recipient("proposal-evaluated", EVALUATED, RecipientKind.unit, "u-water"))
    assert FORM.isdisjoint(for_recipient("proposal-evaluated", EVALUATED, RecipientKind.member, "m-li"))
    assert for_recipient("proposal-evaluated", EVALUATED, RecipientKind.member, "m-zhang") == EVALUATED
    assert for_recipient("proposal-evaluated", EVALUATED, RecipientKind.office, "office") == EVALUATED


def test_a_webhook_endpoint_is_an_outsider() -> None:
    variables = {**EVALUATED, "title": "关于加强农村饮用水安全保障的建议", "number": "2026-015"}
    sent = for_webhook("proposal-evaluated", variables)
    assert FORM.isdisjoint(sent) and sent["number"] == "2026-015"
