"""Grade bands: from the year's rulebook in force, else the committee default (≥90 优秀, 80–89 良好,
60–79 称职, below 60 不称职). A flag's `max_grade` caps the grade, as the members service grades."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

RANK = {"excellent": 3, "good": 2, "competent": 1, "incompetent": 0}
BY_RANK = {v: k for k, v in RANK.items()}


@dataclass(frozen=True)
class Band:
    grade: str
    min_total: Decimal | None  # None: the bottom band


DEFAULT_BANDS: tuple[Band, ...] = (
    Band("excellent", Decimal(90)), Band("good", Decimal(80)), Band("competent", Decimal(60)),
    Band("incompetent", None),
)


def bands_of(rulebook: Any | None) -> tuple[Band, ...]:
    """The bands of a `rulebooks` row (its `grades` jsonb), highest first; the default without one."""
    if rulebook is None:
        return DEFAULT_BANDS
    grades = rulebook["grades"]
    if isinstance(grades, str):
        grades = json.loads(grades)
    bands = tuple(Band(g["grade"], None if g.get("min_total") is None else Decimal(str(g["min_total"])))
                  for g in grades or [])
    return bands or DEFAULT_BANDS


def grade_by_points(total: Decimal, bands: Sequence[Band]) -> str:
    for band in bands:
        if band.min_total is None or total >= band.min_total:
            return band.grade
    return bands[-1].grade


def capped(grade: str, caps: Iterable[str | None]) -> str:
    ranks = [RANK[grade], *(RANK[c] for c in caps if c)]
    return BY_RANK[min(ranks)]


@dataclass(frozen=True)
class NextBand:
    grade: str
    min_total: Decimal
    points_needed: Decimal
    blocking_flags: tuple[str, ...]  # flags whose grade ceiling is below this band


def next_band(total: Decimal, bands: Sequence[Band], flag_caps: dict[str, str | None]) -> NextBand | None:
    """The lowest band above the one the total reaches, and how many points it still takes."""
    current = grade_by_points(total, bands)
    above = [b for b in bands if b.min_total is not None and RANK[b.grade] > RANK[current]]
    if not above:
        return None
    target = min(above, key=lambda b: RANK[b.grade])
    assert target.min_total is not None
    blocking = tuple(sorted(f for f, cap in flag_caps.items() if cap and RANK[cap] < RANK[target.grade]))
    return NextBand(target.grade, target.min_total, target.min_total - total, blocking)


def rank_case(expr: str, bands: Sequence[Band]) -> str:
    """A SQL CASE giving the rank (0–3) of the band `expr` (a numeric) falls in; the bands are literals."""
    whens = []
    for band in bands:
        if band.min_total is None:
            whens.append(f"ELSE {RANK[band.grade]}")
        else:
            whens.append(f"WHEN {expr} >= {Decimal(band.min_total)!s} THEN {RANK[band.grade]}")
    if not whens[-1].startswith("ELSE"):
        whens.append(f"ELSE {RANK[bands[-1].grade]}")
    return "CASE " + " ".join(whens) + " END"


RANK_OF_GRADE_SQL = ("CASE {g} WHEN 'excellent' THEN 3 WHEN 'good' THEN 2 WHEN 'competent' THEN 1 "
                     "WHEN 'incompetent' THEN 0 END")
GRADE_OF_RANK_SQL = "(ARRAY['incompetent','competent','good','excellent'])[({r}) + 1]"
