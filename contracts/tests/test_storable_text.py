"""contracts.storable_text: what PostgreSQL and UTF-8 cannot hold, found by path (the kernel's command API and
the event registry use `nul_paths`)."""

from __future__ import annotations

from contracts.storable_text import (
    LONE_SURROGATE_PROBLEM,
    NUL_PROBLEM,
    has_lone_surrogate,
    nul_paths,
    text_problem,
    unstorable_paths,
)


def test_text_problem_names_nul_and_lone_surrogates() -> None:
    assert text_problem("政协 ok 😀") is None
    assert text_problem("a\x00b") == NUL_PROBLEM
    assert text_problem("a\ud800") == LONE_SURROGATE_PROBLEM
    assert text_problem("\udfff") == LONE_SURROGATE_PROBLEM
    assert not has_lone_surrogate("😀") and has_lone_surrogate("\ud83d")
    assert "U+0000" in NUL_PROBLEM and "U+D800" in LONE_SURROGATE_PROBLEM


def test_nul_paths_walks_keys_lists_and_nesting_as_before() -> None:
    value = {"title": "a\x00", "ok": "fine", "list": ["x", "y\x00", {"k\x00": "v", "deep": ["\x00"]}],
             "surrogate": "\ud800", 3: 4}
    assert nul_paths(value) == ["title", "list.1", "list.2.k\x00", "list.2.deep.0"]
    assert nul_paths("\x00") == ["(value)"] and nul_paths(["a", ("\x00",)]) == ["1.0"]
    assert nul_paths({"a": 1, "b": [None, True]}) == []


def test_unstorable_paths_names_each_problem() -> None:
    value = {"title": "a\x00", "body": ["ok", "b\udc00"], "k\ud800": ""}
    assert unstorable_paths(value) == [("title", NUL_PROBLEM), ("body.1", LONE_SURROGATE_PROBLEM),
                                       ("k\ud800", LONE_SURROGATE_PROBLEM)]
