"""Democratic supervision topics (surveys service) as SQL over the `supervision` view. Who may ask and how
the list narrows: the table in `gateway/read/surveys.py`."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Role
from gateway.auth import Viewer
from gateway.policy import STAFF
from gateway.read.db import Db
from gateway.read.pagination import Page, SortKey, Where, paginate

TOPIC_SORT = SortKey((("s.year", False), ("s.supervision_id", True)))

# The topic supervises the unit, or one of its reports asked the unit to rectify.
CONCERNS_UNIT = ("(? = ANY(s.unit_ids) OR EXISTS (SELECT 1 FROM {s}.supervision_reports r "
                 "WHERE r.committee_id = s.committee_id AND r.supervision_id = s.supervision_id "
                 "AND ? = ANY(r.unit_ids)))")


async def topics(db: Db, viewer: Viewer, year: int | None, unit_id: str | None, first: int | None,
                 after: str | None) -> Page[Any]:
    """Supervision topics the caller may see, the latest year first."""
    w = Where(("s.committee_id = ?", viewer.committee_id))
    if viewer.role is Role.unit_staff:
        w.add(CONCERNS_UNIT, viewer.unit_id or "", viewer.unit_id or "")
    elif viewer.role not in STAFF and viewer.role is not Role.member:
        w.add("false")
    if year is not None:
        w.add("s.year = ?", year)
    if unit_id:
        w.add(CONCERNS_UNIT, unit_id, unit_id)
    return await paginate(db, "SELECT s.* FROM {s}.supervision_topics s", w, TOPIC_SORT, ("year", "supervision_id"),
                          first, after)
