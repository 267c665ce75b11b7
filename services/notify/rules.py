"""The rules kept as data (`rules/default.yaml`, and a committee's own `rules/<committee_id>.yaml`): for an
event type, who is told, by which template, in which category, at which urgency, on which channels; the
reminder ladder of each kind of task, with the channels of each of its steps; the notices timed from an
event's own schedule (check-in open, a lead time before a meeting starts); and the preferences of a person
who has chosen none (a committee may gather normal mail into a daily digest by default; `critical` always goes
at once)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from contracts.notify.reminders import StepKind
from contracts.notify.vocabulary import Category, ChannelName, Digest, Urgency
from contracts.sealed import seals
from notify.policy import DEFAULTS, Preferences

RULES_DIR = Path(__file__).parent / "rules"
SELECTORS = frozenset({"cosigners", "proposers", "units", "new_unit", "office", "supervising_leaders", "member",
                       "members"})
# The channels a ladder's step may name (webhook deliveries follow the endpoints registered per category); a
# step whose channels the ladder does not name goes on all three.
STEP_CHANNELS = (ChannelName.inbox, ChannelName.email, ChannelName.sms)
# A ladder's `channels` keys: each step kind, and `last_before` for the step nearest the deadline.
LAST_BEFORE = "last_before"
STEP_KEYS = frozenset({*(k.value for k in StepKind), LAST_BEFORE})


@dataclass(frozen=True)
class Rule:
    to: str
    template: str
    category: Category
    channels: tuple[ChannelName, ...]
    reason: str
    urgency: Urgency = Urgency.normal
    when: Mapping[str, Any] = field(default_factory=dict)  # the event's fields must have these values
    # The condition reads a value the event's contract seals (`contracts.sealed`): the notice's existence tells
    # it, so the rule addresses only readers who may read it, and its notices reach no webhook.
    sealed: bool = False

    def applies(self, data: Mapping[str, Any]) -> bool:
        return all(str(data.get(k)) == str(v) for k, v in self.when.items())


@dataclass(frozen=True)
class Ladder:
    before: tuple[int, ...]
    overdue: bool
    escalate_office_after: int | None
    escalate_leader_after: int | None
    category: Category
    template: str
    channels: Mapping[str, tuple[ChannelName, ...]] = field(default_factory=dict)  # STEP_KEYS -> channels

    def channels_of(self, kind: StepKind, days_before: int | None = None) -> tuple[ChannelName, ...]:
        """The channels of a step; the reminder `days_before` the deadline is the last one when no step of the
        ladder comes nearer (it takes `last_before` where the ladder names it)."""
        if kind is StepKind.before and self.before and days_before == min(self.before) \
                and LAST_BEFORE in self.channels:
            return self.channels[LAST_BEFORE]
        return self.channels.get(kind.value, STEP_CHANNELS)


@dataclass(frozen=True)
class TimedNotice:
    """A notice sent a lead time before a moment its subject's own schedule gives (a meeting's start), as a
    step of the reminders the worker sends; it lapses unsent once its subject is over."""

    lead_minutes: int
    template: str
    category: Category
    channels: tuple[ChannelName, ...]
    reason: str
    urgency: Urgency = Urgency.normal


@dataclass(frozen=True)
class Rulebook:
    rules: Mapping[str, tuple[Rule, ...]]
    ladders: Mapping[str, Ladder]
    preferences: Preferences = DEFAULTS  # for people who have set none
    timed: Mapping[str, TimedNotice] = field(default_factory=dict)  # by name, e.g. checkin-open

    def for_event(self, event_type: str) -> tuple[Rule, ...]:
        return self.rules.get(event_type, ())

    @property
    def event_types(self) -> frozenset[str]:
        return frozenset(self.rules)


def _rule(event_type: str, raw: Mapping[str, Any]) -> Rule:
    if raw["to"] not in SELECTORS:
        raise ValueError(f"rule for {raw['template']}: unknown recipients {raw['to']!r}")
    when = dict(raw.get("when") or {})
    read = [s for s in seals(event_type) if s.field in when]
    for seal in read:
        # Before the release only the office and the value's own member may read it (`to: member` names the
        # event's member_id).
        allowed = {"office", *(["member"] if seal.owner == "member_id" else [])}
        if raw["to"] not in allowed:
            raise ValueError(f"rule for {raw['template']} on {event_type}: its condition reads {seal.field}, "
                             f"sealed until {seal.until}; it may tell only {sorted(allowed)}, not {raw['to']!r} "
                             f"(a rule on {seal.until} tells the others once the value is released)")
    return Rule(raw["to"], raw["template"], Category(raw["category"]),
                tuple(ChannelName(c) for c in raw["channels"]), raw["reason"],
                Urgency(raw.get("urgency", "normal")), when, sealed=bool(read))


def _ladder(name: str, raw: Mapping[str, Any]) -> Ladder:
    return Ladder(tuple(sorted(raw["before"], reverse=True)), bool(raw["overdue"]), raw["escalate_office_after"],
                  raw["escalate_leader_after"], Category(raw["category"]), raw["template"],
                  _step_channels(name, raw.get("channels") or {}))


def _step_channels(ladder: str, raw: Mapping[str, Any]) -> dict[str, tuple[ChannelName, ...]]:
    unknown = sorted(set(raw) - STEP_KEYS)
    if unknown:
        raise ValueError(f"ladder {ladder}: channels for unknown steps {unknown} (steps: {sorted(STEP_KEYS)})")
    found: dict[str, tuple[ChannelName, ...]] = {}
    for step, names in raw.items():
        if not isinstance(names, list) or not names:
            raise ValueError(f"ladder {ladder}: the channels of step {step} must be a non-empty list")
        channels = tuple(dict.fromkeys(c for c in STEP_CHANNELS if c.value in names))
        if set(names) != {c.value for c in channels}:
            raise ValueError(f"ladder {ladder}: step {step} may use only inbox, email and sms, not {list(names)}")
        found[step] = channels
    return found


def _timed(name: str, raw: Mapping[str, Any]) -> TimedNotice:
    unknown = sorted(set(raw) - {"lead_minutes", "template", "category", "channels", "reason", "urgency"})
    if unknown:
        raise ValueError(f"timed notice {name}: unknown settings {unknown}")
    lead = raw["lead_minutes"]
    if not isinstance(lead, int) or isinstance(lead, bool) or not 0 <= lead <= 24 * 60:
        raise ValueError(f"timed notice {name}: lead_minutes must be whole minutes from 0 to 1440, not {lead!r}")
    return TimedNotice(lead, raw["template"], Category(raw["category"]), tuple(ChannelName(c) for c in raw["channels"]),
                       raw["reason"], Urgency(raw.get("urgency", "normal")))


def parse(raw: Mapping[str, Any], base: Rulebook | None = None) -> Rulebook:
    rules = dict(base.rules) if base else {}
    ladders = dict(base.ladders) if base else {}
    timed = dict(base.timed) if base else {}
    rules.update({t: tuple(_rule(t, r) for r in rs) for t, rs in (raw.get("rules") or {}).items()})
    ladders.update({n: _ladder(n, lad) for n, lad in (raw.get("ladders") or {}).items()})
    timed.update({n: _timed(n, t) for n, t in (raw.get("timed") or {}).items()})
    return Rulebook(rules, ladders, _preferences(raw.get("preferences"), base.preferences if base else DEFAULTS),
                    timed)


def _preferences(raw: Mapping[str, Any] | None, base: Preferences) -> Preferences:
    if not raw:
        return base
    unknown = set(raw) - {"digest", "digest_hour", "digest_weekday"}
    if unknown:
        raise ValueError(f"default preferences: unknown settings {sorted(unknown)}")
    return Preferences(base.categories, Digest(raw.get("digest", base.digest.value)),
                       int(raw.get("digest_hour", base.digest_hour)),
                       int(raw.get("digest_weekday", base.digest_weekday)),
                       base.quiet_from, base.quiet_until)


@lru_cache(maxsize=1)
def default_rulebook() -> Rulebook:
    return parse(yaml.safe_load((RULES_DIR / "default.yaml").read_text(encoding="utf-8")))


@lru_cache(maxsize=64)
def rulebook(committee_id: str) -> Rulebook:
    """The committee's rules: its own file over the default."""
    own = RULES_DIR / f"{committee_id}.yaml"
    if not own.is_file():
        return default_rulebook()
    return parse(yaml.safe_load(own.read_text(encoding="utf-8")), default_rulebook())
