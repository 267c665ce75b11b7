"""The scorer: the one writer of ledger streams. Takes queued member-years, scores each with the pure
function under the year's rulebook in force, and appends the difference to the member's ledger stream.

Woken by NOTIFY from the transactions that queue work (a slow poll covers a lost notification). Rows are
taken with FOR UPDATE SKIP LOCKED, so replicas share the queue and never score one member-year at once."""

from __future__ import annotations

import logging

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


class Scorer:
    def __init__(self, store: EventStore, inputs: ScoringInputs, *, safety_poll_seconds: float = 1.0) -> None:
        self.store = store
        self.inputs = inputs
        self.scored = 0
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
        while done < limit:
            try:
                if not await self._score_one():
                    return done
            except ConcurrencyError as err:  # another writer slipped in; the row is still queued
                log.info("scorer: %s; scoring again", err)
                continue
            done += 1
            self.scored += 1
        return done

    async def _score_one(self) -> bool:
        s = self.inputs.s
        async with self.store.transaction() as conn:
            row = await conn.fetchrow(
                f"SELECT committee_id, year, member_id, reason FROM {s}.score_queue "
                "ORDER BY committee_id, year, member_id LIMIT 1 FOR UPDATE SKIP LOCKED")
            if row is None:
                return False
            committee_id, year, member_id = row["committee_id"], row["year"], row["member_id"]
            await conn.execute(f"DELETE FROM {s}.score_queue WHERE committee_id = $1 AND year = $2 "
                               "AND member_id = $3", committee_id, year, member_id)
            in_force = await self.inputs.rulebook_in_force(conn, committee_id, year)
            if in_force is None:  # no rulebook for the year yet: publishing one queues everyone again
                return True
            rulebook, version, graded = in_force
            roster = await self.inputs.roster_entry(conn, committee_id, member_id)
            facts = await self.inputs.facts_of(conn, committee_id, year, member_id)
            card = score_member(rulebook, version, member_id, roster, facts)
            stream = streams.ledger(committee_id, year, member_id)
            history = await self.store.read_stream(stream, conn=conn)
            state = ledger.fold(e.event for e in history)
            events = ledger.decide(state, Reconcile(card, graded, WithdrawalReason(row["reason"])))
            if events:
                ctx = CommandContext(actor=SCORER, committee_id=committee_id)
                await self.store.append(stream, len(history), events, ctx, conn=conn)
            return True
