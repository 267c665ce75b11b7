"""Group commit: appends that arrive while others are being written travel to the database together, in
one transaction and one round trip, each keeping its own expected-version check. Under concurrency this
shares the commit's flush and the round trip among writers (as pgbench's clients share a WAL flush); alone,
a writer goes straight through. An append still returns only once it is durable."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from uuid import UUID

import asyncpg

from eventstore.errors import ConcurrencyError, TransactionOrderConflict

if TYPE_CHECKING:
    from eventstore.store import AppendResult, EventStore


@dataclass
class _Pending:
    stream_id: str
    expected: int
    ids: list[UUID]
    events_json: str
    done: asyncio.Future[AppendResult] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    attempts: int = 0


class GroupCommit:
    # Each item is a subtransaction; PostgreSQL tracks up to 64 per transaction cheaply.
    MAX_BATCH = 32

    def __init__(self, store: EventStore, *, in_flight: int = 2) -> None:
        self.store = store
        self.in_flight = in_flight
        self._queue: list[_Pending] = []
        self._running = 0
        self._tasks: set[asyncio.Task[None]] = set()  # the loop keeps only weak references to tasks
        self.shared_commits = 0  # appends that travelled with others (for tests and metrics)

    async def append(self, stream_id: str, expected: int, ids: list[UUID], events_json: str) -> AppendResult:
        item = _Pending(stream_id, expected, ids, events_json)
        self._queue.append(item)
        self._kick()
        return await item.done

    def _kick(self) -> None:
        while self._queue and self._running < self.in_flight:
            batch, self._queue = self._queue[:self.MAX_BATCH], self._queue[self.MAX_BATCH:]
            self._running += 1
            task = asyncio.get_running_loop().create_task(self._flush(batch))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _flush(self, batch: list[_Pending]) -> None:
        try:
            if len(batch) == 1:
                await self._one(batch[0])
            else:
                await self._many(batch)
                self.shared_commits += len(batch)
        except BaseException as err:  # the connection or server failed: every waiter hears it
            for item in batch:
                if not item.done.done():
                    item.done.set_exception(err)
            if not isinstance(err, Exception):
                raise
        finally:
            self._running -= 1
            self._kick()

    async def _one(self, item: _Pending) -> None:
        try:
            async with self.store.pool.acquire() as conn:
                result = await self.store._append(conn, item.stream_id, item.expected, item.ids, item.events_json)
        except TransactionOrderConflict:
            self._retry(item)
            return
        except ConcurrencyError as err:
            item.done.set_exception(err)
            return
        self.store.wake_readers()
        item.done.set_result(result)

    async def _many(self, batch: list[_Pending]) -> None:
        # events_json is already JSON: splice it in rather than parse and re-encode it.
        items = ",".join(f'{{"stream":{json.dumps(i.stream_id)},"expected":{i.expected},"events":{i.events_json}}}'
                         for i in batch)
        async with self.store.pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT * FROM {self.store.schema}.append_batch($1::text::jsonb)", f"[{items}]")
        self.store.wake_readers()
        by_item: dict[int, list[asyncpg.Record]] = {}
        for row in rows:
            by_item.setdefault(row["out_item"], []).append(row)
        for index, item in enumerate(batch):
            self._settle(item, by_item.get(index, []))

    def _settle(self, item: _Pending, rows: list[asyncpg.Record]) -> None:
        from eventstore.store import AppendResult, Checkpoint

        if rows and rows[0]["out_error"] is not None:
            code, detail = rows[0]["out_error"], rows[0]["out_detail"]
            if code == "YZ002":
                self._retry(item)
            elif code == "YZ001":
                item.done.set_exception(ConcurrencyError(item.stream_id, item.expected,
                                                         f"the stream is at version {detail}"))
            else:
                item.done.set_exception(ConcurrencyError(item.stream_id, item.expected,
                                                         "another writer appended first"))
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
