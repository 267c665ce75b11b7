"""The pure scoring function: (rulebook, the member's year of duty facts) -> a scorecard.

Deterministic: facts are taken in (date, key) order, so caps bite the same items whatever order the facts
arrived in, and the same inputs always give the same card. Points are Decimals with two places; a shared
pool is divided rounding each share down to the cent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import NamedTuple, TypeVar
from uuid import UUID

from contracts.members.enums import FactKind, FlagTiming, Grade, ScoreCategory
from contracts.members.rulebook import FactSelector, FlagRule, PointRule, Rulebook
from members.scoring.facts import DutyFact, RosterEntry

CENT = Decimal("0.01")
ZERO = Decimal(0)
BASE_RULE = "base"
_K = TypeVar("_K", PointRule, FactSelector)

class CardItem(NamedTuple):
    """One line of a card. A named tuple: a card is rebuilt on every new fact, item by item, and a frozen
    dataclass's constructor (a setattr per field) was a tenth of the scoring."""

    item_id: str
    member_id: str
    year: int
    category: ScoreCategory
    rule: str
    rule_label_zh: str
    points: Decimal
    nominal_points: Decimal
    source_event_id: UUID
    source_event_type: str
    source_service: str
    occurred_on: date

    @property
    def capped(self) -> bool:
        return self.points != self.nominal_points

@dataclass(frozen=True)
class RaisedFlag:
    flag: str
    label_zh: str
    count: int
    max_grade: Grade | None
    evaluated: FlagTiming
    evidence_event_ids: tuple[UUID, ...]

@dataclass(frozen=True)
class MemberCard:
    member_id: str
    year: int
    rulebook_version: int
    in_office: bool
    items: tuple[CardItem, ...] = ()
    flags: tuple[RaisedFlag, ...] = ()
    grade_by_points: Grade | None = None
    grade: Grade | None = None

    @property
    def total(self) -> Decimal:
        return sum((i.points for i in self.items), Decimal(0))

    def by_category(self) -> dict[ScoreCategory, Decimal]:
        out: dict[ScoreCategory, Decimal] = {}
        for item in self.items:
            out[item.category] = out.get(item.category, Decimal(0)) + item.points
        return out

@dataclass(frozen=True)
class _Plan:
    """A rulebook's rules and flag selectors by the fact kind they look at: a member-year is rescored on every
    new fact, each time over all its facts, and most rules do not concern most facts."""

    rules: dict[FactKind, tuple[PointRule, ...]]
    flags: tuple[tuple[FlagRule, dict[FactKind, tuple[FactSelector, ...]]], ...]


# Plans by rulebook object (the scorer keeps its parsed rulebooks, so one object serves many cards). The entry
# holds the rulebook, so its id cannot be reused while the plan is kept.
_PLANS: dict[int, tuple[Rulebook, _Plan]] = {}
_PLANS_KEPT = 128


def _by_kind(items: Iterable[_K]) -> dict[FactKind, tuple[_K, ...]]:
    out: dict[FactKind, list[_K]] = {}
    for item in items:
        out.setdefault(item.fact, []).append(item)
    return {kind: tuple(kept) for kind, kept in out.items()}


def _plan(rulebook: Rulebook) -> _Plan:
    kept = _PLANS.get(id(rulebook))
    if kept is not None and kept[0] is rulebook:
        return kept[1]
    plan = _Plan(_by_kind(rulebook.rules), tuple((f, _by_kind(f.count)) for f in rulebook.flags))
    if len(_PLANS) >= _PLANS_KEPT:
        _PLANS.clear()
    _PLANS[id(rulebook)] = (rulebook, plan)
    return plan


def matching_rule(rulebook: Rulebook, fact: DutyFact) -> tuple[PointRule, Decimal] | None:
    """The first rule that matches the fact and gives points for its role, with the nominal points."""
    return _matching(_plan(rulebook).rules, fact)


def _matching(rules: dict[FactKind, tuple[PointRule, ...]], fact: DutyFact) -> tuple[PointRule, Decimal] | None:
    for rule in rules.get(fact.kind, ()):
        if rule.where and any(fact.attrs.get(k) != v for k, v in rule.where.items()):
            continue
        points = rule.points_for(fact.role)
        if points is None:
            continue
        if rule.shared:
            points = (points / fact.participants).quantize(CENT, rounding=ROUND_DOWN)
        return rule, points
    return None


@dataclass
class _Room:
    """How much of each cap is left: a rule's cap in absolute value, a category's per sign."""

    rulebook: Rulebook
    used_by_rule: dict[str, Decimal] = field(default_factory=dict)
    used_by_category: dict[tuple[ScoreCategory, int], Decimal] = field(default_factory=dict)

    def take(self, rule: PointRule, nominal: Decimal) -> Decimal:
        sign = 1 if nominal >= 0 else -1
        wanted = abs(nominal)
        used_by_rule = self.used_by_rule.get(rule.id, ZERO)
        if rule.cap is not None and rule.cap - used_by_rule < wanted:
            wanted = rule.cap - used_by_rule
        key = (rule.category, sign)
        used_by_category = self.used_by_category.get(key, ZERO)
        category_cap = self.rulebook.category_caps.get(rule.category)
        if category_cap is not None and category_cap - used_by_category < wanted:
            wanted = category_cap - used_by_category
        if wanted < ZERO:
            wanted = ZERO
        self.used_by_rule[rule.id] = used_by_rule + wanted
        self.used_by_category[key] = used_by_category + wanted
        return sign * wanted


def _selects(selector: FactSelector, fact: DutyFact) -> bool:
    return ((not selector.where or all(fact.attrs.get(k) == v for k, v in selector.where.items()))
            and (not selector.roles or fact.role in selector.roles))


def _flag(rule: FlagRule, selectors: dict[FactKind, tuple[FactSelector, ...]],
          facts_by_kind: dict[FactKind, list[DutyFact]]) -> RaisedFlag | None:
    counted = [f for kind, some in selectors.items() for f in facts_by_kind.get(kind, ())
               if any(_selects(s, f) for s in some)]
    n = len(counted)
    raised = n >= rule.at_least if rule.at_least is not None else n <= (rule.at_most or 0)
    if not raised:
        return None
    evidence = tuple(sorted({f.source_event_id for f in counted}, key=str))
    return RaisedFlag(rule.id, rule.label_zh, n, rule.max_grade, rule.evaluated, evidence)


def _year_facts(member_id: str, year: int, facts: Iterable[DutyFact]) -> list[DutyFact]:
    by_key = {f.key: f for f in facts if f.member_id == member_id and f.year == year}
    return sorted(by_key.values(), key=lambda f: (f.occurred_on, f.key))

def score_member(rulebook: Rulebook, version: int, member_id: str, roster: RosterEntry | None,
                 facts: Iterable[DutyFact]) -> MemberCard:
    """The member's card for `rulebook.year`. A member not in office that year has an empty card."""
    year = rulebook.year
    if roster is None or roster.member_id != member_id or not roster.in_office(year):
        return MemberCard(member_id, year, version, in_office=False)
    items = [CardItem(f"base:{year}:{member_id}", member_id, year, ScoreCategory.base, BASE_RULE, "基本分",
                      rulebook.base_points, rulebook.base_points, roster.registered_event_id, "member-registered",
                      "members", roster.joined_on)]
    room = _Room(rulebook)
    plan = _plan(rulebook)
    mine = _year_facts(member_id, year, facts)
    by_kind: dict[FactKind, list[DutyFact]] = {}
    for fact in mine:
        by_kind.setdefault(fact.kind, []).append(fact)
        matched = _matching(plan.rules, fact)
        if matched is None:
            continue
        rule, nominal = matched
        points = room.take(rule, nominal)
        items.append(CardItem(fact.key, member_id, year, rule.category, rule.id, rule.label_zh, points, nominal,
                              fact.source_event_id, fact.source_event_type, fact.source_service,
                              fact.occurred_on))
    flags = tuple(f for f in (_flag(r, selectors, by_kind) for r, selectors in plan.flags) if f is not None)
    total = sum((i.points for i in items), Decimal(0))
    by_points = rulebook.grade_for(total)
    grade = min([by_points, *(f.max_grade for f in flags if f.max_grade is not None)], key=lambda g: g.rank)
    return MemberCard(member_id, year, version, True, tuple(items), flags, by_points, grade)

def score_year(rulebook: Rulebook, version: int, roster: Iterable[RosterEntry],
               facts: Iterable[DutyFact]) -> dict[str, MemberCard]:
    """Every card of the year: members in office, and anyone with facts (whose card is empty if not)."""
    entries = {r.member_id: r for r in roster}
    facts = list(facts)
    members = sorted(set(entries) | {f.member_id for f in facts if f.year == rulebook.year})
    return {m: score_member(rulebook, version, m, entries.get(m), facts) for m in members}
