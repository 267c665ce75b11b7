"""Research and inspection (调查研究, 委员视察): the year's topics, parties' and groups' applications and the
office's decisions, the team, field days, and the reports whose recommendations are tracked items (the
`tracked_items` view; a report lists the items it opened).

A field day (`research-participation-recorded`) names its topic; one recorded before the event carried it
is read from its stream (`researchTopic-<committee>-<topic>`), where the surveys service records it."""

from __future__ import annotations

from gateway.views.base import Fact, View, on
from gateway.views.statements import Statements

TOPIC_STREAM = "researchTopic"


def topic_of_stream(stream_id: str, committee_id: str) -> str | None:
    prefix = f"{TOPIC_STREAM}-{committee_id}-"
    if not stream_id.startswith(prefix):
        return None
    return stream_id[len(prefix):] or None


class ResearchView(View):
    name = "research"
    description = "research topics, applications, teams, field days and reports with their recommendations"
    tables = ("research_topics", "research_applications", "research_field_days", "research_reports")
    DDL = """
    CREATE TABLE IF NOT EXISTS {s}.research_topics (
        committee_id text NOT NULL, topic_id text NOT NULL, year int, title text NOT NULL DEFAULT '', kind text,
        open_for_application boolean NOT NULL DEFAULT true, organization_id text,
        team_member_ids text[] NOT NULL DEFAULT '{}', team_organization_ids text[] NOT NULL DEFAULT '{}',
        planned_on date,
        PRIMARY KEY (committee_id, topic_id));
    CREATE INDEX IF NOT EXISTS research_by_year ON {s}.research_topics (committee_id, year, topic_id);
    CREATE TABLE IF NOT EXISTS {s}.research_applications (
        committee_id text NOT NULL, topic_id text NOT NULL, application_id text NOT NULL,
        organization_id text NOT NULL, applied_on date, plan text NOT NULL DEFAULT '', approved boolean,
        reason text, decided_on date,
        PRIMARY KEY (committee_id, topic_id, application_id));
    CREATE TABLE IF NOT EXISTS {s}.research_field_days (
        committee_id text NOT NULL, activity_id text NOT NULL, topic_id text, kind text,
        title text NOT NULL DEFAULT '', held_on date, member_ids text[] NOT NULL DEFAULT '{}',
        PRIMARY KEY (committee_id, activity_id));
    CREATE INDEX IF NOT EXISTS field_days_by_topic ON {s}.research_field_days (committee_id, topic_id);
    CREATE TABLE IF NOT EXISTS {s}.research_reports (
        committee_id text NOT NULL, topic_id text NOT NULL, report_id text NOT NULL, reported_on date,
        summary text NOT NULL DEFAULT '', item_ids text[] NOT NULL DEFAULT '{}',
        PRIMARY KEY (committee_id, topic_id, report_id));
    """

    async def _ensure(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"INSERT INTO {self.t('research_topics')} (committee_id, topic_id) VALUES ($1,$2) ON CONFLICT DO NOTHING",
            f.committee_id, f.data["topic_id"])

    @on("research-topic-planned")
    async def _planned(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('research_topics')} (committee_id, topic_id, year, title, kind, "
            "open_for_application, planned_on) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (committee_id, topic_id) "
            "DO UPDATE SET year = excluded.year, title = excluded.title, kind = excluded.kind, "
            "open_for_application = excluded.open_for_application, planned_on = excluded.planned_on",
            f.committee_id, d["topic_id"], d.get("year"), d.get("title", ""), d.get("kind"),
            bool(d.get("open_for_application", True)), f.local_date)

    @on("research-application-recorded")
    async def _applied(self, conn: Statements, f: Fact) -> None:
        await self._ensure(conn, f)
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('research_applications')} (committee_id, topic_id, application_id, "
            "organization_id, applied_on, plan) VALUES ($1,$2,$3,$4,$5,$6) "
            "ON CONFLICT (committee_id, topic_id, application_id) DO UPDATE SET "
            "organization_id = excluded.organization_id, applied_on = excluded.applied_on, plan = excluded.plan",
            f.committee_id, d["topic_id"], d["application_id"], d["organization_id"], f.date("applied_on"),
            d.get("plan") or "")

    @on("research-application-decided")
    async def _decided(self, conn: Statements, f: Fact) -> None:
        await self._ensure(conn, f)
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('research_applications')} (committee_id, topic_id, application_id, "
            "organization_id, approved, reason, decided_on) VALUES ($1,$2,$3,$4,$5,$6,$7) "
            "ON CONFLICT (committee_id, topic_id, application_id) DO UPDATE SET approved = excluded.approved, "
            "reason = excluded.reason, decided_on = excluded.decided_on",
            f.committee_id, d["topic_id"], d["application_id"], d["organization_id"], bool(d.get("approved")),
            d.get("reason"), f.date("decided_on"))
        if d.get("approved"):
            await conn.execute(
                f"UPDATE {self.t('research_topics')} SET organization_id = $3 WHERE committee_id = $1 "
                "AND topic_id = $2", f.committee_id, d["topic_id"], d["organization_id"])

    @on("research-team-formed")
    async def _team(self, conn: Statements, f: Fact) -> None:
        await self._ensure(conn, f)
        await conn.execute(
            f"UPDATE {self.t('research_topics')} SET team_member_ids = $3, team_organization_ids = $4 "
            "WHERE committee_id = $1 AND topic_id = $2",
            f.committee_id, f.data["topic_id"], f.ids("member_ids"), f.ids("organization_ids"))

    @on("research-participation-recorded")
    async def _field_day(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('research_field_days')} (committee_id, activity_id, topic_id, kind, title, "
            "held_on, member_ids) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (committee_id, activity_id) DO UPDATE "
            "SET topic_id = coalesce(excluded.topic_id, research_field_days.topic_id), kind = excluded.kind, "
            "title = excluded.title, held_on = excluded.held_on, member_ids = excluded.member_ids",
            f.committee_id, d["activity_id"], d.get("topic_id") or topic_of_stream(f.stream_id, f.committee_id),
            d.get("kind"),
            d.get("title", ""), f.date("held_on"), f.ids("member_ids"))

    @on("research-reported")
    async def _reported(self, conn: Statements, f: Fact) -> None:
        await self._ensure(conn, f)
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('research_reports')} (committee_id, topic_id, report_id, reported_on, summary, "
            "item_ids) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (committee_id, topic_id, report_id) DO UPDATE SET "
            "reported_on = excluded.reported_on, summary = excluded.summary, item_ids = excluded.item_ids",
            f.committee_id, d["topic_id"], d["report_id"], f.date("reported_on"), d.get("summary") or "",
            f.ids("item_ids"))
