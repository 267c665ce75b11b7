"""Drain measurements: one round of a kernel part or its baseline draining messages, and alternating rounds of
the two compared by their medians (the relay and consumer figures of the kernel bench)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else 0.0


@dataclass
class DrainWindow:
    events: int
    seconds: float
    events_per_s: float
    batch_size: int
    cpu: dict[str, Any] = field(default_factory=dict)


@dataclass
class DrainComparison:
    """Alternating rounds of a kernel part and its baseline draining the same messages."""

    kernel: list[DrainWindow]
    baseline: list[DrainWindow]

    @property
    def kernel_per_s(self) -> float:  # median over the rounds
        return _median([w.events_per_s for w in self.kernel])

    @property
    def baseline_per_s(self) -> float:
        return _median([w.events_per_s for w in self.baseline])

    @property
    def ratio(self) -> float:  # median of the per-round ratios
        return _median([k.events_per_s / b.events_per_s for k, b in zip(self.kernel, self.baseline, strict=True)])

    def as_dict(self, kernel: str, baseline: str) -> dict[str, Any]:
        """Under the JSON document's names for the two sides (e.g. relay / aiokafka)."""
        return {f"{kernel}_events_per_s": self.kernel_per_s, f"{baseline}_events_per_s": self.baseline_per_s,
                "ratio": self.ratio, f"{kernel}_rounds": [asdict(w) for w in self.kernel],
                f"{baseline}_rounds": [asdict(w) for w in self.baseline]}
