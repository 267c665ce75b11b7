"""A started process's garbage collector: what it built to start is left out of every collection, collections
come less often, and one that holds the process long is reported."""

from __future__ import annotations

import gc
import logging
import weakref
from collections.abc import Iterator

import pytest

from runtime import collector


@pytest.fixture
def settled() -> Iterator[None]:
    thresholds = gc.get_threshold()
    collector.settle_after_start()
    try:
        yield
    finally:  # the rest of the test session collects as before
        gc.callbacks.remove(collector._timed)
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_what_the_process_built_to_start_is_frozen_out_of_collections(settled: None) -> None:
    assert gc.get_freeze_count() > 1000, "the modules and objects made before serving are frozen"
    assert gc.get_threshold() == collector.THRESHOLDS


def test_a_collection_that_holds_the_process_long_is_reported(
        settled: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(collector, "REPORTED_PAUSE_SECONDS", 0.0)  # every collection counts as long here
    with caplog.at_level(logging.WARNING, logger="runtime.collector"):
        gc.collect()
    assert any("garbage collection held the process" in r.getMessage() for r in caplog.records)


def test_a_short_collection_is_not_reported(settled: None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="runtime.collector"):
        gc.collect(0)
    assert not [r for r in caplog.records if r.name == "runtime.collector"]


class _Node:
    def __init__(self) -> None:
        self.other: object = self  # a cycle: only the cyclic collector frees it


def test_what_survives_a_full_collection_is_frozen_out_of_the_next(settled: None) -> None:
    kept = [[i] for i in range(20_000)]  # a warm cache (lists are always tracked; dicts of atoms are not)
    before = gc.get_freeze_count()
    gc.collect()
    assert gc.get_freeze_count() >= before + len(kept)
    assert gc.get_count()[0] < 700  # what the next collection walks starts afresh


def test_a_frozen_cycle_that_became_garbage_is_freed_by_the_next_thaw(settled: None) -> None:
    node = _Node()
    gone = weakref.ref(node)
    gc.collect()  # the node survives, so it is frozen
    del node  # now garbage, but in a cycle among frozen objects
    walked_without_thaw = collector.FULL_COLLECTIONS_PER_THAW - 2  # the collection above was one of the round
    for _ in range(walked_without_thaw):
        gc.collect()
        assert gone() is not None, "a full collection between thaws walks only what was promoted since"
    gc.collect()
    assert gone() is None, "every tenth full collection unfreezes and walks everything"
