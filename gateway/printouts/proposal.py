"""What the proposal printouts share: the proposal as the views hold it, who may print it, and its people and
units by name.

Access (the rows of the proposal printouts; `policy.py`'s `proposal` row says who may read a proposal at all):
office staff, leadership and admin print any proposal of their committee; a unit's staff those assigned to
their unit (a handling row of theirs, as `proposal` shows them); a member, where the document allows it, the
proposals they are a proposer of — lead, confirmed co-signer or an organization's contact member, those who
fill the feedback form. A draft, or a proposal of another committee, is not found (404)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from contracts.bounded import Identifier
from contracts.envelope import Role
from contracts.members.enums import Sector
from contracts.proposals.enums import Category, SubmitterKind, UnitRole
from contracts.roles import STAFF
from gateway.context import Context
from gateway.errors import Forbidden, NotFound
from gateway.exports.workbook import label

Row = Any  # an asyncpg.Record


class ProposalKey(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    proposal_id: Identifier = Field(alias="proposalId")


@dataclass(frozen=True)
class Unit:
    unit_id: str
    name: str
    role: str  # lead co separate
    role_zh: str
    deadline: date | None
    active: bool
    replied_on: date | None
    result_class: str | None


@dataclass
class Proposal:
    row: Row
    handling: list[Row]
    proposer_names: list[str]  # lead first, then confirmed co-signers
    organization: str | None
    contact: str | None
    units: list[Unit] = field(default_factory=list)

    @property
    def number(self) -> str:
        return str(self.row["number"] or "")

    def variables(self) -> dict[str, Any]:
        r = self.row
        active = [u for u in self.units if u.active]
        return {
            "proposal": {
                "id": r["proposal_id"], "number": self.number, "year": r["year"], "title": r["title"],
                "category": label(Category, r["category"]) or "", "kind": label(SubmitterKind, r["submitter_kind"]),
                "proposers": self.proposer_names, "organization": self.organization, "contact": self.contact,
                "special_committee": r["special_committee"], "sector": label(Sector, r["sector"]),
                "submitted_on": r["submitted_on"], "decided_on": r["decided_on"], "reason": r["decision_reason"],
                "is_key": r["is_key"], "mode": r["mode"], "assigned_on": r["assigned_on"], "deadline": r["deadline"],
                "reassignment_window_ends": r["reassignment_window_ends"],
            },
            "units": active,
            "lead_units": [u for u in active if u.role == "lead"],
            "co_units": [u for u in active if u.role == "co"],
            "separate_units": [u for u in active if u.role == "separate"],
        }

    @property
    def signers(self) -> str:
        """Who the proposal is by, as a document names them: the members, or the organization."""
        return "、".join(self.proposer_names) or self.organization or str(self.row["special_committee"] or "")


def may_print(viewer_role: Role, viewer_unit: str | None, viewer_member: str | None, row: Row,
              handling: list[Row], *, members: bool) -> bool:
    if viewer_role in STAFF:
        return True
    if viewer_role is Role.unit_staff:
        return viewer_unit is not None and any(h["unit_id"] == viewer_unit for h in handling)
    if viewer_role is Role.member and members and viewer_member is not None:
        return viewer_member in (row["lead_member_id"], row["contact_member_id"]) or \
            viewer_member in (row["confirmed_cosigner_ids"] or [])
    return False


async def load(c: Context, proposal_id: str, title: str, *, members: bool = False) -> Proposal:
    """The proposal `proposal_id` of the caller's committee, if they may print `title` of it."""
    row = await c.db.fetchrow("SELECT * FROM {s}.proposals WHERE committee_id = $1 AND proposal_id = $2 "
                              "AND status <> 'draft'", c.viewer.committee_id, proposal_id)
    if row is None:
        raise NotFound(f"no proposal {proposal_id!r} in committee {c.viewer.committee_id}")
    handling = await c.loaders.handling.load(proposal_id)
    if not may_print(c.viewer.role, c.viewer.unit_id, c.viewer.member_id, row, handling, members=members):
        whose = ("assigned to their unit" if c.viewer.role is Role.unit_staff
                 else "of which they are a proposer" if c.viewer.role is Role.member and members else None)
        raise Forbidden(f"the {title} of proposal {proposal_id} is not available to the {c.viewer.role.value} role"
                        + (f": only proposals {whose}" if whose else ""))
    lead = [row["lead_member_id"]] if row["lead_member_id"] else []
    cosigners = [m for m in (row["confirmed_cosigner_ids"] or []) if m not in lead]
    member_ids = [*lead, *cosigners, *([row["contact_member_id"]] if row["contact_member_id"] else [])]
    people = dict(zip(member_ids, await c.loaders.member.load_many(member_ids), strict=True))

    def name(member_id: str) -> str:
        found = people.get(member_id)
        return str(found["name"]) if found else member_id

    organization = None
    if row["organization_id"]:
        org = await c.loaders.organization.load(row["organization_id"])
        organization = str(org["name"]) if org else str(row["organization_id"])
    unit_rows = await c.loaders.unit.load_many([h["unit_id"] for h in handling])
    units = [Unit(h["unit_id"], str(u["name"]) if u else h["unit_id"], h["role"], label(UnitRole, h["role"]) or "",
                  h["deadline"], h["active"], h["replied_on"], h["result_class"])
             for h, u in zip(handling, unit_rows, strict=True)]
    units.sort(key=lambda u: ({"lead": 0, "separate": 1, "co": 2}.get(u.role, 3), u.unit_id))
    return Proposal(row, handling, [name(m) for m in [*lead, *cosigners]], organization,
                    name(row["contact_member_id"]) if row["contact_member_id"] else None, units)
