"""Notify's record of the meetings (as scheduled, and who is invited) and the check-in notice (签到提醒) timed
from it: each invited member is told check-in is open the rules' lead time before the meeting starts, as one
timed step of the reminders table, which the reminder worker sends with the ladders' steps. A member whose
leave was approved, or whose attendance is already recorded, is not told; a meeting scheduled again moves
the notice; a notice not sent before the meeting ends lapses."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import asyncpg

from contracts.clock import local_date
from contracts.notify.reminders import RemindersScheduled, ReminderStep, StepKind
from contracts.notify.vocabulary import RecipientKind
from eventstore.db import quote_ident
from eventstore.store import CommandContext
from eventstore.streams import stream_id
from notify.rules import rulebook
from notify.writer import Facts, derived_id

CHECKIN = "checkin-open"  # the timed notice's name in the rules
TYPES = frozenset({"meeting-scheduled", "meeting-invitation-sent", "leave-decided", "meeting-attendance-recorded"})


def checkin_task(meeting_id: str, member_id: str) -> str:
    return f"checkin:{meeting_id}:{member_id}"


async def record_schedule(conn: asyncpg.Connection, schema: str, committee: str, data: dict[str, Any]) -> None:
    """The latest schedule of a meeting is the one its messages give."""
    await conn.execute(f"INSERT INTO {quote_ident(schema)}.meetings VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT "
                       "(committee_id, meeting_id) DO UPDATE SET kind = excluded.kind, title = excluded.title, "
                       "starts_at = excluded.starts_at, ends_at = excluded.ends_at, venue = excluded.venue",
                       committee, data["meeting_id"], data["kind"], data["title"],
                       datetime.fromisoformat(data["starts_at"]), datetime.fromisoformat(data["ends_at"]),
                       data.get("venue") or "")


async def meeting_variables(conn: asyncpg.Connection, schema: str, committee: str,
                            meeting_id: str) -> dict[str, Any]:
    """What a message about the meeting says of it: its title, when (the instants; the mail words them in
    China's time) and where; nothing before its schedule is heard of."""
    row = await conn.fetchrow(f"SELECT title, starts_at, ends_at, venue FROM {quote_ident(schema)}.meetings "
                              "WHERE committee_id = $1 AND meeting_id = $2", committee, meeting_id)
    if row is None:
        return {}
    return {"meeting": row["title"], "meeting_starts_at": row["starts_at"].isoformat(),
            "meeting_ends_at": row["ends_at"].isoformat(), "venue": row["venue"]}


class CheckinNotices:
    """Keeps each invited member's check-in notice in step with the meeting's facts, in the intake's
    transaction."""

    def __init__(self, schema: str, facts: Facts) -> None:
        self.schema = schema
        self.s = quote_ident(schema)
        self.facts = facts

    async def heard(self, conn: asyncpg.Connection, committee: str, t: str, data: dict[str, Any], now: datetime,
                    source: str, ctx: CommandContext) -> list[str]:
        """Schedule, move or drop the notices the fact concerns; returns the check-in tasks to cancel."""
        mid, s = data["meeting_id"], self.s
        if t == "meeting-invitation-sent":
            await conn.executemany(f"INSERT INTO {s}.meeting_invitees (committee_id, meeting_id, member_id) "
                                   "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                                   [(committee, mid, m) for m in data["member_ids"]])
            await self._plan(conn, committee, mid, data["member_ids"], now, source, ctx)
        elif t == "meeting-scheduled":  # the record is written by the intake first; a second schedule moves
            members = [r["member_id"] for r in await conn.fetch(
                f"SELECT member_id FROM {s}.meeting_invitees WHERE committee_id = $1 AND meeting_id = $2 "
                "ORDER BY member_id", committee, mid)]
            await self._plan(conn, committee, mid, members, now, source, ctx)
        elif t in ("leave-decided", "meeting-attendance-recorded"):
            # Approved leave, or attendance already recorded, means nobody should be told to check in; a leave
            # refused leaves the member expected.
            excused = t == "meeting-attendance-recorded" or bool(data["approved"])
            await conn.execute(f"INSERT INTO {s}.meeting_invitees VALUES ($1, $2, $3, $4) ON CONFLICT "
                               "(committee_id, meeting_id, member_id) DO UPDATE SET excused = excluded.excused",
                               committee, mid, data["member_id"], excused)
            if excused:
                return [checkin_task(mid, data["member_id"])]
            await self._plan(conn, committee, mid, [data["member_id"]], now, source, ctx)
        return []

    async def _plan(self, conn: asyncpg.Connection, committee: str, meeting_id: str, members: list[str],
                    now: datetime, source: str, ctx: CommandContext) -> None:
        notice = rulebook(committee).timed.get(CHECKIN)
        meeting = await conn.fetchrow(f"SELECT starts_at, ends_at FROM {self.s}.meetings WHERE committee_id = $1 "
                                      "AND meeting_id = $2", committee, meeting_id)
        if notice is None or meeting is None or now >= meeting["ends_at"]:
            return
        told = {r["member_id"] for r in await conn.fetch(
            f"SELECT member_id FROM {self.s}.meeting_invitees WHERE committee_id = $1 AND meeting_id = $2 "
            "AND member_id = ANY($3) AND NOT excused", committee, meeting_id, members)}
        fire_at = meeting["starts_at"] - timedelta(minutes=notice.lead_minutes)
        due = local_date(meeting["starts_at"])
        for member in (m for m in members if m in told):
            task_id = checkin_task(meeting_id, member)
            step_id = f"{task_id}:open"
            # One step per member and meeting: a later schedule moves it (and sends it again if it had gone).
            await conn.execute(
                f"INSERT INTO {self.s}.reminders (step_id, committee_id, task_id, task, kind, subject_id, "
                "recipient_kind, recipient_id, due, fire_on, status, source_event_id, fire_at, lapses_at) VALUES "
                "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12, $13) ON CONFLICT (committee_id, "
                "step_id) DO UPDATE SET due = excluded.due, fire_on = excluded.fire_on, fire_at = excluded.fire_at, "
                "lapses_at = excluded.lapses_at, status = 'pending', source_event_id = excluded.source_event_id",
                step_id, committee, task_id, CHECKIN, StepKind.before.value, meeting_id, RecipientKind.member.value,
                member, due, local_date(fire_at), source, fire_at, meeting["ends_at"])
            await self.facts.append(conn, stream_id("reminders", committee, derived_id("t", task_id)), [
                RemindersScheduled(task_id=task_id, task=CHECKIN, subject_id=meeting_id,
                                   recipient_kind=RecipientKind.member, recipient_id=member, due=due,
                                   steps=[ReminderStep(step_id=step_id, kind=StepKind.before, on=local_date(fire_at))])
            ], ctx)
