"""The schema is a contract: the checked-in SDL must be the live schema, and a change that breaks existing
clients must be marked in BREAKING_CHANGES.md (YIZHENG_SCHEMA_BASE names the git ref to compare with;
default HEAD)."""

from __future__ import annotations

import os

from gateway import sdl


def test_the_checked_in_sdl_is_the_live_schema() -> None:
    live = sdl.live_sdl()
    assert sdl.SDL_PATH.read_text(encoding="utf-8") == live, (
        "gateway/schema.graphql is stale: run `python -m gateway.sdl export`")


def test_no_breaking_change_is_unmarked() -> None:
    live = sdl.live_sdl()
    for old in (sdl.SDL_PATH.read_text(encoding="utf-8"), sdl.base_sdl(os.environ.get("YIZHENG_SCHEMA_BASE", "HEAD"))):
        if old is None:
            continue
        missing = sdl.unmarked(sdl.breaking_changes(old, live), sdl.marker_text())
        assert missing == [], f"breaking changes not listed in gateway/BREAKING_CHANGES.md: {missing}"


def test_the_checker_finds_a_break_and_honours_its_marker() -> None:
    live = sdl.live_sdl()
    start = live.index("type UnitOverdue {")
    block = live[start:live.index("}", start)]
    removed = live.replace(block, block.replace("  count: Int!\n", "", 1), 1)
    assert removed != live
    breaks = sdl.breaking_changes(live, removed)
    assert breaks == ["FIELD_REMOVED: Field UnitOverdue.count was removed."]
    assert sdl.unmarked(breaks, "") == breaks
    marker = "- 2026-01-01 — FIELD_REMOVED: Field UnitOverdue.count was removed. — clients count the items\n"
    assert sdl.unmarked(breaks, marker) == []
    added = live.replace("type Oversight {\n", "type Oversight {\n  extra: Int\n", 1)
    assert sdl.breaking_changes(live, added) == []  # adding is not breaking
