"""Notify's record of the questionnaires (问卷) it has heard of, and of who answered an identified one, so a
questionnaire's messages name it by its title and its reminders (`questionnaire-due`, one task per invited
member) stop when they should: for everybody when it closes; for a member once their identified response
(实名) is recorded. An anonymous response (匿名) names nobody until the questionnaire closes, so its
invitees are reminded until then, and the reminder says to ignore it if they have already answered."""

from __future__ import annotations

from typing import Any

import asyncpg

from eventstore.db import quote_ident

INVITED = "questionnaire-invitations-sent"
ANSWERED = "questionnaire-response-submitted"  # identified responses only: the anonymous ones name nobody
CLOSED = "questionnaire-closed"
TYPES = frozenset({INVITED, ANSWERED, CLOSED})
LADDER = "questionnaire-due"  # the rules' ladder of the task
PREFIX = "questionnaire:"


def task_id(questionnaire_id: str, member_id: str) -> str:
    return f"{PREFIX}{questionnaire_id}:{member_id}"


async def record(conn: asyncpg.Connection, schema: str, committee: str, t: str, data: dict[str, Any]) -> None:
    s = quote_ident(schema)
    if t == INVITED:
        await conn.execute(f"INSERT INTO {s}.questionnaires VALUES ($1, $2, $3, $4) ON CONFLICT (committee_id, "
                           "questionnaire_id) DO UPDATE SET title = excluded.title, mode = excluded.mode",
                           committee, data["questionnaire_id"], data["title"], data["mode"])
    elif t == ANSWERED:
        # Kept, not only acted on: the response travels on its own stream, so it may be heard before the
        # invitation (a replay) and must still keep that member from being reminded.
        await conn.execute(f"INSERT INTO {s}.questionnaire_answered VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                           committee, data["questionnaire_id"], data["member_id"])


async def tasks(conn: asyncpg.Connection, schema: str, committee: str, t: str,
                data: dict[str, Any]) -> tuple[list[tuple[str, str]], list[str]]:
    """The reminder tasks the fact opens (task id, member; due on the questionnaire's `closes_on`) and the
    ones it ends."""
    s, qid = quote_ident(schema), data["questionnaire_id"]
    if t == INVITED:
        answered = {r["member_id"] for r in await conn.fetch(
            f"SELECT member_id FROM {s}.questionnaire_answered WHERE committee_id = $1 AND questionnaire_id = $2 "
            "AND member_id = ANY($3)", committee, qid, data["member_ids"])}
        return [(task_id(qid, m), m) for m in data["member_ids"] if m not in answered], []
    if t == ANSWERED:
        return [], [task_id(qid, data["member_id"])]
    if t == CLOSED:
        rows = await conn.fetch(f"SELECT DISTINCT task_id FROM {s}.reminders WHERE committee_id = $1 "
                                "AND task = $2 AND subject_id = $3 AND status = 'pending' ORDER BY task_id",
                                committee, LADDER, qid)
        return [], [r["task_id"] for r in rows]
    return [], []


async def about(conn: asyncpg.Connection, schema: str, committee: str, questionnaire_id: str) -> dict[str, Any]:
    """The variables naming the questionnaire: its id, title and response mode (identified | anonymous)."""
    row = await conn.fetchrow(f"SELECT title, mode FROM {quote_ident(schema)}.questionnaires WHERE committee_id = $1 "
                              "AND questionnaire_id = $2", committee, questionnaire_id)
    found: dict[str, Any] = {"questionnaire_id": questionnaire_id}
    if row is not None:
        found.update(title=row["title"], mode=row["mode"])
    return found
