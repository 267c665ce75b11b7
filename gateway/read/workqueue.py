"""What waits for the caller, by role:
- office staff (and admin): everything the office must chase, as one list of items (`office`), each with what it
  is about, why it is there, since when, its due date where one exists, most urgent first (`OfficeWork`):
  proposals to review, accepted proposals to assign, re-assignment requests to decide, replies overdue (催办),
  replies whose proposers have not all evaluated, look-backs due, key-proposal progress reports due. The first
  three are also kept as the sections they always were (`to_review`, `to_assign`, `reassignment_requests`);
- unit staff: their unit's assignments awaiting a reply, nearest deadline first; co-handled replies to co-sign;
  the open tracked items their unit is responsible for (outcomes to implement, rectifications, research
  recommendations), nearest due date first;
- member: invitations to co-sign, replies to evaluate, upcoming meetings not yet answered (no leave asked,
  no attendance recorded);
- leadership: key proposals they supervise (when the token names their member id).

The office's definitions (a day `as_of`, default today):
- reply overdue: oversight's rule, one row per unit that owes a reply (`HandlingRow.overdue`: lead or separate,
  still assigned, current round unanswered, deadline before `as_of`), so both lists name the same units; the work
  queue is not limited to one year, oversight is;
- evaluation missing: a unit's reply to its current round with no `evaluations-completed` yet, naming the proposers
  who have not rated it (the lead and confirmed co-signers, or a collective's contact: the proposals service's
  rule). The read model has no evaluation deadline, so the item carries the reply's day and no due date;
- look-back due: a look-back not concluded whose day has come (oversight's `lookbacks_due`), the one scheduled
  after a `partly` outcome included; and, before the deadline watcher opens it, a commitment or recommendation
  report whose look-back day has come;
- key-proposal report due: a key proposal still being handled (a unit owes a reply) whose last progress report,
  or its assignment if none, is `KEY_REPORT_DAYS` or more old. No schedule of reports is recorded anywhere, so
  the cadence is this module's: monthly;
- most urgent first: items past (or at) a due date, the longest overdue first; then items without one, the
  longest waiting first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from contracts.envelope import Role
from contracts.labels import LabeledEnum
from contracts.proposals.enums import SubmitterKind, owes_reply
from gateway.auth import Viewer
from gateway.read import surveys
from gateway.read.db import Db
from gateway.read.oversight import HandlingRow

LIMIT = 200
KEY_REPORT_DAYS = 30  # a key proposal under handling reports progress monthly (no schedule is recorded)
OFFICE_ROLES = (Role.office_staff, Role.admin)


class OfficeWork(LabeledEnum):
    """Why an item is in the office's work queue."""

    to_review = ("to_review", "待审查立案")
    to_assign = ("to_assign", "已立案，待交办")
    reassignment_request = ("reassignment_request", "申请调整，待决定")
    reply_overdue = ("reply_overdue", "逾期未答复，待催办")
    evaluation_missing = ("evaluation_missing", "已答复，待委员评议")
    lookback_due = ("lookback_due", "回头看到期")
    key_report_due = ("key_report_due", "重点提案进展待报告")


@dataclass(frozen=True)
class OfficeItem:
    """One thing the office must chase: what it is about, why, since when, by when."""

    kind: OfficeWork
    reason: str
    since: date | None
    due: date | None = None
    proposal_id: str | None = None
    number: str | None = None
    title: str = ""
    unit_id: str | None = None
    member_ids: tuple[str, ...] = ()
    commitment_id: str | None = None
    lookback_id: str | None = None
    recommendation_id: str | None = None

    @property
    def id(self) -> str:
        parts = (self.proposal_id, self.unit_id, self.lookback_id or self.commitment_id, self.recommendation_id)
        return ":".join([self.kind.value, *(p for p in parts if p)])

    def days_overdue(self, as_of: date) -> int:
        return max((as_of - self.due).days, 0) if self.due else 0

    def urgency(self, as_of: date) -> tuple[int, int, int, str]:
        """Sort key: due (or past due) first, the longest overdue first; then the longest waiting."""
        kind = list(OfficeWork).index(self.kind)
        if self.due is not None and self.due <= as_of:
            return (0, -(as_of - self.due).days, kind, self.id)
        waited = (as_of - self.since).days if self.since else 0
        return (1, -waited, kind, self.id)


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
    office: list[OfficeItem] = field(default_factory=list)
    as_of: date | None = None


async def load(db: Db, viewer: Viewer, now: datetime) -> WorkQueue:
    c = viewer.committee_id
    q = WorkQueue()
    role = viewer.role
    if role in OFFICE_ROLES:
        await _office_sections(db, c, q)
        q.as_of = now.date()
        q.office = await office_items(db, c, q.as_of, q)
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


async def _office_sections(db: Db, c: str, q: WorkQueue) -> None:
    """The office's decisions to take, as the sections they always were."""
    q.to_review = await db.fetch(
        "SELECT * FROM {s}.proposals WHERE committee_id = $1 AND status = 'submitted' "
        f"ORDER BY submitted_on NULLS LAST, proposal_id LIMIT {LIMIT}", c)
    q.to_assign = await db.fetch(
        "SELECT * FROM {s}.proposals WHERE committee_id = $1 AND status = 'accepted' "
        f"ORDER BY sequence NULLS LAST, proposal_id LIMIT {LIMIT}", c)
    q.reassignment_requests = await db.fetch(
        "SELECT r.*, p.number, p.title FROM {s}.reassignments r LEFT JOIN {s}.proposals p "
        "USING (committee_id, proposal_id) WHERE r.committee_id = $1 AND r.state = 'requested' "
        f"ORDER BY r.requested_on NULLS LAST, r.proposal_id, r.unit_id LIMIT {LIMIT}", c)


# ---- the office's items ------------------------------------------------------------------------------------

HANDLING = """
SELECT h.proposal_id, p.number, p.title, p.category, h.unit_id, h.role, h.round, h.deadline, h.replied_round,
       h.replied_on, h.result_class, h.first_on_time, h.met, p.is_key
  FROM {s}.handling h JOIN {s}.proposals p USING (committee_id, proposal_id)
 WHERE h.committee_id = $1 AND h.active AND h.role <> 'co' AND h.deadline < $2
   AND (h.replied_round IS NULL OR h.replied_round < h.round)
 ORDER BY h.deadline, h.proposal_id, h.unit_id"""

AWAITING_EVALUATION = """
SELECT h.proposal_id, p.number, p.title, h.unit_id, h.role, h.active, h.round, h.replied_round, h.replied_on,
       p.submitter_kind, p.lead_member_id, p.contact_member_id, p.confirmed_cosigner_ids,
       coalesce((SELECT array_agg(e.member_id) FROM {s}.evaluations e WHERE e.committee_id = h.committee_id
                   AND e.proposal_id = h.proposal_id AND e.unit_id = h.unit_id AND e.round = h.replied_round),
                '{}') AS evaluated
  FROM {s}.handling h JOIN {s}.proposals p USING (committee_id, proposal_id)
 WHERE h.committee_id = $1 AND h.active AND h.role <> 'co' AND h.replied_round = h.round
   AND NOT EXISTS (SELECT 1 FROM {s}.evaluation_rounds er WHERE er.committee_id = h.committee_id
                     AND er.proposal_id = h.proposal_id AND er.unit_id = h.unit_id AND er.round = h.replied_round)
 ORDER BY h.replied_on NULLS LAST, h.proposal_id, h.unit_id"""

# Look-backs not concluded whose day has come: opened by the watcher, or scheduled after a 'partly' one.
LOOKBACKS_DUE = """
SELECT l.*, p.number, coalesce(p.title, r.title, '') AS title,
       EXISTS (SELECT 1 FROM {s}.lookbacks x WHERE x.committee_id = l.committee_id AND x.lookback_id <> l.lookback_id
                 AND x.outcome = 'partly' AND (x.commitment_id = l.commitment_id
                                                OR x.recommendation_id = l.recommendation_id)) AS after_partly
  FROM {s}.lookbacks l
  LEFT JOIN {s}.proposals p ON p.committee_id = l.committee_id AND p.proposal_id = l.proposal_id
  LEFT JOIN {s}.recommendations r ON r.committee_id = l.committee_id AND r.recommendation_id = l.recommendation_id
 WHERE l.committee_id = $1 AND l.outcome IS NULL AND l.due <= $2
 ORDER BY l.due, l.lookback_id"""

# Commitments whose day has come before the deadline watcher opened their first look-back.
COMMITMENTS_UNOPENED = """
SELECT c.*, p.number, p.title FROM {s}.commitments c JOIN {s}.proposals p USING (committee_id, proposal_id)
 WHERE c.committee_id = $1 AND c.lookback_id IS NULL AND c.outcome IS NULL AND c.due <= $2
 ORDER BY c.due, c.commitment_id"""

# Recommendation reports whose (next) look-back day has come with no look-back on that day yet.
RECOMMENDATIONS_UNOPENED = """
SELECT r.* FROM {s}.recommendations r
 WHERE r.committee_id = $1 AND r.lookback_due <= $2
   AND NOT EXISTS (SELECT 1 FROM {s}.lookbacks l WHERE l.committee_id = r.committee_id
                     AND l.recommendation_id = r.recommendation_id AND l.due = r.lookback_due)
 ORDER BY r.lookback_due, r.recommendation_id"""

# Key proposals under handling: the last progress report (or the assignment: designation comes before it).
KEY_PROPOSALS = """
SELECT p.proposal_id, p.number, p.title, p.key_leaders, p.assigned_on,
       (SELECT max(k.reported_on) FROM {s}.key_progress k WHERE k.committee_id = p.committee_id
          AND k.proposal_id = p.proposal_id) AS last_reported_on,
       (SELECT array_agg(h.unit_id ORDER BY h.unit_id) FROM {s}.handling h WHERE h.committee_id = p.committee_id
          AND h.proposal_id = p.proposal_id AND h.active AND h.role <> 'co'
          AND (h.replied_round IS NULL OR h.replied_round < h.round)) AS owing
  FROM {s}.proposals p
 WHERE p.committee_id = $1 AND p.is_key AND p.status = 'assigned' AND p.assigned_on IS NOT NULL
 ORDER BY p.number NULLS LAST, p.proposal_id"""


def proposers(r: Any) -> list[str]:
    """Who fills the feedback form (the proposals service's rule): the lead and confirmed co-signers of a
    member's proposal, a collective's contact."""
    kind = r["submitter_kind"]
    if kind in (SubmitterKind.individual, SubmitterKind.joint) or (kind is None and r["lead_member_id"]):
        found = [r["lead_member_id"], *(r["confirmed_cosigner_ids"] or [])]
    else:
        found = [r["contact_member_id"]]
    return list(dict.fromkeys(m for m in found if m))


async def office_items(db: Db, committee: str, as_of: date, queue: WorkQueue | None = None,
                       kinds: Iterable[OfficeWork] | None = None) -> list[OfficeItem]:
    """Everything the office must chase as of `as_of`, most urgent first (`kinds` narrows it). `queue`: the
    office sections already read, so they are not read twice."""
    wanted = set(kinds or OfficeWork)
    items: list[OfficeItem] = []
    if wanted & {OfficeWork.to_review, OfficeWork.to_assign, OfficeWork.reassignment_request}:
        if queue is None:
            queue = WorkQueue()
            await _office_sections(db, committee, queue)
        items += _decisions(queue)
    if OfficeWork.reply_overdue in wanted:
        items += await _overdue(db, committee, as_of)
    if OfficeWork.evaluation_missing in wanted:
        items += await _evaluations_missing(db, committee)
    if OfficeWork.lookback_due in wanted:
        items += await _lookbacks_due(db, committee, as_of)
    if OfficeWork.key_report_due in wanted:
        items += await _key_reports_due(db, committee, as_of)
    return sorted((i for i in items if i.kind in wanted), key=lambda i: i.urgency(as_of))


def _decisions(q: WorkQueue) -> list[OfficeItem]:
    items = [OfficeItem(OfficeWork.to_review, "submitted: to review (accept, return, merge or not accept)",
                        since=r["submitted_on"], proposal_id=r["proposal_id"], number=r["number"], title=r["title"])
             for r in q.to_review]
    items += [OfficeItem(OfficeWork.to_assign, f"accepted as {r['number'] or 'a proposal'}: to assign to units",
                         since=r["decided_on"], proposal_id=r["proposal_id"], number=r["number"], title=r["title"])
              for r in q.to_assign]
    for r in q.reassignment_requests:
        suggested = f", suggesting {r['suggested_unit_id']}" if r["suggested_unit_id"] else ""
        items.append(OfficeItem(
            OfficeWork.reassignment_request, f"{r['unit_id']} asks to be re-assigned{suggested}: to decide",
            since=r["requested_on"], proposal_id=r["proposal_id"], number=r["number"], title=r["title"] or "",
            unit_id=r["unit_id"]))
    return items


async def _overdue(db: Db, committee: str, as_of: date) -> list[OfficeItem]:
    items = []
    for r in await db.fetch(HANDLING, committee, as_of):
        row = HandlingRow(**dict(r))
        if not row.overdue(as_of):  # oversight's rule decides, the SQL only narrows
            continue
        assert row.deadline is not None
        items.append(OfficeItem(
            OfficeWork.reply_overdue,
            f"{row.unit_id} ({row.role}) has not replied to round {row.round}: {row.days_overdue(as_of)} days "
            "past its deadline", since=row.deadline + timedelta(days=1), due=row.deadline,
            proposal_id=row.proposal_id, number=row.number, title=row.title, unit_id=row.unit_id))
    return items[:LIMIT]


async def _evaluations_missing(db: Db, committee: str) -> list[OfficeItem]:
    items = []
    for r in await db.fetch(AWAITING_EVALUATION, committee):
        if owes_reply(r["role"], r["active"], r["replied_round"], r["round"]):
            continue
        missing = [m for m in proposers(r) if m not in set(r["evaluated"])]
        if not missing:  # every proposer rated: evaluations-completed is on its way
            continue
        items.append(OfficeItem(
            OfficeWork.evaluation_missing,
            f"{r['unit_id']} replied to round {r['replied_round']}; not yet evaluated by {', '.join(missing)}",
            since=r["replied_on"], proposal_id=r["proposal_id"], number=r["number"], title=r["title"],
            unit_id=r["unit_id"], member_ids=tuple(missing)))
    return items[:LIMIT]


async def _lookbacks_due(db: Db, committee: str, as_of: date) -> list[OfficeItem]:
    items = []
    for r in await db.fetch(LOOKBACKS_DUE, committee, as_of):
        what = (f"commitment {r['commitment_id']} of {r['unit_id']}" if r["commitment_id"]
                else f"recommendation report {r['recommendation_id']}")
        again = " again after a 'partly' outcome" if r["after_partly"] else ""
        items.append(OfficeItem(
            OfficeWork.lookback_due, f"look-back {r['lookback_id']} at {what}{again}: to conclude",
            since=r["due"], due=r["due"], proposal_id=r["proposal_id"], number=r["number"], title=r["title"],
            unit_id=r["unit_id"], commitment_id=r["commitment_id"], lookback_id=r["lookback_id"],
            recommendation_id=r["recommendation_id"]))
    for r in await db.fetch(COMMITMENTS_UNOPENED, committee, as_of):
        items.append(OfficeItem(
            OfficeWork.lookback_due, f"commitment {r['commitment_id']} of {r['unit_id']} fell due: to look back at",
            since=r["due"], due=r["due"], proposal_id=r["proposal_id"], number=r["number"], title=r["title"],
            unit_id=r["unit_id"], commitment_id=r["commitment_id"]))
    for r in await db.fetch(RECOMMENDATIONS_UNOPENED, committee, as_of):
        items.append(OfficeItem(
            OfficeWork.lookback_due, f"recommendation report {r['recommendation_id']} fell due: to look back at",
            since=r["lookback_due"], due=r["lookback_due"], title=r["title"],
            recommendation_id=r["recommendation_id"]))
    return items[:LIMIT]


async def _key_reports_due(db: Db, committee: str, as_of: date) -> list[OfficeItem]:
    items = []
    for r in await db.fetch(KEY_PROPOSALS, committee):
        if not r["owing"]:  # every unit replied: handling, and its progress reports, are done
            continue
        last = r["last_reported_on"]
        since = max(last, r["assigned_on"]) if last else r["assigned_on"]
        due = since + timedelta(days=KEY_REPORT_DAYS)
        if due > as_of:
            continue
        reported = f"last reported {last.isoformat()}" if last else "no progress report since its assignment"
        items.append(OfficeItem(
            OfficeWork.key_report_due, f"key proposal: {reported}; {', '.join(r['owing'])} still handling it",
            since=since, due=due, proposal_id=r["proposal_id"], number=r["number"], title=r["title"],
            member_ids=tuple(r["key_leaders"] or ())))
    return items[:LIMIT]
