"""Scorecards of a year, ranked in the committee and within each sector, filterable by sector, township
and grade. The total is the sum of the standing items; the grade is the members service's (`member-graded`)
once the year was graded, before that the provisional one the bands and flags give."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.read.db import Db
from gateway.read.grades import GRADE_OF_RANK_SQL, RANK_OF_GRADE_SQL, Band, rank_case
from gateway.read.pagination import Page, SortKey, Where, paginate


@dataclass(frozen=True)
class ScorecardFilter:
    sector: str | None = None
    township_id: str | None = None
    grade: str | None = None
    member_id: str | None = None


RANKED = """
WITH roster AS (
    SELECT member_id FROM {s}.members WHERE committee_id = $1
       AND (joined_on IS NULL OR joined_on <= make_date($2::int, 12, 31))
       AND (status = 'active' OR status_effective_on IS NULL OR status_effective_on >= make_date($2::int, 1, 1))
    UNION SELECT member_id FROM {s}.score_items WHERE committee_id = $1 AND year = $2 AND NOT withdrawn
    UNION SELECT member_id FROM {s}.score_grades WHERE committee_id = $1 AND year = $2::int
), sums AS (
    SELECT member_id, sum(points) AS total, count(*) AS item_count FROM {s}.score_items
     WHERE committee_id = $1 AND year = $2 AND NOT withdrawn GROUP BY member_id
), caps AS (
    SELECT member_id, min(%(rank_of_cap)s) AS cap_rank FROM {s}.score_flags
     WHERE committee_id = $1 AND year = $2 AND NOT cleared AND max_grade IS NOT NULL GROUP BY member_id
), totals AS (
    SELECT r.member_id, m.name, m.family_name, m.sector, m.township_id,
           coalesce(s.total, 0)::numeric AS total, g.grade AS official_grade, caps.cap_rank
      FROM roster r
      LEFT JOIN {s}.members m ON m.committee_id = $1 AND m.member_id = r.member_id
      LEFT JOIN sums s ON s.member_id = r.member_id
      LEFT JOIN {s}.score_grades g ON g.committee_id = $1 AND g.year = $2 AND g.member_id = r.member_id
      LEFT JOIN caps ON caps.member_id = r.member_id
), graded AS (
    SELECT *, %(points_rank)s AS points_rank FROM totals
), ranked AS (
    SELECT member_id, name, family_name, sector, township_id, total, official_grade IS NOT NULL AS graded,
           %(grade_by_points)s AS grade_by_points,
           coalesce(official_grade, %(capped)s) AS grade,
           rank() OVER (ORDER BY total DESC)::int AS committee_rank,
           rank() OVER (PARTITION BY sector ORDER BY total DESC)::int AS sector_rank,
           (count(*) OVER ())::int AS committee_size,
           (count(*) OVER (PARTITION BY sector))::int AS sector_size
      FROM graded
)
SELECT * FROM ranked"""


def ranked_sql(bands: tuple[Band, ...]) -> str:
    return RANKED % {
        "rank_of_cap": RANK_OF_GRADE_SQL.format(g="max_grade"),
        "points_rank": rank_case("total", bands),
        "grade_by_points": GRADE_OF_RANK_SQL.format(r="points_rank"),
        "capped": GRADE_OF_RANK_SQL.format(r="least(points_rank, coalesce(cap_rank, 3))"),
    }


SORT = SortKey((("total", False), ("member_id", True)))


async def ranked_page(db: Db, committee: str, year: int, bands: tuple[Band, ...], flt: ScorecardFilter,
                      first: int | None, after: str | None) -> Page[Any]:
    where = Where()
    where.params.extend([committee, year])  # $1 and $2 of the CTE
    if flt.sector:
        where.add("sector = ?", flt.sector)
    if flt.township_id:
        where.add("township_id = ?", flt.township_id)
    if flt.grade:
        where.add("grade = ?", flt.grade)
    if flt.member_id:
        where.add("member_id = ?", flt.member_id)
    return await paginate(db, ranked_sql(bands), where, SORT, ("total", "member_id"), first, after)


async def ranked_one(db: Db, committee: str, year: int, bands: tuple[Band, ...], member_id: str) -> Any | None:
    row = await db.fetchrow(f"SELECT * FROM ({ranked_sql(bands)}) AS r WHERE member_id = $3",
                            committee, year, member_id)
    return row
