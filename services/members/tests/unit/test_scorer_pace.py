"""The scorer sizes its batches by the recent pace, so a slow stretch keeps each transaction short (the relays
see nothing newer than the oldest open transaction); without a time budget, batches are sized by count alone."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from members.scoring import scorer as scorer_module
from members.scoring.scorer import Scorer


def _scorer_over_a_queue(monkeypatch: pytest.MonkeyPatch, queued: int, seconds_per_member: float,
                         **options: Any) -> tuple[Scorer, list[int]]:
    """A scorer whose every scored member-year takes `seconds_per_member` on a fake clock; returns the
    scorer and the batch sizes it asks for, in order."""
    clock = [0.0]
    monkeypatch.setattr(scorer_module.time, "perf_counter", lambda: clock[0])
    scorer = Scorer(SimpleNamespace(channel="c"), SimpleNamespace(channel="c"), **options)  # type: ignore[arg-type]
    asked: list[int] = []
    left = [queued]

    async def score_rows(size: int) -> int:
        asked.append(size)
        taken = min(size, left[0])
        left[0] -= taken
        clock[0] += taken * seconds_per_member
        return taken

    monkeypatch.setattr(scorer, "_score_rows", score_rows)
    return scorer, asked


async def test_after_a_slow_batch_the_scorer_takes_smaller_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer, asked = _scorer_over_a_queue(monkeypatch, 60, seconds_per_member=0.0045, batch_size=50,
                                         max_batch_seconds=0.02)
    assert await scorer.run_pending() == 60
    assert asked[:3] == [50, 4, 4], "the first batch is sized by count, the next by 0.02 s at 4.5 ms a member"


async def test_without_a_time_budget_every_batch_is_sized_by_count(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer, asked = _scorer_over_a_queue(monkeypatch, 120, seconds_per_member=0.5, batch_size=50,
                                         max_batch_seconds=None)
    assert await scorer.run_pending() == 120
    assert asked == [50, 50, 50, 50], "50, 50 and 20 taken, then a look at the empty queue"


def test_a_budget_of_no_time_is_refused() -> None:
    with pytest.raises(ValueError, match="max_batch_seconds must be positive"):
        Scorer(SimpleNamespace(channel="c"), SimpleNamespace(channel="c"), max_batch_seconds=0)  # type: ignore[arg-type]
