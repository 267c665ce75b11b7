"""Public-opinion reports (社情民意信息): submitted, edited, forwarded, adopted, instructed, published."""

from __future__ import annotations

from gateway.views.base import Fact, View, on
from gateway.views.statements import Statements

_LEVEL_RANK = {"county": 1, "city": 2, "province": 3}


class OpinionReportsView(View):
    name = "opinion_reports"
    description = "public-opinion reports and what became of them"
    tables = ("opinion_reports", "opinion_report_steps")
    DDL = """
    CREATE TABLE IF NOT EXISTS {s}.opinion_reports (
        committee_id text NOT NULL, report_id text NOT NULL, author_member_id text, direct_report_point_id text,
        title text NOT NULL DEFAULT '', category text, from_proposal_id text, year int,
        status text NOT NULL,   -- submitted forwarded adopted published (the furthest step reached)
        submitted_on date, forwarded_level text, adopted_level text, adopted_on date, adopted_by text,
        instructed boolean NOT NULL DEFAULT false, instruction_count int NOT NULL DEFAULT 0,
        published_issue text, published_on date, updated_at timestamptz NOT NULL,
        PRIMARY KEY (committee_id, report_id));
    CREATE INDEX IF NOT EXISTS reports_by_author ON {s}.opinion_reports (committee_id, author_member_id);
    CREATE INDEX IF NOT EXISTS reports_by_year ON {s}.opinion_reports (committee_id, year);
    CREATE TABLE IF NOT EXISTS {s}.opinion_report_steps (
        committee_id text NOT NULL, event_id uuid NOT NULL, report_id text NOT NULL, step text NOT NULL,
        level text, on_date date, detail text,
        PRIMARY KEY (committee_id, event_id));
    """

    async def _step(self, conn: Statements, f: Fact, step: str, level: str | None, on_date: object,
                    detail: str | None = None) -> None:
        await conn.execute(
            f"INSERT INTO {self.t('opinion_report_steps')} (committee_id, event_id, report_id, step, level, "
            "on_date, detail) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT DO NOTHING",
            f.committee_id, f.event_id, f.data["report_id"], step, level, on_date, detail)

    async def _ensure(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"INSERT INTO {self.t('opinion_reports')} (committee_id, report_id, author_member_id, "
            "direct_report_point_id, status, year, updated_at) VALUES ($1,$2,$3,$4,'submitted',$5,$6) "
            "ON CONFLICT DO NOTHING",
            f.committee_id, f.data["report_id"], f.data.get("author_member_id"), f.data.get("direct_report_point_id"),
            f.local_date.year, f.occurred_at)

    @on("opinion-report-submitted")
    async def _submitted(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('opinion_reports')} (committee_id, report_id, author_member_id, "
            "direct_report_point_id, title, category, from_proposal_id, year, status, submitted_on, updated_at) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'submitted',$9,$10) ON CONFLICT (committee_id, report_id) DO UPDATE "
            "SET title = excluded.title, category = excluded.category, submitted_on = excluded.submitted_on, "
            "author_member_id = excluded.author_member_id, year = excluded.year",
            f.committee_id, d["report_id"], d.get("author_member_id"), d.get("direct_report_point_id"),
            d.get("title", ""), d.get("category"), d.get("from_proposal_id"), f.local_date.year, f.local_date,
            f.occurred_at)
        await self._step(conn, f, "submitted", None, f.local_date)

    @on("opinion-report-edited")
    async def _edited(self, conn: Statements, f: Fact) -> None:
        await self._ensure(conn, f)
        await conn.execute(
            f"UPDATE {self.t('opinion_reports')} SET title = $3, updated_at = greatest(updated_at, $4) "
            "WHERE committee_id = $1 "
            "AND report_id = $2", f.committee_id, f.data["report_id"], f.data.get("title", ""), f.occurred_at)
        await self._step(conn, f, "edited", None, f.local_date, f.data.get("note"))

    @on("opinion-report-forwarded")
    async def _forwarded(self, conn: Statements, f: Fact) -> None:
        await self._ensure(conn, f)
        level = f.data.get("level")
        await conn.execute(
            f"UPDATE {self.t('opinion_reports')} SET forwarded_level = CASE WHEN forwarded_level IS NULL "
            "OR $4 > coalesce(array_position($5::text[], forwarded_level), 0) THEN $3 ELSE forwarded_level END, "
            "status = CASE WHEN status = 'submitted' THEN 'forwarded' ELSE status END, "
            "updated_at = greatest(updated_at, $6) "
            "WHERE committee_id = $1 AND report_id = $2",
            f.committee_id, f.data["report_id"], level, _LEVEL_RANK.get(str(level), 0), list(_LEVEL_RANK),
            f.occurred_at)
        await self._step(conn, f, "forwarded", level, f.date("forwarded_on"), f.data.get("recipient"))

    @on("opinion-report-adopted")
    async def _adopted(self, conn: Statements, f: Fact) -> None:
        await self._ensure(conn, f)
        level = f.data.get("level")
        await conn.execute(
            f"UPDATE {self.t('opinion_reports')} SET adopted_level = CASE WHEN adopted_level IS NULL "
            "OR $4 > coalesce(array_position($5::text[], adopted_level), 0) THEN $3 ELSE adopted_level END, "
            "adopted_on = coalesce(adopted_on, $6), adopted_by = coalesce(adopted_by, $7), "
            "status = CASE WHEN status IN ('submitted', 'forwarded') THEN 'adopted' ELSE status END, "
            "updated_at = greatest(updated_at, $8) "
            "WHERE committee_id = $1 AND report_id = $2",
            f.committee_id, f.data["report_id"], level, _LEVEL_RANK.get(str(level), 0), list(_LEVEL_RANK),
            f.date("adopted_on"), f.data.get("adopted_by"), f.occurred_at)
        await self._step(conn, f, "adopted", level, f.date("adopted_on"), f.data.get("adopted_by"))

    @on("opinion-report-instructed")
    async def _instructed(self, conn: Statements, f: Fact) -> None:
        await self._ensure(conn, f)
        await conn.execute(
            f"UPDATE {self.t('opinion_reports')} SET instructed = true, instruction_count = instruction_count + 1, "
            "updated_at = greatest(updated_at, $3) WHERE committee_id = $1 AND report_id = $2",
            f.committee_id, f.data["report_id"], f.occurred_at)
        await self._step(conn, f, "instructed", f.data.get("level"), f.date("instructed_on"), f.data.get("leader"))

    @on("opinion-report-published")
    async def _published(self, conn: Statements, f: Fact) -> None:
        await self._ensure(conn, f)
        await conn.execute(
            f"UPDATE {self.t('opinion_reports')} SET status = 'published', published_issue = $3, published_on = $4, "
            "updated_at = greatest(updated_at, $5) WHERE committee_id = $1 AND report_id = $2",
            f.committee_id, f.data["report_id"], f.data.get("issue"), f.date("published_on"), f.occurred_at)
        await self._step(conn, f, "published", None, f.date("published_on"), f.data.get("issue"))
