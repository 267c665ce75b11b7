"""承办单位/提案类别办理情况: reply-on-time, meeting and satisfaction rates and A/B/C shares per unit and per
category, with the year's total as the last row — `oversight { byUnit byCategory overall }`, built by the same
`gateway.read.oversight.load` and the resolvers' own converter (`gateway.schema.oversight.figures`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from contracts.proposals.enums import Category
from gateway.context import Context
from gateway.exports.workbook import PERCENT, Cell, Column, Export, Sheet, label
from gateway.read import oversight as o
from gateway.schema import oversight as gql

TOTAL = "合计"


def _rate_columns(key: str, counted: str, of: str, rate: str) -> list[Column]:
    return [Column(f"{key}.numerator", counted), Column(f"{key}.denominator", of),
            Column(f"{key}.value", rate, PERCENT)]


FIGURE_COLUMNS = [
    Column("assigned", "交办件数"), Column("replied", "已答复件数"),
    *_rate_columns("replyOnTime", "按时答复件数", "应答复件数", "按时答复率"),
    *_rate_columns("meeting", "见面沟通件数", "已答复件数", "见面率"),
    *_rate_columns("satisfaction", "满意和基本满意件数", "测评件数", "满意率"),
    *[c for k in ("A", "B", "C") for c in (Column(f"classes.{k}.count", f"{k}类件数"),
                                            Column(f"classes.{k}.share", f"{k}类占比", PERCENT))],
    Column("overdue", "逾期未答复件数"),
]
UNIT_COLUMNS = [Column("unitId", "单位编号"), Column("unit.name", "承办单位", width=24), *FIGURE_COLUMNS]
CATEGORY_COLUMNS = [Column("category", "提案类别", width=16), *FIGURE_COLUMNS]


def figure_cells(f: gql.HandlingFigures) -> list[Cell]:
    classes = {c.result_class: c for c in f.classes}
    cells: list[Cell] = [f.assigned, f.replied]
    for r in (f.reply_on_time, f.meeting, f.satisfaction):
        cells += [r.numerator, r.denominator, r.value]
    for k in ("A", "B", "C"):
        share = classes.get(k)
        cells += [share.count if share else 0, share.share if share else None]
    return [*cells, len(f.overdue)]


def figures(data: o.Oversight, key: Callable[[Any], str | None], by_unit: bool) -> list[gql.HandlingFigures]:
    """What `byUnit` / `byCategory` resolve to."""
    return [gql.figures(f, data.as_of, by_unit) for f in data.figures_by(key)]


def overall(data: o.Oversight) -> gql.HandlingFigures:
    """What `overall` resolves to: every row under one key."""
    found = data.figures_by(lambda r: "all")
    return gql.figures(found[0] if found else data._figures("all", [], []), data.as_of, False)


async def unit_names(c: Context, unit_ids: list[str]) -> dict[str, str]:
    """Each unit's name as `HandlingFigures.unit.name` gives it (its id when the registry lacks it)."""
    rows = await c.loaders.unit.load_many(unit_ids)
    return {u: (r["name"] if r else u) for u, r in zip(unit_ids, rows, strict=True)}


async def by_unit(c: Context, year: int, as_of: date) -> list[Sheet]:
    data = await o.load(c.db, c.viewer.committee_id, year, as_of)
    found = figures(data, lambda r: r.unit_id, True)
    names = await unit_names(c, [str(f.unit_id) for f in found])
    rows: list[list[Cell]] = [[str(f.unit_id), names[str(f.unit_id)], *figure_cells(f)] for f in found]
    rows.append([None, TOTAL, *figure_cells(overall(data))])
    return [Sheet("承办单位办理情况", UNIT_COLUMNS, rows)]


async def by_category(c: Context, year: int, as_of: date) -> list[Sheet]:
    data = await o.load(c.db, c.viewer.committee_id, year, as_of)
    rows: list[list[Cell]] = [[label(Category, f.category) or "未分类", *figure_cells(f)]
                              for f in figures(data, lambda r: r.category, False)]
    rows.append([TOTAL, *figure_cells(overall(data))])
    return [Sheet("提案类别办理情况", CATEGORY_COLUMNS, rows)]


BY_UNIT = Export("handling-by-unit", "提案办理情况（按承办单位）", ("oversight",), by_unit, uses_as_of=True)
BY_CATEGORY = Export("handling-by-category", "提案办理情况（按提案类别）", ("oversight",), by_category, uses_as_of=True)
