"""Appraisal rounds and questionnaires as SQL over their views (`gateway.views.appraisals`,
`gateway.views.questionnaires`), and how a list narrows for a role:

| query                         | member                 | unit_staff | staff (*) | service |
|-------------------------------|------------------------|------------|-----------|---------|
| appraisals, appraisal         | yes                    | yes        | yes       | yes     |
| appraisal.board, .tally       | yes (after close)      | yes        | yes       | yes     |
| issueAppraisalCredentials     | no                     | no         | office    | no      |
| castAppraisalBallot           | no login: the credential's signature is the authorization          ||||
| oversight.latestAppraisal     | no                     | no         | yes       | no      |
| questionnaires                | those they are invited to | no      | yes       | no      |
| questionnaire (the form)      | invited to             | no         | yes       | no      |
| questionnaireResults, Export  | no                     | no         | yes       | no      |
| drawQuestionnaireTicket       | invited to (anonymous) | no         | no        | no      |
| submitAnonymousQuestionnaireResponse | no login: the ticket is the authorization                  ||||

(*) office staff, leadership and admin. The rows are `contracts.access`; the surveys service's routes check
the same rows (and the invitation) again.

Definitions: the latest appraisal of a year is the closed round of that year or before with the latest
meeting day (then the latest close); its ranking lists the ranked departments by rank (ties share a rank, in
the round's order), then those nobody knew (no rate, no rank)."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Role
from gateway.auth import Viewer
from gateway.read.db import Db
from gateway.read.pagination import Page, SortKey, Where, paginate

APPRAISAL_SORT = SortKey((("a.held_on", False), ("a.appraisal_id", True)))
QUESTIONNAIRE_SORT = SortKey((("q.closes_on", False), ("q.questionnaire_id", True)))


def subjects(row: Any) -> list[dict[str, Any]]:
    return list(row["subjects"] or [])


def results(row: Any) -> list[dict[str, Any]]:
    return list(row["results"] or [])


def ranking(row: Any) -> list[dict[str, Any]]:
    """The results by rank (the round's order within a rank), unranked departments last."""
    order = {s["unit_id"]: i for i, s in enumerate(subjects(row))}
    return sorted(results(row), key=lambda r: (r.get("rank") is None, r.get("rank") or 0,
                                               order.get(r["unit_id"], len(order))))


async def appraisal(db: Db, committee_id: str, appraisal_id: str) -> Any | None:
    return await db.fetchrow("SELECT * FROM {s}.appraisals WHERE committee_id = $1 AND appraisal_id = $2",
                             committee_id, appraisal_id)


async def appraisals(db: Db, committee_id: str, year: int | None, first: int | None, after: str | None) -> Page[Any]:
    w = Where(("a.committee_id = ?", committee_id))
    if year is not None:
        w.add("a.year = ?", year)
    return await paginate(db, "SELECT a.* FROM {s}.appraisals a", w, APPRAISAL_SORT, ("held_on", "appraisal_id"),
                          first, after)


async def latest_closed(db: Db, committee_id: str, year: int, kind: str | None = None) -> Any | None:
    return await db.fetchrow(
        "SELECT * FROM {s}.appraisals WHERE committee_id = $1 AND phase = 'closed' AND year <= $2 "
        "AND ($3::text IS NULL OR kind = $3) ORDER BY year DESC, held_on DESC NULLS LAST, closed_at DESC, "
        "appraisal_id LIMIT 1", committee_id, year, kind)


async def rectifications(db: Db, committee_id: str, appraisal_id: str) -> list[Any]:
    """The tracked items the round opened for its bottom three (整改), in the round's order of departments."""
    return await db.fetch(
        "SELECT t.* FROM {s}.tracked_items t WHERE t.committee_id = $1 AND t.subject = 'appraisal_rectification' "
        "AND t.source_id = $2 ORDER BY t.item_id", committee_id, appraisal_id)


# ---- questionnaires ---------------------------------------------------------------------------------------

async def questionnaires(db: Db, viewer: Viewer, open_only: bool, first: int | None,
                         after: str | None) -> Page[Any]:
    """Staff: every questionnaire of the committee; a member: those they are invited to, with whether they
    responded (identified questionnaires only: an anonymous response names nobody)."""
    member = (viewer.member_id or "") if viewer.role is Role.member else None
    # $1 the committee, $2 the member asking (NULL for staff): a member's list is their invitations.
    w = Where(("q.committee_id = ?", viewer.committee_id), ("(?::text IS NULL OR i.member_id IS NOT NULL)", member))
    if open_only:
        w.add("NOT q.closed")
    base = ("SELECT q.*, i.member_id IS NOT NULL AS invited, coalesce(i.responded, false) AS responded, "
            "(SELECT count(*) FROM {s}.questionnaire_invitations x WHERE x.committee_id = q.committee_id "
            "AND x.questionnaire_id = q.questionnaire_id) AS invited_count FROM {s}.questionnaires q "
            "LEFT JOIN {s}.questionnaire_invitations i ON i.committee_id = q.committee_id "
            "AND i.questionnaire_id = q.questionnaire_id AND i.member_id = $2")
    return await paginate(db, base, w, QUESTIONNAIRE_SORT, ("closes_on", "questionnaire_id"), first, after)
