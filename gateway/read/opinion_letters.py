"""Opinion letters (转意见建议函) as SQL over the `proposals` view: the office, leadership and admin see every
letter and whether its unit acknowledged it; a unit's staff see the letters sent to their unit. Who may ask at
all is `contracts.access.ALLOWED["opinionLetters"]`; every query starts with the caller's committee."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contracts.envelope import Role
from gateway.auth import Viewer
from gateway.policy import STAFF
from gateway.read.db import Db
from gateway.read.pagination import Page, SortKey, Where, paginate

LETTER_SORT = SortKey((("l.sent_on", False), ("l.letter_id", True)))


@dataclass(frozen=True)
class OpinionLetterFilter:
    year: int | None = None
    acknowledged: bool | None = None
    unit_id: str | None = None
    proposal_id: str | None = None


async def opinion_letters(db: Db, viewer: Viewer, flt: OpinionLetterFilter, first: int | None,
                          after: str | None) -> Page[Any]:
    """The latest sent first."""
    w = Where(("l.committee_id = ?", viewer.committee_id))
    if viewer.role is Role.unit_staff:
        w.add("l.unit_id = ?", viewer.unit_id or "")
    elif viewer.role not in STAFF:
        w.add("false")
    if flt.year is not None:
        w.add("extract(year FROM l.sent_on) = ?", flt.year)
    if flt.acknowledged is not None:
        w.add("(l.acknowledged_on IS NOT NULL) = ?", flt.acknowledged)
    if flt.unit_id:
        w.add("l.unit_id = ?", flt.unit_id)
    if flt.proposal_id:
        w.add("l.proposal_id = ?", flt.proposal_id)
    return await paginate(db, "SELECT l.* FROM {s}.opinion_letters l", w, LETTER_SORT, ("sent_on", "letter_id"),
                          first, after)
