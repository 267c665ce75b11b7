"""两访三做: visits logged, what they led to, and the year's visit plan."""

from __future__ import annotations

import json

from gateway.views.base import Fact, View, on
from gateway.views.statements import Statements


class VisitsView(View):
    name = "visits"
    description = "visits (两访三做), their outcomes and the yearly visit plan"
    tables = ("visits", "visit_outcomes", "visit_plans")
    DDL = """
    CREATE TABLE IF NOT EXISTS {s}.visits (
        committee_id text NOT NULL, visit_id text NOT NULL, kind text NOT NULL, visitor_member_id text NOT NULL,
        visited_member_ids text[] NOT NULL DEFAULT '{}', visited_sector text, visited_group text,
        township_id text, visited_on date NOT NULL, roles text[] NOT NULL DEFAULT '{}',
        people_reached int NOT NULL DEFAULT 0, issues_heard text[] NOT NULL DEFAULT '{}', follow_up text,
        PRIMARY KEY (committee_id, visit_id));
    CREATE INDEX IF NOT EXISTS visits_by_visitor ON {s}.visits (committee_id, visitor_member_id, visited_on);
    CREATE INDEX IF NOT EXISTS visits_by_date ON {s}.visits (committee_id, visited_on);
    CREATE TABLE IF NOT EXISTS {s}.visit_outcomes (
        committee_id text NOT NULL, visit_id text NOT NULL, outcome_kind text NOT NULL, outcome_id text NOT NULL,
        PRIMARY KEY (committee_id, visit_id, outcome_kind, outcome_id));
    CREATE TABLE IF NOT EXISTS {s}.visit_plans (
        committee_id text NOT NULL, year int NOT NULL, plan_version int NOT NULL,
        grassroots_visited_by_chair boolean NOT NULL, sector_visits_per_member int NOT NULL,
        pairings jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (committee_id, year));
    """

    @on("visit-logged")
    async def _logged(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('visits')} (committee_id, visit_id, kind, visitor_member_id, visited_member_ids, "
            "visited_sector, visited_group, township_id, visited_on, roles, people_reached, issues_heard, "
            "follow_up) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) ON CONFLICT (committee_id, visit_id) "
            "DO UPDATE SET kind = excluded.kind, visitor_member_id = excluded.visitor_member_id, "
            "visited_member_ids = excluded.visited_member_ids, visited_sector = excluded.visited_sector, "
            "visited_group = excluded.visited_group, township_id = excluded.township_id, "
            "visited_on = excluded.visited_on, roles = excluded.roles, people_reached = excluded.people_reached, "
            "issues_heard = excluded.issues_heard, follow_up = excluded.follow_up",
            f.committee_id, d["visit_id"], d["kind"], d["visitor_member_id"], f.ids("visited_member_ids"),
            d.get("visited_sector"), d.get("visited_group"), d.get("township_id"), f.date("visited_on"),
            f.ids("roles"), int(d.get("people_reached") or 0), f.ids("issues_heard"), d.get("follow_up"))

    @on("visit-outcome-linked")
    async def _outcome(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"INSERT INTO {self.t('visit_outcomes')} (committee_id, visit_id, outcome_kind, outcome_id) "
            "VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING",
            f.committee_id, f.data["visit_id"], f.data["outcome_kind"], f.data["outcome_id"])

    @on("visit-plan-set")
    async def _plan(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('visit_plans')} (committee_id, year, plan_version, grassroots_visited_by_chair, "
            "sector_visits_per_member, pairings) VALUES ($1,$2,$3,$4,$5,$6::text::jsonb) "
            "ON CONFLICT (committee_id, year) DO UPDATE SET plan_version = excluded.plan_version, "
            "grassroots_visited_by_chair = excluded.grassroots_visited_by_chair, "
            "sector_visits_per_member = excluded.sector_visits_per_member, pairings = excluded.pairings "
            f"WHERE {self.t('visit_plans')}.plan_version <= excluded.plan_version",
            f.committee_id, int(d["year"]), int(d.get("plan_version", 1)),
            bool(d.get("grassroots_visited_by_chair", True)), int(d.get("sector_visits_per_member", 1)),
            json.dumps(d.get("pairings") or {}))
