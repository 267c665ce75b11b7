"""A command sent with an idempotency key, recorded with its answer in the transaction that writes its events.

The unit of work inserts the key, the request's digest and the answer as the last statement of the command's
transaction. Two attempts with one key cannot both commit: the second's insert waits on the first's key and
then finds it taken (`KeyTaken`), which rolls back everything the second wrote. There is no moment at which the
events are committed and the answer is not: a crash loses both or neither, so a retry either replays the answer
or acts for the first time. One commit per command, where a claim before and an answer after took three."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import asyncpg

from eventstore.command_outcome import CommandOutcome


class KeyTaken(Exception):
    """Another attempt with this key committed first (or, from before this record, still holds its claim)."""


@dataclass(eq=False)  # one per request, hashed by identity (a command context holding it is hashed)
class IdempotentRequest:
    table: str  # the service's `<schema>.idempotency`
    key: str  # scoped to committee and actor
    command: str
    digest: bytes  # of the command's name and body: the same key with another request is refused
    # The committed answer as recorded, in JSON: text, since a handler may go on to change the outcome it returns.
    answer: str | None = field(default=None, init=False)
    _pending: str | None = field(default=None, init=False, repr=False)

    async def record(self, conn: asyncpg.Connection, outcome: CommandOutcome) -> None:
        """In the command's transaction, after its appends: the key with the answer, or `KeyTaken`. A handler
        that runs a second unit of work after its first recorded keeps the first record (the command API then
        stores the handler's final answer)."""
        if self.answer is not None:
            return
        answer = json.dumps(outcome.answer())
        inserted = await conn.fetchval(
            f"INSERT INTO {self.table} (key, command, request, response) VALUES ($1, $2, $3, $4::text::jsonb) "
            "ON CONFLICT (key) DO NOTHING RETURNING true", self.key, self.command, self.digest, answer)
        if inserted is None:
            raise KeyTaken(self.key)
        self._pending = answer

    def committed(self) -> None:
        """The transaction that recorded the answer committed (one rolled back leaves nothing recorded)."""
        if self._pending is not None and self.answer is None:
            self.answer = self._pending
        self._pending = None

    def rolled_back(self) -> None:
        self._pending = None
