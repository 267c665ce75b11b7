"""Democratic appraisal rounds (民主评议): what each round appraises and by how many raters, how far it has got
(open, voting once the credentials are issued, closed or voided), and at close the results it announced —
every department's counts, satisfaction rate and rank, the top and bottom three (`appraisal-closed`). No event
carries a ballot or a credential's private part, so neither is here; the board and its tally are the surveys
service's to publish (`gateway.read.surveys_routes`). The bottom three's rectifications are tracked items
(subject `appraisal_rectification`, source the round) in the `tracked_items` view."""

from __future__ import annotations

import json

from gateway.views.base import Fact, View, on
from gateway.views.statements import Statements


class AppraisalsView(View):
    name = "appraisals"
    description = "appraisal rounds: subjects, raters entitled, phase, and the results announced at close"
    tables = ("appraisals",)
    DDL = """
    CREATE TABLE IF NOT EXISTS {s}.appraisals (
        committee_id text NOT NULL, appraisal_id text NOT NULL, year int, kind text, title text NOT NULL DEFAULT '',
        held_on date, subjects jsonb NOT NULL DEFAULT '[]', dimensions jsonb NOT NULL DEFAULT '[]',
        special_supervisor_ids text[] NOT NULL DEFAULT '{}', member_ids text[] NOT NULL DEFAULT '{}',
        invited_representatives int NOT NULL DEFAULT 0, entitled int NOT NULL DEFAULT 0,
        phase text NOT NULL DEFAULT 'open', credentials int NOT NULL DEFAULT 0, credentials_digest text,
        issued int, returned int, board_head text, results jsonb NOT NULL DEFAULT '[]',
        top_unit_ids text[] NOT NULL DEFAULT '{}', bottom_unit_ids text[] NOT NULL DEFAULT '{}',
        void_cause text, closed_at timestamptz, updated_at timestamptz NOT NULL,
        PRIMARY KEY (committee_id, appraisal_id));
    CREATE INDEX IF NOT EXISTS appraisals_by_year ON {s}.appraisals (committee_id, year, held_on);
    -- Rows written before 2026-12-02 hold these as JSON text in a string; unwrap them once.
    UPDATE {s}.appraisals SET subjects = (subjects #>> '{}')::jsonb WHERE jsonb_typeof(subjects) = 'string';
    UPDATE {s}.appraisals SET dimensions = (dimensions #>> '{}')::jsonb WHERE jsonb_typeof(dimensions) = 'string';
    UPDATE {s}.appraisals SET results = (results #>> '{}')::jsonb WHERE jsonb_typeof(results) = 'string';
    """

    async def _ensure(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"INSERT INTO {self.t('appraisals')} (committee_id, appraisal_id, updated_at) VALUES ($1,$2,$3) "
            "ON CONFLICT DO NOTHING", f.committee_id, f.data["appraisal_id"], f.occurred_at)

    @on("appraisal-opened")
    async def _opened(self, conn: Statements, f: Fact) -> None:
        await self._ensure(conn, f)
        d = f.data
        await conn.execute(
            f"UPDATE {self.t('appraisals')} SET year = $3, kind = $4, title = $5, held_on = $6, "
            "subjects = $7::text::jsonb, dimensions = $8::text::jsonb, special_supervisor_ids = $9, member_ids = $10, "
            "invited_representatives = $11, entitled = $12, updated_at = greatest(updated_at, $13) "
            "WHERE committee_id = $1 AND appraisal_id = $2",
            f.committee_id, d["appraisal_id"], d.get("year"), d.get("kind"), d.get("title", ""), f.date("held_on"),
            json.dumps(d.get("subjects") or [], ensure_ascii=False),
            json.dumps(d.get("dimensions") or [], ensure_ascii=False), f.ids("special_supervisor_ids"),
            f.ids("member_ids"), d.get("invited_representatives", 0), d.get("entitled", 0), f.occurred_at)

    @on("appraisal-credentials-issued")
    async def _issued(self, conn: Statements, f: Fact) -> None:
        await self._ensure(conn, f)
        d = f.data
        await conn.execute(
            f"UPDATE {self.t('appraisals')} SET credentials = $3, credentials_digest = $4, "
            "phase = CASE WHEN phase = 'open' THEN 'voting' ELSE phase END, updated_at = greatest(updated_at, $5) "
            "WHERE committee_id = $1 AND appraisal_id = $2",
            f.committee_id, d["appraisal_id"], len(d.get("public_keys") or []), d.get("credentials_digest"),
            f.occurred_at)

    @on("appraisal-closed")
    async def _closed(self, conn: Statements, f: Fact) -> None:
        await self._ensure(conn, f)
        d = f.data
        await conn.execute(
            f"UPDATE {self.t('appraisals')} SET phase = 'closed', held_on = coalesce($3, held_on), entitled = $4, "
            "issued = $5, returned = $6, board_head = $7, results = $8::text::jsonb, top_unit_ids = $9, "
            "bottom_unit_ids = $10, closed_at = $11, updated_at = greatest(updated_at, $11) "
            "WHERE committee_id = $1 AND appraisal_id = $2",
            f.committee_id, d["appraisal_id"], f.date("held_on"), d.get("entitled", 0), d.get("issued"),
            d.get("returned"), d.get("board_head"), json.dumps(d.get("results") or [], ensure_ascii=False),
            f.ids("top_unit_ids"), f.ids("bottom_unit_ids"), f.occurred_at)

    @on("appraisal-voided")
    async def _voided(self, conn: Statements, f: Fact) -> None:
        await self._ensure(conn, f)
        await conn.execute(
            f"UPDATE {self.t('appraisals')} SET phase = 'voided', void_cause = $3, "
            "updated_at = greatest(updated_at, $4) "
            "WHERE committee_id = $1 AND appraisal_id = $2",
            f.committee_id, f.data["appraisal_id"], f.data.get("cause"), f.occurred_at)
