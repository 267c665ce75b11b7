"""逾期未答复提案清单: proposals past deadline without a reply, by unit, most overdue first within a unit's
deadline order — `oversight { overdueByUnit }`, from the same `gateway.read.oversight.load` and item converter."""

from __future__ import annotations

from datetime import date

from contracts.proposals.enums import Category
from gateway.context import Context
from gateway.exports.handling import unit_names
from gateway.exports.workbook import Cell, Column, Export, Sheet, label
from gateway.read import oversight as o
from gateway.schema.oversight import HandlingItem

COLUMNS = [
    Column("unitId", "单位编号"), Column("unit.name", "承办单位", width=24), Column("number", "提案编号"),
    Column("title", "提案标题", width=40), Column("category", "提案类别", width=16), Column("deadline", "办理期限"),
    Column("daysOverdue", "逾期天数"), Column("proposalId", "提案ID", width=16),
]


async def build(c: Context, year: int, as_of: date) -> list[Sheet]:
    data = await o.load(c.db, c.viewer.committee_id, year, as_of)
    late = data.overdue_by_unit()
    names = await unit_names(c, list(late))
    rows: list[list[Cell]] = []
    for unit_id, handling in late.items():
        for r in handling:
            item = HandlingItem.of(r, as_of)
            rows.append([unit_id, names[unit_id], item.number, item.title, label(Category, item.category),
                         item.deadline, item.days_overdue, str(item.proposal_id)])
    return [Sheet("逾期未答复提案", COLUMNS, rows)]


EXPORT = Export("overdue", "逾期未答复提案清单", ("oversight",), build, uses_as_of=True)
