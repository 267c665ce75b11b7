"""The schema is a contract: a change that breaks existing clients must be marked in BREAKING_CHANGES.md,
against the checked-in SDL and the SDL committed at YIZHENG_SCHEMA_BASE (a git ref, read with `git show` in a
subprocess; default HEAD). (The checker itself: gateway/tests/unit/test_contract.py.)"""

from __future__ import annotations

import os

from gateway import sdl


def test_no_breaking_change_is_unmarked() -> None:
    live = sdl.live_sdl()
    for old in (sdl.SDL_PATH.read_text(encoding="utf-8"), sdl.base_sdl(os.environ.get("YIZHENG_SCHEMA_BASE", "HEAD"))):
        if old is None:
            continue
        missing = sdl.unmarked(sdl.breaking_changes(old, live), sdl.marker_text())
        assert missing == [], f"breaking changes not listed in gateway/BREAKING_CHANGES.md: {missing}"
