"""The scorer: the one writer of ledger streams. Takes queued member-years, scores each with the pure
function under the year's rulebook in force, and appends the difference to the member's ledger stream.

Woken by NOTIFY from the transactions that queue work (a slow poll covers a lost notification). Rows are
taken with FOR UPDATE SKIP LOCKED, so replicas share the queue and never score one member-year at once.

A batch of member-years is scored per transaction: taking and deleting the rows, and reading the rulebooks,
roster entries and duty facts the batch needs, are one statement each, so a scored member costs its ledger
read and append and a share of the rest (one commit for the batch rather than one per member)."""

from __future__ import annotations

import logging
import time

import asyncpg

from contracts.envelope import Actor, Role
from contracts.members.enums import WithdrawalReason
from eventstore.errors import ConcurrencyError
from eventstore.store import CommandContext, EventStore
from eventstore.tailing import StoreTailer
from members import streams
from members.scoring.inputs import ScoringInputs
from members.scoring.reconcile import Reconcile, ledger
from members.scoring.score import score_member

log = logging.getLogger("members.scorer")

SCORER = Actor(id="members-scorer", role=Role.service)
# Member-years per transaction, at most. A batch's transaction is open while all of them are scored, and
# every store's tailing readers (the relays: what a command's read-your-writes waits on) see nothing newer than
# the oldest transaction open in the database; so a batch is also sized by the recent pace to about
# MAX_BATCH_SECONDS of work. (Unbounded 50-member batches under load doubled the mutations' p99.)
BATCH_SIZE = 50
MAX_BATCH_SECONDS = 0.02


class Scorer:
    def __init__(self, store: EventStore, inputs: ScoringInputs, *, safety_poll_seconds: float = 1.0,
                 batch_size: int = BATCH_SIZE, max_batch_seconds: float | None = MAX_BATCH_SECONDS) -> None:
        """`max_batch_seconds=None` sizes batches by `batch_size` alone, not by the recent pace."""
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if max_batch_seconds is not None and max_batch_seconds <= 0:
            raise ValueError(f"max_batch_seconds must be positive, got {max_batch_seconds}")
        self.store = store
        self.inputs = inputs
        self.batch_size = batch_size
        self.max_batch_seconds = max_batch_seconds
        self.scored = 0
        self._seconds_per_member: float | None = None  # the recent pace, a moving average
        self._tailer = StoreTailer(store, self.run_pending, label="members-scorer", channel=inputs.channel,
                                   safety_poll_seconds=safety_poll_seconds)

    async def start(self) -> None:
        async with self.store.pool.acquire() as conn:
            await self.inputs.setup(conn)
        await self._tailer.start()

    async def stop(self) -> None:
        await self._tailer.stop()

    async def run_pending(self, limit: int = 10_000) -> int:
        """Score queued member-years until the queue is empty; returns how many were scored."""
        done = 0
        alone = 0  # member-years still to score one per transaction, after a batch met another writer
        while done < limit:
            size = 1 if alone else min(self._paced_size(), limit - done)
            try:
                taken = await self._score_batch(size)
            except ConcurrencyError as err:
                # Another writer slipped in: the transaction rolled back and its rows are still queued. As
                # many are scored one at a time, so a member that meets the writer again is retried alone
                # instead of holding back the rest of a batch.
                log.info("scorer: %s; scoring again", err)
                if size > 1:
                    alone = size
                continue
            if not taken:
                return done
            done += taken
            self.scored += taken
            alone = max(alone - taken, 0)
        return done

    def _paced_size(self) -> int:
        pace, budget = self._seconds_per_member, self.max_batch_seconds
        if pace is None or budget is None:
            return self.batch_size
        return max(1, min(self.batch_size, int(budget / max(pace, 1e-9))))

    async def _score_batch(self, size: int) -> int:
        """Score up to `size` queued member-years in one transaction; returns how many were taken."""
        started = time.perf_counter()
        taken = await self._score_rows(size)
        if taken:
            pace = (time.perf_counter() - started) / taken
            previous = self._seconds_per_member
            self._seconds_per_member = pace if previous is None else 0.7 * previous + 0.3 * pace
        return taken

    async def _score_rows(self, size: int) -> int:
        s = self.inputs.s
        async with self.store.transaction() as conn:
            # Rows are locked in the queue's fixed order (the LIMIT's sort runs below the row locks), so
            # replicas' batches cannot deadlock; SKIP LOCKED leaves them the rows another batch holds.
            rows = await conn.fetch(
                f"WITH taken AS MATERIALIZED (SELECT committee_id, year, member_id FROM {s}.score_queue "
                "ORDER BY committee_id, year, member_id LIMIT $1 FOR UPDATE SKIP LOCKED) "
                f"DELETE FROM {s}.score_queue q USING taken WHERE q.committee_id = taken.committee_id "
                "AND q.year = taken.year AND q.member_id = taken.member_id "
                "RETURNING q.committee_id, q.year, q.member_id, q.reason", size)
            if not rows:
                return 0
            queued = sorted((r["committee_id"], r["year"], r["member_id"], r["reason"]) for r in rows)
            in_force = await self.inputs.rulebooks_in_force(conn, {(c, y) for c, y, _, _ in queued})
            # A year with no rulebook yet: its rows are dropped, as publishing one queues everyone again.
            scoring = [q for q in queued if (q[0], q[1]) in in_force]
            if scoring:
                roster = await self.inputs.roster_entries(conn, {(c, m) for c, _, m, _ in scoring})
                facts = await self.inputs.facts_for(conn, [(c, y, m) for c, y, m, _ in scoring])
                for committee_id, year, member_id, reason in scoring:
                    rulebook, version, graded = in_force[committee_id, year]
                    card = score_member(rulebook, version, member_id, roster.get((committee_id, member_id)),
                                        facts.get((committee_id, year, member_id), []))
                    await self._reconcile(conn, committee_id, year, member_id,
                                          Reconcile(card, graded, WithdrawalReason(reason)))
            return len(rows)

    async def _reconcile(self, conn: asyncpg.Connection, committee_id: str, year: int, member_id: str,
                         command: Reconcile) -> None:
        stream = streams.ledger(committee_id, year, member_id)
        history = await self.store.read_stream(stream, conn=conn)
        events = ledger.decide(ledger.fold(e.event for e in history), command)
        if events:
            ctx = CommandContext(actor=SCORER, committee_id=committee_id)
            await self.store.append(stream, len(history), events, ctx, conn=conn)
