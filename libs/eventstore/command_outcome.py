"""What a command handler returns: what it wrote, plus anything the caller should see (e.g. a number)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eventstore.store import AppendResult


@dataclass(frozen=True)
class CommandOutcome:
    written: AppendResult | None
    result: dict[str, Any] = field(default_factory=dict)
