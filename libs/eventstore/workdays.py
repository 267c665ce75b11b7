"""The Chinese working-day calendar, as a pure value.

A day is a working day unless it is a weekend day or a public holiday, with two corrections that only the
official schedule knows: bridged days off (调休放假) and weekend days worked to make up for them (调休上班).
Where a year's schedule comes from, in order of precedence:
1. an official schedule the office recorded (`holiday-schedule-recorded`), exactly as published;
2. the `holidays` package (`holidays.China`), which carries the State Council's schedules it knows
   (bridges and make-up workdays included) and, for later years, the statutory holidays by rule (moved to
   the next weekday when they fall on a weekend, no make-up workdays) — a best guess until the schedule is
   published, usually in November for the next year.

Every service counts working days with this one calendar (deadlines, reminders, rectification); where
the recorded schedules come from is the owning service's concern. Dates are China's (`contracts.clock`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays

from contracts.proposals import HolidayScheduleRecorded


@dataclass(frozen=True)
class OfficialSchedule:
    """One year's official schedule: days off and make-up working days."""

    year: int
    days_off: frozenset[date]
    workdays: frozenset[date] = frozenset()
    source: str = ""

    @classmethod
    def from_event(cls, event: HolidayScheduleRecorded) -> OfficialSchedule:
        return cls(event.year, frozenset(event.days_off), frozenset(event.workdays), event.source)


@lru_cache(maxsize=64)
def _package_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, make-up workdays) of `year` according to the holidays package."""
    china = holidays.China(years=year)
    days_off = frozenset(d for d in china if d.year == year)
    workdays = frozenset(d for d in china.weekend_workdays if d.year == year)
    return days_off, workdays


@lru_cache(maxsize=1)
def package_official_years() -> frozenset[int]:
    """Years whose official schedule the holidays package carries (from 2001 to the last it lists); later
    years are rule-based."""
    from holidays.countries.china import ChinaStaticHolidays

    listed = [int(y) for y in getattr(ChinaStaticHolidays, "special_public_holidays", {})]
    return frozenset(range(2001, max(listed) + 1)) if listed else frozenset()


@dataclass(frozen=True)
class WorkCalendar:
    """Working days under the recorded official schedules, falling back to the holidays package."""

    schedules: Mapping[int, OfficialSchedule] = field(default_factory=dict)

    @classmethod
    def from_events(cls, events: Iterable[HolidayScheduleRecorded], base: WorkCalendar | None = None) -> WorkCalendar:
        """The calendar after these events, in order (a later record of a year replaces an earlier one)."""
        calendar = base or cls()
        for event in events:
            calendar = calendar.with_schedule(OfficialSchedule.from_event(event))
        return calendar

    def with_schedule(self, schedule: OfficialSchedule) -> WorkCalendar:
        return WorkCalendar({**self.schedules, schedule.year: schedule})

    def basis(self, year: int) -> str:
        """Where the calendar of `year` comes from: recorded | package_official | rule_based."""
        if year in self.schedules:
            return "recorded"
        return "package_official" if year in package_official_years() else "rule_based"

    def is_working_day(self, day: date) -> bool:
        # A published schedule may name days of the adjacent year (a New Year bridge): explicit mentions win.
        for schedule in self._schedules_near(day):
            if day in schedule.workdays:
                return True
            if day in schedule.days_off:
                return False
        weekend = day.weekday() >= 5
        if day.year in self.schedules:
            return not weekend
        days_off, workdays = _package_year(day.year)
        if day in workdays:
            return True
        return not weekend and day not in days_off

    def _schedules_near(self, day: date) -> list[OfficialSchedule]:
        return [s for y in (day.year, day.year + 1, day.year - 1) if (s := self.schedules.get(y)) is not None]

    def next_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (`day` itself not counted)."""
        if count < 0:
            raise ValueError("count must not be negative")
        while count:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]."""
        days, day = 0, start
        while day < end:
            day += timedelta(days=1)
            days += self.is_working_day(day)
        return days


DEFAULT_CALENDAR = WorkCalendar()
