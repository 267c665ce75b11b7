"""Intake: facts of the public topics turned into notifications by the committee's rules, and deadline
reminders scheduled or cancelled, in the consumer's transaction (the kernel's inbox makes a redelivered
message a no-op; the notifications' UNIQUE ids make a replay one too).

Recipients come from the event, or from the service's own record of the proposals it has heard of
(proposers, co-signers who confirmed, units, supervising leaders) and of the members registry."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

from contracts.clock import local_date
from contracts.notify.reminders import RemindersCancelled, RemindersScheduled, ReminderStep
from contracts.notify.vocabulary import RecipientKind
from eventstore.consumer import Delivered
from eventstore.db import quote_ident
from eventstore.holiday_calendar import recorded_calendar
from eventstore.streams import stream_id
from notify import evaluations, lookbacks, meetings, questionnaires, sealing, units
from notify import ladder as ladders
from notify.meetings import CheckinNotices, meeting_variables, record_schedule
from notify.rules import Rule, default_rulebook, rulebook
from notify.tables import install
from notify.writer import Facts, Notice, context, derived_id, write

PARTY_TYPES = frozenset({"proposal-submitted", "proposal-resubmitted", "cosigner-confirmed", "proposal-accepted",
                         "proposal-assigned", "reassignment-granted", "key-proposal-designated",
                         "member-registered", "member-updated", "tracked-item-opened"})
TASK_TYPES = frozenset({"proposal-submitted", "cosigner-confirmed", "cosigner-declined", "cosigner-lapsed",
                        "proposal-withdrawn", "proposal-assigned", "reassignment-granted", "handling-reopened",
                        "proposal-replied", "tracked-item-opened", "tracked-item-progress-reported",
                        "tracked-item-reopened", "lookback-opened", "lookback-concluded"})
# Scalar fields of an event a template may use (long texts stay with their service).
MAX_VARIABLE = 200


def consumed_types() -> frozenset[str]:
    return (default_rulebook().event_types | PARTY_TYPES | TASK_TYPES | meetings.TYPES | units.TYPES
            | lookbacks.TYPES | questionnaires.TYPES | evaluations.TYPES)




class Intake:
    name = "intake"

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self.s = quote_ident(schema)
        self.facts = Facts(schema)
        self.checkins = CheckinNotices(schema, self.facts)

    async def setup(self, conn: asyncpg.Connection) -> None:
        await install(conn, self.schema)

    async def reset(self, conn: asyncpg.Connection) -> None:
        # Only what is rebuilt from the topics; notifications stay (their ids make a replay write nothing new).
        await conn.execute(f"DELETE FROM {self.s}.proposal_parties; DELETE FROM {self.s}.members; "
                           f"DELETE FROM {self.s}.tracked_items; DELETE FROM {self.s}.meetings; "
                           f"DELETE FROM {self.s}.meeting_invitees; DELETE FROM {self.s}.units; "
                           f"DELETE FROM {self.s}.lookbacks; DELETE FROM {self.s}.recommendations; "
                           f"DELETE FROM {self.s}.questionnaires; DELETE FROM {self.s}.questionnaire_answered")

    async def apply(self, conn: asyncpg.Connection, delivered: Delivered) -> None:
        env, t = delivered.envelope, delivered.envelope.type
        data = delivered.event.model_dump(mode="json")
        if t in PARTY_TYPES:
            await self._record_parties(conn, env.committee_id, t, data)
        elif t == "meeting-scheduled":
            await record_schedule(conn, self.schema, env.committee_id, data)
        elif t in units.TYPES:
            await units.record(conn, self.schema, env.committee_id, data["unit_id"], data["name"])
        if t in lookbacks.TYPES:
            await lookbacks.record(conn, self.schema, env.committee_id, t, data)
        if t in questionnaires.TYPES:
            await questionnaires.record(conn, self.schema, env.committee_id, t, data)
        for rule in rulebook(env.committee_id).for_event(t):
            if rule.applies(data):
                await self._tell(conn, delivered, rule, data)
        if t in TASK_TYPES or t in questionnaires.TYPES or t in evaluations.TYPES:
            await self._tasks(conn, delivered, data)
        if t in meetings.TYPES:
            ctx = context(env.committee_id, env.correlation_id, env.event_id)
            for task_id in await self.checkins.heard(conn, env.committee_id, t, data, env.occurred_at,
                                                     str(env.event_id), ctx):
                await cancel_task(conn, self.schema, self.facts, env.committee_id, task_id, t, ctx)

    # ---- recipients ------------------------------------------------------------------------------------

    async def _record_parties(self, conn: asyncpg.Connection, committee: str, t: str, data: dict[str, Any]) -> None:
        s = self.s
        if t in ("member-registered", "member-updated") and "name" in data:
            await conn.execute(f"INSERT INTO {s}.members VALUES ($1, $2, $3) ON CONFLICT (committee_id, member_id) "
                               "DO UPDATE SET name = excluded.name", committee, data["member_id"], data["name"])
            return
        if t.startswith("member-"):
            return
        if t == "tracked-item-opened":
            await conn.execute(f"INSERT INTO {s}.tracked_items (committee_id, item_id, unit_ids, title, subject) "
                               "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (committee_id, item_id) DO UPDATE SET "
                               "unit_ids = excluded.unit_ids, title = excluded.title, subject = excluded.subject",
                               committee, data["item_id"], data["unit_ids"], data["title"], data["subject"])
            return
        pid = data["proposal_id"]
        await conn.execute(f"INSERT INTO {s}.proposal_parties (committee_id, proposal_id) VALUES ($1, $2) "
                           "ON CONFLICT DO NOTHING", committee, pid)
        where = "WHERE committee_id = $1 AND proposal_id = $2"
        if t in ("proposal-submitted", "proposal-resubmitted"):
            await conn.execute(f"UPDATE {s}.proposal_parties SET title = $3 {where}", committee, pid, data["title"])
        if t == "proposal-submitted":
            await conn.execute(f"UPDATE {s}.proposal_parties SET lead_member_id = $3 {where}", committee, pid,
                               data.get("lead_member_id"))
        elif t == "cosigner-confirmed":
            await conn.execute(f"UPDATE {s}.proposal_parties SET cosigner_member_ids = "
                               f"array_append(array_remove(cosigner_member_ids, $3), $3) {where}",
                               committee, pid, data["member_id"])
        elif t == "proposal-accepted":
            await conn.execute(f"UPDATE {s}.proposal_parties SET number = $3, lead_member_id = $4, "
                               f"cosigner_member_ids = $5 {where}", committee, pid, data["number"],
                               data.get("lead_member_id"), data.get("cosigner_member_ids") or [])
        elif t in ("proposal-assigned", "reassignment-granted"):
            await conn.execute(f"UPDATE {s}.proposal_parties SET unit_ids = $3 {where}", committee, pid,
                               data["unit_ids"])
        elif t == "key-proposal-designated":
            await conn.execute(f"UPDATE {s}.proposal_parties SET supervising_leaders = $3 {where}", committee, pid,
                               data["supervising_leaders"])

    async def parties(self, conn: asyncpg.Connection, committee: str, proposal_id: str | None) -> asyncpg.Record | None:
        if proposal_id is None:
            return None
        return await conn.fetchrow(f"SELECT * FROM {self.s}.proposal_parties WHERE committee_id = $1 "
                                   "AND proposal_id = $2", committee, proposal_id)

    async def recipients(self, conn: asyncpg.Connection, committee: str, to: str,
                         data: dict[str, Any]) -> list[tuple[RecipientKind, str]]:
        member, unit = RecipientKind.member, RecipientKind.unit
        if to == "office":
            return [(RecipientKind.office, "office")]
        if to == "cosigners":
            return [(member, m) for m in data.get("cosigner_member_ids") or []]
        if to == "member":
            return [(member, data["member_id"])] if data.get("member_id") else []
        if to == "members":
            return [(member, m) for m in data.get("member_ids") or []]
        if to == "new_unit":
            return [(unit, data["new_unit_id"])]
        if to == "units":
            units = data.get("unit_ids") or ([data["unit_id"]] if data.get("unit_id") else [])
            return [(unit, u) for u in units]
        row = await self.parties(conn, committee, data.get("proposal_id"))
        if row is None:
            return []
        if to == "proposers":
            people = [row["lead_member_id"], *row["cosigner_member_ids"]]
            return [(member, m) for m in dict.fromkeys(p for p in people if p)]
        if to == "supervising_leaders":
            return [(member, m) for m in row["supervising_leaders"]]
        raise ValueError(f"unknown recipients {to!r}")

    async def variables(self, conn: asyncpg.Connection, committee: str, data: dict[str, Any]) -> dict[str, Any]:
        found = {k: v for k, v in data.items()
                 if isinstance(v, (str, int, bool)) and not (isinstance(v, str) and len(v) > MAX_VARIABLE)}
        row = await self.parties(conn, committee, data.get("proposal_id"))
        if row is not None:
            found.setdefault("title", row["title"])
            found.setdefault("number", row["number"])
        if data.get("meeting_id"):
            found.update(await meeting_variables(conn, self.schema, committee, data["meeting_id"]))
        if data.get("unit_id"):  # the unit by its name in the registry
            found.setdefault("unit", await units.unit_name(conn, self.schema, committee, data["unit_id"]))
        if data.get("recommendation_id") and not data.get("proposal_id"):
            title = await lookbacks.recommendation_title(conn, self.schema, committee, data["recommendation_id"])
            if title:
                found.setdefault("title", title)
        return found

    async def _tell(self, conn: asyncpg.Connection, delivered: Delivered, rule: Rule, data: dict[str, Any]) -> None:
        env = delivered.envelope
        subject = str(data.get("proposal_id") or data.get("meeting_id") or data.get("item_id")
                      or data.get("lookback_id") or data.get("questionnaire_id") or data.get("member_id")
                      or env.stream_id)
        ctx = context(env.committee_id, env.correlation_id, env.event_id)
        for kind, rid in await self.recipients(conn, env.committee_id, rule.to, data):
            # Each recipient's variables hold only what they may read (sealed values: `notify.sealing`).
            variables = await self.variables(conn, env.committee_id, sealing.for_recipient(env.type, data, kind, rid))
            await write(conn, self.schema, self.facts, Notice(
                env.committee_id, kind, rid, rule.template, rule.category.value, rule.urgency, rule.channels,
                subject, rule.reason, str(env.event_id), env.type, env.occurred_at, variables,
                webhooks=not rule.sealed), ctx)

    # ---- deadline reminders ------------------------------------------------------------------------------

    async def _tasks(self, conn: asyncpg.Connection, delivered: Delivered, data: dict[str, Any]) -> None:
        env, t = delivered.envelope, delivered.envelope.type
        today = local_date(env.occurred_at)
        pid = data.get("proposal_id")
        schedule, cancel = [], []
        if t == "proposal-submitted" and data.get("cosign_deadline"):
            schedule += [(f"cosign:{pid}:{m}", "cosign-due", pid, RecipientKind.member, m, data["cosign_deadline"])
                         for m in data.get("cosigner_member_ids") or []]
        elif t in ("cosigner-confirmed", "cosigner-declined", "cosigner-lapsed"):
            cancel.append(f"cosign:{pid}:{data['member_id']}")
        elif t == "proposal-assigned":
            schedule += [(f"reply:{pid}:{u}", "reply-due", pid, RecipientKind.unit, u, data["deadline"])
                         for u in data["unit_ids"]]
        elif t == "reassignment-granted":
            cancel.append(f"reply:{pid}:{data['unit_id']}")
            schedule.append((f"reply:{pid}:{data['new_unit_id']}", "reply-due", pid, RecipientKind.unit,
                             data["new_unit_id"], data["deadline"]))
        elif t == "handling-reopened":
            schedule.append((f"reply:{pid}:{data['unit_id']}", "reply-due", pid, RecipientKind.unit,
                             data["unit_id"], data["deadline"]))
        elif t == "proposal-replied":
            cancel.append(f"reply:{pid}:{data['unit_id']}")
        elif t == "tracked-item-opened":
            schedule += [(f"tracked:{data['item_id']}:{u}", "tracked-due", data["item_id"], RecipientKind.unit, u,
                          data["due"]) for u in data["unit_ids"]]
        elif t == "tracked-item-reopened":  # a new round, a new due date, for the item's units as opened
            units = await conn.fetchval(f"SELECT unit_ids FROM {self.s}.tracked_items WHERE committee_id = $1 "
                                        "AND item_id = $2", env.committee_id, data["item_id"]) or []
            schedule += [(f"tracked:{data['item_id']}:{u}", "tracked-due", data["item_id"], RecipientKind.unit, u,
                          data["due"]) for u in units]
        elif t == "tracked-item-progress-reported":
            cancel.append(f"tracked:{data['item_id']}:{data['unit_id']}")
        elif t == "lookback-opened":
            schedule.append((f"lookback:{data['lookback_id']}", "lookback-due", data["lookback_id"],
                             RecipientKind.office, "office", data["due"]))
        elif t == "lookback-concluded":
            cancel.append(f"lookback:{data['lookback_id']}")
        elif t in questionnaires.TYPES:  # one task per invited member, due the questionnaire's last day
            opened, ended = await questionnaires.tasks(conn, self.schema, env.committee_id, t, data)
            schedule += [(task, questionnaires.LADDER, data["questionnaire_id"], RecipientKind.member, m,
                          data["closes_on"]) for task, m in opened]
            cancel += ended
        if t in evaluations.TYPES:  # one task per proposer asked to rate a reply, due its evaluation deadline
            opened_, ended_ = await evaluations.tasks(conn, self.schema, env.committee_id, t, data)
            schedule += [(task, evaluations.LADDER, pid, RecipientKind.member, m, due) for task, m, due in opened_]
            cancel += ended_
        if t == "proposal-withdrawn":
            cancel += [r["task_id"] for r in await conn.fetch(
                f"SELECT DISTINCT task_id FROM {self.s}.reminders WHERE committee_id = $1 AND subject_id = $2 "
                "AND status = 'pending'", env.committee_id, pid)]
        ctx = context(env.committee_id, env.correlation_id, env.event_id)
        for task_id in cancel:
            await cancel_task(conn, self.schema, self.facts, env.committee_id, task_id, t, ctx)
        for task_id, name, subject, kind, rid, due in schedule:
            await self._schedule(conn, env.committee_id, task_id, name, str(subject), kind, rid,
                                 date.fromisoformat(due), today, str(env.event_id), ctx)

    async def _schedule(self, conn: asyncpg.Connection, committee: str, task_id: str, name: str, subject: str,
                        kind: RecipientKind, rid: str, due: date, today: date, source: str, ctx: Any) -> None:
        ladder = rulebook(committee).ladders.get(name)
        if ladder is None:
            return
        await conn.execute(f"UPDATE {self.s}.reminders SET status = 'cancelled' WHERE committee_id = $1 "
                           "AND task_id = $2 AND status = 'pending'", committee, task_id)  # a new deadline replaces
        leaders = await self.parties(conn, committee, subject)
        calendar = await recorded_calendar(self.facts.store, committee, conn)
        steps = ladders.steps(task_id, ladder, due, today, calendar,
                              has_leaders=bool(leaders and leaders["supervising_leaders"]))
        await conn.executemany(
            f"INSERT INTO {self.s}.reminders (step_id, committee_id, task_id, task, kind, subject_id, recipient_kind, "
            "recipient_id, due, fire_on, status, source_event_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
            "'pending', $11) ON CONFLICT (committee_id, step_id) DO UPDATE SET fire_on = excluded.fire_on, "
            "due = excluded.due, status = 'pending', source_event_id = excluded.source_event_id",
            [(st.step_id, committee, task_id, name, st.kind.value, subject, kind.value,
              rid, due, st.on, source) for st in steps])
        await self.facts.append(conn, stream_id("reminders", committee, derived_id("t", task_id)), [RemindersScheduled(
            task_id=task_id, task=name, subject_id=subject, recipient_kind=kind, recipient_id=rid, due=due,
            steps=[ReminderStep(step_id=st.step_id, kind=st.kind, on=st.on) for st in steps])], ctx)


async def cancel_task(conn: asyncpg.Connection, schema: str, facts: Facts, committee: str, task_id: str,
                      because: str, ctx: Any) -> list[str]:
    """Cancel every pending step of the task (the task is done)."""
    s = quote_ident(schema)
    rows = await conn.fetch(f"UPDATE {s}.reminders SET status = 'cancelled' WHERE committee_id = $1 AND task_id = $2 "
                            "AND status = 'pending' RETURNING step_id, kind", committee, task_id)
    if rows:
        await facts.append(conn, stream_id("reminders", committee, derived_id("t", task_id)), [RemindersCancelled(
            task_id=task_id, cancelled_steps=[r["step_id"] for r in rows], because=because)], ctx)
    return [r["step_id"] for r in rows]


