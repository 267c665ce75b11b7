"""Who an applied event concerns, for the work-queue subscription. Computed once per event inside the
projector's transaction (after the views applied it), so that events naming only a proposal reach the
proposal's proposers."""

from __future__ import annotations

import asyncpg

from gateway.live import Audience
from gateway.views.base import Fact

# Events that change the office's queue: to review, to assign, re-assignment requests.
OFFICE_TYPES = frozenset({
    "proposal-submitted", "proposal-resubmitted", "proposal-withdrawn", "proposal-accepted", "proposal-not-accepted",
    "proposal-merged", "proposal-returned", "proposal-assigned", "cosigner-confirmed", "cosigner-declined",
    "cosigner-lapsed", "reassignment-requested", "reassignment-granted", "reassignment-refused",
})
# Events naming only the proposal (and a unit) that change what its proposers must do (evaluate a reply).
PROPOSER_TYPES = frozenset({"proposal-replied", "handling-reopened", "reply-class-revised", "evaluations-completed",
                            "proposal-evaluated"})
_MEMBER_KEYS = ("lead_member_id", "member_id", "contact_member_id", "author_member_id", "visitor_member_id")
_MEMBER_LISTS = ("cosigner_member_ids", "member_ids")
_UNIT_KEYS = ("unit_id", "lead_unit_id", "new_unit_id")
_UNIT_LISTS = ("unit_ids", "co_unit_ids")


async def audience_of(conn: asyncpg.Connection, schema: str, fact: Fact) -> Audience:
    d = fact.data
    members = {str(d[k]) for k in _MEMBER_KEYS if d.get(k)}
    for key in _MEMBER_LISTS:
        members.update(fact.ids(key))
    units = {str(d[k]) for k in _UNIT_KEYS if d.get(k)}
    for key in _UNIT_LISTS:
        units.update(fact.ids(key))
    if fact.type in PROPOSER_TYPES and d.get("proposal_id"):
        row = await conn.fetchrow(
            f"SELECT lead_member_id, contact_member_id, confirmed_cosigner_ids FROM {schema}.proposals "
            "WHERE committee_id = $1 AND proposal_id = $2", fact.committee_id, d["proposal_id"])
        if row is not None:
            members.update(m for m in (row["lead_member_id"], row["contact_member_id"]) if m)
            members.update(row["confirmed_cosigner_ids"] or [])
    return Audience(office=fact.type in OFFICE_TYPES, members=frozenset(members), units=frozenset(units))
