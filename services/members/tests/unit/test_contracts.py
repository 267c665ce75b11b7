"""The members service's public contracts: every event on members.events is free of personal contact
data, and every enum carries its Chinese label."""

from __future__ import annotations

import re

from contracts import REGISTRY
from contracts.labels import LabeledEnum
from contracts.members import enums
from contracts.topics import MEMBERS
from members.scoring.rulebook import default_rulebook

PERSONAL = re.compile(r"phone|mobile|id_number|idcard|address|email|wechat", re.IGNORECASE)
BRIEFED = {
    "member-registered", "member-updated", "member-status-changed", "organization-registered", "unit-registered",
    "unit-staff-added", "liaison-contact-added", "meeting-scheduled", "meeting-invitation-sent", "leave-requested",
    "leave-decided", "meeting-attendance-recorded", "visit-logged", "visit-plan-set", "training-recorded",
    "charity-recorded", "award-granted", "rulebook-published", "duty-points-awarded", "member-flagged",
    "member-graded", "year-rescored"}


def _fields(model: type, seen: set[type] | None = None) -> set[str]:
    seen = seen or set()
    names: set[str] = set()
    for name, info in getattr(model, "model_fields", {}).items():
        names.add(name)
        for arg in [info.annotation, *getattr(info.annotation, "__args__", ())]:
            if isinstance(arg, type) and hasattr(arg, "model_fields") and arg not in seen:
                seen.add(arg)
                names |= _fields(arg, seen)
    return names


def test_every_briefed_event_is_on_the_members_topic() -> None:
    assert BRIEFED <= set(REGISTRY.topics()[MEMBERS])
    assert REGISTRY.current_version("member-registered") == 2


def test_no_public_event_has_a_field_for_personal_contact_data() -> None:
    for name in REGISTRY.topics()[MEMBERS]:
        leaked = {f for f in _fields(REGISTRY.model(name)) if PERSONAL.search(f)}
        assert not leaked, f"{name} carries {leaked}"


def test_every_enum_value_has_a_chinese_label() -> None:
    for value in vars(enums).values():
        if isinstance(value, type) and issubclass(value, LabeledEnum) and value is not LabeledEnum:
            assert all(m.label_zh and not m.label_zh.isascii() for m in value), value.__name__


def test_the_default_rulebook_names_its_sources_and_validates() -> None:
    rulebook = default_rulebook(2026)
    assert rulebook.year == 2026 and rulebook.base_points == 70 and len(rulebook.sources) >= 5
    assert [b.grade.label_zh for b in rulebook.grades] == ["优秀", "良好", "称职", "不称职"]
