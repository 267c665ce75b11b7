"""The yearly consultation plan (年度协商监督计划): its items as drafted and amended, the sessions scheduled
from them and held, and the outcomes they sent on (the outcomes' tracking is the `tracked_items` view)."""

from __future__ import annotations

import asyncpg

from gateway.views.base import Fact, View, on


class ConsultationsView(View):
    name = "consultations"
    description = "consultation plans with their items, consultation sessions and their outcomes"
    tables = ("consultation_plans", "consultation_plan_items", "consultation_sessions", "consultation_outcomes")
    DDL = """
    CREATE TABLE IF NOT EXISTS {s}.consultation_plans (
        committee_id text NOT NULL, year int NOT NULL, title text NOT NULL DEFAULT '',
        adopted boolean NOT NULL DEFAULT false, adopted_on date, adopted_at_meeting text,
        amendments int NOT NULL DEFAULT 0, last_amendment_reason text, drafted_on date,
        PRIMARY KEY (committee_id, year));
    CREATE TABLE IF NOT EXISTS {s}.consultation_plan_items (
        committee_id text NOT NULL, year int NOT NULL, item_id text NOT NULL, kind text NOT NULL,
        title text NOT NULL DEFAULT '', lead text NOT NULL DEFAULT '', leader_member_id text,
        participating_unit_ids text[] NOT NULL DEFAULT '{}', planned_month int, counterpart_unit_id text,
        sectors text[] NOT NULL DEFAULT '{}', proposal_ids text[] NOT NULL DEFAULT '{}', liaison_group text,
        notes text NOT NULL DEFAULT '', amendment int NOT NULL DEFAULT 0, withdrawn boolean NOT NULL DEFAULT false,
        PRIMARY KEY (committee_id, year, item_id));
    CREATE TABLE IF NOT EXISTS {s}.consultation_sessions (
        committee_id text NOT NULL, consultation_id text NOT NULL, year int NOT NULL, item_id text,
        kind text, title text NOT NULL DEFAULT '', lead text, counterpart_unit_id text,
        scheduled_on date, venue text NOT NULL DEFAULT '', held boolean NOT NULL DEFAULT false, held_on date,
        participant_member_ids text[] NOT NULL DEFAULT '{}', summary text NOT NULL DEFAULT '',
        PRIMARY KEY (committee_id, consultation_id));
    CREATE INDEX IF NOT EXISTS sessions_by_year ON {s}.consultation_sessions (committee_id, year, scheduled_on);
    CREATE INDEX IF NOT EXISTS sessions_by_item ON {s}.consultation_sessions (committee_id, year, item_id);
    CREATE TABLE IF NOT EXISTS {s}.consultation_outcomes (
        committee_id text NOT NULL, outcome_id text NOT NULL, consultation_id text NOT NULL, kind text,
        title text NOT NULL DEFAULT '', held_on date, sent_to text[] NOT NULL DEFAULT '{}', implementation_due date,
        PRIMARY KEY (committee_id, outcome_id));
    CREATE INDEX IF NOT EXISTS outcomes_by_session ON {s}.consultation_outcomes (committee_id, consultation_id);
    """

    async def _ensure_plan(self, conn: asyncpg.Connection, f: Fact) -> None:
        await conn.execute(
            f"INSERT INTO {self.t('consultation_plans')} (committee_id, year) VALUES ($1,$2) ON CONFLICT DO NOTHING",
            f.committee_id, f.data["year"])

    @on("consultation-plan-drafted")
    async def _drafted(self, conn: asyncpg.Connection, f: Fact) -> None:
        await conn.execute(
            f"INSERT INTO {self.t('consultation_plans')} (committee_id, year, title, drafted_on) VALUES ($1,$2,$3,$4) "
            "ON CONFLICT (committee_id, year) DO UPDATE SET title = excluded.title, drafted_on = excluded.drafted_on",
            f.committee_id, f.data["year"], f.data.get("title", ""), f.local_date)

    @on("consultation-plan-item-recorded")
    async def _item(self, conn: asyncpg.Connection, f: Fact) -> None:
        await self._ensure_plan(conn, f)
        i = f.data["item"]
        await conn.execute(
            f"INSERT INTO {self.t('consultation_plan_items')} (committee_id, year, item_id, kind, title, lead, "
            "leader_member_id, participating_unit_ids, planned_month, counterpart_unit_id, sectors, proposal_ids, "
            "liaison_group, notes, amendment, withdrawn) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,"
            "false) ON CONFLICT (committee_id, year, item_id) DO UPDATE SET kind = excluded.kind, "
            "title = excluded.title, lead = excluded.lead, leader_member_id = excluded.leader_member_id, "
            "participating_unit_ids = excluded.participating_unit_ids, planned_month = excluded.planned_month, "
            "counterpart_unit_id = excluded.counterpart_unit_id, sectors = excluded.sectors, "
            "proposal_ids = excluded.proposal_ids, liaison_group = excluded.liaison_group, notes = excluded.notes, "
            "amendment = excluded.amendment, withdrawn = false",
            f.committee_id, f.data["year"], i["item_id"], i["kind"], i.get("title", ""), i.get("lead", ""),
            i.get("leader_member_id"), [str(x) for x in i.get("participating_unit_ids") or []], i.get("planned_month"),
            i.get("counterpart_unit_id"), [str(x) for x in i.get("sectors") or []],
            [str(x) for x in i.get("proposal_ids") or []], i.get("liaison_group"), i.get("notes") or "",
            f.data.get("amendment", 0))

    @on("consultation-plan-adopted")
    async def _adopted(self, conn: asyncpg.Connection, f: Fact) -> None:
        await self._ensure_plan(conn, f)
        await conn.execute(
            f"UPDATE {self.t('consultation_plans')} SET adopted = true, adopted_on = $3, adopted_at_meeting = $4 "
            "WHERE committee_id = $1 AND year = $2",
            f.committee_id, f.data["year"], f.date("adopted_on"), f.data.get("meeting"))

    @on("consultation-plan-amended")
    async def _amended(self, conn: asyncpg.Connection, f: Fact) -> None:
        await self._ensure_plan(conn, f)
        await conn.execute(
            f"UPDATE {self.t('consultation_plans')} SET amendments = greatest(amendments, $3), "
            "last_amendment_reason = $4 WHERE committee_id = $1 AND year = $2",
            f.committee_id, f.data["year"], f.data.get("amendment", 0), f.data.get("reason"))
        await conn.execute(
            f"UPDATE {self.t('consultation_plan_items')} SET withdrawn = true "
            "WHERE committee_id = $1 AND year = $2 AND item_id = ANY($3::text[])",
            f.committee_id, f.data["year"], f.ids("withdrawn_item_ids"))

    @on("consultation-scheduled")
    async def _scheduled(self, conn: asyncpg.Connection, f: Fact) -> None:
        i = f.data["item"]
        await conn.execute(
            f"INSERT INTO {self.t('consultation_sessions')} (committee_id, consultation_id, year, item_id, kind, "
            "title, lead, counterpart_unit_id, scheduled_on, venue) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) "
            "ON CONFLICT (committee_id, consultation_id) DO UPDATE SET year = excluded.year, "
            "item_id = excluded.item_id, kind = excluded.kind, title = excluded.title, lead = excluded.lead, "
            "counterpart_unit_id = excluded.counterpart_unit_id, scheduled_on = excluded.scheduled_on, "
            "venue = excluded.venue",
            f.committee_id, f.data["consultation_id"], f.data["year"], i["item_id"], i["kind"], i.get("title", ""),
            i.get("lead"), i.get("counterpart_unit_id"), f.date("scheduled_on"), f.data.get("venue") or "")

    @on("consultation-held")
    async def _held(self, conn: asyncpg.Connection, f: Fact) -> None:
        held_on = f.date("held_on")
        await conn.execute(
            f"INSERT INTO {self.t('consultation_sessions')} (committee_id, consultation_id, year, held, held_on, "
            "participant_member_ids, summary) VALUES ($1,$2,$3,true,$4,$5,$6) "
            "ON CONFLICT (committee_id, consultation_id) DO UPDATE SET held = true, held_on = excluded.held_on, "
            "participant_member_ids = excluded.participant_member_ids, summary = excluded.summary",
            f.committee_id, f.data["consultation_id"], held_on.year if held_on else f.local_date.year, held_on,
            f.ids("participant_member_ids"), f.data.get("summary") or "")

    @on("consultation-outcome-recorded")
    async def _outcome(self, conn: asyncpg.Connection, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('consultation_outcomes')} (committee_id, outcome_id, consultation_id, kind, title, "
            "held_on, sent_to, implementation_due) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) "
            "ON CONFLICT (committee_id, outcome_id) DO UPDATE SET consultation_id = excluded.consultation_id, "
            "kind = excluded.kind, title = excluded.title, held_on = excluded.held_on, sent_to = excluded.sent_to, "
            "implementation_due = excluded.implementation_due",
            f.committee_id, d["outcome_id"], d["consultation_id"], d.get("kind"), d.get("title", ""),
            f.date("held_on"), f.ids("sent_to"), f.date("implementation_due"))
