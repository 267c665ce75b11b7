"""The one way a file of records is imported, in every service — the members service's roster, handling
units and organizations (`members.roster_import`, `members.registry_import`): a CSV or XLSX file read into
rows, each row turned into the kind's own command and written by that command's own staging, all rows in ONE
transaction, with a per-row report of what was registered and what was refused (row, fields, rule).

A refused row is skipped and the rest imported: its events are unstaged and its private writes rolled back
to a savepoint, so nothing of it is half-written; a failure that is not a refusal writes nothing at all.
A kind (`Sheet`) says which columns it reads (Chinese or English headers), which the header must have, how
a row becomes the command, and which values may not repeat — within the file, or against what the
committee already registered."""

from __future__ import annotations

import base64
import binascii
import csv
import io
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from eventstore.command_outcome import CommandOutcome
from eventstore.errors import DomainError
from eventstore.store import CommandContext
from eventstore.unit_of_work import Tx, UnitOfWork

C = TypeVar("C", bound=BaseModel)
# Stages one row's command in the import's transaction: the single registration command's own work.
Stage = Callable[[Tx, C], Awaitable[None]]
# Values the committee already registered, per unique field (e.g. {"name": {...}}), read in the transaction.
Taken = Callable[[Tx], Awaitable[Mapping[str, set[str]]]]


class RowRefused(Exception):
    def __init__(self, rule: str, message: str, fields: list[str] | None = None) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.fields = fields or []


@dataclass(frozen=True)
class Sheet(Generic[C]):
    """One kind of import file."""

    kind: str                                   # "member", "unit", "organization": the report names `<kind>_id`
    columns: Mapping[str, tuple[str, ...]]      # canonical column -> accepted headers (first: the Chinese one)
    required: tuple[str, ...]                   # columns the header must have
    to_command: Callable[[dict[str, str]], C]   # a row's values -> the command, or RowRefused
    id_of: Callable[[C], str]
    unique: Callable[[C], Mapping[str, str | None]]  # values no two rows may share (None: not given)
    taken: Taken | None = None
    name_column: str = "name"                   # the column the report names a row by (a past proposal: title)

    @property
    def id_field(self) -> str:
        return f"{self.kind}_id"


@dataclass
class RowResult:
    row: int
    status: str
    id: str | None = None
    name: str | None = None
    rule: str | None = None
    message: str | None = None
    fields: list[str] = field(default_factory=list)

    def as_dict(self, id_field: str) -> dict[str, Any]:
        out: dict[str, Any] = {"row": self.row, "status": self.status, id_field: self.id, "name": self.name,
                               "rule": self.rule, "message": self.message, "fields": self.fields}
        return {k: v for k, v in out.items() if v not in (None, [])}


@dataclass
class ImportReport:
    id_field: str
    rows: list[RowResult] = field(default_factory=list)

    @property
    def registered(self) -> int:
        return sum(1 for r in self.rows if r.status == "registered")

    @property
    def refused(self) -> int:
        return sum(1 for r in self.rows if r.status == "refused")

    def as_dict(self) -> dict[str, Any]:
        return {"registered": self.registered, "refused": self.refused,
                "rows": [r.as_dict(self.id_field) for r in self.rows]}


# ---- reading files -----------------------------------------------------------------------------------------

def content_of(content_base64: str) -> bytes:
    """An import command's file (`content_base64`, bounded by the contract) as bytes, or a refusal naming it."""
    try:
        return base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError) as err:
        raise DomainError("invalid_file", f"content_base64 is not base64: {err}", fields=["content_base64"]) from None


def read_rows(sheet: Sheet[Any], filename: str, content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, {canonical column: text}) for every non-empty data row."""
    raw = _xlsx_rows(content) if filename.lower().endswith(".xlsx") else _csv_rows(content)
    header, *body = raw or [[]]
    columns = [_canonical(sheet, h) for h in header]
    unknown = [h for h, c in zip(header, columns, strict=True) if c is None and h.strip()]
    if any(c not in columns for c in sheet.required):
        needed = " and ".join(f"{sheet.columns[c][0]} ({c})" for c in sheet.required)
        raise RowRefused("missing_columns", f"the file needs at least the columns {needed}")
    if unknown:
        raise RowRefused("unknown_columns", f"unknown columns: {', '.join(unknown)}")
    for offset, cells in enumerate(body, start=2):
        if not any(c.strip() for c in cells):
            continue
        yield offset, {c: (cells[i].strip() if i < len(cells) else "") for i, c in enumerate(columns) if c}


def _canonical(sheet: Sheet[Any], header: str) -> str | None:
    wanted = header.strip().lower()
    for name, aliases in sheet.columns.items():
        if wanted in (a.lower() for a in aliases):
            return name
    return None


def _csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8-sig")
    return [row for row in csv.reader(io.StringIO(text))]


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def validated(model: type[C], data: dict[str, Any], field_rules: Mapping[str, str] | None = None) -> C:
    """The command the contract accepts, or RowRefused naming the fields and the rule (`invalid_<field>`
    unless `field_rules` names a better one)."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        fields = [".".join(str(p) for p in e["loc"]) for e in err.errors()]
        rules = field_rules or {}
        rule = next((rules[f] for f in fields if f in rules), f"invalid_{fields[0].split('.')[-1]}")
        detail = "; ".join(f"{f}: {e['msg']}" for f, e in zip(fields, err.errors(), strict=True))
        raise RowRefused(rule, detail, fields) from None


# ---- one transaction for the whole file ------------------------------------------------------------------

async def import_file(uow: UnitOfWork, sheet: Sheet[C], stage: Stage[C], filename: str, content: bytes,
                      ctx: CommandContext) -> CommandOutcome:
    """Every row of the file through `stage`, in one transaction; the outcome's result is the report."""
    report = ImportReport(sheet.id_field)
    try:
        rows = list(read_rows(sheet, filename, content))
    except RowRefused as err:
        report.rows.append(RowResult(1, "refused", rule=err.rule, message=err.message))
        return CommandOutcome(None, report.as_dict())
    except (ValueError, OSError, KeyError) as err:
        report.rows.append(RowResult(1, "refused", rule="unreadable_file", message=str(err)))
        return CommandOutcome(None, report.as_dict())

    async def work(tx: Tx) -> dict[str, Any]:
        # Built afresh on every attempt: a transaction retried after a concurrent write decides again.
        attempt = ImportReport(sheet.id_field)
        # Imports of one kind queue, so two files cannot both register the same name.
        await tx.lock(f"import-{sheet.kind}-{tx.committee_id}")
        taken = await sheet.taken(tx) if sheet.taken else {}
        seen: dict[str, dict[str, int]] = {}
        for number, values in rows:
            result = RowResult(number, "refused", id=values.get(sheet.id_field) or None,
                               name=values.get(sheet.name_column))
            attempt.rows.append(result)
            try:
                command = sheet.to_command(values)
                result.id = sheet.id_of(command)
                _not_repeated(sheet, command, number, seen, taken)
                await _row(tx, stage, command, sheet.id_field)
            except (RowRefused, DomainError) as err:
                result.rule, result.message, result.fields = err.rule, err.message, err.fields
                continue
            result.status = "registered"
        return attempt.as_dict()

    return await uow.run(ctx, work)


def _not_repeated(sheet: Sheet[C], command: C, row: int, seen: dict[str, dict[str, int]],
                  taken: Mapping[str, set[str]]) -> None:
    for what, value in sheet.unique(command).items():
        if value is None:
            continue
        rows = seen.setdefault(what, {})
        if value in rows:
            raise RowRefused("duplicate_in_file", f"{what} repeats row {rows[value]}", [what])
        rows[value] = row
        if value in taken.get(what, set()):
            raise RowRefused(f"{what}_already_registered", f"a {sheet.kind} with {what} {value!r} is registered",
                             [what])


async def _row(tx: Tx, stage: Stage[C], command: C, id_field: str) -> None:
    """One row's staging, undone alone if it is refused: its events unstaged, its private writes rolled back
    to the savepoint."""
    before = len(tx.staged)
    earlier = {stream for stream, _, _ in tx.staged}
    try:
        async with tx.conn.transaction():
            await stage(tx, command)
            if any(stream in earlier for stream, _, _ in tx.staged[before:]):
                # Two rows on one stream would both append at the version read; the unique fields catch
                # this first, this keeps it from ever becoming a conflict that retries the whole file.
                raise RowRefused("duplicate_in_file", "this row writes a record an earlier row wrote", [id_field])
    except BaseException:
        del tx.staged[before:]
        raise
