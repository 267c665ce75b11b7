"""Shared by every service's contracts: enums whose members carry a Chinese label (`label_zh`) for
clients, next to an English value for code."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class LabeledEnum(StrEnum):
    """A string enum declared as `name = ("value", "中文")`; the JSON value is the English one."""

    _label_zh: str

    def __new__(cls, value: str, label_zh: str = "") -> LabeledEnum:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj._label_zh = label_zh
        return obj

    @property
    def label_zh(self) -> str:
        return self._label_zh

    @classmethod
    def from_label(cls, text: str) -> Any:
        """The member whose value or Chinese label is `text` (roster files use either)."""
        wanted = text.strip()
        for member in cls:
            if wanted in (member.value, member.label_zh):
                return member
        raise ValueError(f"{wanted!r} is not a {cls.__name__}")

    @classmethod
    def labels_zh(cls) -> dict[str, str]:
        """value -> Chinese label, for every member."""
        return {m.value: m.label_zh for m in cls}

    labels = labels_zh
