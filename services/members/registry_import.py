"""Handling units and organizations as import files (`members.file_import`, the one import mechanism the
roster uses too): one register-unit / register-organization command per row, all in one transaction, with a
per-row report. A code (编号) or name that repeats in the file or that the committee already registered is
refused by row; a row without a code gets one. Over HTTP: `import-units` and `import-organizations`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from contracts.members.commands import RegisterOrganization, RegisterUnit
from contracts.members.enums import OrganizationKind, Sector
from contracts.members.organization import OrganizationRegistered, UnitRegistered
from eventstore.file_import import RowRefused, Sheet, validated
from eventstore.unit_of_work import Tx

UNIT_COLUMNS: dict[str, tuple[str, ...]] = {
    "unit_id": ("编号", "单位编号", "代码", "unit_id", "code"),
    "name": ("名称", "单位名称", "承办单位", "name"),
}
ORGANIZATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "organization_id": ("编号", "组织编号", "代码", "organization_id", "code"),
    "name": ("名称", "组织名称", "党派团体", "name"),
    "kind": ("类别", "类型", "kind"),
    "sector": ("界别", "sector"),
}
_FIELD_RULES = {"name": "invalid_name"}


async def _names(tx: Tx, event_type: str) -> set[str]:
    """Names the committee already registered, from this service's own events, read in the import's
    transaction (the import holds the kind's lock, so no other import adds one meanwhile)."""
    rows = await tx.conn.fetch(f"SELECT DISTINCT data->>'name' AS name FROM {tx.store.schema}.events "
                               "WHERE committee_id = $1 AND type = $2", tx.committee_id, event_type)
    return {r["name"].strip() for r in rows if r["name"]}


def _name(values: Mapping[str, str]) -> str:
    name = values.get("name", "").strip()
    if not name:
        raise RowRefused("name_required", "名称 (name) is required", ["name"])
    return name


def unit_command(values: dict[str, str]) -> RegisterUnit:
    data = {"unit_id": values.get("unit_id") or f"u-{uuid.uuid4().hex[:12]}", "name": _name(values)}
    return validated(RegisterUnit, data, _FIELD_RULES)


def organization_command(values: dict[str, str]) -> RegisterOrganization:
    name = _name(values)
    try:
        kind = OrganizationKind.from_label(values.get("kind", ""))
    except ValueError:
        labels = "/".join(OrganizationKind.labels_zh().values())
        raise RowRefused("unknown_kind", f"类别 {values.get('kind')!r} is not one of {labels}", ["kind"]) from None
    sector: Sector | None = None
    if values.get("sector"):
        try:
            sector = Sector.from_label(values["sector"])
        except ValueError:
            raise RowRefused("unknown_sector", f"界别 {values['sector']!r} is not a sector", ["sector"]) from None
    data = {"organization_id": values.get("organization_id") or f"org-{uuid.uuid4().hex[:12]}", "name": name,
            "kind": kind, "sector": sector}
    return validated(RegisterOrganization, data, _FIELD_RULES)


async def _unit_names(tx: Tx) -> dict[str, set[str]]:
    return {"name": await _names(tx, UnitRegistered.event_type)}


async def _organization_names(tx: Tx) -> dict[str, set[str]]:
    return {"name": await _names(tx, OrganizationRegistered.event_type)}


# A code already registered is refused by the register command's own decider (`unit_already_registered`).
UNITS = Sheet[RegisterUnit]("unit", UNIT_COLUMNS, ("name",), unit_command, lambda c: c.unit_id,
                            lambda c: {"unit_id": c.unit_id, "name": c.name}, _unit_names)
ORGANIZATIONS = Sheet[RegisterOrganization](
    "organization", ORGANIZATION_COLUMNS, ("name", "kind"), organization_command, lambda c: c.organization_id,
    lambda c: {"organization_id": c.organization_id, "name": c.name}, _organization_names)
