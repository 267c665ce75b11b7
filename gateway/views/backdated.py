"""Steps entered after the day they happened: what the office back-dated (`occurredOn`, `eventstore.backdating`),
whatever the service, so that oversight can show which figures rest on paper entered later.

A step is back-dated when its China date is before the date it was recorded on, by more than a command's own
running time: an event stamped at 23:59:59.9 and written a moment after midnight is not one."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from contracts.clock import local_date
from eventstore.consumer import Delivered
from gateway.views.base import Fact, View
from gateway.views.statements import Statements

# Longer than any command's transaction: a live event is written well within it of its stamp.
LIVE_MARGIN = timedelta(minutes=1)


def backdated(fact: Fact) -> bool:
    recorded = fact.recorded_at
    return (recorded is not None and local_date(fact.occurred_at) < local_date(recorded)
            and recorded - fact.occurred_at > LIVE_MARGIN)


class BackdatedView(View):
    name = "backdated"
    description = "steps the office entered after the day they happened"
    tables = ("backdated_steps",)
    DDL = """
    CREATE TABLE IF NOT EXISTS {s}.backdated_steps (
        committee_id text NOT NULL, event_id uuid NOT NULL, type text NOT NULL, stream_id text NOT NULL,
        subject_id text, occurred_on date NOT NULL, recorded_on date NOT NULL, recorded_by text NOT NULL,
        PRIMARY KEY (committee_id, event_id));
    CREATE INDEX IF NOT EXISTS backdated_steps_by_day ON {s}.backdated_steps (committee_id, occurred_on);
    """

    async def apply(self, conn: asyncpg.Connection, delivered: Delivered) -> None:
        await self.apply_fact(conn, Fact.of(delivered))

    async def apply_fact(self, conn: Statements, fact: Fact) -> None:
        if not backdated(fact):
            return
        assert fact.recorded_at is not None
        # What the step was about, in the ids clients read (a proposal, a visit, a report …).
        subject = next((str(fact.data[k]) for k in ("proposal_id", "visit_id", "report_id", "item_id",
                                                    "consultation_id", "topic_id", "meeting_id")
                        if fact.data.get(k)), None)
        await conn.execute(
            f"INSERT INTO {self.t('backdated_steps')} (committee_id, event_id, type, stream_id, subject_id, "
            "occurred_on, recorded_on, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            fact.committee_id, fact.event_id, fact.type, fact.stream_id, subject, fact.local_date,
            local_date(fact.recorded_at), fact.actor_id)
