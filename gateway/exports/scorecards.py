"""委员履职考评排名: every member's scorecard of the year, ranked by total (ties share a rank) — `scorecards(year)`,
read page by page with the same `gateway.read.scorecards.ranked_page` and the rulebook loader the resolver uses."""

from __future__ import annotations

from datetime import date
from typing import Any

from contracts.members.enums import Grade, Sector
from gateway.context import Context
from gateway.exports.workbook import Cell, Column, Export, Sheet, label, yes_no
from gateway.read import grades
from gateway.read import scorecards as ranking
from gateway.read.pagination import MAX_PAGE
from gateway.schema.scorecard import Scorecard

COLUMNS = [
    Column("rank", "名次"), Column("memberId", "委员编号"), Column("member.name", "姓名"),
    Column("member.sector", "界别"), Column("member.townshipId", "乡镇联络组"), Column("total", "总分"),
    Column("grade", "考评等次"), Column("gradeByPoints", "按得分等次"), Column("graded", "已正式评定"),
    Column("sectorRank", "界别内名次"),
]


async def build(c: Context, year: int, as_of: date) -> list[Sheet]:
    book = await c.loaders.rulebook.load(year)
    bands = grades.bands_of(book)
    version = book["version"] if book else None
    rows: list[list[Cell]] = []
    after: str | None = None
    while True:
        page = await ranking.ranked_page(c.db, c.viewer.committee_id, year, bands, ranking.ScorecardFilter(),
                                         MAX_PAGE, after)
        rows += [_row(r, Scorecard.of(r, year, bands, version)) for r in page.rows]
        if not page.has_next or not page.cursors:
            break
        after = page.cursors[-1]
    return [Sheet(f"{year}年委员履职考评", COLUMNS, rows)]


def _row(r: Any, card: Scorecard) -> list[Cell]:
    return [card.rank, str(card.member_id), r["name"], label(Sector, r["sector"]), r["township_id"], card.total,
            label(Grade, card.grade), label(Grade, card.grade_by_points), yes_no(card.graded), card.sector_rank]


EXPORT = Export("scorecards", "委员履职考评排名", ("oversight", "scorecards"), build)
