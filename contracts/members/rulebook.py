"""The scoring rules of one year, as data: the payload of `rulebook-published`.

A rulebook says how many points each kind of duty fact earns (or costs), how much a rule or a category may
add up to in a year, which counts of facts flag a member, and where the grade bands lie. The scoring
function (services/members/scoring/score.py) interprets it; nothing else decides a score."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator

from contracts.members.enums import FactKind, FlagTiming, Grade, ScoreCategory


def _points_json(value: Decimal) -> int | float:
    # JSON numbers for subscribers; whole values as integers. Two decimals at most, so float is exact enough
    # to read back as the same Decimal.
    return int(value) if value == value.to_integral_value() else float(value)


Points = Annotated[Decimal, Field(max_digits=9, decimal_places=2),
                   PlainSerializer(_points_json, return_type=int | float, when_used="json")]

_RULE_ID = r"^[a-z0-9][a-z0-9_.\-]*$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PointRule(_Frozen):
    """Points for each fact of kind `fact` whose attributes match `where`.

    Exactly one of `points` (every participant) or `points_by_role` (e.g. lead 15, cosigner 3). With
    `shared`, the points are one pool divided equally among the fact's participants (rounded down to the
    cent). `cap` bounds the rule's yearly total per member, in absolute value (a deduction cap is a floor)."""

    id: str = Field(pattern=_RULE_ID)
    label_zh: str
    category: ScoreCategory
    fact: FactKind
    where: dict[str, str] = Field(default_factory=dict)
    points: Points | None = None
    points_by_role: dict[str, Points] = Field(default_factory=dict)
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
    where: dict[str, str] = Field(default_factory=dict)
    roles: list[str] = Field(default_factory=list, description="empty: any role")


class FlagRule(_Frozen):
    """Flags a member when the number of facts matching `count` is at least `at_least` (or at most
    `at_most`, e.g. 0 for 'no proposal and no report'). `max_grade` caps the grade of a flagged member."""

    id: str = Field(pattern=_RULE_ID)
    label_zh: str
    count: list[FactSelector] = Field(min_length=1)
    at_least: int | None = Field(default=None, ge=1)
    at_most: int | None = Field(default=None, ge=0)
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
    year: int = Field(ge=1949, le=2200)
    title: str
    base_points: Points = Field(description="every member in office that year starts with these points")
    rules: list[PointRule]
    category_caps: dict[ScoreCategory, Points] = Field(
        default_factory=dict, description="most a category's awards (and, separately, deductions) may add up to")
    flags: list[FlagRule] = Field(default_factory=list)
    grades: list[GradeBand] = Field(min_length=1)
    sources: list[str] = Field(default_factory=list, description="published practice the values are drawn from")

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
