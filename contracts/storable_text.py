"""Text PostgreSQL cannot store. Its text and jsonb types reject the NUL character (U+0000), so a payload
holding one would fail only at the database: named here, at validation, instead."""

from __future__ import annotations

from typing import Any

NUL_IN_JSON = "\\u0000"  # how JSON text carries U+0000: a cheap first check before walking a payload
NUL_PROBLEM = "contains a NUL character (U+0000), which cannot be stored"


def nul_paths(value: Any, path: str = "") -> list[str]:
    """Dotted paths of the strings (keys included) in a JSON-ready value that contain U+0000."""
    found: list[str] = []
    if isinstance(value, str):
        if "\x00" in value:
            found.append(path or "(value)")
    elif isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                found.append(here)
            found += nul_paths(item, here)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found += nul_paths(item, f"{path}.{index}" if path else str(index))
    return found
