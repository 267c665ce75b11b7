"""The scoring rules of one year, as data: the payload of `rulebook-published`.

A rulebook says how many points each kind of duty fact earns (or costs), how much a rule or a category may
add up to in a year, which counts of facts flag a member, and where the grade bands lie. The scoring
function (services/members/scoring/score.py) interprets it; nothing else decides a score."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints, model_validator

from contracts.bounded import STORABLE, Count, Ordinal, RecordedListItem, RecordedShortText, RecordedYear
from contracts.members.enums import FactKind, FlagTiming, Grade, ScoreCategory


def _points_json(value: Decimal) -> int | float:
    # JSON numbers for subscribers; whole values as integers. Two decimals at most, so float is exact enough
    # to read back as the same Decimal.
    return int(value) if value == value.to_integral_value() else float(value)


MAX_POINTS = Decimal("9999999.99")  # what nine digits with two decimals hold
Points = Annotated[Decimal, Field(max_digits=9, decimal_places=2, ge=-MAX_POINTS, le=MAX_POINTS),
                   PlainSerializer(_points_json, return_type=int | float, when_used="json")]

# A rulebook is one message (`rulebook-published`) and is also read back from every scorecard's stream, so
# its lists are bounded to keep the largest possible rulebook well under a Kafka message
# (contracts/tests/test_message_size.py): far more rules, flags and sources than published practice has
# (the default rulebook has 20 rules, 3 flags, 7 sources).
MAX_RULES = 100
MAX_FLAGS = 20
MAX_SELECTORS = 5  # fact selectors one flag counts
MAX_MATCHES = 5  # attributes one rule or selector matches (`where`), roles one rule scores or one selector counts
MAX_SOURCES = 20
MAX_GRADE_BANDS = 10

_RULE_ID = r"^[a-z0-9][a-z0-9_.\-]*$"
# A rule's or a flag's id: 1-64 characters.
RuleId = Annotated[str, StringConstraints(max_length=64, pattern=_RULE_ID), STORABLE]
# The name of a fact's attribute or of a participant's role, as the fact extractors write them
# (meeting_kind, status, level; lead, cosigner, participant): 1-32 characters.
RuleKey = Annotated[str, StringConstraints(max_length=32, pattern=r"^[a-z][a-z0-9_]{0,31}$"), STORABLE]
# An attribute's value as facts carry it: an enum's value, or several joined with commas (visit roles).
RuleValue = Annotated[str, StringConstraints(max_length=100, pattern=r"^[A-Za-z0-9_.,:-]{1,100}$"), STORABLE]
Matches = Annotated[dict[RuleKey, RuleValue], Field(max_length=MAX_MATCHES)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PointRule(_Frozen):
    """Points for each fact of kind `fact` whose attributes match `where`.

    Exactly one of `points` (every participant) or `points_by_role` (e.g. lead 15, cosigner 3). With
    `shared`, the points are one pool divided equally among the fact's participants (rounded down to the
    cent). `cap` bounds the rule's yearly total per member, in absolute value (a deduction cap is a floor)."""

    id: RuleId
    label_zh: RecordedShortText
    category: ScoreCategory
    fact: FactKind
    where: Matches = Field(default_factory=dict)
    points: Points | None = None
    points_by_role: Annotated[dict[RuleKey, Points], Field(max_length=MAX_MATCHES)] = Field(default_factory=dict)
    shared: bool = False
    cap: Points | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_way_to_score(self) -> PointRule:
        if (self.points is None) == (not self.points_by_role):
            raise ValueError(f"rule {self.id}: give exactly one of points or points_by_role")
        values = [self.points] if self.points is not None else list(self.points_by_role.values())
        if any(v > 0 for v in values) and any(v < 0 for v in values):
            raise ValueError(f"rule {self.id}: a rule either awards or deducts, not both")
        return self

    def points_for(self, role: str) -> Decimal | None:
        if self.points is not None:
            return self.points
        return self.points_by_role.get(role)


class FactSelector(_Frozen):
    fact: FactKind
    where: Matches = Field(default_factory=dict)
    roles: Annotated[list[RuleKey], Field(max_length=MAX_MATCHES)] = Field(default_factory=list,
                                                                          description="empty: any role")


class FlagRule(_Frozen):
    """Flags a member when the number of facts matching `count` is at least `at_least` (or at most
    `at_most`, e.g. 0 for 'no proposal and no report'). `max_grade` caps the grade of a flagged member."""

    id: RuleId
    label_zh: RecordedShortText
    count: Annotated[list[FactSelector], Field(max_length=MAX_SELECTORS)] = Field(min_length=1)
    at_least: Ordinal | None = None
    at_most: Count | None = None
    evaluated: FlagTiming = FlagTiming.live
    max_grade: Grade | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> FlagRule:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError(f"flag {self.id}: give exactly one of at_least or at_most")
        return self


class GradeBand(_Frozen):
    grade: Grade
    min_total: Points | None = Field(default=None, description="None: the bottom band, everything below")


class Rulebook(_Frozen):
    # The bound it always had (the model is read back from `rulebook-published`, so it stays this loose).
    year: Annotated[RecordedYear, Field(ge=1949)]
    title: RecordedShortText
    base_points: Points = Field(description="every member in office that year starts with these points")
    rules: Annotated[list[PointRule], Field(max_length=MAX_RULES)]
    category_caps: Annotated[dict[ScoreCategory, Points], Field(max_length=len(ScoreCategory))] = Field(
        default_factory=dict, description="most a category's awards (and, separately, deductions) may add up to")
    flags: Annotated[list[FlagRule], Field(max_length=MAX_FLAGS)] = Field(default_factory=list)
    grades: Annotated[list[GradeBand], Field(max_length=MAX_GRADE_BANDS)] = Field(min_length=1)
    sources: Annotated[list[RecordedListItem], Field(max_length=MAX_SOURCES)] = Field(
        default_factory=list, description="published practice the values are drawn from")

    @model_validator(mode="after")
    def _coherent(self) -> Rulebook:
        ids = [r.id for r in self.rules] + [f.id for f in self.flags]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"rule ids must be unique: {', '.join(duplicates)}")
        if any(cap <= 0 for cap in self.category_caps.values()):
            raise ValueError("category caps must be positive")
        bounds = [b.min_total for b in self.grades]
        if bounds[-1] is not None or any(b is None for b in bounds[:-1]):
            raise ValueError("grade bands run from the highest minimum down to one bottom band without minimum")
        numeric = [b for b in bounds[:-1] if b is not None]
        if numeric != sorted(numeric, reverse=True) or len(set(numeric)) != len(numeric):
            raise ValueError("grade band minimums must strictly decrease")
        return self

    def grade_for(self, total: Decimal) -> Grade:
        for band in self.grades:
            if band.min_total is None or total >= band.min_total:
                return band.grade
        raise AssertionError("the bottom band catches everything")
