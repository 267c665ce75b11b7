"""The committee's working-day calendar in a service that does not own it: the holiday schedules the office
recorded in the proposals service (`holiday-schedule-recorded` on the proposals topic), kept in the consuming
service's own schema, so its deciders count working days on the same calendar — one calendar, not a copy.

    DEFINITION = ServiceDefinition(..., consumers=(holiday_calendar_consumer(),), calendar=recorded_calendar)

The proposals service, which records the schedules, reads its own stream instead. `yizheng replay
<svc>.holiday-calendar` rebuilds the rows from the topic like any consumer."""

from __future__ import annotations

import asyncpg

from contracts import topics
from contracts.proposals import HolidayScheduleRecorded
from eventstore.consumer import Delivered
from eventstore.db import quote_ident
from eventstore.service import TopicConsumer
from eventstore.store import EventStore
from eventstore.workdays import WorkCalendar

CONSUMER_NAME = "holiday-calendar"
EVENT_TYPE = "holiday-schedule-recorded"
TABLE = "holiday_schedules"


class HolidayCalendarProjection:
    """One row per recorded schedule, in the order the proposals service recorded them (a later record of a
    year replaces an earlier one when the calendar is built, as in `WorkCalendar.from_events`)."""

    name = CONSUMER_NAME

    def __init__(self, schema: str) -> None:
        self.table = f"{quote_ident(schema)}.{TABLE}"

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table} ("
            "committee_id text NOT NULL, event_id uuid NOT NULL, stream_id text NOT NULL, "
            "stream_version int NOT NULL, position bigint, year int NOT NULL, days_off date[] NOT NULL, "
            "workdays date[] NOT NULL, source text NOT NULL, PRIMARY KEY (committee_id, event_id))")

    async def reset(self, conn: asyncpg.Connection) -> None:
        await conn.execute(f"TRUNCATE {self.table}")

    async def apply(self, conn: asyncpg.Connection, delivered: Delivered) -> None:
        event, envelope = delivered.event, delivered.envelope
        if not isinstance(event, HolidayScheduleRecorded):
            return  # the consumer's types already filter; nothing else belongs here
        await conn.execute(
            f"INSERT INTO {self.table} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
            envelope.committee_id, envelope.event_id, envelope.stream_id, envelope.stream_version,
            envelope.position, event.year, list(event.days_off), list(event.workdays), event.source)


def holiday_calendar_consumer() -> TopicConsumer:
    """The consumer a service declares to keep the recorded schedules (consumer group `<svc>-holiday-calendar`)."""
    return TopicConsumer(CONSUMER_NAME, "the committee's recorded holiday schedules, from the proposals topic",
                         topics=(topics.PROPOSALS,), make=HolidayCalendarProjection,
                         types=frozenset({EVENT_TYPE}))


async def recorded_calendar(store: EventStore, committee_id: str,
                            conn: asyncpg.Connection | None = None) -> WorkCalendar:
    """The committee's working days from the kept schedules (a `CalendarSource`): the same calendar the
    proposals service builds from its own stream. Before any schedule arrives: the holidays package's."""
    table = HolidayCalendarProjection(store.schema).table
    query = (f"SELECT year, days_off, workdays, source FROM {table} WHERE committee_id = $1 "
             "ORDER BY position NULLS LAST, stream_id, stream_version")
    rows = await (conn.fetch(query, committee_id) if conn is not None else store.pool.fetch(query, committee_id))
    return WorkCalendar.from_events(
        HolidayScheduleRecorded(year=r["year"], days_off=r["days_off"], workdays=r["workdays"], source=r["source"])
        for r in rows)
