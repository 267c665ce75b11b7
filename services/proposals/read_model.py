"""The service's own read model, a projection over its store: what the service must look up across
aggregates. Numbers given per year, the similar-proposals index, and what falls due (co-signers' deadlines,
handling deadlines, commitments and recommendation reports to look back at, replies' evaluation deadlines)
for the deadline watcher.

Run by `eventstore.projection.StoreProjector` (checkpoint in the same transaction as these writes);
`replay_from_store` rebuilds it. Tables live in the service's schema, prefixed `rm_`. Drafts are indexed
for nobody: proposals of earlier years that were reviewed are offered as similar, and, to reviewers looking for
proposals to merge, the submitted proposals of the same year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg

from contracts.proposals import (
    CommitmentRecorded,
    CosignerConfirmed,
    CosignerDeclined,
    CosignerLapsed,
    EvaluationsCompleted,
    HandlingDeadlineRecomputed,
    HandlingOverdue,
    HandlingReopened,
    LookbackConcluded,
    LookbackOpened,
    LookbackScheduled,
    PastProposalImported,
    ProposalAccepted,
    ProposalAssigned,
    ProposalDrafted,
    ProposalMerged,
    ProposalNotAccepted,
    ProposalNumberAssigned,
    ProposalReplied,
    ProposalResubmitted,
    ProposalReturned,
    ProposalRevised,
    ProposalSubmitted,
    ProposalWithdrawn,
    ReassignmentGranted,
    RecommendationFollowupReopened,
    RecommendationReportRecorded,
    UnitRole,
)
from eventstore.consumer import Delivered
from eventstore.db import quote_ident
from proposals import similarity
from proposals.domain.proposal_text import proposal_body
from proposals.past_import import body_of

NAME = "proposals-read-model"
REVIEWED = ("accepted", "merged", "not_accepted")
NOT_SUBMITTED = ("draft", "withdrawn")

_TABLES = """
CREATE TABLE IF NOT EXISTS {s}.rm_proposal (
    committee_id    text NOT NULL,
    proposal_id     text NOT NULL,
    status          text NOT NULL,
    year            integer,
    number          text,
    title           text NOT NULL,
    body            text NOT NULL,
    category        text NOT NULL,
    cosign_deadline date,
    cosign_pending  text[] NOT NULL DEFAULT '{{}}',
    PRIMARY KEY (committee_id, proposal_id)
);
CREATE TABLE IF NOT EXISTS {s}.rm_bigram (
    committee_id text NOT NULL,
    proposal_id  text NOT NULL,
    bigram       text NOT NULL,
    weight       double precision NOT NULL,
    PRIMARY KEY (committee_id, proposal_id, bigram)
);
CREATE INDEX IF NOT EXISTS rm_bigram_lookup ON {s}.rm_bigram (committee_id, bigram);
CREATE TABLE IF NOT EXISTS {s}.rm_number (
    committee_id text NOT NULL,
    year         integer NOT NULL,
    sequence     integer NOT NULL,
    number       text NOT NULL,
    proposal_id  text NOT NULL,
    PRIMARY KEY (committee_id, year, sequence)
);
CREATE TABLE IF NOT EXISTS {s}.rm_handling (
    committee_id  text NOT NULL,
    proposal_id   text NOT NULL,
    unit_id       text NOT NULL,
    round         integer NOT NULL,
    deadline      date NOT NULL,
    deadline_rule text NOT NULL,
    basis         date NOT NULL,
    open          boolean NOT NULL,
    overdue_round integer NOT NULL DEFAULT 0,
    PRIMARY KEY (committee_id, proposal_id, unit_id)
);
CREATE INDEX IF NOT EXISTS rm_handling_due ON {s}.rm_handling (deadline) WHERE open;
CREATE TABLE IF NOT EXISTS {s}.rm_commitment (
    committee_id  text NOT NULL,
    commitment_id text NOT NULL,
    proposal_id   text NOT NULL,
    due           date NOT NULL,
    lookback_id   text,
    PRIMARY KEY (committee_id, commitment_id)
);
-- A reply's evaluation (评议): open until the round completes, due the reply's evaluation deadline.
CREATE TABLE IF NOT EXISTS {s}.rm_evaluation (
    committee_id text NOT NULL,
    proposal_id  text NOT NULL,
    unit_id      text NOT NULL,
    round        integer NOT NULL,
    due          date NOT NULL,
    open         boolean NOT NULL,
    PRIMARY KEY (committee_id, proposal_id, unit_id)
);
CREATE INDEX IF NOT EXISTS rm_evaluation_due ON {s}.rm_evaluation (due) WHERE open;
CREATE TABLE IF NOT EXISTS {s}.rm_recommendation (
    committee_id      text NOT NULL,
    recommendation_id text NOT NULL,
    lookback_due      date,
    lookback_open     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (committee_id, recommendation_id)
);
"""

_TABLE_NAMES = ("rm_proposal", "rm_bigram", "rm_number", "rm_handling", "rm_commitment", "rm_recommendation",
                "rm_evaluation")


@dataclass(frozen=True)
class SimilarProposal:
    proposal_id: str
    number: str | None
    year: int
    title: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {"proposal_id": self.proposal_id, "number": self.number, "year": self.year, "title": self.title,
                "score": round(self.score, 3)}


@dataclass(frozen=True)
class IndexedText:
    title: str
    body: str
    year: int
    status: str


@dataclass(frozen=True)
class DueItem:
    committee_id: str
    kind: str  # proposal | recommendation
    aggregate_id: str


@dataclass(frozen=True)
class OpenHandling:
    committee_id: str
    proposal_id: str
    unit_id: str
    deadline: date
    deadline_rule: str
    basis: date


class ProposalsReadModel:
    """The projection (eventstore.projection.Projection) and the queries the service runs against it."""

    name = NAME

    def __init__(self, schema: str) -> None:
        self.s = quote_ident(schema)

    # ---- Projection --------------------------------------------------------------------------------------

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute(_TABLES.format(s=self.s))

    async def reset(self, conn: asyncpg.Connection) -> None:
        await conn.execute(f"TRUNCATE {', '.join(f'{self.s}.{t}' for t in _TABLE_NAMES)}")

    async def apply(self, conn: asyncpg.Connection, delivered: Delivered) -> None:
        committee, e, s = delivered.envelope.committee_id, delivered.event, self.s
        match e:
            case ProposalDrafted():
                await conn.execute(
                    f"INSERT INTO {s}.rm_proposal (committee_id, proposal_id, status, title, body, category, "
                    "cosign_pending) VALUES ($1, $2, 'draft', $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                    committee, e.proposal_id, e.title, proposal_body(e.case, e.analysis, e.suggestions),
                    e.category.value, e.cosigner_member_ids)
            case ProposalRevised():
                await conn.execute(
                    f"UPDATE {s}.rm_proposal SET title = $3, body = $4, category = $5 "
                    "WHERE committee_id = $1 AND proposal_id = $2",
                    committee, e.proposal_id, e.title, proposal_body(e.case, e.analysis, e.suggestions),
                    e.category.value)
            case ProposalSubmitted():
                await self._status(conn, committee, e.proposal_id, "submitted", year=e.year)
                await conn.execute(f"UPDATE {s}.rm_proposal SET cosign_deadline = $3 "
                                   "WHERE committee_id = $1 AND proposal_id = $2",
                                   committee, e.proposal_id, e.cosign_deadline)
                await self._index(conn, committee, e.proposal_id)
            case ProposalResubmitted():
                await self._status(conn, committee, e.proposal_id, "submitted", year=e.year)
                await self._index(conn, committee, e.proposal_id)
            case CosignerConfirmed() | CosignerDeclined() | CosignerLapsed():
                await conn.execute(
                    f"UPDATE {s}.rm_proposal SET cosign_pending = array_remove(cosign_pending, $3) "
                    "WHERE committee_id = $1 AND proposal_id = $2", committee, e.proposal_id, e.member_id)
            case ProposalAccepted():
                await conn.execute(
                    f"UPDATE {s}.rm_proposal SET status = 'accepted', number = $3, year = $4, cosign_pending = '{{}}' "
                    "WHERE committee_id = $1 AND proposal_id = $2", committee, e.proposal_id, e.number, e.year)
            case ProposalNotAccepted():
                await self._status(conn, committee, e.proposal_id, "not_accepted")
            case ProposalMerged():
                await self._status(conn, committee, e.proposal_id, "merged")
            case ProposalReturned():
                await self._status(conn, committee, e.proposal_id, "returned")
            case ProposalWithdrawn():
                await self._status(conn, committee, e.proposal_id, "withdrawn")
                await conn.execute(f"DELETE FROM {s}.rm_bigram WHERE committee_id = $1 AND proposal_id = $2",
                                   committee, e.proposal_id)
            case PastProposalImported():
                # A proposal of an earlier year from the office's files: numbered (立案) in its year, so reviewed,
                # offered as similar to later years' proposals like any accepted one.
                await conn.execute(
                    f"INSERT INTO {s}.rm_proposal (committee_id, proposal_id, status, year, number, title, body, "
                    "category) VALUES ($1, $2, 'accepted', $3, $4, $5, $6, '') ON CONFLICT DO NOTHING",
                    committee, e.proposal_id, e.year, e.number, e.title, body_of(e))
                await self._index(conn, committee, e.proposal_id)
            case ProposalNumberAssigned():
                await conn.execute(
                    f"INSERT INTO {s}.rm_number (committee_id, year, sequence, number, proposal_id) "
                    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                    committee, e.year, e.sequence, e.number, e.proposal_id)
            case ProposalAssigned():
                replying = [e.lead_unit_id] if e.lead_unit_id else e.unit_ids
                for unit_id in replying:
                    await self._handling(conn, committee, e.proposal_id, unit_id, 1, e.deadline, e.deadline_rule.value,
                                         e.assigned_on)
            case ReassignmentGranted():
                await conn.execute(f"DELETE FROM {s}.rm_handling WHERE committee_id = $1 AND proposal_id = $2 "
                                   "AND unit_id = $3", committee, e.proposal_id, e.unit_id)
                if e.role is not UnitRole.co:
                    await self._handling(conn, committee, e.proposal_id, e.new_unit_id, 1, e.deadline,
                                         "three_months", e.granted_on)
            case HandlingDeadlineRecomputed():
                await conn.execute(f"UPDATE {s}.rm_handling SET deadline = $4 WHERE committee_id = $1 "
                                   "AND proposal_id = $2 AND unit_id = $3", committee, e.proposal_id, e.unit_id,
                                   e.deadline)
            case HandlingOverdue():
                await conn.execute(f"UPDATE {s}.rm_handling SET overdue_round = $4 WHERE committee_id = $1 "
                                   "AND proposal_id = $2 AND unit_id = $3", committee, e.proposal_id, e.unit_id,
                                   e.round)
            case ProposalReplied():
                await conn.execute(f"UPDATE {s}.rm_handling SET open = false WHERE committee_id = $1 "
                                   "AND proposal_id = $2 AND unit_id = $3", committee, e.proposal_id, e.unit_id)
                if e.evaluation_due is not None:
                    await conn.execute(
                        f"INSERT INTO {s}.rm_evaluation (committee_id, proposal_id, unit_id, round, due, open) "
                        "VALUES ($1, $2, $3, $4, $5, true) ON CONFLICT (committee_id, proposal_id, unit_id) DO UPDATE "
                        "SET round = excluded.round, due = excluded.due, open = true",
                        committee, e.proposal_id, e.unit_id, e.round, e.evaluation_due)
            case EvaluationsCompleted():
                await conn.execute(f"UPDATE {s}.rm_evaluation SET open = false WHERE committee_id = $1 "
                                   "AND proposal_id = $2 AND unit_id = $3 AND round = $4",
                                   committee, e.proposal_id, e.unit_id, e.round)
            case HandlingReopened():
                # A new round awaits a reply: the last one is no longer evaluated.
                await conn.execute(f"UPDATE {s}.rm_evaluation SET open = false WHERE committee_id = $1 "
                                   "AND proposal_id = $2 AND unit_id = $3", committee, e.proposal_id, e.unit_id)
                await self._handling(conn, committee, e.proposal_id, e.unit_id, e.round, e.deadline, "one_month",
                                     e.reopened_on)
            case LookbackOpened() if e.commitment_id:
                await conn.execute(f"UPDATE {s}.rm_commitment SET lookback_id = $3 WHERE committee_id = $1 "
                                   "AND commitment_id = $2", committee, e.commitment_id, e.lookback_id)
            case LookbackOpened() if e.recommendation_id:
                await conn.execute(f"UPDATE {s}.rm_recommendation SET lookback_open = true WHERE committee_id = $1 "
                                   "AND recommendation_id = $2", committee, e.recommendation_id)
            case LookbackConcluded() if e.recommendation_id:
                await conn.execute(f"UPDATE {s}.rm_recommendation SET lookback_open = false, lookback_due = NULL "
                                   "WHERE committee_id = $1 AND recommendation_id = $2", committee, e.recommendation_id)
            case LookbackScheduled() if e.commitment_id:
                # The commitment falls due again, on the next look-back's day.
                await conn.execute(f"UPDATE {s}.rm_commitment SET lookback_id = NULL, due = $3 WHERE committee_id = $1 "
                                   "AND commitment_id = $2", committee, e.commitment_id, e.due)
            case LookbackScheduled() if e.recommendation_id:
                await conn.execute(f"UPDATE {s}.rm_recommendation SET lookback_due = $3 WHERE committee_id = $1 "
                                   "AND recommendation_id = $2", committee, e.recommendation_id, e.due)
            case RecommendationReportRecorded():
                await conn.execute(f"INSERT INTO {s}.rm_recommendation (committee_id, recommendation_id, lookback_due) "
                                   "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", committee, e.recommendation_id,
                                   e.lookback_due)
            case RecommendationFollowupReopened():
                await conn.execute(f"UPDATE {s}.rm_recommendation SET lookback_due = $3 WHERE committee_id = $1 "
                                   "AND recommendation_id = $2", committee, e.recommendation_id, e.next_lookback_due)
            case CommitmentRecorded():
                await conn.execute(
                    f"INSERT INTO {s}.rm_commitment (committee_id, commitment_id, proposal_id, due) "
                    "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", committee, e.commitment_id, e.proposal_id, e.due)

    async def _status(self, conn: asyncpg.Connection, committee: str, proposal_id: str, status: str,
                      year: int | None = None) -> None:
        await conn.execute(f"UPDATE {self.s}.rm_proposal SET status = $3, year = coalesce($4, year) "
                           "WHERE committee_id = $1 AND proposal_id = $2", committee, proposal_id, status, year)

    async def _handling(self, conn: asyncpg.Connection, committee: str, proposal_id: str, unit_id: str, round_: int,
                        deadline: date, rule: str, basis: date) -> None:
        await conn.execute(
            f"INSERT INTO {self.s}.rm_handling (committee_id, proposal_id, unit_id, round, deadline, deadline_rule, "
            "basis, open) VALUES ($1, $2, $3, $4, $5, $6, $7, true) ON CONFLICT (committee_id, proposal_id, unit_id) "
            "DO UPDATE SET round = excluded.round, deadline = excluded.deadline, "
            "deadline_rule = excluded.deadline_rule, basis = excluded.basis, open = true",
            committee, proposal_id, unit_id, round_, deadline, rule, basis)

    async def _index(self, conn: asyncpg.Connection, committee: str, proposal_id: str) -> None:
        row = await conn.fetchrow(f"SELECT title, body FROM {self.s}.rm_proposal WHERE committee_id = $1 "
                                  "AND proposal_id = $2", committee, proposal_id)
        await conn.execute(f"DELETE FROM {self.s}.rm_bigram WHERE committee_id = $1 AND proposal_id = $2",
                           committee, proposal_id)
        if row is None:
            return
        weights = similarity.vector(row["title"], row["body"])
        await conn.execute(
            f"INSERT INTO {self.s}.rm_bigram (committee_id, proposal_id, bigram, weight) "
            "SELECT $1, $2, g, w FROM unnest($3::text[], $4::float8[]) AS t(g, w) "
            "ON CONFLICT (committee_id, proposal_id, bigram) DO UPDATE SET weight = excluded.weight",
            committee, proposal_id, list(weights), list(weights.values()))

    # ---- queries -------------------------------------------------------------------------------------------

    async def similar(self, conn: asyncpg.Connection | asyncpg.Pool, committee: str, *, title: str, body: str,
                      before_year: int, exclude: str | None = None, limit: int = 5, min_score: float = 0.2,
                      same_year: bool = False) -> list[SimilarProposal]:
        """Proposals most like this text, best first: reviewed proposals of years before `before_year`; with
        `same_year`, instead, the proposals submitted in that year (neither drafts nor withdrawn: the
        candidates for merging, 并案)."""
        weights = similarity.vector(title, body)
        if not weights:
            return []
        which = ("p.year = $4 AND NOT p.status = ANY($5::text[])" if same_year
                 else "p.year < $4 AND p.status = ANY($5::text[])")
        rows = await conn.fetch(
            f"WITH q(g, w) AS (SELECT * FROM unnest($2::text[], $3::float8[])) "
            f"SELECT p.proposal_id, p.number, p.year, p.title, sum(q.w * b.weight) AS score "
            f"FROM q JOIN {self.s}.rm_bigram b ON b.committee_id = $1 AND b.bigram = q.g "
            f"JOIN {self.s}.rm_proposal p ON p.committee_id = b.committee_id AND p.proposal_id = b.proposal_id "
            f"WHERE {which} AND p.proposal_id IS DISTINCT FROM $6 "
            "GROUP BY p.proposal_id, p.number, p.year, p.title HAVING sum(q.w * b.weight) >= $7 "
            "ORDER BY score DESC, p.year DESC, p.proposal_id LIMIT $8",
            committee, list(weights), list(weights.values()), before_year,
            list(NOT_SUBMITTED if same_year else REVIEWED), exclude, min_score, limit)
        return [SimilarProposal(r["proposal_id"], r["number"], r["year"], r["title"], float(r["score"])) for r in rows]

    async def text_of(self, conn: asyncpg.Connection | asyncpg.Pool, committee: str,
                      proposal_id: str) -> IndexedText | None:
        """A submitted proposal's text as the index holds it (None: unknown here, or a draft with no year)."""
        row = await conn.fetchrow(f"SELECT title, body, year, status FROM {self.s}.rm_proposal "
                                  "WHERE committee_id = $1 AND proposal_id = $2", committee, proposal_id)
        if row is None or row["year"] is None:
            return None
        return IndexedText(row["title"], row["body"], row["year"], row["status"])

    async def numbers(self, conn: asyncpg.Connection | asyncpg.Pool, committee: str, year: int) -> list[str]:
        rows = await conn.fetch(f"SELECT number FROM {self.s}.rm_number WHERE committee_id = $1 AND year = $2 "
                                "ORDER BY sequence", committee, year)
        return [r["number"] for r in rows]

    async def due(self, conn: asyncpg.Connection | asyncpg.Pool, today: date) -> list[DueItem]:
        """Aggregates with something due on or before `today` that the watcher has not dealt with yet."""
        s = self.s
        rows = await conn.fetch(
            f"SELECT committee_id, 'proposal' AS kind, proposal_id AS id FROM {s}.rm_proposal "
            "WHERE status IN ('submitted', 'returned') AND cardinality(cosign_pending) > 0 AND cosign_deadline < $1 "
            f"UNION SELECT committee_id, 'proposal', proposal_id FROM {s}.rm_handling "
            "WHERE open AND deadline < $1 AND overdue_round < round "
            f"UNION SELECT committee_id, 'proposal', proposal_id FROM {s}.rm_commitment "
            "WHERE lookback_id IS NULL AND due <= $1 "
            f"UNION SELECT committee_id, 'proposal', proposal_id FROM {s}.rm_evaluation WHERE open AND due < $1 "
            f"UNION SELECT committee_id, 'recommendation', recommendation_id FROM {s}.rm_recommendation "
            "WHERE NOT lookback_open AND lookback_due <= $1 "
            "ORDER BY 1, 2, 3", today)
        return [DueItem(r["committee_id"], r["kind"], r["id"]) for r in rows]

    async def open_computed_deadlines(self, conn: asyncpg.Connection | asyncpg.Pool,
                                      today: date) -> list[OpenHandling]:
        """Open handling whose deadline is computed by rule and not yet reached (it may move under a newly
        recorded holiday schedule)."""
        rows = await conn.fetch(
            f"SELECT committee_id, proposal_id, unit_id, deadline, deadline_rule, basis FROM {self.s}.rm_handling "
            "WHERE open AND deadline_rule <> 'explicit' AND deadline >= $1 ORDER BY 1, 2, 3", today)
        return [OpenHandling(r["committee_id"], r["proposal_id"], r["unit_id"], r["deadline"], r["deadline_rule"],
                             r["basis"]) for r in rows]
