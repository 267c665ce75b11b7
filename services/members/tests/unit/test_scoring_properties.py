"""Properties of the pure scoring function and the ledger, over generated rulebooks and duty facts."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.members.enums import FactKind, Grade, ScoreCategory
from contracts.members.rulebook import FactSelector, FlagRule, GradeBand, PointRule, Rulebook
from members.scoring.facts import DutyFact, RosterEntry
from members.scoring.reconcile import LedgerState, Reconcile, ledger
from members.scoring.score import MemberCard, score_member

YEAR = 2025
MEMBER = "m-1"
KINDS = [FactKind.attendance, FactKind.visit, FactKind.charity, FactKind.proposal_accepted, FactKind.research]
CATEGORIES = [ScoreCategory.attendance, ScoreCategory.visits, ScoreCategory.charity, ScoreCategory.proposals]
ROSTER = RosterEntry(member_id=MEMBER, registered_event_id=UUID(int=1), joined_on=date(2022, 1, 1))

points = st.decimals(min_value=-40, max_value=40, places=2).filter(lambda d: d != 0)
caps = st.one_of(st.none(), st.decimals(min_value=Decimal("0.5"), max_value=30, places=2))


@st.composite
def rules(draw: st.DrawFn, index: int) -> PointRule:
    value = draw(points)
    by_role = draw(st.booleans())
    return PointRule(
        id=f"r{index}", label_zh=f"规则{index}", category=draw(st.sampled_from(CATEGORIES)),
        fact=draw(st.sampled_from(KINDS)), where=draw(st.sampled_from([{}, {"level": "a"}, {"level": "b"}])),
        points=None if by_role else value,
        points_by_role={"lead": value, "cosigner": (value / 5).quantize(Decimal("0.01"))} if by_role else {},
        shared=draw(st.booleans()), cap=draw(caps))


@st.composite
def rulebooks(draw: st.DrawFn) -> Rulebook:
    n = draw(st.integers(min_value=1, max_value=6))
    category_caps = draw(st.dictionaries(st.sampled_from(CATEGORIES),
                                         st.decimals(min_value=1, max_value=50, places=2), max_size=3))
    return Rulebook(year=YEAR, title="t", base_points=draw(st.decimals(min_value=0, max_value=100, places=2)),
                    rules=[draw(rules(i)) for i in range(n)], category_caps=category_caps,
                    grades=[GradeBand(grade=Grade.excellent, min_total=Decimal(90)),
                            GradeBand(grade=Grade.incompetent)])


@st.composite
def facts(draw: st.DrawFn) -> list[DutyFact]:
    n = draw(st.integers(min_value=0, max_value=25))
    out = []
    for i in range(n):
        out.append(DutyFact(
            key=f"k{i}:{MEMBER}", member_id=MEMBER, year=YEAR, kind=draw(st.sampled_from(KINDS)),
            role=draw(st.sampled_from(["lead", "cosigner", "participant"])),
            attrs=draw(st.sampled_from([{}, {"level": "a"}, {"level": "b"}])),
            participants=draw(st.integers(min_value=1, max_value=7)),
            occurred_on=date(YEAR, draw(st.integers(1, 12)), draw(st.integers(1, 28))),
            source_event_id=UUID(int=1000 + i), source_event_type="x-happened", source_service="proposals"))
    return out


def _card(rulebook: Rulebook, version: int, fs: list[DutyFact]) -> MemberCard:
    return score_member(rulebook, version, MEMBER, ROSTER, fs)


@settings(max_examples=150, deadline=None)
@given(rulebooks(), facts())
def test_caps_hold_for_every_rule_and_category(rulebook: Rulebook, fs: list[DutyFact]) -> None:
    card = _card(rulebook, 1, fs)
    for rule in rulebook.rules:
        if rule.cap is not None:
            assert abs(sum((i.points for i in card.items if i.rule == rule.id), Decimal(0))) <= rule.cap
    for category, cap in rulebook.category_caps.items():
        mine = [i.points for i in card.items if i.category == category]
        assert sum((p for p in mine if p > 0), Decimal(0)) <= cap
        assert -sum((p for p in mine if p < 0), Decimal(0)) <= cap
    for item in card.items:  # a cap only ever shrinks an item toward zero
        assert abs(item.points) <= abs(item.nominal_points)
        assert item.points == 0 or (item.points > 0) == (item.nominal_points > 0)


@settings(max_examples=150, deadline=None)
@given(rulebooks(), facts())
def test_the_total_is_the_sum_of_the_traced_items(rulebook: Rulebook, fs: list[DutyFact]) -> None:
    card = _card(rulebook, 1, fs)
    assert card.total == sum((i.points for i in card.items), Decimal(0))
    assert card.items[0].rule == "base" and card.items[0].points == rulebook.base_points
    traced = {f.key: f.source_event_id for f in fs}
    for item in card.items[1:]:
        assert traced[item.item_id] == item.source_event_id, "every point names the event that earned it"
    assert card.grade is rulebook.grade_for(card.total)


@settings(max_examples=100, deadline=None)
@given(rulebooks(), facts(), st.randoms(use_true_random=False))
def test_the_order_facts_arrive_in_does_not_change_the_card(rulebook: Rulebook, fs: list[DutyFact],
                                                            rnd: random.Random) -> None:
    shuffled = list(fs)
    rnd.shuffle(shuffled)
    assert _card(rulebook, 1, fs) == _card(rulebook, 1, shuffled)


@settings(max_examples=100, deadline=None)
@given(rulebooks(), rulebooks(), facts(), st.booleans())
def test_rescoring_twice_gives_the_same_ledger_as_scoring_afresh(old: Rulebook, new: Rulebook,
                                                                 fs: list[DutyFact], graded: bool) -> None:
    scored = ledger.fold(ledger.decide(LedgerState(), Reconcile(_card(old, 1, fs), graded)))
    card = _card(new, 2, fs)
    rescored = ledger.fold(ledger.decide(scored, Reconcile(card, graded)), scored)
    assert ledger.decide(rescored, Reconcile(card, graded)) == [], "a second re-scoring changes nothing"
    fresh = ledger.fold(ledger.decide(LedgerState(), Reconcile(card, graded)))
    assert {k: v.points for k, v in rescored.items.items()} == {k: v.points for k, v in fresh.items.items()}
    assert rescored.total == fresh.total == card.total
    assert set(rescored.flags) == set(fresh.flags)


@st.composite
def flagged_rulebooks(draw: st.DrawFn) -> Rulebook:
    """A rulebook with flags counting facts by kind, attribute and role."""
    base = draw(rulebooks())
    selectors = st.builds(FactSelector, fact=st.sampled_from(KINDS),
                          where=st.sampled_from([{}, {"level": "a"}]),
                          roles=st.sampled_from([[], ["lead"], ["lead", "cosigner"]]))
    flags = [FlagRule(id=f"f{i}", label_zh=f"标记{i}", count=draw(st.lists(selectors, min_size=1, max_size=3)),
                      at_least=draw(st.integers(1, 4)), max_grade=draw(st.sampled_from([None, Grade.incompetent])))
             for i in range(draw(st.integers(0, 3)))]
    return base.model_copy(update={"flags": flags})


def _plain_reading(rulebook: Rulebook, fs: list[DutyFact]) -> tuple[list[tuple[str, str, Decimal]], list[str]]:
    """What the rulebook says, read literally: each fact (in date, key order) takes the first rule of the
    rulebook that matches it and pays for its role, within what the rule's and the category's caps leave; a
    flag counts the facts any of its selectors matches."""
    used: dict[object, Decimal] = {}
    items = []
    for fact in sorted({f.key: f for f in fs}.values(), key=lambda f: (f.occurred_on, f.key)):
        for rule in rulebook.rules:
            nominal = rule.points_for(fact.role)
            if rule.fact != fact.kind or nominal is None or any(fact.attrs.get(k) != v for k, v in rule.where.items()):
                continue
            if rule.shared:
                nominal = (nominal / fact.participants).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
            sign = 1 if nominal >= 0 else -1
            caps = [(rule.id, rule.cap), ((rule.category, sign), rulebook.category_caps.get(rule.category))]
            wanted = max(min([abs(nominal), *(cap - used.get(k, Decimal(0)) for k, cap in caps if cap is not None)]),
                         Decimal(0))
            for k, _ in caps:
                used[k] = used.get(k, Decimal(0)) + wanted
            items.append((fact.key, rule.id, sign * wanted))
            break
    raised = [flag.id for flag in rulebook.flags
              if len([f for f in fs if any(s.fact == f.kind and all(f.attrs.get(k) == v for k, v in s.where.items())
                                           and (not s.roles or f.role in s.roles) for s in flag.count)])
              >= (flag.at_least or 0)]
    return items, raised


@settings(max_examples=200, deadline=None)
@given(flagged_rulebooks(), facts())
def test_the_card_is_what_the_rulebook_says_read_literally(rulebook: Rulebook, fs: list[DutyFact]) -> None:
    card = _card(rulebook, 1, fs)
    items, raised = _plain_reading(rulebook, fs)
    assert [(i.item_id, i.rule, i.points) for i in card.items[1:]] == items
    assert [f.flag for f in card.flags] == raised
