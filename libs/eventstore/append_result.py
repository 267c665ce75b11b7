"""Where an append landed and a place in a store's reading order: the values the store and its group commit
both hand back, kept apart from either so neither imports the other."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, order=True)
class Checkpoint:
    """A place in a store's reading order."""

    tx_id: int
    position: int

    @classmethod
    def zero(cls) -> Checkpoint:
        return cls(0, 0)


@dataclass(frozen=True)
class AppendResult:
    stream_id: str
    stream_version: int
    event_ids: list[UUID]
    positions: list[int]
    checkpoint: Checkpoint

    @property
    def position(self) -> int:
        return self.positions[-1] if self.positions else 0
