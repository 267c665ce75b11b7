"""Democratic supervision (民主监督): special supervision topics with the departments they supervise and
their team, the activities logged, and the reports whose findings were sent as rectifications (the
rectifications' tracking is the `tracked_items` view; a report lists the items it opened)."""

from __future__ import annotations

from gateway.views.base import Fact, View, on
from gateway.views.statements import Statements


class SupervisionView(View):
    name = "supervision"
    description = "supervision topics, their activities and reports with the rectifications they opened"
    tables = ("supervision_topics", "supervision_activities", "supervision_reports")
    DDL = """
    CREATE TABLE IF NOT EXISTS {s}.supervision_topics (
        committee_id text NOT NULL, supervision_id text NOT NULL, year int, title text NOT NULL DEFAULT '',
        unit_ids text[] NOT NULL DEFAULT '{}', team_member_ids text[] NOT NULL DEFAULT '{}', opened_on date,
        PRIMARY KEY (committee_id, supervision_id));
    CREATE INDEX IF NOT EXISTS supervision_by_year ON {s}.supervision_topics (committee_id, year, supervision_id);
    CREATE TABLE IF NOT EXISTS {s}.supervision_activities (
        committee_id text NOT NULL, supervision_id text NOT NULL, activity_id text NOT NULL, kind text,
        held_on date, participant_member_ids text[] NOT NULL DEFAULT '{}', unit_ids text[] NOT NULL DEFAULT '{}',
        summary text NOT NULL DEFAULT '',
        PRIMARY KEY (committee_id, supervision_id, activity_id));
    CREATE TABLE IF NOT EXISTS {s}.supervision_reports (
        committee_id text NOT NULL, supervision_id text NOT NULL, report_id text NOT NULL, reported_on date,
        topic_title text NOT NULL DEFAULT '', member_ids text[] NOT NULL DEFAULT '{}',
        unit_ids text[] NOT NULL DEFAULT '{}', findings int NOT NULL DEFAULT 0, rectification_due date,
        summary text NOT NULL DEFAULT '', item_ids text[] NOT NULL DEFAULT '{}',
        PRIMARY KEY (committee_id, supervision_id, report_id));
    """

    @on("supervision-topic-opened")
    async def _opened(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('supervision_topics')} (committee_id, supervision_id, year, title, unit_ids, "
            "team_member_ids, opened_on) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (committee_id, supervision_id) "
            "DO UPDATE SET year = excluded.year, title = excluded.title, unit_ids = excluded.unit_ids, "
            "team_member_ids = excluded.team_member_ids, opened_on = excluded.opened_on",
            f.committee_id, d["supervision_id"], d.get("year"), d.get("title", ""), f.ids("unit_ids"),
            f.ids("team_member_ids"), f.local_date)

    @on("supervision-activity-logged")
    async def _activity(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('supervision_activities')} (committee_id, supervision_id, activity_id, kind, "
            "held_on, participant_member_ids, unit_ids, summary) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) "
            "ON CONFLICT (committee_id, supervision_id, activity_id) DO UPDATE SET kind = excluded.kind, "
            "held_on = excluded.held_on, participant_member_ids = excluded.participant_member_ids, "
            "unit_ids = excluded.unit_ids, summary = excluded.summary",
            f.committee_id, d["supervision_id"], d["activity_id"], d.get("kind"), f.date("held_on"),
            f.ids("participant_member_ids"), f.ids("unit_ids"), d.get("summary") or "")

    # A report is two events (what the scorecard counts, and the text with the items opened): each fills its
    # own columns of the one row, in either order.
    @on("supervision-reported")
    async def _reported(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('supervision_reports')} (committee_id, supervision_id, report_id, reported_on, "
            "topic_title, member_ids, unit_ids, findings, rectification_due) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) "
            "ON CONFLICT (committee_id, supervision_id, report_id) DO UPDATE SET reported_on = excluded.reported_on, "
            "topic_title = excluded.topic_title, member_ids = excluded.member_ids, unit_ids = excluded.unit_ids, "
            "findings = excluded.findings, rectification_due = excluded.rectification_due",
            f.committee_id, d["supervision_id"], d["report_id"], f.date("reported_on"), d.get("topic_title", ""),
            f.ids("member_ids"), f.ids("unit_ids"), d.get("findings", 0), f.date("rectification_due"))

    @on("supervision-report-recorded")
    async def _recorded(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('supervision_reports')} (committee_id, supervision_id, report_id, reported_on, "
            "summary, item_ids) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (committee_id, supervision_id, report_id) "
            "DO UPDATE SET reported_on = excluded.reported_on, summary = excluded.summary, "
            "item_ids = excluded.item_ids",
            f.committee_id, d["supervision_id"], d["report_id"], f.date("reported_on"), d.get("summary") or "",
            f.ids("item_ids"))
