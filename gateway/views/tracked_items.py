"""Tracked items (成果运用, 跟进督促落实, 整改): consultation outcomes, rectifications and research
recommendations sent to the departments responsible, with each department's latest progress report, the
office's follow-ups, its verdict, reopenings, look-backs (回头看) and the milestones the departments reported.

An item is open until the office gives its verdict on the current round; a reopening starts a new round
(with a new due date) and opens it again."""

from __future__ import annotations

from datetime import date

from gateway.views.base import Fact, View, on
from gateway.views.statements import Statements


class TrackedItemsView(View):
    name = "tracked_items"
    description = "tracked items (outcomes, rectifications, recommendations) and each department's progress"
    tables = ("tracked_items", "tracked_item_units", "tracked_item_milestones", "tracked_item_lookbacks")
    DDL = """
    CREATE TABLE IF NOT EXISTS {s}.tracked_items (
        committee_id text NOT NULL, item_id text NOT NULL, subject text, source_id text, parent_item_id text,
        title text NOT NULL DEFAULT '', summary text NOT NULL DEFAULT '', unit_ids text[] NOT NULL DEFAULT '{}',
        sent_on date, year int, due_working_days int, due date, round int NOT NULL DEFAULT 1,
        status text, progress int, last_reported_on date, reports int NOT NULL DEFAULT 0,
        follow_ups int NOT NULL DEFAULT 0, last_followed_up_on date,
        verdict text, verdict_round int, verdict_on date, closed boolean NOT NULL DEFAULT false,
        reopened_count int NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL,
        PRIMARY KEY (committee_id, item_id));
    CREATE INDEX IF NOT EXISTS tracked_by_due ON {s}.tracked_items (committee_id, closed, due);
    CREATE INDEX IF NOT EXISTS tracked_by_unit ON {s}.tracked_items USING gin (unit_ids);
    CREATE TABLE IF NOT EXISTS {s}.tracked_item_units (
        committee_id text NOT NULL, item_id text NOT NULL, unit_id text NOT NULL, round int NOT NULL,
        status text NOT NULL, progress int NOT NULL, reported_on date, text text NOT NULL DEFAULT '',
        reports int NOT NULL DEFAULT 1,
        PRIMARY KEY (committee_id, item_id, unit_id));
    ALTER TABLE {s}.tracked_items ADD COLUMN IF NOT EXISTS lookback_count int NOT NULL DEFAULT 0;
    ALTER TABLE {s}.tracked_items ADD COLUMN IF NOT EXISTS last_lookback_outcome text;
    ALTER TABLE {s}.tracked_items ADD COLUMN IF NOT EXISTS last_looked_back_on date;
    CREATE INDEX IF NOT EXISTS tracked_by_parent ON {s}.tracked_items (committee_id, parent_item_id);
    CREATE INDEX IF NOT EXISTS tracked_by_source ON {s}.tracked_items (committee_id, source_id);
    -- A report may repeat the milestones of earlier ones: a milestone is kept once per unit, round, day, text.
    CREATE TABLE IF NOT EXISTS {s}.tracked_item_milestones (
        committee_id text NOT NULL, item_id text NOT NULL, unit_id text NOT NULL, round int NOT NULL,
        reached_on date NOT NULL, text text NOT NULL,
        PRIMARY KEY (committee_id, item_id, unit_id, round, reached_on, text));
    CREATE TABLE IF NOT EXISTS {s}.tracked_item_lookbacks (
        committee_id text NOT NULL, item_id text NOT NULL, event_id uuid NOT NULL, round int NOT NULL,
        outcome text NOT NULL, looked_back_on date, notes text NOT NULL DEFAULT '',
        PRIMARY KEY (committee_id, item_id, event_id));
    """

    async def _ensure(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"INSERT INTO {self.t('tracked_items')} (committee_id, item_id, updated_at) VALUES ($1,$2,$3) "
            "ON CONFLICT DO NOTHING", f.committee_id, f.data["item_id"], f.occurred_at)

    @on("tracked-item-opened")
    async def _opened(self, conn: Statements, f: Fact) -> None:
        d = f.data
        sent_on = f.date("sent_on")
        await conn.execute(
            f"INSERT INTO {self.t('tracked_items')} (committee_id, item_id, subject, source_id, parent_item_id, "
            "title, summary, unit_ids, sent_on, year, due_working_days, due, updated_at) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) ON CONFLICT (committee_id, item_id) DO UPDATE SET "
            "subject = excluded.subject, source_id = excluded.source_id, parent_item_id = excluded.parent_item_id, "
            "title = excluded.title, summary = excluded.summary, unit_ids = excluded.unit_ids, "
            "sent_on = excluded.sent_on, year = excluded.year, due_working_days = excluded.due_working_days, "
            "due = CASE WHEN tracked_items.reopened_count > 0 THEN tracked_items.due ELSE excluded.due END, "
            "updated_at = greatest(tracked_items.updated_at, excluded.updated_at)",
            f.committee_id, d["item_id"], d.get("subject"), d.get("source_id"), d.get("parent_item_id"),
            d.get("title", ""), d.get("summary") or "", f.ids("unit_ids"), sent_on,
            sent_on.year if sent_on else f.local_date.year, d.get("due_working_days"), f.date("due"), f.occurred_at)

    @on("tracked-item-progress-reported")
    async def _reported(self, conn: Statements, f: Fact) -> None:
        await self._ensure(conn, f)
        d = f.data
        reported_on = f.date("reported_on")
        await conn.execute(
            f"UPDATE {self.t('tracked_items')} SET status = $3, progress = $4, last_reported_on = $5, "
            "reports = reports + 1, updated_at = greatest(updated_at, $6) WHERE committee_id = $1 AND item_id = $2 "
            "AND (last_reported_on IS NULL OR last_reported_on <= $5)",
            f.committee_id, d["item_id"], d.get("status"), d.get("progress"), reported_on, f.occurred_at)
        await conn.execute(
            f"INSERT INTO {self.t('tracked_item_units')} (committee_id, item_id, unit_id, round, status, progress, "
            "reported_on, text) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (committee_id, item_id, unit_id) "
            "DO UPDATE SET round = excluded.round, status = excluded.status, progress = excluded.progress, "
            "reported_on = excluded.reported_on, text = excluded.text, reports = tracked_item_units.reports + 1 "
            "WHERE tracked_item_units.round <= excluded.round",
            f.committee_id, d["item_id"], d["unit_id"], d.get("round", 1), d.get("status"), d.get("progress", 0),
            reported_on, d.get("text") or "")
        for m in d.get("milestones") or []:
            await conn.execute(
                f"INSERT INTO {self.t('tracked_item_milestones')} (committee_id, item_id, unit_id, round, "
                "reached_on, text) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING",
                f.committee_id, d["item_id"], d["unit_id"], d.get("round", 1), date.fromisoformat(str(m["reached_on"])),
                str(m["text"]))

    @on("tracked-item-followed-up")
    async def _followed_up(self, conn: Statements, f: Fact) -> None:
        await self._ensure(conn, f)
        await conn.execute(
            f"UPDATE {self.t('tracked_items')} SET follow_ups = follow_ups + 1, "
            "last_followed_up_on = greatest(last_followed_up_on, $3), updated_at = greatest(updated_at, $4) "
            "WHERE committee_id = $1 AND item_id = $2",
            f.committee_id, f.data["item_id"], f.date("followed_up_on"), f.occurred_at)

    @on("tracked-item-verdict-recorded")
    async def _verdict(self, conn: Statements, f: Fact) -> None:
        await self._ensure(conn, f)
        await conn.execute(
            f"UPDATE {self.t('tracked_items')} SET verdict = $3, verdict_round = $4, verdict_on = $5, "
            "closed = ($4 >= round), updated_at = greatest(updated_at, $6) WHERE committee_id = $1 AND item_id = $2 "
            "AND (verdict_round IS NULL OR verdict_round <= $4)",
            f.committee_id, f.data["item_id"], f.data.get("verdict"), f.data.get("round", 1), f.date("given_on"),
            f.occurred_at)

    @on("tracked-item-reopened")
    async def _reopened(self, conn: Statements, f: Fact) -> None:
        await self._ensure(conn, f)
        await conn.execute(
            f"UPDATE {self.t('tracked_items')} SET round = greatest(round, $3), due = $4, "
            "due_working_days = $5, closed = false, status = NULL, progress = NULL, "
            "reopened_count = reopened_count + 1, updated_at = greatest(updated_at, $6) "
            "WHERE committee_id = $1 AND item_id = $2",
            f.committee_id, f.data["item_id"], f.data.get("round", 2), f.date("due"), f.data.get("due_working_days"),
            f.occurred_at)

    @on("tracked-item-looked-back")
    async def _looked_back(self, conn: Statements, f: Fact) -> None:
        # A look-back finding partly or not is followed by `tracked-item-reopened`, which sets the new due date.
        await self._ensure(conn, f)
        d = f.data
        on_day = f.date("looked_back_on")
        await conn.execute(
            f"INSERT INTO {self.t('tracked_item_lookbacks')} (committee_id, item_id, event_id, round, outcome, "
            "looked_back_on, notes) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT DO NOTHING",
            f.committee_id, d["item_id"], f.event_id, d.get("round", 1), d.get("outcome"), on_day,
            d.get("notes") or "")
        await conn.execute(
            f"UPDATE {self.t('tracked_items')} SET lookback_count = lookback_count + 1, "
            "last_lookback_outcome = CASE WHEN last_looked_back_on IS NULL OR last_looked_back_on <= $4 THEN $3 "
            "ELSE last_lookback_outcome END, last_looked_back_on = greatest(last_looked_back_on, $4), "
            "updated_at = greatest(updated_at, $5) WHERE committee_id = $1 AND item_id = $2",
            f.committee_id, d["item_id"], d.get("outcome"), on_day, f.occurred_at)
