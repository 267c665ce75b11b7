"""The member roster as an import file (`members.file_import`, the one import mechanism): one register-member
command per row, all in one transaction, with a per-row report of what was registered and what was refused.

Headers may be Chinese or English (姓名/name, 界别/sector, …; see COLUMNS). Over HTTP it is the
`import-roster` command (`members.handlers.import_roster`); from a shell, the same handler on the service
built by the runtime (`members.roster_cli`):
    python -m members.roster_cli roster.xlsx --committee county-a [--dsn …] [--schema members]"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from contracts.members.commands import RegisterMember
from contracts.members.enums import ChairRole, Sector
from eventstore.file_import import RowRefused, Sheet, validated

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
    return validated(RegisterMember, data, _FIELD_RULES)


def _unique(command: RegisterMember) -> dict[str, str | None]:
    # An ID number belongs to one member (the handler also checks those already registered).
    return {"member_id": command.member_id, "id_number": command.contact.id_number if command.contact else None}


ROSTER = Sheet[RegisterMember]("member", COLUMNS, ("name", "sector"), row_command, lambda c: c.member_id, _unique)
