"""What waits for the caller, by role:
- office staff (and admin): proposals to review, accepted proposals to assign, re-assignment requests;
- unit staff: their unit's assignments awaiting a reply, nearest deadline first; co-handled replies to co-sign;
  the open tracked items their unit is responsible for (outcomes to implement, rectifications, research
  recommendations), nearest due date first;
- member: invitations to co-sign, replies to evaluate, upcoming meetings not yet answered (no leave asked,
  no attendance recorded);
- leadership: key proposals they supervise (when the token names their member id)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from contracts.envelope import Role
from gateway.auth import Viewer
from gateway.read import surveys
from gateway.read.db import Db

LIMIT = 200


@dataclass
class WorkQueue:
    to_review: list[Any] = field(default_factory=list)
    to_assign: list[Any] = field(default_factory=list)
    reassignment_requests: list[Any] = field(default_factory=list)
    due_replies: list[Any] = field(default_factory=list)
    replies_to_cosign: list[Any] = field(default_factory=list)
    to_cosign: list[Any] = field(default_factory=list)
    to_evaluate: list[Any] = field(default_factory=list)
    meetings_to_answer: list[Any] = field(default_factory=list)
    to_supervise: list[Any] = field(default_factory=list)
    tracked_items: list[Any] = field(default_factory=list)


async def load(db: Db, viewer: Viewer, now: datetime) -> WorkQueue:
    c = viewer.committee_id
    q = WorkQueue()
    role = viewer.role
    if role in (Role.office_staff, Role.admin):
        q.to_review = await db.fetch(
            "SELECT * FROM {s}.proposals WHERE committee_id = $1 AND status = 'submitted' "
            f"ORDER BY submitted_on NULLS LAST, proposal_id LIMIT {LIMIT}", c)
        q.to_assign = await db.fetch(
            "SELECT * FROM {s}.proposals WHERE committee_id = $1 AND status = 'accepted' "
            f"ORDER BY sequence NULLS LAST, proposal_id LIMIT {LIMIT}", c)
        q.reassignment_requests = await db.fetch(
            "SELECT * FROM {s}.reassignments WHERE committee_id = $1 AND state = 'requested' "
            f"ORDER BY requested_on NULLS LAST, proposal_id, unit_id LIMIT {LIMIT}", c)
    elif role is Role.unit_staff:
        q.due_replies = await db.fetch(
            "SELECT h.*, p.number, p.title FROM {s}.handling h JOIN {s}.proposals p USING (committee_id, proposal_id) "
            "WHERE h.committee_id = $1 AND h.unit_id = $2 AND h.active AND h.role <> 'co' "
            "AND (h.replied_round IS NULL OR h.replied_round < h.round) "
            f"ORDER BY h.deadline NULLS LAST, h.proposal_id LIMIT {LIMIT}", c, viewer.unit_id)
        q.replies_to_cosign = await db.fetch(
            "SELECT h.*, p.number, p.title, lead.replied_round AS lead_round FROM {s}.handling h "
            "JOIN {s}.proposals p USING (committee_id, proposal_id) "
            "JOIN {s}.handling lead ON lead.committee_id = h.committee_id AND lead.proposal_id = h.proposal_id "
            "AND lead.role = 'lead' AND lead.active "
            "WHERE h.committee_id = $1 AND h.unit_id = $2 AND h.active AND h.role = 'co' "
            "AND lead.replied_round IS NOT NULL "
            "AND (h.cosigned_round IS NULL OR h.cosigned_round < lead.replied_round) "
            f"ORDER BY h.deadline NULLS LAST, h.proposal_id LIMIT {LIMIT}", c, viewer.unit_id)
        if viewer.unit_id:
            q.tracked_items = await surveys.open_for_unit(db, c, viewer.unit_id)
    elif role is Role.member:
        me = viewer.member_id
        q.to_cosign = await db.fetch(
            "SELECT c.*, p.title, p.lead_member_id FROM {s}.proposal_cosigners c "
            "JOIN {s}.proposals p USING (committee_id, proposal_id) WHERE c.committee_id = $1 AND c.member_id = $2 "
            f"AND c.state = 'invited' AND p.status = 'submitted' ORDER BY c.deadline NULLS LAST, c.proposal_id "
            f"LIMIT {LIMIT}", c, me)
        q.to_evaluate = await db.fetch(
            "SELECT r.*, p.number, p.title FROM {s}.replies r JOIN {s}.proposals p USING (committee_id, proposal_id) "
            "JOIN {s}.handling h ON h.committee_id = r.committee_id AND h.proposal_id = r.proposal_id "
            "AND h.unit_id = r.unit_id AND h.replied_round = r.round AND h.round = r.round "
            "WHERE r.committee_id = $1 AND (p.lead_member_id = $2 OR p.contact_member_id = $2 "
            "OR $2 = ANY(p.confirmed_cosigner_ids)) "
            "AND NOT EXISTS (SELECT 1 FROM {s}.evaluations e WHERE e.committee_id = r.committee_id "
            "AND e.proposal_id = r.proposal_id AND e.unit_id = r.unit_id AND e.round = r.round AND e.member_id = $2) "
            "AND NOT EXISTS (SELECT 1 FROM {s}.evaluation_rounds er WHERE er.committee_id = r.committee_id "
            "AND er.proposal_id = r.proposal_id AND er.unit_id = r.unit_id AND er.round = r.round) "
            f"ORDER BY r.replied_on NULLS LAST, r.proposal_id, r.unit_id LIMIT {LIMIT}", c, me)
        q.meetings_to_answer = await db.fetch(
            "SELECT m.*, i.member_id FROM {s}.meeting_invitees i JOIN {s}.meetings m USING (committee_id, meeting_id) "
            "WHERE i.committee_id = $1 AND i.member_id = $2 AND i.invited AND i.leave_state IS NULL "
            "AND i.attendance IS NULL AND (m.starts_at IS NULL OR m.starts_at > $3) "
            f"ORDER BY m.starts_at NULLS LAST, m.meeting_id LIMIT {LIMIT}", c, me, now)
    elif role is Role.leadership and viewer.member_id:
        q.to_supervise = await db.fetch(
            "SELECT * FROM {s}.proposals WHERE committee_id = $1 AND is_key AND $2 = ANY(key_leaders) "
            f"ORDER BY year DESC, sequence NULLS LAST, proposal_id LIMIT {LIMIT}", c, viewer.member_id)
    return q
