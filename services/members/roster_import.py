"""Import a member roster from a CSV or XLSX file: one `register-member` command per row, through the same
handler as the HTTP API, with a per-row report of what was registered and what was refused and why.

Headers may be Chinese or English (姓名/name, 界别/sector, …; see COLUMNS). Over HTTP it is the
`import-roster` command (`members.handlers.import_roster`); from a shell, the same handler on the service
built by the runtime (`members.roster_cli`):
    python -m members.roster_cli roster.xlsx --committee county-a [--dsn …] [--schema members]"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from contracts.members.commands import ImportRoster, RegisterMember  # noqa: F401 - ImportRoster: the command, as before
from contracts.members.enums import ChairRole, Sector
from eventstore.command_outcome import CommandOutcome
from eventstore.errors import DomainError
from eventstore.store import AppendResult, CommandContext

Register = Callable[[RegisterMember, CommandContext], Awaitable[CommandOutcome]]

COLUMNS: dict[str, tuple[str, ...]] = {
    "member_id": ("编号", "委员编号", "member_id"),
    "name": ("姓名", "name"),
    "sector": ("界别", "sector"),
    "township_id": ("联络组", "乡镇联络组", "township_id"),
    "special_committee_id": ("专委会", "专门委员会", "special_committee_id"),
    "standing_committee": ("常委", "standing_committee"),
    "chair_role": ("主席会议职务", "chair_role"),
    "special_supervisor_unit_id": ("特约监督员派驻单位", "special_supervisor_unit_id"),
    "term": ("届", "届次", "term"),
    "session": ("次", "session"),
    "joined_on": ("加入日期", "joined_on"),
    "phone": ("手机", "电话", "phone"),
    "id_number": ("身份证号", "身份证号码", "id_number"),
    "address": ("地址", "住址", "address"),
}
_YES = {"是", "yes", "y", "true", "1", "√", "常委"}
_NO = {"否", "no", "n", "false", "0", ""}
_DIGITS = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_FIELD_RULES = {"contact.phone": "invalid_phone", "contact.id_number": "invalid_id_number",
                "contact.address": "invalid_address", "name": "name_required", "member_id": "invalid_member_id"}


class RowRefused(Exception):
    def __init__(self, rule: str, message: str, fields: list[str] | None = None) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.fields = fields or []


@dataclass
class RowResult:
    row: int
    status: str
    member_id: str | None = None
    name: str | None = None
    rule: str | None = None
    message: str | None = None
    fields: list[str] = field(default_factory=list)
    position: int | None = None


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)
    last_written: AppendResult | None = None

    @property
    def registered(self) -> int:
        return sum(1 for r in self.rows if r.status == "registered")

    @property
    def refused(self) -> int:
        return sum(1 for r in self.rows if r.status == "refused")

    def as_dict(self) -> dict[str, Any]:
        return {"registered": self.registered, "refused": self.refused,
                "rows": [{k: v for k, v in asdict(r).items() if v not in (None, [])} for r in self.rows]}


# ---- reading files -----------------------------------------------------------------------------------------

def read_rows(filename: str, content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, {canonical column: text}) for every non-empty data row."""
    raw = _xlsx_rows(content) if filename.lower().endswith(".xlsx") else _csv_rows(content)
    header, *body = raw or [[]]
    columns = [_canonical(h) for h in header]
    unknown = [h for h, c in zip(header, columns, strict=True) if c is None and h.strip()]
    if "name" not in columns or "sector" not in columns:
        raise RowRefused("missing_columns", "the file needs at least the columns 姓名 (name) and 界别 (sector)")
    if unknown:
        raise RowRefused("unknown_columns", f"unknown columns: {', '.join(unknown)}")
    for offset, cells in enumerate(body, start=2):
        if not any(c.strip() for c in cells):
            continue
        yield offset, {c: (cells[i].strip() if i < len(cells) else "") for i, c in enumerate(columns) if c}


def _canonical(header: str) -> str | None:
    wanted = header.strip().lower()
    for name, aliases in COLUMNS.items():
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


# ---- one row to one command ------------------------------------------------------------------------------

def _number(text: str, what: str) -> int:
    cleaned = text.removeprefix("第").removesuffix("届").removesuffix("次").strip()
    if cleaned.isdigit():
        return int(cleaned)
    if cleaned and all(ch in _DIGITS or ch == "十" for ch in cleaned):
        tens, _, ones = cleaned.partition("十")
        if "十" in cleaned:
            return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)
        return _DIGITS[cleaned]
    raise RowRefused(f"invalid_{what}", f"{what} {text!r} is not a number", [what])


def _date(text: str) -> date:
    cleaned = re.sub(r"[年月/.]", "-", text).removesuffix("日").strip()
    try:
        return date.fromisoformat("-".join(p.zfill(2) for p in cleaned.split("-")))
    except ValueError:
        raise RowRefused("invalid_date", f"joined_on {text!r} is not a date (YYYY-MM-DD)", ["joined_on"]) from None


def row_command(values: dict[str, str]) -> RegisterMember:
    """The register-member command a row asks for, or RowRefused naming the broken rule."""
    try:
        sector = Sector.from_label(values.get("sector", ""))
    except ValueError:
        raise RowRefused("unknown_sector", f"界别 {values.get('sector')!r} is not a sector", ["sector"]) from None
    standing_text = values.get("standing_committee", "").lower()
    if standing_text not in _YES | _NO:
        raise RowRefused("invalid_standing_committee", f"常委 must be 是 or 否, not {standing_text!r}",
                         ["standing_committee"])
    chair: ChairRole | None = None
    if values.get("chair_role"):
        try:
            chair = ChairRole.from_label(values["chair_role"])
        except ValueError:
            raise RowRefused("unknown_chair_role", f"{values['chair_role']!r} is not 主席/副主席/秘书长",
                             ["chair_role"]) from None
    if not values.get("term"):
        raise RowRefused("term_required", "届 (term) is required", ["term"])
    if not values.get("joined_on"):
        raise RowRefused("joined_on_required", "加入日期 (joined_on) is required", ["joined_on"])
    contact = {k: values[k] for k in ("phone", "id_number", "address") if values.get(k)}
    data: dict[str, Any] = {
        "member_id": values.get("member_id") or f"m-{uuid.uuid4().hex[:12]}",
        "name": values.get("name", ""), "sector": sector, "chair_role": chair,
        "standing_committee": standing_text in _YES, "term": _number(values["term"], "term"),
        "session": _number(values["session"], "session") if values.get("session") else 1,
        "joined_on": _date(values["joined_on"]), "contact": contact or None,
        **{k: values[k] or None for k in ("township_id", "special_committee_id", "special_supervisor_unit_id")
           if k in values},
    }
    try:
        return RegisterMember.model_validate(data)
    except ValidationError as err:
        fields = [".".join(str(p) for p in e["loc"]) for e in err.errors()]
        rule = next((_FIELD_RULES[f] for f in fields if f in _FIELD_RULES), "invalid_row")
        detail = "; ".join(f"{f}: {e['msg']}" for f, e in zip(fields, err.errors(), strict=True))
        raise RowRefused(rule, detail, fields) from None


async def import_roster(register: Register, filename: str, content: bytes, ctx: CommandContext) -> ImportReport:
    """Run one register-member command per row with `register(command, ctx)`; never stops at a bad row."""
    report = ImportReport()
    try:
        rows = list(read_rows(filename, content))
    except RowRefused as err:
        report.rows.append(RowResult(1, "refused", rule=err.rule, message=err.message))
        return report
    except (ValueError, OSError, KeyError) as err:
        report.rows.append(RowResult(1, "refused", rule="unreadable_file", message=str(err)))
        return report
    seen_ids: dict[str, int] = {}
    seen_numbers: dict[str, int] = {}
    for number, values in rows:
        result = RowResult(number, "refused", member_id=values.get("member_id") or None, name=values.get("name"))
        report.rows.append(result)
        try:
            command = row_command(values)
            result.member_id = command.member_id
            _not_repeated(seen_ids, command.member_id, number, "member_id")
            if command.contact and command.contact.id_number:
                _not_repeated(seen_numbers, command.contact.id_number, number, "id_number")
            outcome: CommandOutcome = await register(command, ctx)
        except RowRefused as err:
            result.rule, result.message, result.fields = err.rule, err.message, err.fields
            continue
        except DomainError as err:
            result.rule, result.message, result.fields = err.rule, err.message, err.fields
            continue
        result.status = "registered"
        if outcome.written is not None and outcome.written.positions:
            result.position = outcome.written.position
            report.last_written = outcome.written
    return report


def _not_repeated(seen: dict[str, int], value: str, row: int, what: str) -> None:
    if value in seen:
        raise RowRefused("duplicate_in_file", f"{what} repeats row {seen[value]}", [what])
    seen[value] = row
