"""The recorded holiday calendar in a service that does not own it: the schedules published on the proposals
topic, kept by the `holiday-calendar` consumer, give the same working days as the proposals service's own
stream, per committee, before and after a rebuild from the topic."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import asyncpg
import pytest_asyncio

import contracts  # noqa: F401 - registers every public event type
from contracts.proposals import HolidayScheduleRecorded
from eventstore.consumer import IdempotentConsumer
from eventstore.holiday_calendar import HolidayCalendarProjection, holiday_calendar_consumer, recorded_calendar
from eventstore.install import install
from eventstore.kafka_access import KafkaAccess
from eventstore.projection import replay_from_topics
from eventstore.relay import Relay
from eventstore.store import EventStore
from eventstore.unit_of_work import Tx, UnitOfWork
from eventstore.workdays import DEFAULT_CALENDAR, WorkCalendar
from tests.integration.kernel.sample_events import ctx
from yizheng.testing.wait import WaitUntil


def _days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(count)]


# County A's office records 2026, then corrects it (Oct 8 off as well, Sep 27 no longer worked), then 2027.
NATIONAL_DAY = HolidayScheduleRecorded(year=2026, days_off=_days(date(2026, 10, 1), 7),
                                       workdays=[date(2026, 9, 27), date(2026, 10, 10)], source="国办发明电〔2025〕1号")
NATIONAL_DAY_CORRECTED = HolidayScheduleRecorded(year=2026, days_off=_days(date(2026, 10, 1), 8),
                                                 workdays=[date(2026, 10, 10)], source="国办发明电〔2025〕2号")
NEXT_YEAR = HolidayScheduleRecorded(year=2027, days_off=[date(2027, 5, 6)])
# County B's office records a schedule of its own: a local day off on a Monday.
COUNTY_B = HolidayScheduleRecorded(year=2026, days_off=[date(2026, 6, 15)], workdays=[date(2026, 6, 13)])


@pytest_asyncio.fixture(loop_scope="session")
async def proposals_store(pg_pool: asyncpg.Pool, fresh_schema: str) -> AsyncIterator[EventStore]:
    await install(pg_pool, fresh_schema)
    s = EventStore(pg_pool, fresh_schema, "proposals")
    yield s
    await s.close()


async def _record_and_publish(store: EventStore, topic: str, bootstrap: KafkaAccess, wait_until: WaitUntil) -> None:
    await store.append("holidaySchedule-county-a", 0, [NATIONAL_DAY, NATIONAL_DAY_CORRECTED], ctx("county-a"))
    await store.append("holidaySchedule-county-b", 0, [COUNTY_B], ctx("county-b"))
    await store.append("holidaySchedule-county-a", 2, [NEXT_YEAR], ctx("county-a"))
    relay = Relay(store, topic, bootstrap)
    published = 0

    async def all_out() -> bool:
        nonlocal published
        published += await relay.publish_pending()
        return published >= 4

    try:
        await wait_until(all_out, message="the four schedules published")
    finally:
        await relay.stop()


def _consumer(store: EventStore, topic_prefix: str, bootstrap: KafkaAccess, projection: HolidayCalendarProjection,
              ) -> IdempotentConsumer:
    spec = holiday_calendar_consumer()
    assert spec.types is not None
    return IdempotentConsumer(f"{topic_prefix}surveys-{spec.name}", store.pool, store.schema, projection.apply,
                              topics=[f"{topic_prefix}{t}" for t in spec.topics], bootstrap=bootstrap,
                              types=set(spec.types))


async def test_the_kept_schedules_give_the_calendar_of_the_proposals_stream_and_survive_a_rebuild(
        proposals_store: EventStore, pg_pool: asyncpg.Pool, kafka_bootstrap: KafkaAccess, topic_prefix: str,
        wait_until: WaitUntil) -> None:
    spec = holiday_calendar_consumer()
    assert (spec.name, spec.topics, spec.types) == ("holiday-calendar", ("proposals.internal",),
                                                    frozenset({"holiday-schedule-recorded"}))
    projection = spec.make(proposals_store.schema)
    assert isinstance(projection, HolidayCalendarProjection)
    async with pg_pool.acquire() as conn:
        await projection.setup(conn)
    # Before anything is recorded: the holidays package's calendar.
    assert await recorded_calendar(proposals_store, "county-a") == DEFAULT_CALENDAR

    await _record_and_publish(proposals_store, f"{topic_prefix}proposals.internal", kafka_bootstrap, wait_until)
    consumer = _consumer(proposals_store, topic_prefix, kafka_bootstrap, projection)
    await consumer.start()
    try:
        await wait_until(lambda: consumer.handled == 4, message="the four schedules kept")
    finally:
        await consumer.stop()

    expected_a = WorkCalendar.from_events([NATIONAL_DAY, NATIONAL_DAY_CORRECTED, NEXT_YEAR])
    expected_b = WorkCalendar.from_events([COUNTY_B])
    calendar_a = await recorded_calendar(proposals_store, "county-a")
    assert calendar_a == expected_a
    assert await recorded_calendar(proposals_store, "county-b") == expected_b
    # The correction replaced the first record of 2026; each county sees only its own office's schedule.
    assert not calendar_a.is_working_day(date(2026, 10, 8))
    assert not calendar_a.is_working_day(date(2026, 9, 27))
    assert calendar_a.is_working_day(date(2026, 10, 10))
    assert not calendar_a.is_working_day(date(2027, 5, 6))
    assert calendar_a.is_working_day(date(2026, 6, 15))
    assert not expected_b.is_working_day(date(2026, 6, 15)) and expected_b.is_working_day(date(2026, 6, 13))

    # A rebuild from the topic's first offset gives the same calendars.
    await pg_pool.execute(f"DELETE FROM {projection.table} WHERE committee_id = 'county-a'")
    assert await recorded_calendar(proposals_store, "county-a") == DEFAULT_CALENDAR
    assert await replay_from_topics(_consumer(proposals_store, topic_prefix, kafka_bootstrap, projection),
                                    projection) == 4
    assert await recorded_calendar(proposals_store, "county-a") == expected_a
    assert await recorded_calendar(proposals_store, "county-b") == expected_b


async def test_a_unit_of_work_decides_on_the_kept_calendar_inside_its_transaction(
        proposals_store: EventStore, pg_pool: asyncpg.Pool) -> None:
    projection = HolidayCalendarProjection(proposals_store.schema)
    async with pg_pool.acquire() as conn:
        await projection.setup(conn)
        envelope = (await proposals_store.append("holidaySchedule-county-b", 0, [COUNTY_B], ctx("county-b")))
        stored = await proposals_store.read_stream(envelope.stream_id)
        async with conn.transaction():
            await projection.apply(conn, stored[0])
            await projection.apply(conn, stored[0])  # a redelivery keeps one row
    seen: list[WorkCalendar] = []

    async def work(tx: Tx) -> dict[str, Any]:
        seen.append(tx.calendar)
        return {}

    await UnitOfWork(proposals_store, calendar=recorded_calendar).run(ctx("county-b"), work)
    assert seen == [WorkCalendar.from_events([COUNTY_B])]
    assert await pg_pool.fetchval(f"SELECT count(*) FROM {projection.table}") == 1
