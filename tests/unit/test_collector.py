"""A started process's garbage collector: what it built to start is left out of every collection, collections
come less often, and one that holds the process long is reported."""

from __future__ import annotations

import gc
import logging
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
