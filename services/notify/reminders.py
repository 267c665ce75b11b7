"""The reminder worker: sends the ladder steps due today (China's date on the service's clock) as
notifications, on the channels the ladder names for the step; an escalation step goes to the office (督办) or
the supervising leaders, `critical`. A timed notice's step (check-in open) goes out once its instant has
come, as the rules' `timed` says, and lapses unsent once its meeting is over. Each step is claimed `FOR
UPDATE SKIP LOCKED` and marked fired in the transaction that writes its notification, so two replicas never
send one twice."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

import asyncpg

from contracts.clock import local_date
from contracts.notify.reminders import ReminderEscalated, StepKind
from contracts.notify.vocabulary import RecipientKind, Urgency
from eventstore.db import quote_ident
from eventstore.streams import stream_id
from eventstore.unit_of_work import Clock
from notify import evaluations, lookbacks, questionnaires
from notify.ladder import days_before
from notify.meetings import meeting_variables
from notify.rules import TimedNotice, rulebook
from notify.units import unit_name
from notify.writer import Facts, Notice, context, derived_id, write

log = logging.getLogger("notify.reminders")

REASONS = {
    StepKind.before: "你负责的事项即将到期",
    StepKind.overdue: "你负责的事项已逾期",
    StepKind.escalate_office: "该事项已逾期，请机关督办",
    StepKind.escalate_leader: "你督办的事项已逾期",
}


class ReminderWorker:
    def __init__(self, pool: asyncpg.Pool, schema: str, clock: Clock, *, poll_seconds: float = 60.0) -> None:
        self.pool = pool
        self.schema = schema
        self.s = quote_ident(schema)
        self.clock = clock
        self.facts = Facts(schema)
        self.poll_seconds = poll_seconds
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:  # a failed pass is tried again on the next poll
                log.exception("reminder pass failed")
            await asyncio.sleep(self.poll_seconds)

    async def tick(self, batch: int = 200) -> int:
        """Send every step due by today; returns how many steps fired."""
        now = self.clock()
        today = local_date(now)
        fired = 0
        while True:
            async with self.pool.acquire() as conn, conn.transaction():
                steps = await conn.fetch(
                    f"SELECT * FROM {self.s}.reminders WHERE status = 'pending' AND fire_on <= $1 "
                    "AND (fire_at IS NULL OR fire_at <= $3) ORDER BY fire_on, step_id LIMIT $2 "
                    "FOR UPDATE SKIP LOCKED", today, batch, now)
                for step in steps:
                    await self._fire(conn, step, now)
                fired += len(steps)
            if len(steps) < batch:
                return fired

    async def _fire(self, conn: asyncpg.Connection, step: asyncpg.Record, now: datetime) -> None:
        committee, kind = step["committee_id"], StepKind(step["kind"])
        timed = rulebook(committee).timed.get(step["task"]) if step["fire_at"] is not None else None
        lapsed = step["fire_at"] is not None and (timed is None or (step["lapses_at"] and now >= step["lapses_at"]))
        await conn.execute(f"UPDATE {self.s}.reminders SET status = $3 WHERE committee_id = $1 AND step_id = $2",
                           committee, step["step_id"], "lapsed" if lapsed else "fired")
        if lapsed:
            return
        if timed is not None:
            await self._fire_timed(conn, step, timed, now)
            return
        ladder = rulebook(committee).ladders[step["task"]]
        ctx = context(committee)
        to: list[tuple[RecipientKind, str]] = [(RecipientKind(step["recipient_kind"]), step["recipient_id"])]
        urgency = Urgency.normal
        if kind is StepKind.escalate_office:
            to, urgency = [(RecipientKind.office, "office")], Urgency.critical
        elif kind is StepKind.escalate_leader:
            row = await conn.fetchrow(f"SELECT supervising_leaders FROM {self.s}.proposal_parties "
                                      "WHERE committee_id = $1 AND proposal_id = $2", committee, step["subject_id"])
            to, urgency = [(RecipientKind.member, m) for m in (row["supervising_leaders"] if row else [])], \
                Urgency.critical
        if kind in (StepKind.escalate_office, StepKind.escalate_leader) and to:
            await self.facts.append(conn, stream_id("reminders", committee, derived_id("t", step["task_id"])),
                                    [ReminderEscalated(task_id=step["task_id"], step_id=step["step_id"],
                                                       to_kind=to[0][0], to_ids=[r for _, r in to], due=step["due"])],
                                    ctx)
        variables = {"task_id": step["task_id"], "subject_id": step["subject_id"], "due": step["due"].isoformat(),
                     "step": kind.value}
        if step["recipient_kind"] == RecipientKind.unit.value:  # an escalation names the unit that is late
            variables.update(unit_id=step["recipient_id"],
                             unit=await unit_name(conn, self.schema, committee, step["recipient_id"]))
        variables.update(await self._about(conn, committee, step["task_id"], step["subject_id"]))
        channels = ladder.channels_of(kind, days_before(step["step_id"]))  # the ladder's data says which
        for recipient_kind, rid in to:
            await write(conn, self.schema, self.facts, Notice(
                committee, recipient_kind, rid, f"{ladder.template}-{kind.value}", ladder.category.value, urgency,
                channels, step["subject_id"], REASONS[kind],
                f"{committee}:{step['step_id']}:{step['due']}", "reminder", now, variables,
                reminder_id=step["step_id"]), ctx)

    async def _fire_timed(self, conn: asyncpg.Connection, step: asyncpg.Record, notice: TimedNotice,
                          now: datetime) -> None:
        """A timed notice about a meeting, to the member of the step; its id names the instant it was timed
        for, so a meeting moved after its notice went out is told again, and a replay is not."""
        committee = step["committee_id"]
        variables = {"meeting_id": step["subject_id"], "task_id": step["task_id"],
                     **await meeting_variables(conn, self.schema, committee, step["subject_id"])}
        await write(conn, self.schema, self.facts, Notice(
            committee, RecipientKind(step["recipient_kind"]), step["recipient_id"], notice.template,
            notice.category.value, notice.urgency, notice.channels, step["subject_id"], notice.reason,
            f"{committee}:{step['step_id']}:{step['fire_at'].isoformat()}", "reminder", now, variables,
            reminder_id=step["step_id"]), context(committee))

    async def _about(self, conn: asyncpg.Connection, committee: str, task_id: str, subject_id: str) -> dict[str, str]:
        """What the reminder is about, in the words its own mails use: a tracked item's title and kind, the
        proposal's title and number, a look-back's proposal or recommendation report, or a questionnaire's
        title and response mode."""
        if task_id.startswith("lookback:"):
            return {k: v for k, v in (await lookbacks.about(conn, self.schema, committee, subject_id)).items() if v}
        if task_id.startswith(questionnaires.PREFIX):
            return await questionnaires.about(conn, self.schema, committee, subject_id)
        if task_id.startswith(evaluations.PREFIX):
            return await evaluations.about(conn, self.schema, committee, task_id)
        if task_id.startswith("tracked:"):
            item = await conn.fetchrow(f"SELECT title, subject FROM {self.s}.tracked_items WHERE committee_id = $1 "
                                       "AND item_id = $2", committee, subject_id)
            found = {"title": item["title"], "item_kind": item["subject"]} if item is not None else {}
        else:
            row = await conn.fetchrow(f"SELECT title, number FROM {self.s}.proposal_parties WHERE committee_id = $1 "
                                      "AND proposal_id = $2", committee, subject_id)
            found = {k: row[k] for k in ("title", "number")} if row is not None else {}
        return {k: v for k, v in found.items() if v}
