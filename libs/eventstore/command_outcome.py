"""What a command handler returns: what it wrote, plus anything the caller should see (e.g. a number)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eventstore.append_result import AppendResult


@dataclass(frozen=True)
class CommandOutcome:
    written: AppendResult | None
    result: dict[str, Any] = field(default_factory=dict)

    def answer(self) -> dict[str, Any]:
        """The command API's answer (and the one an idempotency key replays)."""
        w = self.written
        return {
            "stream_id": w.stream_id if w else None,
            "stream_version": w.stream_version if w else None,
            "event_ids": [str(i) for i in w.event_ids] if w else [],
            "positions": w.positions if w else [],
            "checkpoint": {"tx_id": w.checkpoint.tx_id, "position": w.checkpoint.position} if w else None,
            "result": self.result,
        }
