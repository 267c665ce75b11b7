"""What a view's handlers write through: `execute` only (no handler reads), so the statements of a batch of
events can be held per view and sent at the end of the batch, consecutive runs of one statement as one
pipelined `executemany` (one round trip for the run instead of one per statement).

Holding them is safe because the views' tables are disjoint and no handler reads: each view's statements are
sent in the order its handlers made them, so every view ends in the state applying the events one by one would
leave it in (`gateway/tests/unit/test_view_statements.py` checks both conditions for every view). A statement
that fails raises from the flush, inside the batch's transaction, which the consumer then splits as for any
failure, down to the one event that cannot be applied."""

from __future__ import annotations

from typing import Any, Protocol

import asyncpg


class Statements(Protocol):
    """What a view handler may do with its connection."""

    async def execute(self, query: str, *args: Any) -> Any: ...


class HeldStatements:
    """One view's statements of one batch, in order, sent by `flush`."""

    def __init__(self) -> None:
        self._runs: list[tuple[str, list[tuple[Any, ...]]]] = []
        self.held = 0

    async def execute(self, query: str, *args: Any) -> None:
        if self._runs and self._runs[-1][0] == query:
            self._runs[-1][1].append(args)
        else:
            self._runs.append((query, [args]))
        self.held += 1

    async def flush(self, conn: asyncpg.Connection) -> int:
        """Send what is held, in order; returns the number of round trips it took."""
        runs, self._runs, self.held = self._runs, [], 0
        for query, rows in runs:
            if len(rows) == 1:
                await conn.execute(query, *rows[0])
            else:
                await conn.executemany(query, rows)
        return len(runs)
