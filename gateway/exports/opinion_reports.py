"""社情民意信息采用情况: the year's public-opinion reports — how many were submitted, adopted (in all and per level),
instructed by leaders and published, each also as a share of those submitted — and the list of reports behind
them. The counts are `opinionReports(filter: {year, adopted | instructed | status}).totalCount`, the list its
nodes: the same `gateway.read.lists.reports` for the caller."""

from __future__ import annotations

from collections import Counter
from datetime import date

from contracts.proposals.enums import Category, ReportLevel
from gateway.context import Context
from gateway.exports.workbook import PERCENT, Cell, Column, Export, Sheet, label, yes_no
from gateway.read import lists
from gateway.read.pagination import MAX_PAGE
from gateway.schema.types import OpinionReport

SUMMARY_COLUMNS = [Column("figure", "指标代码", width=16), Column("name", "指标", width=20), Column("count", "篇数"),
                   Column("share", "占报送篇数比例", PERCENT, width=16)]
LIST_COLUMNS = [
    Column("id", "信息编号", width=14), Column("title", "标题", width=40), Column("category", "类别", width=14),
    Column("authorMemberId", "报送委员编号"), Column("author.name", "报送委员"),
    Column("directReportPointId", "直报点"), Column("submittedOn", "报送日期"),
    Column("forwardedLevel", "上报层级"), Column("adoptedLevel", "采用层级"), Column("adoptedOn", "采用日期"),
    Column("instructed", "获领导批示"), Column("instructionCount", "批示次数"),
    Column("publishedIssue", "刊发期数", width=16), Column("publishedOn", "刊发日期"),
]


async def _count(c: Context, flt: lists.ReportFilter) -> int:
    return (await lists.reports(c.db, c.viewer, flt, 0, None)).total


async def _all(c: Context, flt: lists.ReportFilter) -> list[OpinionReport]:
    out: list[OpinionReport] = []
    after: str | None = None
    while True:
        page = await lists.reports(c.db, c.viewer, flt, MAX_PAGE, after)
        out += [OpinionReport.of(r) for r in page.rows]
        if not page.has_next or not page.cursors:
            return out
        after = page.cursors[-1]


async def build(c: Context, year: int, as_of: date) -> list[Sheet]:
    reports = await _all(c, lists.ReportFilter(year=year))
    submitted = await _count(c, lists.ReportFilter(year=year))
    levels = Counter(str(r.adopted_level) for r in reports if r.adopted_level)
    figures: list[tuple[str, str, int]] = [
        ("submitted", "报送", submitted),
        ("adopted", "被采用", await _count(c, lists.ReportFilter(year=year, adopted=True))),
        *[(f"adopted.{level.value}", f"被{level.label_zh}采用", levels[level.value]) for level in ReportLevel],
        ("instructed", "获领导批示", await _count(c, lists.ReportFilter(year=year, instructed=True))),
        ("published", "在《社情民意》刊发", await _count(c, lists.ReportFilter(year=year, status=["published"]))),
    ]
    summary: list[list[Cell]] = [[key, name, n, round(n / submitted, 4) if submitted else None]
                                 for key, name, n in figures]
    authors = sorted({str(r.author_member_id) for r in reports if r.author_member_id})
    names = {m: (row["name"] if row else None)
             for m, row in zip(authors, await c.loaders.member.load_many(authors), strict=True)}
    rows: list[list[Cell]] = [
        [str(r.id), r.title, label(Category, r.category), r.author_member_id,
         names.get(str(r.author_member_id)) if r.author_member_id else None, r.direct_report_point_id,
         r.submitted_on, label(ReportLevel, r.forwarded_level), label(ReportLevel, r.adopted_level), r.adopted_on,
         yes_no(r.instructed), r.instruction_count, r.published_issue, r.published_on]
        for r in reports]
    return [Sheet("采用情况", SUMMARY_COLUMNS, summary), Sheet("信息清单", LIST_COLUMNS, rows)]


EXPORT = Export("opinion-reports", "社情民意信息采用情况", ("oversight", "opinionReports"), build)
