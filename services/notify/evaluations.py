"""Evaluation reminders (评议提醒): one task per proposer asked to rate a reply (`evaluation-due`), due the
reply's evaluation deadline. A proposer's task ends with their rating; every task of the reply ends when its
round completes (every proposer rated, or the deadline lapsed: `evaluation-lapsed`) or the unit is asked to
handle it again (the reply is no longer the one to rate). A reply recorded before evaluation deadlines
existed carries none and opens no task."""

from __future__ import annotations

from typing import Any

import asyncpg

from eventstore.db import quote_ident
from notify import units

REPLIED = "proposal-replied"
RATED = "proposal-evaluated"
COMPLETED = "evaluations-completed"
LAPSED = "evaluation-lapsed"
REOPENED = "handling-reopened"
TYPES = frozenset({REPLIED, RATED, COMPLETED, LAPSED, REOPENED})
LADDER = "evaluation-due"  # the rules' ladder of the task
PREFIX = "evaluation:"


def task_id(proposal_id: str, unit_id: str, member_id: str) -> str:
    return f"{PREFIX}{proposal_id}:{unit_id}:{member_id}"


async def tasks(conn: asyncpg.Connection, schema: str, committee: str, t: str,
                data: dict[str, Any]) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The reminder tasks the fact opens (task id, member, due) and the ones it ends."""
    pid, uid = data.get("proposal_id"), data.get("unit_id")
    if not pid or not uid:
        return [], []
    if t == REPLIED:
        due = data.get("evaluation_due")
        if not due:
            return [], []
        return [(task_id(pid, uid, m), m, due) for m in data.get("evaluator_member_ids") or []], []
    if t == RATED:
        return [], [task_id(pid, uid, data["member_id"])]
    if t in (COMPLETED, LAPSED, REOPENED):
        rows = await conn.fetch(
            f"SELECT DISTINCT task_id FROM {quote_ident(schema)}.reminders WHERE committee_id = $1 AND task = $2 "
            "AND subject_id = $3 AND starts_with(task_id, $4) AND status = 'pending' ORDER BY task_id",
            committee, LADDER, pid, f"{PREFIX}{pid}:{uid}:")
        return [], [r["task_id"] for r in rows]
    return [], []


async def about(conn: asyncpg.Connection, schema: str, committee: str, task: str) -> dict[str, str]:
    """The variables naming what is to be rated: the proposal's title and number, and the replying unit by name."""
    proposal_id, unit_id, _ = task.removeprefix(PREFIX).split(":", 2)
    row = await conn.fetchrow(f"SELECT title, number FROM {quote_ident(schema)}.proposal_parties "
                              "WHERE committee_id = $1 AND proposal_id = $2", committee, proposal_id)
    found = {k: row[k] for k in ("title", "number")} if row is not None else {}
    found["unit"] = await units.unit_name(conn, schema, committee, unit_id)
    return {k: v for k, v in found.items() if v}
