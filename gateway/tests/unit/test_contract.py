"""The schema is a contract: the checked-in SDL must be the live schema, and the breaking-change checker finds
a break and honours its marker. (That no break is unmarked against the committed SDL, read with `git show`:
gateway/tests/integration/test_contract_breaking_changes.py.)"""

from __future__ import annotations

from gateway import sdl


def test_the_checked_in_sdl_is_the_live_schema() -> None:
    live = sdl.live_sdl()
    assert sdl.SDL_PATH.read_text(encoding="utf-8") == live, (
        "gateway/schema.graphql is stale: run `python -m gateway.sdl export`")


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
