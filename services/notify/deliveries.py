"""The delivery worker: each delivery row (a notification on one channel to one target) is claimed
`FOR UPDATE SKIP LOCKED` and marked `sending` in its own committed transaction just before the channel is
called (one row at a time: a crash can leave at most the rows being sent in doubt, never a whole batch),
then marked by the channel's answer: sent; retry with backoff (refused before handover); unknown (may have
been handed over: never retried blindly); failed (a bounce counts against the address); gone (the webhook
endpoint is disabled).

A row found still `sending` whose claimer is gone is marked `unknown`, not sent again. A running worker
holds a session advisory lock named by its claimer id for as long as it lives, so a restarted (or another)
worker knows at once that a process died mid-send: the lock is free. Rows claimed by a worker that holds no
lock (driven by a test's `tick`) are judged by the sending lease instead.

Woken by NOTIFY from the transaction that writes a delivery due now (`writer.write`); a slow poll covers
retries, quiet hours and digests coming due.

Digests: rows waiting as `digest` for one target and channel go out together, as one message, at the
digest time the person chose."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from contracts.clock import local_date
from contracts.notify.delivery import DeliveryEnd, NotificationDelivered, NotificationDeliveryFailed
from contracts.notify.vocabulary import Digest
from contracts.notify.webhooks import WebhookEndpointDisabled
from eventstore.db import quote_ident
from eventstore.holiday_calendar import recorded_calendar
from eventstore.store import EventStore
from eventstore.streams import stream_id
from eventstore.tailing import StoreTailer
from eventstore.unit_of_work import Clock
from eventstore.workdays import DEFAULT_CALENDAR, WorkCalendar
from notify import mail, sealing
from notify.channels.base import Channel, Outcome, Outgoing, SendResult
from notify.channels.unsubscribe import UnsubscribeClaim, unsubscribe_url
from notify.contacts import ContactLookupFailed, Contacts, address_hash
from notify.policy import Preferences
from notify.writer import Facts, context, delivery_channel, derived_id, preferences_of

log = logging.getLogger("notify.deliveries")


def claim_due_sql(s: str) -> str:
    """Mark `sending` up to $3 rows due by $1 on the channels $2, the earliest first, for the claimer $4 (the
    partial index `deliveries_claimable` hands them over in this order)."""
    return (f"UPDATE {s}.deliveries SET status = 'sending', attempts = attempts + 1, claimed_at = $1, "
            f"claimed_by = $4 WHERE delivery_id IN (SELECT delivery_id FROM {s}.deliveries "
            "WHERE status IN ('pending', 'retry') AND not_before <= $1 AND channel = ANY($2) "
            "ORDER BY not_before, delivery_id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING *")

MAX_ATTEMPTS = 6
BACKOFF_SECONDS = (30, 120, 600, 1800, 3600)  # after attempts 1, 2, …; the last repeats
# Webhooks: the Standard Webhooks specification's recommended schedule — at once, then 5 s, 5 min, 30 min,
# 2 h, 5 h, 10 h and 10 h — eight attempts in all (the receiver drops duplicates by webhook-id).
WEBHOOK_BACKOFF_SECONDS = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
SCHEDULES = {"webhook": WEBHOOK_BACKOFF_SECONDS}
SENDING_LEASE = timedelta(minutes=5)  # a row `sending` longer than this was left by a crash
# The first key of the two-key advisory locks claimers hold (the second is the claimer id).
CLAIMER_LOCK = "hashtext('notify-delivery-claimer')"


def backoff(attempts: int, channel: str = "email") -> timedelta:
    """The wait after the `attempts`-th failed attempt on the channel."""
    schedule = SCHEDULES.get(channel, BACKOFF_SECONDS)
    return timedelta(seconds=schedule[min(attempts, len(schedule)) - 1])


def max_attempts(channel: str) -> int:
    """Attempts before a delivery refused each time is given up: the schedule's waits and the first try."""
    schedule = SCHEDULES.get(channel)
    return len(schedule) + 1 if schedule else MAX_ATTEMPTS


class DeliveryWorker:
    def __init__(self, pool: asyncpg.Pool, schema: str, clock: Clock, channels: Mapping[str, Channel],
                 contacts: Contacts, *, store: EventStore | None = None, poll_seconds: float = 30.0,
                 max_bounces: int = 3, senders: int = 4) -> None:
        self.pool = pool
        self.schema = schema
        self.s = quote_ident(schema)
        self.clock = clock
        self.channels = channels
        self.contacts = contacts
        self.facts = Facts(schema)
        self.poll_seconds = poll_seconds
        self.max_bounces = max_bounces
        self.senders = max(1, senders)  # messages in flight at once, each on its own SMTP connection
        self.claimer: int | None = None  # set while the worker runs and holds its lock
        self._lock_conn: asyncpg.Connection | None = None
        self._tailer = StoreTailer(store or EventStore(pool, schema, "notify"), self.tick, label="notify-deliveries",
                                   channel=delivery_channel(schema), safety_poll_seconds=poll_seconds)

    async def start(self) -> None:
        conn = await self.pool.acquire()
        claimer = secrets.randbelow(2**31 - 1) + 1
        while not await conn.fetchval(f"SELECT pg_try_advisory_lock({CLAIMER_LOCK}, $1)", claimer):
            claimer = secrets.randbelow(2**31 - 1) + 1  # taken by a live worker: draw again
        self._lock_conn, self.claimer = conn, claimer
        await self._tailer.start()

    async def stop(self) -> None:
        await self._tailer.stop()
        await self.contacts.aclose()
        if self._lock_conn is not None:
            try:
                await self._lock_conn.execute(f"SELECT pg_advisory_unlock({CLAIMER_LOCK}, $1)", self.claimer)
            finally:
                await self.pool.release(self._lock_conn)
                self._lock_conn, self.claimer = None, None

    async def webhook_secret(self, committee_id: str, endpoint_id: str) -> str:
        secret = await self.pool.fetchval(f"SELECT secret FROM {self.s}.webhook_endpoints WHERE committee_id = $1 "
                                          "AND endpoint_id = $2", committee_id, endpoint_id)
        return str(secret or "")

    # ---- one pass ---------------------------------------------------------------------------------------

    async def tick(self, batch: int = 100) -> int:
        """Recover crashed sends, then send what is due; returns how many messages were handed to channels.
        `batch` bounds one pass (the tailer runs another at once when this one moved anything)."""
        now = self.clock()
        await self.recover(now)
        sent = 0
        for rows in await self._claim_digests(now):
            await self._send(rows, now, digest=True)
            sent += 1
        budget = [batch]

        async def sender() -> int:
            done = 0
            while budget[0] > 0:
                budget[0] -= 1
                row = await self._claim_one(now)
                if row is None:
                    return done
                await self._send([row], now, digest=False)
                done += 1
            return done

        counts = await asyncio.gather(*(sender() for _ in range(self.senders)))
        return sent + sum(counts)

    async def recover(self, now: datetime) -> int:
        """Rows left `sending` by a worker that died mid-send may have reached the server: `unknown`."""
        async with self.pool.acquire() as conn, conn.transaction():
            claimers = [r["claimed_by"] for r in await conn.fetch(
                f"SELECT DISTINCT claimed_by FROM {self.s}.deliveries WHERE status = 'sending' "
                "AND claimed_by IS NOT NULL AND claimed_by IS DISTINCT FROM $1", self.claimer)]
            # A claimer's lock free for the taking: its process is gone (the lock goes with the transaction).
            dead = [c for c in claimers
                    if await conn.fetchval(f"SELECT pg_try_advisory_xact_lock({CLAIMER_LOCK}, $1)", c)]
            rows = await conn.fetch(
                f"UPDATE {self.s}.deliveries SET status = 'unknown', detail = 'interrupted while sending' "
                "WHERE status = 'sending' AND (claimed_by = ANY($2) OR claimed_at < $1) RETURNING *",
                now - SENDING_LEASE, dead)
            await self._lock_notifications(conn, rows)
            for row in rows:
                await self._failed(conn, row, DeliveryEnd.unknown, "interrupted while sending")
        if rows:
            log.warning("%d deliveries interrupted while sending marked unknown", len(rows))
        return len(rows)

    async def _claim(self, now: datetime, batch: int) -> list[asyncpg.Record]:
        """Claim up to `batch` due rows at once (what a worker that dies before sending them leaves)."""
        async with self.pool.acquire() as conn, conn.transaction():
            return list(await conn.fetch(claim_due_sql(self.s), now, list(self.channels), batch, self.claimer))

    async def _claim_one(self, now: datetime) -> asyncpg.Record | None:
        """The next due row, marked `sending` and committed before it is handed to the channel."""
        claimed = await self._claim(now, 1)
        return claimed[0] if claimed else None

    async def _claim_digests(self, now: datetime) -> list[list[asyncpg.Record]]:
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                f"SELECT delivery_id, committee_id, channel, target_id FROM {self.s}.deliveries "
                "WHERE status = 'digest' AND not_before <= $1 AND channel = ANY($2) "
                "ORDER BY committee_id, channel, target_id, not_before FOR UPDATE SKIP LOCKED", now,
                list(self.channels))
            groups: dict[tuple[str, str, str], list[str]] = {}
            for r in rows:
                groups.setdefault((r["committee_id"], r["channel"], r["target_id"]), []).append(r["delivery_id"])
            claimed = []
            for key, ids in groups.items():
                digest_id = derived_id("g", *key, *ids)
                claimed.append(list(await conn.fetch(
                    f"UPDATE {self.s}.deliveries SET status = 'sending', attempts = attempts + 1, claimed_at = $1, "
                    "claimed_by = $4, digest_id = $2 WHERE delivery_id = ANY($3) RETURNING *", now, digest_id, ids,
                    self.claimer)))
            return claimed

    # ---- sending ------------------------------------------------------------------------------------------

    async def _address(self, first: asyncpg.Record, kind: str) -> str | None:
        if first["channel"] == "webhook":
            return await self.pool.fetchval(
                f"SELECT url FROM {self.s}.webhook_endpoints WHERE committee_id = $1 AND endpoint_id = $2 AND enabled",
                first["committee_id"], first["target_id"])
        return await self.contacts.address(first["committee_id"], kind, first["target_id"], first["channel"])

    async def _send(self, rows: Sequence[asyncpg.Record], now: datetime, *, digest: bool) -> None:
        first = rows[0]
        notes = await self.pool.fetch(f"SELECT * FROM {self.s}.notifications WHERE notification_id = ANY($1) "
                                      "ORDER BY created_at", [r["notification_id"] for r in rows])
        lead = notes[0]
        try:
            address = await self._address(first, lead["recipient_kind"])
        except ContactLookupFailed as err:  # nothing was sent: safe to try again
            await self._end(rows, SendResult(Outcome.retry, str(err)), now)
            return
        if address is None:
            await self._end(rows, SendResult(Outcome.failed, "no address on file"), now)
            return
        if first["channel"] == "email" and await self._bounces(first["committee_id"], address) >= self.max_bounces:
            await self._end(rows, SendResult(Outcome.failed, "address suppressed after bounces"), now,
                            suppressed=True)
            return
        def variables_of(note: asyncpg.Record) -> dict[str, Any]:
            # A webhook endpoint is another county system: no sealed value reaches it (`notify.sealing`).
            found = _variables(note)
            return sealing.for_webhook(note["source_type"], found) if first["channel"] == "webhook" else found

        variables: dict[str, Any] = variables_of(lead)
        template = "digest" if digest else lead["template"]
        today = local_date(now)
        # Days left and overdue, in a mail or SMS, count the committee's working days (webhooks carry dates).
        calendar = await self._calendar(first["committee_id"]) if first["channel"] in ("email", "sms") \
            else DEFAULT_CALENDAR
        if digest and first["channel"] == "email":
            prefs = await self._preferences(lead)
            variables = mail.digest_variables("每周" if prefs.digest is Digest.weekly else "每日",
                                              [{**n, "variables": _variables(n)} for n in notes], today=today,
                                              calendar=calendar)
        elif digest:
            variables = {"count": len(notes),  # an SMS digest's approved text says how many; webhooks list them
                         "notifications": [{"template": n["template"], "reason": n["reason"], **variables_of(n)}
                                           for n in notes]}
        elif first["channel"] in ("email", "sms"):  # the catalogs' template (one id for both) and its variables
            template = mail.email_template(template)
            variables = mail.email_variables(template, variables, today=today, recipient_id=lead["recipient_id"],
                                             calendar=calendar)
        message = Outgoing(
            notification_id=first["digest_id"] if digest else lead["notification_id"],
            committee_id=first["committee_id"], channel=first["channel"], recipient_id=first["target_id"],
            address=address, template=template, category=lead["category"],
            urgency=lead["urgency"], variables=variables, reason="" if digest else lead["reason"],
            unsubscribe_url=unsubscribe_url(UnsubscribeClaim(
                first["committee_id"], f"{lead['recipient_kind']}.{lead['recipient_id']}", lead["category"]))
            if first["channel"] == "email" else None)
        try:
            result = await self.channels[first["channel"]].send(message)
        except Exception as err:  # a channel that raises has not said it handed over: the office must look
            result = SendResult(Outcome.unknown, f"channel error: {type(err).__name__}")
        if result.outcome is Outcome.failed and first["channel"] == "email":
            await self._bounce(first["committee_id"], address)
        await self._end(rows, result, now)

    async def _calendar(self, committee_id: str) -> WorkCalendar:
        async with self.pool.acquire() as conn:
            return await recorded_calendar(self.facts.store, committee_id, conn)

    async def _preferences(self, note: asyncpg.Record) -> Preferences:
        async with self.pool.acquire() as conn:
            return await preferences_of(conn, self.s, note["committee_id"], note["recipient_kind"],
                                        note["recipient_id"])

    async def _bounces(self, committee_id: str, address: str) -> int:
        return int(await self.pool.fetchval(
            f"SELECT coalesce(max(count), 0) FROM {self.s}.bounces WHERE committee_id = $1 AND address_hash = $2",
            committee_id, address_hash(address)))

    async def _bounce(self, committee_id: str, address: str) -> None:
        await self.pool.execute(
            f"INSERT INTO {self.s}.bounces VALUES ($1, $2, 1) ON CONFLICT (committee_id, address_hash) "
            "DO UPDATE SET count = bounces.count + 1", committee_id, address_hash(address))

    async def _end(self, rows: Sequence[asyncpg.Record], result: SendResult, now: datetime, *,
                   suppressed: bool = False) -> None:
        outcome, detail = result.outcome, result.detail[:500]
        async with self.pool.acquire() as conn, conn.transaction():
            await self._lock_notifications(conn, rows)
            for row in rows:
                if outcome is Outcome.retry and row["attempts"] < max_attempts(row["channel"]):
                    wait = (timedelta(seconds=result.retry_after) if result.retry_after
                            else backoff(row["attempts"], row["channel"]))
                    await conn.execute(f"UPDATE {self.s}.deliveries SET status = 'retry', not_before = $2, "
                                       "detail = $3 WHERE delivery_id = $1 AND status = 'sending'", row["delivery_id"],
                                       now + wait, detail)
                    continue
                status = {Outcome.sent: "sent", Outcome.unknown: "unknown", Outcome.gone: "gone"}.get(
                    outcome, "suppressed" if suppressed else "failed")
                # Recovery may already have judged a row that outlived its lease: its verdict stands.
                if not await conn.fetchval(f"UPDATE {self.s}.deliveries SET status = $2, detail = $3 "
                                           "WHERE delivery_id = $1 AND status = 'sending' RETURNING true",
                                           row["delivery_id"], status, detail):
                    continue
                if outcome is Outcome.sent:
                    await self.facts.append(conn, _stream(row), [NotificationDelivered(
                        notification_id=row["notification_id"], channel=row["channel"], attempts=row["attempts"],
                        digest_id=row["digest_id"])], context(row["committee_id"]))
                else:
                    end = {Outcome.unknown: DeliveryEnd.unknown, Outcome.gone: DeliveryEnd.gone}.get(
                        outcome, DeliveryEnd.suppressed if suppressed else DeliveryEnd.failed)
                    await self._failed(conn, row, end, detail)
            if outcome is Outcome.gone:
                await self._disable(conn, rows[0])

    async def _lock_notifications(self, conn: asyncpg.Connection, rows: Sequence[asyncpg.Record]) -> None:
        """One writer at a time on a notification's stream: its email and SMS may end at the same moment on
        two senders. Locked in id order, so two transactions never wait on each other."""
        await conn.execute(f"SELECT 1 FROM {self.s}.notifications WHERE notification_id = ANY($1) "
                           "ORDER BY notification_id FOR UPDATE", sorted({r["notification_id"] for r in rows}))

    async def _failed(self, conn: asyncpg.Connection, row: asyncpg.Record, end: DeliveryEnd, detail: str) -> None:
        await self.facts.append(conn, _stream(row), [NotificationDeliveryFailed(
            notification_id=row["notification_id"], channel=row["channel"], end=end, attempts=row["attempts"],
            detail=detail)], context(row["committee_id"]))

    async def _disable(self, conn: asyncpg.Connection, row: asyncpg.Record) -> None:
        was = await conn.fetchval(f"UPDATE {self.s}.webhook_endpoints SET enabled = false WHERE committee_id = $1 "
                                  "AND endpoint_id = $2 AND enabled RETURNING true", row["committee_id"],
                                  row["target_id"])
        if was:
            await conn.execute(f"UPDATE {self.s}.deliveries SET status = 'gone', detail = 'endpoint disabled' "
                               "WHERE committee_id = $1 AND channel = 'webhook' AND target_id = $2 "
                               "AND status IN ('pending', 'retry')", row["committee_id"], row["target_id"])
            await self.facts.append(conn, stream_id("webhookEndpoint", row["committee_id"], row["target_id"]),
                                    [WebhookEndpointDisabled(endpoint_id=row["target_id"], reason="answered 410 Gone",
                                                             gone=True)], context(row["committee_id"]))


def _stream(row: asyncpg.Record) -> str:
    return stream_id("notification", row["committee_id"], row["notification_id"])


def _variables(note: asyncpg.Record) -> dict[str, Any]:
    value = note["variables"]
    return dict(value) if isinstance(value, dict) else dict(json.loads(value))
