"""The surveys service counts working days on the calendar its office records in the proposals service: it
declares the kernel's holiday-calendar consumer (replayable as `surveys.holiday-calendar`) and reads its
deciders' calendar from it, instead of keeping a copy."""

from __future__ import annotations

from contracts import topics
from eventstore.holiday_calendar import recorded_calendar
from surveys.service import DEFINITION


def test_the_surveys_service_reads_the_recorded_holiday_schedules_of_the_proposals_topic() -> None:
    (calendar,) = [c for c in DEFINITION.consumers if c.name == "holiday-calendar"]
    assert calendar.topics == (topics.PROPOSALS,)
    assert calendar.types == frozenset({"holiday-schedule-recorded"})
    assert DEFINITION.calendar is recorded_calendar
