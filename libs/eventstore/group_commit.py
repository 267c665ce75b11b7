"""Group commit: appends that arrive while others are being written travel to the database together, in
one transaction and one round trip, each keeping its own expected-version check. Under concurrency this
shares the commit's flush and the round trip among writers (as pgbench's clients share a WAL flush). An
append still returns only once it is durable.

Appends queue; up to `lanes` writer tasks drain the queue, each on one pooled connection that it keeps
while there is work and returns as soon as the queue is empty (holding it saves a pool acquire and release
per batch, which cost as much as the batch's own round trip)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Protocol
from uuid import UUID

import asyncpg

from eventstore.append_result import AppendResult, Checkpoint
from eventstore.errors import ConcurrencyError, TransactionOrderConflict


class AppendTarget(Protocol):
    """What group commit needs of the store it writes for."""

    pool: asyncpg.Pool
    schema: str
    ORDER_RETRIES: int

    def wake_readers(self) -> None: ...

# A batch fails as a whole when a concurrent writer got in between its checks and its inserts, or when one
# append carries data PostgreSQL refuses; then each append goes again on its own, so only the loser (or
# the bad one) fails.
_CLAIMED_FIRST = (asyncpg.UniqueViolationError, asyncpg.DeadlockDetectedError)
_RESEND_ALONE = (*_CLAIMED_FIRST, asyncpg.DataError)


@dataclass
class _Pending:
    stream_id: str
    expected: int
    ids: list[UUID]
    events_json: str
    done: asyncio.Future[AppendResult] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    attempts: int = 0
    alone: bool = False  # resent on its own after its batch failed as a whole

    def item_json(self) -> str:
        # events_json is already JSON: splice it in rather than parse and re-encode it.
        return f'{{"stream":{json.dumps(self.stream_id)},"expected":{self.expected},"events":{self.events_json}}}'


class GroupCommit:
    MAX_BATCH = 64

    def __init__(self, store: AppendTarget, *, lanes: int = 2) -> None:
        self.store = store
        self.lanes = lanes
        self._queue: list[_Pending] = []
        self._running = 0
        self._tasks: set[asyncio.Task[None]] = set()  # the loop keeps only weak references to tasks
        self.shared_commits = 0  # appends that travelled with others (for tests and metrics)
        self.resent_alone = 0  # appends resent on their own after their batch failed as a whole

    async def append(self, stream_id: str, expected: int, ids: list[UUID], events_json: str) -> AppendResult:
        item = _Pending(stream_id, expected, ids, events_json)
        self._queue.append(item)
        self._open_lane()
        return await item.done

    def _open_lane(self) -> None:
        if self._queue and self._running < self.lanes:
            self._running += 1
            task = asyncio.get_running_loop().create_task(self._lane())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _lane(self) -> None:
        try:
            try:
                conn = await self.store.pool.acquire()
            except BaseException as err:  # no connection to be had: everyone waiting hears why
                self._fail(self._queue, err)
                self._queue = []
                raise
            try:
                await self._drain(conn)
            finally:
                await self.store.pool.release(conn)
        except Exception:  # already handed to the waiters
            pass
        finally:
            self._running -= 1
            self._open_lane()  # what a failed lane left behind gets a fresh connection

    async def _drain(self, conn: asyncpg.Connection) -> None:
        while self._queue:
            batch = self._take()
            try:
                await self._write(conn, batch)
            except _RESEND_ALONE as err:
                self._split(batch, err)
            except BaseException as err:  # the connection or server failed: the batch's writers hear it
                self._fail(batch, err)
                raise
            # Let the writers just answered queue their next appends, so they join this lane's next batch
            # rather than finding it gone.
            await asyncio.sleep(0)

    def _take(self) -> list[_Pending]:
        # An item resent after its batch failed travels alone, so its own refusal is all it can meet.
        if self._queue[0].alone:
            return [self._queue.pop(0)]
        size = next((i for i, item in enumerate(self._queue[:self.MAX_BATCH]) if item.alone),
                    min(len(self._queue), self.MAX_BATCH))
        batch, self._queue = self._queue[:size], self._queue[size:]
        return batch

    async def _write(self, conn: asyncpg.Connection, batch: list[_Pending]) -> None:
        items = ",".join(item.item_json() for item in batch)
        rows = await conn.fetch(f"SELECT * FROM {self.store.schema}.append_batch($1::text::jsonb)", f"[{items}]")
        self.store.wake_readers()
        if len(batch) > 1:
            self.shared_commits += len(batch)
        by_item: dict[int, list[asyncpg.Record]] = {}
        for row in rows:
            by_item.setdefault(row["out_item"], []).append(row)
        for index, item in enumerate(batch):
            self._settle(item, by_item.get(index, []))

    def _split(self, batch: list[_Pending], err: asyncpg.PostgresError) -> None:
        batch = [item for item in batch if not item.done.done()]
        if len(batch) == 1:
            item = batch[0]
            item.done.set_exception(
                ConcurrencyError(item.stream_id, item.expected, "another writer appended first")
                if isinstance(err, _CLAIMED_FIRST) else err)
            return
        self.resent_alone += len(batch)
        for item in reversed(batch):
            item.alone = True
            self._queue.insert(0, item)

    def _fail(self, batch: list[_Pending], err: BaseException) -> None:
        for item in batch:
            if not item.done.done():
                item.done.set_exception(err)

    def _settle(self, item: _Pending, rows: list[asyncpg.Record]) -> None:

        if item.done.done():  # its writer was cancelled while the batch was on its way; the others still hear
            return
        if rows and rows[0]["out_error"] is not None:
            code, detail = rows[0]["out_error"], rows[0]["out_detail"]
            if code == "YZ002":
                self._retry(item)
            else:
                item.done.set_exception(ConcurrencyError(item.stream_id, item.expected,
                                                         f"the stream is at version {detail}"))
            return
        if not rows:
            item.done.set_result(AppendResult(item.stream_id, item.expected, [], [], Checkpoint.zero()))
            return
        last = rows[-1]
        item.done.set_result(AppendResult(item.stream_id, last["out_version"], item.ids,
                                          [r["out_position"] for r in rows],
                                          Checkpoint(last["out_tx"], last["out_position"])))

    def _retry(self, item: _Pending) -> None:
        item.attempts += 1
        if item.attempts > self.store.ORDER_RETRIES:
            item.done.set_exception(TransactionOrderConflict(item.stream_id, item.expected,
                                                             "transaction order kept conflicting"))
            return
        self._queue.append(item)
