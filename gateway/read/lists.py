"""The paginated lists (proposals, public-opinion reports, meetings, visits, members): each a filter, the
caller's scope (policy.py) and a keyset order. Every query starts with the caller's committee."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from contracts.envelope import Role
from gateway.auth import Viewer
from gateway.policy import PUBLIC_PROPOSAL_STATES
from gateway.read.db import Db
from gateway.read.pagination import Page, SortKey, Where, paginate


@dataclass(frozen=True)
class ProposalFilter:
    year: int | None = None
    status: list[str] | None = None
    category: str | None = None
    unit_id: str | None = None
    member_id: str | None = None
    key_only: bool = False
    overdue_as_of: date | None = None
    search: str | None = None


PROPOSAL_SORT = SortKey((("p.year", False), ("p.sequence", True), ("p.proposal_id", True)))


async def proposals(db: Db, viewer: Viewer, flt: ProposalFilter, first: int | None, after: str | None) -> Page[Any]:
    w = Where(("p.committee_id = ?", viewer.committee_id))
    _scope_proposals(w, viewer)
    if flt.year is not None:
        w.add("p.year = ?", flt.year)
    if flt.status:
        w.add("p.status = ANY(?::text[])", list(flt.status))
    if flt.category:
        w.add("p.category = ?", flt.category)
    if flt.unit_id:
        w.add("EXISTS (SELECT 1 FROM {s}.handling h WHERE h.committee_id = p.committee_id "
              "AND h.proposal_id = p.proposal_id AND h.unit_id = ?)", flt.unit_id)
    if flt.member_id:
        w.add("(p.lead_member_id = ? OR p.contact_member_id = ? OR ? = ANY(p.cosigner_member_ids))",
              flt.member_id, flt.member_id, flt.member_id)
    if flt.key_only:
        w.add("p.is_key")
    if flt.overdue_as_of is not None:
        w.add("EXISTS (SELECT 1 FROM {s}.handling h WHERE h.committee_id = p.committee_id "
              "AND h.proposal_id = p.proposal_id AND h.active AND h.role <> 'co' "
              "AND (h.replied_round IS NULL OR h.replied_round < h.round) AND h.deadline < ?)", flt.overdue_as_of)
    if flt.search:
        w.add("p.title ILIKE ?", f"%{like_escaped(flt.search)}%")
    return await paginate(db, "SELECT p.* FROM {s}.proposals p", w, PROPOSAL_SORT,
                          ("year", "sequence", "proposal_id"), first, after)


def _scope_proposals(w: Where, viewer: Viewer) -> None:
    role = viewer.role
    if role is Role.member:
        me = viewer.member_id
        w.add("(p.lead_member_id = ? OR p.contact_member_id = ? OR ? = ANY(p.cosigner_member_ids))", me, me, me)
    elif role is Role.unit_staff:
        w.add("p.status <> 'draft'")
        w.add("EXISTS (SELECT 1 FROM {s}.handling h WHERE h.committee_id = p.committee_id "
              "AND h.proposal_id = p.proposal_id AND h.unit_id = ?)", viewer.unit_id)
    elif role is Role.service:
        w.add("p.status = ANY(?::text[])", list(PUBLIC_PROPOSAL_STATES))
    else:
        w.add("p.status <> 'draft'")  # a draft is the proposer's own until submitted


async def proposal_visible(db: Db, viewer: Viewer, proposal_id: str) -> Any | None:
    w = Where(("p.committee_id = ?", viewer.committee_id), ("p.proposal_id = ?", proposal_id))
    _scope_proposals(w, viewer)
    return await db.fetchrow(f"SELECT p.* FROM {{s}}.proposals p WHERE {w.sql()}", *w.params)


@dataclass(frozen=True)
class ReportFilter:
    year: int | None = None
    status: list[str] | None = None
    author_member_id: str | None = None
    adopted: bool | None = None
    instructed: bool | None = None


REPORT_SORT = SortKey((("r.submitted_on", False), ("r.report_id", True)))


async def reports(db: Db, viewer: Viewer, flt: ReportFilter, first: int | None, after: str | None) -> Page[Any]:
    w = Where(("r.committee_id = ?", viewer.committee_id))
    if viewer.role is Role.member:
        w.add("r.author_member_id = ?", viewer.member_id)
    elif viewer.role is Role.service:
        w.add("r.status = 'published'")
    if flt.year is not None:
        w.add("r.year = ?", flt.year)
    if flt.status:
        w.add("r.status = ANY(?::text[])", list(flt.status))
    if flt.author_member_id:
        w.add("r.author_member_id = ?", flt.author_member_id)
    if flt.adopted is not None:
        w.add("(r.adopted_level IS NOT NULL) = ?", flt.adopted)
    if flt.instructed is not None:
        w.add("r.instructed = ?", flt.instructed)
    return await paginate(db, "SELECT r.* FROM {s}.opinion_reports r", w, REPORT_SORT,
                          ("submitted_on", "report_id"), first, after)


@dataclass(frozen=True)
class MeetingFilter:
    kind: str | None = None
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    member_id: str | None = None


MEETING_SORT = SortKey((("m.starts_at", False), ("m.meeting_id", True)))


async def meetings(db: Db, viewer: Viewer, flt: MeetingFilter, first: int | None, after: str | None) -> Page[Any]:
    w = Where(("m.committee_id = ?", viewer.committee_id))
    invited = ("EXISTS (SELECT 1 FROM {s}.meeting_invitees i WHERE i.committee_id = m.committee_id "
               "AND i.meeting_id = m.meeting_id AND i.member_id = ?)")
    if viewer.role is Role.member:
        w.add(invited, viewer.member_id)
    if flt.member_id:
        w.add(invited, flt.member_id)
    if flt.kind:
        w.add("m.kind = ?", flt.kind)
    if flt.starts_from:
        w.add("m.starts_at >= ?", flt.starts_from)
    if flt.starts_before:
        w.add("m.starts_at < ?", flt.starts_before)
    return await paginate(db, "SELECT m.* FROM {s}.meetings m", w, MEETING_SORT, ("starts_at", "meeting_id"),
                          first, after)


@dataclass(frozen=True)
class VisitFilter:
    year: int | None = None
    kind: str | None = None
    visitor_member_id: str | None = None
    sector: str | None = None
    township_id: str | None = None
    role: str | None = None


VISIT_SORT = SortKey((("v.visited_on", False), ("v.visit_id", True)))


async def visits(db: Db, viewer: Viewer, flt: VisitFilter, first: int | None, after: str | None) -> Page[Any]:
    w = Where(("v.committee_id = ?", viewer.committee_id))
    if viewer.role is Role.member:
        w.add("(v.visitor_member_id = ? OR ? = ANY(v.visited_member_ids))", viewer.member_id, viewer.member_id)
    if flt.year is not None:
        w.add("extract(year FROM v.visited_on) = ?", flt.year)
    if flt.kind:
        w.add("v.kind = ?", flt.kind)
    if flt.visitor_member_id:
        w.add("v.visitor_member_id = ?", flt.visitor_member_id)
    if flt.sector:
        w.add("(v.visited_sector = ? OR EXISTS (SELECT 1 FROM {s}.members vm WHERE vm.committee_id = v.committee_id "
              "AND vm.member_id = v.visitor_member_id AND vm.sector = ?))", flt.sector, flt.sector)
    if flt.township_id:
        w.add("v.township_id = ?", flt.township_id)
    if flt.role:
        w.add("? = ANY(v.roles)", flt.role)
    return await paginate(db, "SELECT v.* FROM {s}.visits v", w, VISIT_SORT, ("visited_on", "visit_id"),
                          first, after)


@dataclass(frozen=True)
class MemberFilter:
    sector: str | None = None
    township_id: str | None = None
    status: str | None = None
    standing_committee: bool | None = None
    chair_members_only: bool = False
    search: str | None = None


MEMBER_SORT = SortKey((("m.family_name", True), ("m.name", True), ("m.member_id", True)))


async def members(db: Db, viewer: Viewer, flt: MemberFilter, first: int | None, after: str | None) -> Page[Any]:
    w = Where(("m.committee_id = ?", viewer.committee_id))
    if flt.sector:
        w.add("m.sector = ?", flt.sector)
    if flt.township_id:
        w.add("m.township_id = ?", flt.township_id)
    if flt.status:
        w.add("m.status = ?", flt.status)
    if flt.standing_committee is not None:
        w.add("m.standing_committee = ?", flt.standing_committee)
    if flt.chair_members_only:
        w.add("m.chair_role IS NOT NULL")
    if flt.search:
        w.add("m.name ILIKE ?", f"%{like_escaped(flt.search)}%")
    return await paginate(db, "SELECT m.* FROM {s}.members m", w, MEMBER_SORT, ("family_name", "name", "member_id"),
                          first, after)


def like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
