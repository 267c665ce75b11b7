"""The working-day calendar: the State Council's official holiday schedule for a year, once published."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from contracts import topics
from contracts.registry import DomainEvent, event_type


@event_type("holiday-schedule-recorded", version=1, topic=topics.PROPOSALS)
class HolidayScheduleRecorded(DomainEvent):
    """The official schedule (国务院办公厅关于部分节假日安排的通知) for `year`: the days off (holidays and
    bridged days) and the make-up working days on weekends (调休上班). Replaces any earlier record of the
    same year and the rule-based calendar for it."""

    year: int
    days_off: list[date]
    workdays: list[date] = Field(default_factory=list)
    source: str = Field(default="", description="the notice's reference, e.g. 国办发明电〔2026〕7号")
