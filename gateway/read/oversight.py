"""Leadership oversight of a year: what is late or undone, and the yearly handling figures, each figure
with the items it counts. One query per kind of row; the figures are computed here so every number keeps
its items (drill-down) and the definitions live in one readable place:

- past deadline: a handling unit that must reply (lead or separate, still assigned) whose current round has
  no reply and whose deadline is before `as_of`;
- reply-on-time rate: first-round replies on time / handling rows due by `as_of` (replied, or deadline passed);
- meeting rate: rows whose unit met the proposers (a `meeting` contact) / rows replied;
- satisfaction rate: satisfied + basically satisfied / evaluations of the latest evaluated round per row;
- A/B/C shares: the class of each row's latest reply / rows replied;
- commitments overdue: B-class promises past due without a concluded look-back;
- visit coverage: members in office making the plan's number of sector visits, and members visited by a
  chair-meeting member, by sector and by township;
- not evaluated (未评议): replies whose evaluation deadline passed with ratings missing, with the proposers who
  did not rate (the satisfaction rate counts only the ratings given);
- back-dated steps: those the office entered after the day they happened (every figure above counts them on
  that day), of the year they happened in.

Every day above is the day a step happened (the event's `occurred_at`, or the date it carries), not the day it
was recorded: a reply letter entered late but dated before the deadline is on time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

from contracts.proposals.enums import owes_reply
from gateway.read.db import Db

T = TypeVar("T")


@dataclass(frozen=True)
class Rate(Generic[T]):
    """A figure: `numerator` of the `denominator` items count."""

    items: list[tuple[T, bool]]

    @property
    def numerator(self) -> int:
        return sum(1 for _, counted in self.items if counted)

    @property
    def denominator(self) -> int:
        return len(self.items)

    @property
    def value(self) -> float | None:
        return round(self.numerator / self.denominator, 4) if self.items else None


@dataclass(frozen=True)
class HandlingRow:
    proposal_id: str
    number: str | None
    title: str
    category: str | None
    unit_id: str
    role: str
    round: int
    deadline: date | None
    replied_round: int | None
    replied_on: date | None
    result_class: str | None
    first_on_time: bool | None
    met: bool
    is_key: bool

    @property
    def awaiting_reply(self) -> bool:
        return owes_reply(self.role, True, self.replied_round, self.round)  # the query reads active units only

    def overdue(self, as_of: date) -> bool:
        return self.awaiting_reply and self.deadline is not None and self.deadline < as_of

    def days_overdue(self, as_of: date) -> int:
        return (as_of - self.deadline).days if self.deadline and self.overdue(as_of) else 0

    def due_by(self, as_of: date) -> bool:
        return self.replied_round is not None or (self.deadline is not None and self.deadline < as_of)


@dataclass(frozen=True)
class EvaluationRow:
    proposal_id: str
    number: str | None
    title: str
    category: str | None
    unit_id: str
    round: int
    member_id: str
    rating: str
    comment: str
    evaluated_on: date | None
    handling_round: int

    @property
    def satisfied(self) -> bool:
        return self.rating in ("satisfied", "basically_satisfied")

    @property
    def rehandled(self) -> bool:
        return self.handling_round > self.round


@dataclass(frozen=True)
class HandlingFigures:
    key: str  # the unit id or the category
    assigned: list[HandlingRow]
    overdue: list[HandlingRow]
    reply_on_time: Rate[HandlingRow]
    meeting: Rate[HandlingRow]
    satisfaction: Rate[EvaluationRow]
    classes: dict[str, list[HandlingRow]]  # A / B / C -> rows whose latest reply has that class
    replied: int


@dataclass(frozen=True)
class BackdatedRow:
    type: str  # the event type, e.g. proposal-replied
    stream_id: str
    subject_id: str | None  # the proposal, visit, report … it is about
    occurred_on: date
    recorded_on: date
    recorded_by: str

    @property
    def days_late(self) -> int:
        return (self.recorded_on - self.occurred_on).days


@dataclass(frozen=True)
class NotEvaluatedRow:
    """A reply whose evaluation deadline passed with ratings missing."""

    proposal_id: str
    number: str | None
    title: str
    unit_id: str
    round: int
    deadline: date
    not_rated_member_ids: list[str]
    rated: int


@dataclass(frozen=True)
class CoverageRow:
    member_id: str
    name: str
    sector: str | None
    township_id: str | None
    sector_visits: int
    visited_by_chair: bool
    is_chair_member: bool


@dataclass(frozen=True)
class CoverageGroup:
    key: str | None
    visiting: Rate[CoverageRow]
    visited: Rate[CoverageRow]


@dataclass
class Oversight:
    year: int
    as_of: date
    handling: list[HandlingRow] = field(default_factory=list)
    evaluations: list[EvaluationRow] = field(default_factory=list)
    key_proposals: list[Any] = field(default_factory=list)
    lookbacks: list[Any] = field(default_factory=list)
    commitments: list[Any] = field(default_factory=list)
    coverage: list[CoverageRow] = field(default_factory=list)
    sector_visits_required: int = 1
    flags: list[Any] = field(default_factory=list)
    backdated: list[BackdatedRow] = field(default_factory=list)
    not_evaluated: list[NotEvaluatedRow] = field(default_factory=list)

    # ---- late or undone ---------------------------------------------------------------------------

    def overdue_by_unit(self) -> dict[str, list[HandlingRow]]:
        out: dict[str, list[HandlingRow]] = defaultdict(list)
        for row in self.handling:
            if row.overdue(self.as_of):
                out[row.unit_id].append(row)
        return {k: sorted(v, key=lambda r: (r.deadline or self.as_of, r.proposal_id)) for k, v in sorted(out.items())}

    def dissatisfied(self) -> list[EvaluationRow]:
        return [e for e in self.evaluations if e.rating == "dissatisfied"]

    def commitments_overdue(self) -> list[Any]:
        return [c for c in self.commitments if c["outcome"] is None and c["due"] < self.as_of]

    def lookbacks_due(self) -> list[Any]:
        return [lb for lb in self.lookbacks if lb["outcome"] is None and lb["due"] is not None
                and lb["due"] <= self.as_of]

    def lookback_results(self) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {"implemented": [], "partly": [], "not": []}
        for lb in self.lookbacks:
            if lb["outcome"] is not None:
                out.setdefault(lb["outcome"], []).append(lb)
        return out

    # ---- handling figures ----------------------------------------------------------------------------

    def figures_by(self, key: Callable[[Any], str | None]) -> list[HandlingFigures]:
        rows: dict[str, list[HandlingRow]] = defaultdict(list)
        evals: dict[str, list[EvaluationRow]] = defaultdict(list)
        for row in self.handling:
            rows[key(row) or ""].append(row)
        for ev in self._latest_round_evaluations():
            evals[key(ev) or ""].append(ev)
        return [self._figures(k, rows.get(k, []), evals.get(k, [])) for k in sorted(set(rows) | set(evals))]

    def _latest_round_evaluations(self) -> list[EvaluationRow]:
        latest: dict[tuple[str, str], int] = {}
        for ev in self.evaluations:
            k = (ev.proposal_id, ev.unit_id)
            latest[k] = max(latest.get(k, 0), ev.round)
        return [ev for ev in self.evaluations if ev.round == latest[(ev.proposal_id, ev.unit_id)]]

    def _figures(self, key: str, rows: list[HandlingRow], evals: list[EvaluationRow]) -> HandlingFigures:
        replied = [r for r in rows if r.replied_round is not None]
        classes: dict[str, list[HandlingRow]] = {"A": [], "B": [], "C": []}
        for r in replied:
            if r.result_class:
                classes.setdefault(r.result_class, []).append(r)
        return HandlingFigures(
            key=key,
            assigned=rows,
            overdue=[r for r in rows if r.overdue(self.as_of)],
            reply_on_time=Rate([(r, bool(r.first_on_time)) for r in rows if r.due_by(self.as_of)]),
            meeting=Rate([(r, r.met) for r in replied]),
            satisfaction=Rate([(e, e.satisfied) for e in evals]),
            classes=classes,
            replied=len(replied),
        )

    # ---- visit coverage ------------------------------------------------------------------------------

    def coverage_by(self, key: Callable[[CoverageRow], str | None]) -> list[CoverageGroup]:
        groups: dict[str | None, list[CoverageRow]] = defaultdict(list)
        for row in self.coverage:
            groups[key(row)].append(row)
        need = self.sector_visits_required
        return [CoverageGroup(k, Rate([(r, r.sector_visits >= need) for r in rs]),
                              Rate([(r, r.visited_by_chair) for r in rs if not r.is_chair_member]))
                for k, rs in sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))]


HANDLING = """
SELECT h.proposal_id, p.number, p.title, p.category, h.unit_id, h.role, h.round, h.deadline, h.replied_round,
       h.replied_on, h.result_class, h.first_on_time, h.met, p.is_key
  FROM {s}.handling h JOIN {s}.proposals p USING (committee_id, proposal_id)
 WHERE h.committee_id = $1 AND p.year = $2 AND h.active AND h.role <> 'co'
 ORDER BY h.unit_id, p.number NULLS LAST, h.proposal_id"""

EVALUATIONS = """
SELECT e.proposal_id, p.number, p.title, p.category, e.unit_id, e.round, e.member_id, e.rating,
       coalesce(e.comment, '') AS comment, e.evaluated_on, coalesce(h.round, e.round) AS handling_round
  FROM {s}.evaluations e JOIN {s}.proposals p USING (committee_id, proposal_id)
  LEFT JOIN {s}.handling h ON h.committee_id = e.committee_id AND h.proposal_id = e.proposal_id
                          AND h.unit_id = e.unit_id
 WHERE e.committee_id = $1 AND p.year = $2::int
 ORDER BY p.number NULLS LAST, e.proposal_id, e.unit_id, e.round, e.member_id"""

KEY_PROPOSALS = """
SELECT p.proposal_id, p.number, p.title, p.key_leaders, p.status,
       (SELECT count(*) FROM {s}.key_progress k WHERE k.committee_id = p.committee_id
          AND k.proposal_id = p.proposal_id)::int AS reports,
       (SELECT max(reported_on) FROM {s}.key_progress k WHERE k.committee_id = p.committee_id
          AND k.proposal_id = p.proposal_id) AS last_reported_on
  FROM {s}.proposals p WHERE p.committee_id = $1 AND p.year = $2 AND p.is_key
 ORDER BY p.number NULLS LAST, p.proposal_id"""

LOOKBACKS = """
SELECT l.* FROM {s}.lookbacks l LEFT JOIN {s}.proposals p
    ON p.committee_id = l.committee_id AND p.proposal_id = l.proposal_id
 WHERE l.committee_id = $1 AND (p.year = $2 OR extract(year FROM l.due) = $2::int
                                OR extract(year FROM l.concluded_on) = $2::int)
 ORDER BY l.due NULLS LAST, l.lookback_id"""

COMMITMENTS = """
SELECT c.*, p.number, p.title FROM {s}.commitments c JOIN {s}.proposals p USING (committee_id, proposal_id)
 WHERE c.committee_id = $1 AND p.year = $2 ORDER BY c.due, c.commitment_id"""

COVERAGE = """
SELECT m.member_id, m.name, m.sector, m.township_id, (m.chair_role IS NOT NULL) AS is_chair_member,
       (SELECT count(*) FROM {s}.visits v WHERE v.committee_id = m.committee_id AND v.visitor_member_id = m.member_id
          AND v.kind = 'member_visits_sector' AND extract(year FROM v.visited_on) = $2::int)::int AS sector_visits,
       EXISTS (SELECT 1 FROM {s}.visits v WHERE v.committee_id = m.committee_id AND v.kind = 'chair_visits_member'
          AND m.member_id = ANY(v.visited_member_ids) AND extract(year FROM v.visited_on) = $2::int) AS visited_by_chair
  FROM {s}.members m
 WHERE m.committee_id = $1 AND (m.joined_on IS NULL OR m.joined_on <= make_date($2::int, 12, 31))
   AND (m.status = 'active' OR m.status_effective_on IS NULL OR m.status_effective_on >= make_date($2::int, 1, 1))
 ORDER BY m.member_id"""

BACKDATED = """
SELECT b.type, b.stream_id, b.subject_id, b.occurred_on, b.recorded_on, b.recorded_by FROM {s}.backdated_steps b
 WHERE b.committee_id = $1 AND b.occurred_on BETWEEN make_date($2::int, 1, 1) AND make_date($2::int, 12, 31)
 ORDER BY b.occurred_on, b.type, b.stream_id"""

NOT_EVALUATED = """
SELECT l.proposal_id, p.number, p.title, l.unit_id, l.round, l.deadline, l.not_rated_member_ids, l.rated
  FROM {s}.evaluation_lapses l JOIN {s}.proposals p USING (committee_id, proposal_id)
 WHERE l.committee_id = $1 AND p.year = $2
 ORDER BY l.deadline, p.number NULLS LAST, l.proposal_id, l.unit_id, l.round"""

FLAGS = """
SELECT f.* FROM {s}.score_flags f WHERE f.committee_id = $1 AND f.year = $2 AND NOT f.cleared
 ORDER BY f.member_id, f.flag"""


async def load(db: Db, committee: str, year: int, as_of: date) -> Oversight:
    args = (committee, year)
    handling = [HandlingRow(**dict(r)) for r in await db.fetch(HANDLING, *args)]
    evaluations = [EvaluationRow(**dict(r)) for r in await db.fetch(EVALUATIONS, *args)]
    plan = await db.fetchrow("SELECT * FROM {s}.visit_plans WHERE committee_id = $1 AND year = $2", *args)
    return Oversight(
        year=year, as_of=as_of, handling=handling, evaluations=evaluations,
        key_proposals=list(await db.fetch(KEY_PROPOSALS, *args)),
        lookbacks=list(await db.fetch(LOOKBACKS, *args)),
        commitments=list(await db.fetch(COMMITMENTS, *args)),
        coverage=[CoverageRow(**_coverage(r)) for r in await db.fetch(COVERAGE, *args)],
        sector_visits_required=int(plan["sector_visits_per_member"]) if plan else 1,
        flags=list(await db.fetch(FLAGS, *args)),
        backdated=[BackdatedRow(**dict(r)) for r in await db.fetch(BACKDATED, *args)],
        not_evaluated=[NotEvaluatedRow(**{**dict(r), "not_rated_member_ids": list(r["not_rated_member_ids"])})
                       for r in await db.fetch(NOT_EVALUATED, *args)],
    )


def _coverage(row: Any) -> dict[str, Any]:
    return {k: row[k] for k in ("member_id", "name", "sector", "township_id", "sector_visits", "visited_by_chair",
                                "is_chair_member")}


def ids(rows: Iterable[Any], key: str) -> list[str]:
    return sorted({r[key] for r in rows})
