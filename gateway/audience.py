"""Who an applied event concerns, for the work-queue subscription. Computed once per event inside the
projector's transaction (after the views applied it), so that events naming only a proposal reach the
proposal's proposers, and events naming only a tracked item (a verdict, a reopening, a look-back) reach the
departments responsible for it."""

from __future__ import annotations

import asyncpg

from gateway.live import Audience
from gateway.views.base import Fact

# Events that change the office's queue: to review, to assign, re-assignment requests ...
OFFICE_TYPES = frozenset({
    "proposal-submitted", "proposal-resubmitted", "proposal-withdrawn", "proposal-accepted", "proposal-not-accepted",
    "proposal-merged", "proposal-returned", "proposal-assigned", "cosigner-confirmed", "cosigner-declined",
    "cosigner-lapsed", "reassignment-requested", "reassignment-granted", "reassignment-refused",
}) | frozenset({  # ... and what it chases (gateway/read/workqueue.py): replies, evaluations, look-backs, key reports
    "handling-deadline-recomputed", "handling-overdue", "handling-reopened", "proposal-replied", "proposal-evaluated",
    "evaluations-completed", "commitment-recorded", "lookback-opened", "lookback-concluded", "lookback-scheduled",
    "recommendation-report-recorded", "recommendation-followup-reopened", "key-proposal-designated",
    "key-proposal-progress-reported",
})
# Events of one tracked item (surveys): they change the queues of the departments responsible for it.
TRACKED_PREFIX = "tracked-item-"
_MEMBER_KEYS = ("lead_member_id", "member_id", "contact_member_id", "author_member_id", "visitor_member_id")
_MEMBER_LISTS = ("cosigner_member_ids", "member_ids", "supervising_leaders")
_UNIT_KEYS = ("unit_id", "lead_unit_id", "new_unit_id")
_UNIT_LISTS = ("unit_ids", "co_unit_ids")


def audience_reads(fact: Fact) -> tuple[str, ...]:
    """The views whose tables `audience_of` reads for this event."""
    return (("proposals",) if fact.data.get("proposal_id") else ()) + (
        ("tracked_items",) if fact.type.startswith(TRACKED_PREFIX) and fact.data.get("item_id") else ())


async def audience_of(conn: asyncpg.Connection, schema: str, fact: Fact) -> Audience:
    d = fact.data
    members = {str(d[k]) for k in _MEMBER_KEYS if d.get(k)}
    for key in _MEMBER_LISTS:
        members.update(fact.ids(key))
    units = {str(d[k]) for k in _UNIT_KEYS if d.get(k)}
    for key in _UNIT_LISTS:
        units.update(fact.ids(key))
    if d.get("proposal_id"):
        # An event naming only the proposal (a reply, a re-opening, a progress report) concerns everyone on it:
        # its proposers (to evaluate), its units (to co-sign, to reply again), its supervising leaders.
        row = await conn.fetchrow(
            f"SELECT lead_member_id, contact_member_id, confirmed_cosigner_ids, key_leaders, unit_ids "
            f"FROM {schema}.proposals WHERE committee_id = $1 AND proposal_id = $2",
            fact.committee_id, d["proposal_id"])
        if row is not None:
            members.update(m for m in (row["lead_member_id"], row["contact_member_id"]) if m)
            members.update(row["confirmed_cosigner_ids"] or [])
            members.update(row["key_leaders"] or [])
            units.update(row["unit_ids"] or [])
    if fact.type.startswith(TRACKED_PREFIX) and d.get("item_id"):
        row = await conn.fetchrow(f"SELECT unit_ids FROM {schema}.tracked_items WHERE committee_id = $1 "
                                  "AND item_id = $2", fact.committee_id, d["item_id"])
        if row is not None:
            units.update(row["unit_ids"] or [])
    return Audience(office=fact.type in OFFICE_TYPES, members=frozenset(members), units=frozenset(units))
