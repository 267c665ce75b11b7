"""The consultation plan, its sessions and the tracked items (surveys service), as SQL over the
`consultations` and `tracked_items` views (supervision topics: `gateway.read.supervision`, research topics:
`gateway.read.research`), with who may ask and how a list narrows — for every surveys query:

| query                | member | unit_staff                                           | staff (*) | service |
|----------------------|--------|------------------------------------------------------|-----------|---------|
| consultationPlan     | yes    | no                                                   | yes       | no      |
| consultations        | yes    | no                                                   | yes       | no      |
| trackedItems         | no     | items whose responsible units include their unit     | all       | no      |
| supervisionTopics    | yes    | topics supervising their unit (or asking it to rectify) | all    | no      |
| researchTopics       | yes    | topics with a recommendation sent to their unit      | all       | no      |
| oversight's figures  | no     | no                                                   | all       | no      |

(*) office staff, leadership and admin: all of their committee.

Tracked items nested in a topic (a report's rectifications, a topic's recommendations, an item's children)
follow the `trackedItems` row: members see none, unit staff those sent to their unit
(`policy.sees_tracked_item`).

Definitions:
- open: the office has not given its verdict on the item's current round (a reopening starts a new round);
- overdue as of a day: open, due before that day, and some responsible unit has not reported `done` in the
  current round;
- not yet reported (by a unit): open, and the unit sent no progress report in the current round;
- without result (a research recommendation): open — no verdict on its current round (a recommendation
  reopened after "partly" or "not" is without result again);
- plan progress of a year: the plan's items not withdrawn, each counted in its planned month (items with no
  month in a row of their own); held = some session scheduled from the item has been held (whenever); an
  item carried over to next year still counts as planned (and not held) in its year, and as planned in the
  next year's plan too;
- a parent item's progress (Decidim's accountability): the mean of its children's progress, a child's being
  its own computed progress if it has children, else its latest reported percent (0 before any report)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from contracts.envelope import Role
from gateway.auth import Viewer
from gateway.policy import STAFF
from gateway.read.db import Db
from gateway.read.pagination import Page, SortKey, Where, paginate

LIMIT = 200

# Some responsible unit has not reported `done` in the item's current round.
NOT_ALL_DONE = ("EXISTS (SELECT 1 FROM unnest(t.unit_ids) AS ru(unit_id) LEFT JOIN {s}.tracked_item_units x "
                "ON x.committee_id = t.committee_id AND x.item_id = t.item_id AND x.unit_id = ru.unit_id "
                "AND x.round = t.round WHERE x.status IS DISTINCT FROM 'done')")


def is_overdue(item: Any, unit_rows: list[Any], as_of: date) -> bool:
    """The same definition as the SQL's, for one item and its units' latest reports."""
    if item["closed"] or item["due"] is None or item["due"] >= as_of:
        return False
    done = {r["unit_id"] for r in unit_rows if r["round"] == item["round"] and r["status"] == "done"}
    return any(u not in done for u in item["unit_ids"]) or not item["unit_ids"]


async def plan(db: Db, viewer: Viewer, year: int) -> Any | None:
    return await db.fetchrow("SELECT * FROM {s}.consultation_plans WHERE committee_id = $1 AND year = $2",
                             viewer.committee_id, year)


async def plan_items(db: Db, viewer: Viewer, year: int, include_withdrawn: bool = False) -> list[Any]:
    """The plan's items by planned month, each with whether a session held from it and how many, and the reason
    it was carried over (to next year, or from last year)."""
    return await db.fetch(
        "SELECT i.*, (SELECT count(*) FROM {s}.consultation_sessions s WHERE s.committee_id = i.committee_id "
        "AND s.year = i.year AND s.item_id = i.item_id) AS sessions, "
        "EXISTS (SELECT 1 FROM {s}.consultation_sessions s WHERE s.committee_id = i.committee_id "
        "AND s.year = i.year AND s.item_id = i.item_id AND s.held) AS held, "
        "coalesce(i.carry_over_reason, (SELECT p.carry_over_reason FROM {s}.consultation_plan_items p "
        "WHERE p.committee_id = i.committee_id AND p.year = i.carried_over_from AND p.item_id = i.item_id)) "
        "AS carried_over_reason "
        "FROM {s}.consultation_plan_items i WHERE i.committee_id = $1 AND i.year = $2 AND ($3 OR NOT i.withdrawn) "
        "ORDER BY i.planned_month NULLS LAST, i.item_id", viewer.committee_id, year, include_withdrawn)


SESSION_SORT = SortKey((("c.scheduled_on", True), ("c.consultation_id", True)))


async def consultations(db: Db, viewer: Viewer, year: int | None, first: int | None, after: str | None) -> Page[Any]:
    w = Where(("c.committee_id = ?", viewer.committee_id))
    if year is not None:
        w.add("c.year = ?", year)
    return await paginate(db, "SELECT c.* FROM {s}.consultation_sessions c", w, SESSION_SORT,
                          ("scheduled_on", "consultation_id"), first, after)


@dataclass(frozen=True)
class TrackedFilter:
    kind: str | None = None
    unit_id: str | None = None
    overdue_only: bool = False
    open_only: bool = False
    source_id: str | None = None


TRACKED_SORT = SortKey((("t.due", True), ("t.item_id", True)))


def _scope_tracked(w: Where, viewer: Viewer) -> None:
    if viewer.role is Role.unit_staff:
        w.add("? = ANY(t.unit_ids)", viewer.unit_id or "")
    elif viewer.role not in STAFF:
        w.add("false")


async def tracked_items(db: Db, viewer: Viewer, flt: TrackedFilter, as_of: date, first: int | None,
                        after: str | None) -> Page[Any]:
    """Tracked items the caller may see, nearest due date first."""
    w = Where(("t.committee_id = ?", viewer.committee_id))
    _scope_tracked(w, viewer)
    if flt.kind:
        w.add("t.subject = ?", flt.kind)
    if flt.unit_id:
        w.add("? = ANY(t.unit_ids)", flt.unit_id)
    if flt.source_id:
        w.add("t.source_id = ?", flt.source_id)
    if flt.open_only:
        w.add("NOT t.closed")
    if flt.overdue_only:
        w.add("NOT t.closed AND t.due < ? AND " + NOT_ALL_DONE, as_of)
    return await paginate(db, "SELECT t.* FROM {s}.tracked_items t", w, TRACKED_SORT, ("due", "item_id"),
                          first, after)


async def open_for_unit(db: Db, committee_id: str, unit_id: str) -> list[Any]:
    """A department's open tracked items (outcomes to implement, rectifications, recommendations), nearest
    due date first."""
    return await db.fetch(
        "SELECT t.* FROM {s}.tracked_items t WHERE t.committee_id = $1 AND $2 = ANY(t.unit_ids) AND NOT t.closed "
        f"ORDER BY t.due NULLS LAST, t.item_id LIMIT {LIMIT}", committee_id, unit_id)


async def open_not_reported(db: Db, committee_id: str, kind: str | None = None) -> list[Any]:
    """(unit_id, item row) of every open item (of a kind, or all) a responsible unit has not reported on in its
    current round."""
    return await db.fetch(
        "SELECT ru.unit_id AS responsible_unit_id, t.* FROM {s}.tracked_items t "
        "CROSS JOIN LATERAL unnest(t.unit_ids) AS ru(unit_id) "
        "LEFT JOIN {s}.tracked_item_units x ON x.committee_id = t.committee_id AND x.item_id = t.item_id "
        "AND x.unit_id = ru.unit_id AND x.round = t.round "
        "WHERE t.committee_id = $1 AND NOT t.closed AND x.unit_id IS NULL AND ($2::text IS NULL OR t.subject = $2) "
        "ORDER BY ru.unit_id, t.due NULLS LAST, t.item_id", committee_id, kind)


async def overdue(db: Db, committee_id: str, as_of: date, kind: str | None = None) -> list[Any]:
    """Every overdue tracked item (of a kind, or all) as of the day, most overdue first."""
    return await db.fetch(
        "SELECT t.* FROM {s}.tracked_items t WHERE t.committee_id = $1 AND NOT t.closed AND t.due < $2 AND "
        "($3::text IS NULL OR t.subject = $3) AND " + NOT_ALL_DONE + " ORDER BY t.due, t.item_id",
        committee_id, as_of, kind)


async def open_of_kind(db: Db, committee_id: str, kind: str) -> list[Any]:
    """Every open item of a kind (for research recommendations: those without result), nearest due first."""
    return await db.fetch(
        "SELECT t.* FROM {s}.tracked_items t WHERE t.committee_id = $1 AND NOT t.closed AND t.subject = $2 "
        "ORDER BY t.due NULLS LAST, t.item_id", committee_id, kind)


@dataclass(frozen=True)
class PlanMonth:
    month: int | None  # None: items the plan gives no month
    items: list[Any]

    @property
    def held(self) -> list[Any]:
        return [i for i in self.items if i["held"]]


def plan_progress(items: list[Any]) -> list[PlanMonth]:
    """The plan's items (not withdrawn, as `plan_items` reads them) by planned month, every month 1-12 listed."""
    by_month: dict[int | None, list[Any]] = {m: [] for m in range(1, 13)}
    for i in items:
        if not i["withdrawn"]:
            by_month.setdefault(i["planned_month"], []).append(i)
    return [PlanMonth(m, rows) for m, rows in sorted(by_month.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
            if m is not None or rows]
