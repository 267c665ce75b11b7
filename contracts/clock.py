"""The committee's clock: dates are China's (Asia/Shanghai, UTC+8, no daylight saving).

One rule for every service, view and tool: an instant without a time zone is UTC (what PostgreSQL's
`timestamptz` and the services' clocks produce), never the machine's local time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

CHINA_TZ = ZoneInfo("Asia/Shanghai")


def aware(moment: datetime) -> datetime:
    """`moment` with a time zone; a naive one is taken as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def local_date(moment: datetime) -> date:
    """The date in China at instant `moment`."""
    return aware(moment).astimezone(CHINA_TZ).date()


def at_local(day: date, hour: int, minute: int = 0) -> datetime:
    """The instant of `hour:minute` on `day` in China."""
    return datetime.combine(day, time(hour, minute), CHINA_TZ)


def utc_now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today in China."""
    return local_date(utc_now())
