"""The office's and members' lookups as SQL over the views: handling units and organizations (`directory`),
solicitations with their reference topics, recommendation reports and look-backs (`proposals`), liaison
contacts and their visits (`directory`), rulebooks and their versions, trainings, charity and awards
(`scorecard`). Each a filter, the caller's scope and a keyset order; every query starts with the caller's
committee. Who may ask at all is `contracts.access.ALLOWED` (via `gateway.policy.require`); how a list narrows
for a role is decided here:

| lookup                      | member                                 | unit_staff              | staff |
|-----------------------------|----------------------------------------|-------------------------|-------|
| units, organizations, solicitations, rulebooks | all                 | all                     | all   |
| recommendationReports       | —                                      | —                       | all   |
| lookbacks                   | at commitments on their own proposals  | at their unit's commitments | all |
| liaisonContacts             | their own enterprise                   | —                       | all   |
| trainings, charityRecords, awards | those naming them, naming only them | —                  | all   |

A look-back's notes are the office's: staff read them, others get none (the public topic omits them too)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from contracts.envelope import Role
from gateway.auth import Viewer
from gateway.policy import STAFF
from gateway.read.db import Db
from gateway.read.lists import like_escaped
from gateway.read.pagination import Page, SortKey, Where, paginate

# ---- the registry: units and organizations -------------------------------------------------------------

UNIT_SORT = SortKey((("u.name", True), ("u.unit_id", True)))


async def units(db: Db, viewer: Viewer, search: str | None, first: int | None, after: str | None) -> Page[Any]:
    w = Where(("u.committee_id = ?", viewer.committee_id))
    if search:
        w.add("u.name ILIKE ?", f"%{like_escaped(search)}%")
    return await paginate(db, "SELECT u.* FROM {s}.units u", w, UNIT_SORT, ("name", "unit_id"), first, after)


@dataclass(frozen=True)
class OrganizationFilter:
    kind: str | None = None
    sector: str | None = None
    search: str | None = None


ORGANIZATION_SORT = SortKey((("o.name", True), ("o.organization_id", True)))


async def organizations(db: Db, viewer: Viewer, flt: OrganizationFilter, first: int | None,
                        after: str | None) -> Page[Any]:
    w = Where(("o.committee_id = ?", viewer.committee_id))
    if flt.kind:
        w.add("o.kind = ?", flt.kind)
    if flt.sector:
        w.add("o.sector = ?", flt.sector)
    if flt.search:
        w.add("o.name ILIKE ?", f"%{like_escaped(flt.search)}%")
    return await paginate(db, "SELECT o.* FROM {s}.organizations o", w, ORGANIZATION_SORT,
                          ("name", "organization_id"), first, after)


# ---- solicitations (提案征集) and their reference topics --------------------------------------------------

@dataclass(frozen=True)
class SolicitationFilter:
    year: int | None = None
    open_on: date | None = None
    category: str | None = None


SOLICITATION_SORT = SortKey((("s.year", False), ("s.opens_on", False), ("s.solicitation_id", True)))


async def solicitations(db: Db, viewer: Viewer, flt: SolicitationFilter, first: int | None,
                        after: str | None) -> Page[Any]:
    w = Where(("s.committee_id = ?", viewer.committee_id))
    if flt.year is not None:
        w.add("s.year = ?", flt.year)
    if flt.open_on is not None:
        w.add("(s.opens_on <= ? AND s.closes_on >= ?)", flt.open_on, flt.open_on)
    if flt.category:
        w.add("EXISTS (SELECT 1 FROM jsonb_array_elements(s.topics) t WHERE t->>'category' = ?)", flt.category)
    return await paginate(db, "SELECT s.* FROM {s}.solicitations s", w, SOLICITATION_SORT,
                          ("year", "opens_on", "solicitation_id"), first, after)


# ---- rulebooks and their versions ---------------------------------------------------------------------

RULEBOOK_SORT = SortKey((("r.year", False), ("r.version", False)))


async def rulebooks(db: Db, viewer: Viewer, year: int | None, in_force_only: bool, first: int | None,
                    after: str | None) -> Page[Any]:
    w = Where(("r.committee_id = ?", viewer.committee_id))
    if year is not None:
        w.add("r.year = ?", year)
    if in_force_only:
        w.add("r.in_force")
    return await paginate(db, "SELECT r.* FROM {s}.rulebooks r", w, RULEBOOK_SORT, ("year", "version"), first, after)


# ---- recommendation reports (建议案) and look-backs (回头看) -------------------------------------------------

IMPLEMENTED = "implemented"
RECOMMENDATION_SORT = SortKey((("r.sent_on", False), ("r.recommendation_id", True)))


async def recommendation_reports(db: Db, viewer: Viewer, year: int | None, awaiting_lookback: bool,
                                 first: int | None, after: str | None) -> Page[Any]:
    """`awaiting_lookback`: not yet found implemented by a look-back (none concluded, or partly / not)."""
    w = Where(("r.committee_id = ?", viewer.committee_id))
    if viewer.role not in STAFF:
        w.add("false")
    if year is not None:
        w.add("extract(year FROM r.sent_on) = ?", year)
    if awaiting_lookback:
        w.add("NOT EXISTS (SELECT 1 FROM {s}.lookbacks l WHERE l.committee_id = r.committee_id "
              "AND l.recommendation_id = r.recommendation_id AND l.outcome = ?)", IMPLEMENTED)
    return await paginate(db, "SELECT r.* FROM {s}.recommendations r", w, RECOMMENDATION_SORT,
                          ("sent_on", "recommendation_id"), first, after)


@dataclass(frozen=True)
class LookbackFilter:
    subject: str | None = None
    outcome: str | None = None
    concluded: bool | None = None
    due_before: date | None = None
    unit_id: str | None = None
    proposal_id: str | None = None
    recommendation_id: str | None = None


LOOKBACK_SORT = SortKey((("l.due", True), ("l.lookback_id", True)))
_LOOKBACK_COLUMNS = ("l.committee_id, l.lookback_id, l.subject, l.due, l.proposal_id, l.commitment_id, l.unit_id, "
                     "l.recommendation_id, l.outcome, l.concluded_on")
OWN_PROPOSAL = ("EXISTS (SELECT 1 FROM {s}.proposals p WHERE p.committee_id = l.committee_id "
                "AND p.proposal_id = l.proposal_id AND (p.lead_member_id = ? OR p.contact_member_id = ? "
                "OR ? = ANY(p.cosigner_member_ids)))")


def sees_lookback_notes(viewer: Viewer) -> bool:
    return viewer.role in STAFF


async def lookbacks(db: Db, viewer: Viewer, flt: LookbackFilter, first: int | None, after: str | None) -> Page[Any]:
    w = Where(("l.committee_id = ?", viewer.committee_id))
    if viewer.role is Role.unit_staff:
        w.add("l.unit_id = ?", viewer.unit_id or "")
    elif viewer.role is Role.member:
        me = viewer.member_id or ""
        w.add(OWN_PROPOSAL, me, me, me)
    elif viewer.role not in STAFF:
        w.add("false")
    if flt.subject:
        w.add("l.subject = ?", flt.subject)
    if flt.outcome:
        w.add("l.outcome = ?", flt.outcome)
    if flt.concluded is not None:
        w.add("(l.outcome IS NOT NULL) = ?", flt.concluded)
    if flt.due_before is not None:
        w.add("l.due < ?", flt.due_before)
    if flt.unit_id:
        w.add("l.unit_id = ?", flt.unit_id)
    if flt.proposal_id:
        w.add("l.proposal_id = ?", flt.proposal_id)
    if flt.recommendation_id:
        w.add("l.recommendation_id = ?", flt.recommendation_id)
    notes = "l.notes" if sees_lookback_notes(viewer) else "NULL::text AS notes"
    return await paginate(db, f"SELECT {_LOOKBACK_COLUMNS}, {notes} FROM {{s}}.lookbacks l", w, LOOKBACK_SORT,
                          ("due", "lookback_id"), first, after)


async def recommendation_lookbacks(db: Db, viewer: Viewer, recommendation_ids: list[str]) -> dict[str, list[Any]]:
    """The look-backs of a page of recommendation reports, in one query, by report."""
    found: dict[str, list[Any]] = defaultdict(list)
    if recommendation_ids:
        for r in await db.fetch(
                "SELECT * FROM {s}.lookbacks WHERE committee_id = $1 AND recommendation_id = ANY($2::text[]) "
                "ORDER BY due NULLS LAST, lookback_id", viewer.committee_id, recommendation_ids):
            found[r["recommendation_id"]].append(r)
    return found


# ---- liaison contacts (联谊交友) and their visits ---------------------------------------------------------

@dataclass(frozen=True)
class LiaisonContactFilter:
    kind: str | None = None
    township_id: str | None = None
    sector: str | None = None
    member_id: str | None = None
    search: str | None = None


CONTACT_SORT = SortKey((("c.name", True), ("c.contact_id", True)))
_CONTACT_SQL = ("SELECT c.*, (SELECT count(*) FROM {s}.liaison_visits v WHERE v.committee_id = c.committee_id "
                "AND v.contact_id = c.contact_id) AS visits, (SELECT max(v.visited_on) FROM {s}.liaison_visits v "
                "WHERE v.committee_id = c.committee_id AND v.contact_id = c.contact_id) AS last_visited_on "
                "FROM {s}.liaison_contacts c")


async def liaison_contacts(db: Db, viewer: Viewer, flt: LiaisonContactFilter, first: int | None,
                           after: str | None) -> Page[Any]:
    w = Where(("c.committee_id = ?", viewer.committee_id))
    if viewer.role is Role.member:
        w.add("c.member_id = ?", viewer.member_id or "")
    elif viewer.role not in STAFF:
        w.add("false")
    if flt.kind:
        w.add("c.kind = ?", flt.kind)
    if flt.township_id:
        w.add("c.township_id = ?", flt.township_id)
    if flt.sector:
        w.add("c.sector = ?", flt.sector)
    if flt.member_id:
        w.add("c.member_id = ?", flt.member_id)
    if flt.search:
        w.add("c.name ILIKE ?", f"%{like_escaped(flt.search)}%")
    return await paginate(db, _CONTACT_SQL, w, CONTACT_SORT, ("name", "contact_id"), first, after)


# ---- trainings, charity and awards --------------------------------------------------------------------

TRAINING, CHARITY, AWARD = "training", "charity", "award"


@dataclass(frozen=True)
class DutyRecordFilter:
    year: int | None = None
    member_id: str | None = None
    subkind: str | None = None  # a training's or a charity's kind, an award's level
    organization_id: str | None = None


DUTY_SORT = SortKey((("d.on_date", False), ("d.record_id", True)))


async def duty_records(db: Db, viewer: Viewer, kind: str, flt: DutyRecordFilter, first: int | None,
                       after: str | None) -> Page[Any]:
    """Records of one kind, the latest first: staff all, a member those that name them."""
    w = Where(("d.committee_id = ?", viewer.committee_id), ("d.kind = ?", kind))
    if viewer.role is Role.member:
        w.add("? = ANY(d.member_ids)", viewer.member_id or "")
    elif viewer.role not in STAFF:
        w.add("false")
    if flt.year is not None:
        w.add("d.year = ?", flt.year)
    if flt.member_id:
        w.add("? = ANY(d.member_ids)", flt.member_id)
    if flt.subkind:
        w.add("d.subkind = ?", flt.subkind)
    if flt.organization_id:
        w.add("? = ANY(d.organization_ids)", flt.organization_id)
    return await paginate(db, "SELECT d.* FROM {s}.duty_records d", w, DUTY_SORT, ("on_date", "record_id"),
                          first, after)


def named_members(viewer: Viewer, member_ids: list[str]) -> list[str]:
    """The members of a record the caller may see named: a member only themself (whom else a training, a
    charity or an award names is another member's record); staff all."""
    if viewer.role is Role.member:
        return [m for m in member_ids if m == viewer.member_id]
    return list(member_ids)
