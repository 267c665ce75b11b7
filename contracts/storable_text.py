"""Text PostgreSQL cannot store. Its text and jsonb types reject the NUL character (U+0000), and UTF-8 (which
both the database and Kafka carry) has no encoding for a lone surrogate (U+D800–U+DFFF, half of a UTF-16
pair): a payload holding either would fail only at the database or the encoder: named here, at validation,
instead. `contracts.bounded` refuses both in every text field of every command and event."""

from __future__ import annotations

import re
from typing import Any

NUL_IN_JSON = "\\u0000"  # how JSON text carries U+0000: a cheap first check before walking a payload
NUL_PROBLEM = "contains a NUL character (U+0000), which cannot be stored"
LONE_SURROGATE_PROBLEM = ("contains a lone surrogate (U+D800–U+DFFF), which is not a Unicode character "
                          "and cannot be stored")

# In a Python str a properly paired astral character is one code point, so any code point in this range is
# a lone half of a UTF-16 pair.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def has_nul(text: str) -> bool:
    return "\x00" in text


def has_lone_surrogate(text: str) -> bool:
    return not text.isascii() and _LONE_SURROGATE.search(text) is not None


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored (NUL_PROBLEM or LONE_SURROGATE_PROBLEM), or None when it can."""
    if has_nul(text):
        return NUL_PROBLEM
    if has_lone_surrogate(text):
        return LONE_SURROGATE_PROBLEM
    return None


def nul_paths(value: Any, path: str = "") -> list[str]:
    """Dotted paths of the strings (keys included) in a JSON-ready value that contain U+0000."""
    return [p for p, problem in unstorable_paths(value, path) if problem == NUL_PROBLEM]


def unstorable_paths(value: Any, path: str = "") -> list[tuple[str, str]]:
    """(dotted path, problem) of each string (keys included) in a JSON-ready value that cannot be stored."""
    found: list[tuple[str, str]] = []
    if isinstance(value, str):
        if (problem := text_problem(value)) is not None:
            found.append((path or "(value)", problem))
    elif isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if (problem := text_problem(str(key))) is not None:
                found.append((here, problem))
            found += unstorable_paths(item, here)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found += unstorable_paths(item, f"{path}.{index}" if path else str(index))
    return found
