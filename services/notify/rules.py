"""The rules kept as data (`rules/default.yaml`, and a committee's own `rules/<committee_id>.yaml`): for an
event type, who is told, by which template, in which category, at which urgency, on which channels; and the
reminder ladder of each kind of task."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from contracts.notify.vocabulary import Category, ChannelName, Urgency

RULES_DIR = Path(__file__).parent / "rules"
SELECTORS = frozenset({"cosigners", "proposers", "units", "new_unit", "office", "supervising_leaders", "member",
                       "members"})


@dataclass(frozen=True)
class Rule:
    to: str
    template: str
    category: Category
    channels: tuple[ChannelName, ...]
    reason: str
    urgency: Urgency = Urgency.normal
    when: Mapping[str, Any] = field(default_factory=dict)  # the event's fields must have these values

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


@dataclass(frozen=True)
class Rulebook:
    rules: Mapping[str, tuple[Rule, ...]]
    ladders: Mapping[str, Ladder]

    def for_event(self, event_type: str) -> tuple[Rule, ...]:
        return self.rules.get(event_type, ())

    @property
    def event_types(self) -> frozenset[str]:
        return frozenset(self.rules)


def _rule(raw: Mapping[str, Any]) -> Rule:
    if raw["to"] not in SELECTORS:
        raise ValueError(f"rule for {raw['template']}: unknown recipients {raw['to']!r}")
    return Rule(raw["to"], raw["template"], Category(raw["category"]),
                tuple(ChannelName(c) for c in raw["channels"]), raw["reason"],
                Urgency(raw.get("urgency", "normal")), dict(raw.get("when") or {}))


def _ladder(raw: Mapping[str, Any]) -> Ladder:
    return Ladder(tuple(sorted(raw["before"], reverse=True)), bool(raw["overdue"]), raw["escalate_office_after"],
                  raw["escalate_leader_after"], Category(raw["category"]), raw["template"])


def parse(raw: Mapping[str, Any], base: Rulebook | None = None) -> Rulebook:
    rules = dict(base.rules) if base else {}
    ladders = dict(base.ladders) if base else {}
    rules.update({t: tuple(_rule(r) for r in rs) for t, rs in (raw.get("rules") or {}).items()})
    ladders.update({n: _ladder(lad) for n, lad in (raw.get("ladders") or {}).items()})
    return Rulebook(rules, ladders)


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
