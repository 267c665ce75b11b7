"""The working-day calendar: the State Council's official holiday schedule for a year, once published."""

from __future__ import annotations

from pydantic import Field

from contracts import topics
from contracts.bounded import RecordedShortText, RecordedYear, RecordedYearDays
from contracts.registry import DomainEvent, event_type


@event_type("holiday-schedule-recorded", version=1, topic=topics.PROPOSALS)
class HolidayScheduleRecorded(DomainEvent):
    """The official schedule (国务院办公厅关于部分节假日安排的通知) for `year`: the days off (holidays and
    bridged days) and the make-up working days on weekends (调休上班). Replaces any earlier record of the
    same year and the rule-based calendar for it."""

    year: RecordedYear
    days_off: RecordedYearDays
    workdays: RecordedYearDays = Field(default_factory=list)
    source: RecordedShortText = Field(default="", description="the notice's reference, e.g. 国办发明电〔2026〕7号")
