"""A person's preferences applied to one notification, as pure functions: which channels it travels on,
and when each delivery may go out (now, after quiet hours, or in the next digest). `critical` bypasses
digests and quiet hours."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from contracts.clock import CHINA_TZ, aware
from contracts.notify.vocabulary import ChannelName, Digest, Urgency


@dataclass(frozen=True)
class Preferences:
    categories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # category -> channels chosen
    digest: Digest = Digest.none
    digest_hour: int = 18
    digest_weekday: int = 4
    quiet_from: int | None = None  # minutes of the day, Asia/Shanghai
    quiet_until: int | None = None


DEFAULTS = Preferences()


def channels(rule_channels: Sequence[ChannelName], prefs: Preferences, category: str) -> list[ChannelName]:
    """The rule's channels the person keeps for the category; the inbox is always kept."""
    chosen = prefs.categories.get(category)
    kept = [c for c in rule_channels if chosen is None or c.value in chosen or c is ChannelName.inbox]
    return kept if ChannelName.inbox in kept else [ChannelName.inbox, *kept]


def in_quiet_hours(prefs: Preferences, moment: datetime) -> bool:
    if prefs.quiet_from is None or prefs.quiet_until is None:
        return False
    local = aware(moment).astimezone(CHINA_TZ)
    minute = local.hour * 60 + local.minute
    start, end = prefs.quiet_from, prefs.quiet_until
    return start <= minute < end if start <= end else minute >= start or minute < end  # across midnight


def quiet_end(prefs: Preferences, moment: datetime) -> datetime:
    """The first instant after `moment` outside quiet hours."""
    assert prefs.quiet_until is not None
    local = aware(moment).astimezone(CHINA_TZ)
    end = local.replace(hour=prefs.quiet_until // 60, minute=prefs.quiet_until % 60, second=0, microsecond=0)
    return end if end > local else end + timedelta(days=1)


def next_digest(prefs: Preferences, moment: datetime) -> datetime:
    """When the digest gathering a notification created at `moment` goes out."""
    local = aware(moment).astimezone(CHINA_TZ)
    at = local.replace(hour=prefs.digest_hour, minute=0, second=0, microsecond=0)
    if prefs.digest is Digest.weekly:
        at += timedelta(days=(prefs.digest_weekday - at.weekday()) % 7)
        return at if at > local else at + timedelta(days=7)
    return at if at > local else at + timedelta(days=1)


def when(prefs: Preferences, urgency: Urgency, moment: datetime) -> tuple[str, datetime]:
    """(status, not_before) of a mail or SMS delivery: `pending` to go out at not_before, or `digest`."""
    if urgency is Urgency.critical:
        return "pending", moment
    if prefs.digest is not Digest.none:
        return "digest", next_digest(prefs, moment)
    if in_quiet_hours(prefs, moment):
        return "pending", quiet_end(prefs, moment)
    return "pending", moment
