"""The yearly consultation plan (年度协商监督计划): its items as drafted and amended, the sessions scheduled
from them (with whom they invited) and held, items carried over to next year, and the outcomes they sent on
with the county leaders' instructions on them (the outcomes' tracking is the `tracked_items` view).

A carry-over (`consultation-plan-items-carried-over`) is recorded on both plans' streams, so it arrives
twice: both handlings set the same columns of this year's items."""

from __future__ import annotations

from gateway.views.base import Fact, View, on
from gateway.views.statements import Statements


class ConsultationsView(View):
    name = "consultations"
    description = "consultation plans with their items, consultation sessions and their outcomes"
    tables = ("consultation_plans", "consultation_plan_items", "consultation_sessions", "consultation_outcomes",
              "consultation_outcome_instructions")
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
    CREATE TABLE IF NOT EXISTS {s}.consultation_outcome_instructions (
        committee_id text NOT NULL, consultation_id text NOT NULL, instruction_id text NOT NULL,
        outcome_id text NOT NULL, leader text NOT NULL DEFAULT '', level text NOT NULL, text text NOT NULL DEFAULT '',
        instructed_on date, PRIMARY KEY (committee_id, consultation_id, instruction_id));
    CREATE INDEX IF NOT EXISTS instructions_by_outcome
        ON {s}.consultation_outcome_instructions (committee_id, outcome_id);
    ALTER TABLE {s}.consultation_plan_items ADD COLUMN IF NOT EXISTS carried_over_from int;
    ALTER TABLE {s}.consultation_plan_items ADD COLUMN IF NOT EXISTS carried_over_to int;
    ALTER TABLE {s}.consultation_plan_items ADD COLUMN IF NOT EXISTS carry_over_reason text;
    ALTER TABLE {s}.consultation_sessions ADD COLUMN IF NOT EXISTS invited_member_ids text[] NOT NULL DEFAULT '{}';
    ALTER TABLE {s}.consultation_sessions
        ADD COLUMN IF NOT EXISTS invited_organization_ids text[] NOT NULL DEFAULT '{}';
    ALTER TABLE {s}.consultation_sessions ADD COLUMN IF NOT EXISTS invited_unit_ids text[] NOT NULL DEFAULT '{}';
    ALTER TABLE {s}.consultation_sessions
        ADD COLUMN IF NOT EXISTS uninvited_participant_ids text[] NOT NULL DEFAULT '{}';
    ALTER TABLE {s}.consultation_outcomes ADD COLUMN IF NOT EXISTS sent_on date;
    ALTER TABLE {s}.consultation_outcomes ADD COLUMN IF NOT EXISTS parent_outcome_id text;
    ALTER TABLE {s}.consultation_outcomes ADD COLUMN IF NOT EXISTS proposal_ids text[] NOT NULL DEFAULT '{}';
    ALTER TABLE {s}.consultation_outcomes ADD COLUMN IF NOT EXISTS opinion_report_ids text[] NOT NULL DEFAULT '{}';
    """

    async def _ensure_plan(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"INSERT INTO {self.t('consultation_plans')} (committee_id, year) VALUES ($1,$2) ON CONFLICT DO NOTHING",
            f.committee_id, f.data["year"])

    @on("consultation-plan-drafted")
    async def _drafted(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"INSERT INTO {self.t('consultation_plans')} (committee_id, year, title, drafted_on) VALUES ($1,$2,$3,$4) "
            "ON CONFLICT (committee_id, year) DO UPDATE SET title = excluded.title, drafted_on = excluded.drafted_on",
            f.committee_id, f.data["year"], f.data.get("title", ""), f.local_date)

    @on("consultation-plan-item-recorded")
    async def _item(self, conn: Statements, f: Fact) -> None:
        await self._ensure_plan(conn, f)
        i = f.data["item"]
        await conn.execute(
            f"INSERT INTO {self.t('consultation_plan_items')} (committee_id, year, item_id, kind, title, lead, "
            "leader_member_id, participating_unit_ids, planned_month, counterpart_unit_id, sectors, proposal_ids, "
            "liaison_group, notes, amendment, withdrawn, carried_over_from) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,"
            "$12,$13,$14,$15,false,$16) ON CONFLICT (committee_id, year, item_id) DO UPDATE SET kind = excluded.kind, "
            "title = excluded.title, lead = excluded.lead, leader_member_id = excluded.leader_member_id, "
            "participating_unit_ids = excluded.participating_unit_ids, planned_month = excluded.planned_month, "
            "counterpart_unit_id = excluded.counterpart_unit_id, sectors = excluded.sectors, "
            "proposal_ids = excluded.proposal_ids, liaison_group = excluded.liaison_group, notes = excluded.notes, "
            "amendment = excluded.amendment, withdrawn = false, carried_over_from = excluded.carried_over_from",
            f.committee_id, f.data["year"], i["item_id"], i["kind"], i.get("title", ""), i.get("lead", ""),
            i.get("leader_member_id"), [str(x) for x in i.get("participating_unit_ids") or []], i.get("planned_month"),
            i.get("counterpart_unit_id"), [str(x) for x in i.get("sectors") or []],
            [str(x) for x in i.get("proposal_ids") or []], i.get("liaison_group"), i.get("notes") or "",
            f.data.get("amendment", 0), i.get("carried_over_from"))

    @on("consultation-plan-adopted")
    async def _adopted(self, conn: Statements, f: Fact) -> None:
        await self._ensure_plan(conn, f)
        await conn.execute(
            f"UPDATE {self.t('consultation_plans')} SET adopted = true, adopted_on = $3, adopted_at_meeting = $4 "
            "WHERE committee_id = $1 AND year = $2",
            f.committee_id, f.data["year"], f.date("adopted_on"), f.data.get("meeting"))

    @on("consultation-plan-amended")
    async def _amended(self, conn: Statements, f: Fact) -> None:
        await self._ensure_plan(conn, f)
        await conn.execute(
            f"UPDATE {self.t('consultation_plans')} SET amendments = greatest(amendments, $3), "
            "last_amendment_reason = $4 WHERE committee_id = $1 AND year = $2",
            f.committee_id, f.data["year"], f.data.get("amendment", 0), f.data.get("reason"))
        await conn.execute(
            f"UPDATE {self.t('consultation_plan_items')} SET withdrawn = true "
            "WHERE committee_id = $1 AND year = $2 AND item_id = ANY($3::text[])",
            f.committee_id, f.data["year"], f.ids("withdrawn_item_ids"))

    @on("consultation-plan-items-carried-over")
    async def _carried_over(self, conn: Statements, f: Fact) -> None:
        # This year's items; next year's arrive as item-recorded after it (`carried_over_from`), and read the
        # reason from this year's row. On next year's stream it matches no item of `year` there: a no-op.
        await conn.execute(
            f"UPDATE {self.t('consultation_plan_items')} SET carried_over_to = $4, carry_over_reason = $5 "
            "WHERE committee_id = $1 AND year = $2 AND item_id = ANY($3::text[])",
            f.committee_id, f.data["year"], f.ids("item_ids"), f.data["to_year"], f.data.get("reason"))

    @on("consultation-scheduled")
    async def _scheduled(self, conn: Statements, f: Fact) -> None:
        i = f.data["item"]
        await conn.execute(
            f"INSERT INTO {self.t('consultation_sessions')} (committee_id, consultation_id, year, item_id, kind, "
            "title, lead, counterpart_unit_id, scheduled_on, venue, invited_member_ids, invited_organization_ids, "
            "invited_unit_ids) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) "
            "ON CONFLICT (committee_id, consultation_id) DO UPDATE SET year = excluded.year, "
            "item_id = excluded.item_id, kind = excluded.kind, title = excluded.title, lead = excluded.lead, "
            "counterpart_unit_id = excluded.counterpart_unit_id, scheduled_on = excluded.scheduled_on, "
            "venue = excluded.venue, invited_member_ids = excluded.invited_member_ids, "
            "invited_organization_ids = excluded.invited_organization_ids, "
            "invited_unit_ids = excluded.invited_unit_ids",
            f.committee_id, f.data["consultation_id"], f.data["year"], i["item_id"], i["kind"], i.get("title", ""),
            i.get("lead"), i.get("counterpart_unit_id"), f.date("scheduled_on"), f.data.get("venue") or "",
            f.ids("invited_member_ids"), f.ids("invited_organization_ids"), f.ids("invited_unit_ids"))

    @on("consultation-held")
    async def _held(self, conn: Statements, f: Fact) -> None:
        held_on = f.date("held_on")
        await conn.execute(
            f"INSERT INTO {self.t('consultation_sessions')} (committee_id, consultation_id, year, held, held_on, "
            "participant_member_ids, summary, uninvited_participant_ids) VALUES ($1,$2,$3,true,$4,$5,$6,$7) "
            "ON CONFLICT (committee_id, consultation_id) DO UPDATE SET held = true, held_on = excluded.held_on, "
            "participant_member_ids = excluded.participant_member_ids, summary = excluded.summary, "
            "uninvited_participant_ids = excluded.uninvited_participant_ids",
            f.committee_id, f.data["consultation_id"], held_on.year if held_on else f.local_date.year, held_on,
            f.ids("participant_member_ids"), f.data.get("summary") or "", f.ids("uninvited_participant_ids"))

    @on("consultation-outcome-recorded")
    async def _outcome(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('consultation_outcomes')} (committee_id, outcome_id, consultation_id, kind, title, "
            "held_on, sent_to, implementation_due, sent_on, parent_outcome_id, proposal_ids, opinion_report_ids) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) "
            "ON CONFLICT (committee_id, outcome_id) DO UPDATE SET consultation_id = excluded.consultation_id, "
            "kind = excluded.kind, title = excluded.title, held_on = excluded.held_on, sent_to = excluded.sent_to, "
            "implementation_due = excluded.implementation_due, sent_on = excluded.sent_on, "
            "parent_outcome_id = excluded.parent_outcome_id, proposal_ids = excluded.proposal_ids, "
            "opinion_report_ids = excluded.opinion_report_ids",
            f.committee_id, d["outcome_id"], d["consultation_id"], d.get("kind"), d.get("title", ""),
            f.date("held_on"), f.ids("sent_to"), f.date("implementation_due"), f.date("sent_on"),
            d.get("parent_outcome_id"), f.ids("proposal_ids"), f.ids("opinion_report_ids"))

    @on("consultation-outcome-instruction-recorded")
    async def _instruction(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('consultation_outcome_instructions')} (committee_id, consultation_id, "
            "instruction_id, outcome_id, leader, level, text, instructed_on) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) "
            "ON CONFLICT (committee_id, consultation_id, instruction_id) DO NOTHING",
            f.committee_id, d["consultation_id"], d["instruction_id"], d["outcome_id"], d.get("leader") or "",
            d["level"], d.get("text") or "", f.date("instructed_on"))
