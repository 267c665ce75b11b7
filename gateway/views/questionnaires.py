"""Questionnaires (问卷): each one published (title, identified or anonymous, the last day to respond), the
members invited, how many responded, and its closing. The form and every response stay with the surveys
service (its routes serve the form, the results and the exports); here an identified response marks only
that its member responded (the event names them); anonymous ones are counted by `questionnaire-closed`
(they are written at close, with no member), never marked on anyone."""

from __future__ import annotations

from gateway.views.base import Fact, View, on
from gateway.views.statements import Statements


class QuestionnairesView(View):
    name = "questionnaires"
    description = "questionnaires: published, invitations, responses counted, closed"
    tables = ("questionnaires", "questionnaire_invitations")
    DDL = """
    CREATE TABLE IF NOT EXISTS {s}.questionnaires (
        committee_id text NOT NULL, questionnaire_id text NOT NULL, title text NOT NULL DEFAULT '', mode text,
        closes_on date, published_on date, closed boolean NOT NULL DEFAULT false, closed_on date,
        responses int NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL,
        PRIMARY KEY (committee_id, questionnaire_id));
    CREATE TABLE IF NOT EXISTS {s}.questionnaire_invitations (
        committee_id text NOT NULL, questionnaire_id text NOT NULL, member_id text NOT NULL,
        invited_on date, responded boolean NOT NULL DEFAULT false,
        PRIMARY KEY (committee_id, questionnaire_id, member_id));
    CREATE INDEX IF NOT EXISTS questionnaire_invitations_by_member
        ON {s}.questionnaire_invitations (committee_id, member_id);
    """

    async def _ensure(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"INSERT INTO {self.t('questionnaires')} (committee_id, questionnaire_id, updated_at) VALUES ($1,$2,$3) "
            "ON CONFLICT DO NOTHING", f.committee_id, f.data["questionnaire_id"], f.occurred_at)

    @on("questionnaire-published")
    async def _published(self, conn: Statements, f: Fact) -> None:
        await self._ensure(conn, f)
        d = f.data
        await conn.execute(
            f"UPDATE {self.t('questionnaires')} SET title = $3, mode = $4, closes_on = $5, published_on = $6, "
            "updated_at = greatest(updated_at, $7) WHERE committee_id = $1 AND questionnaire_id = $2",
            f.committee_id, d["questionnaire_id"], d.get("title", ""), d.get("mode"), f.date("closes_on"),
            f.local_date, f.occurred_at)

    @on("questionnaire-invitations-sent")
    async def _invited(self, conn: Statements, f: Fact) -> None:
        await self._ensure(conn, f)
        d = f.data
        await conn.execute(
            f"UPDATE {self.t('questionnaires')} SET title = CASE WHEN title = '' THEN $3 ELSE title END, "
            "mode = coalesce(mode, $4), closes_on = coalesce(closes_on, $5), updated_at = greatest(updated_at, $6) "
            "WHERE committee_id = $1 AND questionnaire_id = $2",
            f.committee_id, d["questionnaire_id"], d.get("title", ""), d.get("mode"), f.date("closes_on"),
            f.occurred_at)
        await conn.execute(
            f"INSERT INTO {self.t('questionnaire_invitations')} (committee_id, questionnaire_id, member_id, "
            # A response on its own stream may be read first (it made the row): the invitation still dates it.
            "invited_on) SELECT $1, $2, m, $4 FROM unnest($3::text[]) AS m "
            "ON CONFLICT (committee_id, questionnaire_id, member_id) DO UPDATE SET "
            "invited_on = coalesce(questionnaire_invitations.invited_on, excluded.invited_on)",
            f.committee_id, d["questionnaire_id"], f.ids("member_ids"), f.local_date)

    @on("questionnaire-response-submitted")
    async def _responded(self, conn: Statements, f: Fact) -> None:
        await self._ensure(conn, f)
        d = f.data
        await conn.execute(
            # A response read after the closing is in the closing's count already (they are on streams of
            # their own, so the topic may deliver them in either order).
            f"UPDATE {self.t('questionnaires')} SET "
            "responses = CASE WHEN closed THEN responses ELSE responses + 1 END, updated_at = greatest(updated_at, $3) "
            "WHERE committee_id = $1 AND questionnaire_id = $2",
            f.committee_id, d["questionnaire_id"], f.occurred_at)
        await conn.execute(
            f"INSERT INTO {self.t('questionnaire_invitations')} (committee_id, questionnaire_id, member_id, "
            "responded) VALUES ($1,$2,$3,true) ON CONFLICT (committee_id, questionnaire_id, member_id) "
            "DO UPDATE SET responded = true", f.committee_id, d["questionnaire_id"], d["member_id"])

    @on("questionnaire-closed")
    async def _closed(self, conn: Statements, f: Fact) -> None:
        await self._ensure(conn, f)
        d = f.data
        await conn.execute(
            f"UPDATE {self.t('questionnaires')} SET closed = true, closed_on = $3, responses = $4, "
            "updated_at = greatest(updated_at, $5) "
            "WHERE committee_id = $1 AND questionnaire_id = $2",
            f.committee_id, d["questionnaire_id"], f.date("closed_on"), d.get("responses", 0), f.occurred_at)
