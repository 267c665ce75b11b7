"""Research and inspection topics (surveys service) as SQL over the `research` view. Who may ask and how
the list narrows: the table in `gateway/read/surveys.py`."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Role
from gateway.auth import Viewer
from gateway.policy import STAFF
from gateway.read.db import Db
from gateway.read.pagination import Page, SortKey, Where, paginate

TOPIC_SORT = SortKey((("t.year", False), ("t.topic_id", True)))

# A recommendation of the topic (opened from it, or listed by one of its reports) was sent to the unit.
SENT_TO_UNIT = ("EXISTS (SELECT 1 FROM {s}.tracked_items i WHERE i.committee_id = t.committee_id "
                "AND ? = ANY(i.unit_ids) AND (i.source_id = t.topic_id OR EXISTS (SELECT 1 FROM {s}.research_reports r "
                "WHERE r.committee_id = t.committee_id AND r.topic_id = t.topic_id AND i.item_id = ANY(r.item_ids))))")
# The organization took the topic on, is on its team, or applied for it.
INVOLVES_ORGANIZATION = ("(t.organization_id = ? OR ? = ANY(t.team_organization_ids) OR EXISTS (SELECT 1 FROM "
                         "{s}.research_applications a WHERE a.committee_id = t.committee_id "
                         "AND a.topic_id = t.topic_id AND a.organization_id = ?))")


async def topics(db: Db, viewer: Viewer, year: int | None, kind: str | None, organization_id: str | None,
                 first: int | None, after: str | None) -> Page[Any]:
    """Research topics the caller may see, the latest year first."""
    w = Where(("t.committee_id = ?", viewer.committee_id))
    if viewer.role is Role.unit_staff:
        w.add(SENT_TO_UNIT, viewer.unit_id or "")
    elif viewer.role not in STAFF and viewer.role is not Role.member:
        w.add("false")
    if year is not None:
        w.add("t.year = ?", year)
    if kind:
        w.add("t.kind = ?", kind)
    if organization_id:
        w.add(INVOLVES_ORGANIZATION, organization_id, organization_id, organization_id)
    return await paginate(db, "SELECT t.* FROM {s}.research_topics t", w, TOPIC_SORT, ("year", "topic_id"),
                          first, after)
