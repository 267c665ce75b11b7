"""A sheet as the exports write it: a Chinese header row in the domain's terms, then a row of English keys (the
GraphQL field each column mirrors, so a script can read the file by key), then the data; panes frozen below the
keys. Enum values are shown by their Chinese label (`label_zh`), booleans as 是/否, rates as percentages (the
cell holds the GraphQL value, e.g. 0.3333)."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from contracts.labels import LabeledEnum

if TYPE_CHECKING:
    from gateway.context import Context

PERCENT = "0.00%"
DAY = "yyyy-mm-dd"
HEADER_ROWS = 2  # Chinese headers, English keys
YES, NO = "是", "否"

Cell = str | int | float | date | None


@dataclass(frozen=True)
class Column:
    key: str  # the GraphQL field the column mirrors, e.g. `replyOnTime.value`
    header: str  # the domain's Chinese term
    number_format: str | None = None
    width: int = 12


@dataclass
class Sheet:
    title: str  # at most 31 characters (Excel's limit)
    columns: Sequence[Column]
    rows: list[list[Cell]] = field(default_factory=list)


def label(enum: type[LabeledEnum], value: str | None) -> str | None:
    """The Chinese label of a contract enum value (the value itself if the contract no longer knows it)."""
    if value is None:
        return None
    try:
        return enum(value).label_zh or value
    except ValueError:
        return value


def yes_no(value: bool | None) -> str | None:
    return None if value is None else YES if value else NO


def to_xlsx(sheets: Sequence[Sheet], *, title: str, description: str) -> bytes:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    book.properties.title = title
    book.properties.description = description
    bold = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title)
        ws.append([c.header for c in sheet.columns])
        ws.append([c.key for c in sheet.columns])
        for cell in ws[1]:
            cell.font = bold
        for row in sheet.rows:
            ws.append(list(row))
        for i, column in enumerate(sheet.columns, start=1):
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = column.width
            fmt = column.number_format or _default_format(sheet.rows, i - 1)
            if fmt:
                for (cell,) in ws.iter_rows(min_row=HEADER_ROWS + 1, min_col=i, max_col=i):
                    cell.number_format = fmt
        ws.freeze_panes = ws.cell(row=HEADER_ROWS + 1, column=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _default_format(rows: list[list[Cell]], index: int) -> str | None:
    return DAY if any(isinstance(r[index], date) for r in rows) else None


def read_rows(values: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """The data rows of a sheet's values (as openpyxl reads them back) by the key row: for scripts and tests."""
    keys = list(values[HEADER_ROWS - 1])
    return [dict(zip(keys, row, strict=True)) for row in values[HEADER_ROWS:]]


Build = Callable[["Context", int, date], Awaitable[list[Sheet]]]


@dataclass(frozen=True)
class Export:
    """One export: its name in the URL, the policy rows (`contracts.access.ALLOWED`) of the GraphQL queries whose
    figures it holds (the caller needs every one), and how its sheets are built for the caller's committee, a year
    and a day (`asOf`, for the figures that depend on it)."""

    name: str
    title: str
    operations: tuple[str, ...]
    build: Build
    uses_as_of: bool = False
