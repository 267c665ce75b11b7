"""Meetings: schedule, invitations, leave and attendance per invitee."""

from __future__ import annotations

from gateway.views.base import Fact, View, on
from gateway.views.statements import Statements


class MeetingsView(View):
    name = "meetings"
    description = "meetings, invitations, leave requests and attendance"
    tables = ("meetings", "meeting_invitees")
    DDL = """
    CREATE TABLE IF NOT EXISTS {s}.meetings (
        committee_id text NOT NULL, meeting_id text NOT NULL, kind text, title text NOT NULL DEFAULT '',
        starts_at timestamptz, ends_at timestamptz, venue text, term int, session int,
        closed boolean NOT NULL DEFAULT false, present int, on_leave int, absent int,
        PRIMARY KEY (committee_id, meeting_id));
    CREATE INDEX IF NOT EXISTS meetings_by_start ON {s}.meetings (committee_id, starts_at);
    CREATE TABLE IF NOT EXISTS {s}.meeting_invitees (
        committee_id text NOT NULL, meeting_id text NOT NULL, member_id text NOT NULL,
        invited boolean NOT NULL DEFAULT false, leave_reason text,
        leave_state text,            -- requested | approved | refused
        attendance text,             -- present | on_leave | absent
        attendance_source text, held_on date,
        PRIMARY KEY (committee_id, meeting_id, member_id));
    CREATE INDEX IF NOT EXISTS invitees_by_member ON {s}.meeting_invitees (committee_id, member_id);
    """

    @on("meeting-scheduled")
    async def _scheduled(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('meetings')} (committee_id, meeting_id, kind, title, starts_at, ends_at, venue, "
            "term, session) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (committee_id, meeting_id) DO UPDATE "
            "SET kind = excluded.kind, title = excluded.title, starts_at = excluded.starts_at, "
            "ends_at = excluded.ends_at, venue = excluded.venue, term = excluded.term, session = excluded.session",
            f.committee_id, d["meeting_id"], d.get("kind"), d.get("title", ""), f.datetime("starts_at"),
            f.datetime("ends_at"), d.get("venue"), d.get("term"), d.get("session"))

    async def _ensure_meeting(self, conn: Statements, f: Fact, kind: str | None = None) -> None:
        await conn.execute(
            f"INSERT INTO {self.t('meetings')} (committee_id, meeting_id, kind) VALUES ($1,$2,$3) "
            "ON CONFLICT DO NOTHING", f.committee_id, f.data["meeting_id"], kind)

    @on("meeting-invitation-sent")
    async def _invited(self, conn: Statements, f: Fact) -> None:
        await self._ensure_meeting(conn, f, f.data.get("meeting_kind"))
        await conn.execute(
            f"INSERT INTO {self.t('meeting_invitees')} (committee_id, meeting_id, member_id, invited) "
            "SELECT $1, $2, m, true FROM unnest($3::text[]) AS m "
            "ON CONFLICT (committee_id, meeting_id, member_id) DO UPDATE SET invited = true",
            f.committee_id, f.data["meeting_id"], f.ids("member_ids"))

    @on("leave-requested")
    async def _leave_requested(self, conn: Statements, f: Fact) -> None:
        await self._ensure_meeting(conn, f)
        await conn.execute(
            f"INSERT INTO {self.t('meeting_invitees')} (committee_id, meeting_id, member_id, leave_reason, "
            "leave_state) VALUES ($1,$2,$3,$4,'requested') ON CONFLICT (committee_id, meeting_id, member_id) "
            "DO UPDATE SET leave_reason = excluded.leave_reason, leave_state = 'requested'",
            f.committee_id, f.data["meeting_id"], f.data["member_id"], f.data.get("reason"))

    @on("leave-decided")
    async def _leave_decided(self, conn: Statements, f: Fact) -> None:
        await self._ensure_meeting(conn, f)
        state = "approved" if f.data.get("approved") else "refused"
        await conn.execute(
            f"INSERT INTO {self.t('meeting_invitees')} (committee_id, meeting_id, member_id, leave_state) "
            "VALUES ($1,$2,$3,$4) ON CONFLICT (committee_id, meeting_id, member_id) "
            "DO UPDATE SET leave_state = excluded.leave_state",
            f.committee_id, f.data["meeting_id"], f.data["member_id"], state)

    @on("meeting-attendance-recorded")
    async def _attendance(self, conn: Statements, f: Fact) -> None:
        await self._ensure_meeting(conn, f, f.data.get("meeting_kind"))
        # A later record for the same member and meeting corrects the earlier one.
        await conn.execute(
            f"INSERT INTO {self.t('meeting_invitees')} (committee_id, meeting_id, member_id, attendance, "
            "attendance_source, held_on) VALUES ($1,$2,$3,$4,$5,$6) "
            "ON CONFLICT (committee_id, meeting_id, member_id) DO UPDATE SET attendance = excluded.attendance, "
            "attendance_source = excluded.attendance_source, held_on = excluded.held_on",
            f.committee_id, f.data["meeting_id"], f.data["member_id"], f.data.get("status"), f.data.get("source"),
            f.date("held_on"))

    @on("meeting-attendance-closed")
    async def _closed(self, conn: Statements, f: Fact) -> None:
        await self._ensure_meeting(conn, f, f.data.get("meeting_kind"))
        await conn.execute(
            f"UPDATE {self.t('meetings')} SET closed = true, present = $3, on_leave = $4, absent = $5 "
            "WHERE committee_id = $1 AND meeting_id = $2",
            f.committee_id, f.data["meeting_id"], f.data.get("present"), f.data.get("on_leave"), f.data.get("absent"))
