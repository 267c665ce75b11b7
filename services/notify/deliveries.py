"""The delivery worker: each delivery row (a notification on one channel to one target) is claimed
`FOR UPDATE SKIP LOCKED` and marked `sending` in its own committed transaction before the channel is
called, then marked by the channel's answer: sent; retry with backoff (refused before handover); unknown
(may have been handed over: never retried blindly); failed (a bounce counts against the address); gone (the
webhook endpoint is disabled). A row found still `sending` after a crash is marked `unknown`, not sent again.

Digests: rows waiting as `digest` for one target and channel go out together, as one message, at the
digest time the person chose."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from contracts.notify.delivery import DeliveryEnd, NotificationDelivered, NotificationDeliveryFailed
from contracts.notify.webhooks import WebhookEndpointDisabled
from eventstore.db import quote_ident
from eventstore.streams import stream_id
from eventstore.unit_of_work import Clock
from notify.channels.base import Channel, Outcome, Outgoing, SendResult
from notify.channels.unsubscribe import UnsubscribeClaim, unsubscribe_url
from notify.contacts import ContactLookupFailed, Contacts, address_hash
from notify.writer import Facts, context, derived_id

log = logging.getLogger("notify.deliveries")

MAX_ATTEMPTS = 6
BACKOFF_SECONDS = (30, 120, 600, 1800, 3600)  # after attempts 1, 2, …; the last repeats
SENDING_LEASE = timedelta(minutes=5)  # a row `sending` longer than this was left by a crash


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1])


class DeliveryWorker:
    def __init__(self, pool: asyncpg.Pool, schema: str, clock: Clock, channels: Mapping[str, Channel],
                 contacts: Contacts, *, poll_seconds: float = 30.0, max_bounces: int = 3) -> None:
        self.pool = pool
        self.schema = schema
        self.s = quote_ident(schema)
        self.clock = clock
        self.channels = channels
        self.contacts = contacts
        self.facts = Facts(schema)
        self.poll_seconds = poll_seconds
        self.max_bounces = max_bounces
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:  # a failed pass is tried again on the next poll
                log.exception("delivery pass failed")
            await asyncio.sleep(self.poll_seconds)

    async def webhook_secret(self, committee_id: str, endpoint_id: str) -> str:
        secret = await self.pool.fetchval(f"SELECT secret FROM {self.s}.webhook_endpoints WHERE committee_id = $1 "
                                          "AND endpoint_id = $2", committee_id, endpoint_id)
        return str(secret or "")

    # ---- one pass ---------------------------------------------------------------------------------------

    async def tick(self, batch: int = 100) -> int:
        """Recover crashed sends, then send what is due; returns how many messages were handed to channels."""
        now = self.clock()
        await self.recover(now)
        sent = 0
        for rows in await self._claim_digests(now):
            await self._send(rows, now, digest=True)
            sent += 1
        while True:
            claimed = await self._claim(now, batch)
            for row in claimed:
                await self._send([row], now, digest=False)
            sent += len(claimed)
            if len(claimed) < batch:
                return sent

    async def recover(self, now: datetime) -> int:
        """Rows left `sending` by a process that died mid-send may have reached the server: `unknown`."""
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                f"UPDATE {self.s}.deliveries SET status = 'unknown', detail = 'interrupted while sending' "
                "WHERE status = 'sending' AND claimed_at < $1 RETURNING *", now - SENDING_LEASE)
            for row in rows:
                await self._failed(conn, row, DeliveryEnd.unknown, "interrupted while sending")
        return len(rows)

    async def _claim(self, now: datetime, batch: int) -> list[asyncpg.Record]:
        async with self.pool.acquire() as conn, conn.transaction():
            return list(await conn.fetch(
                f"UPDATE {self.s}.deliveries SET status = 'sending', attempts = attempts + 1, claimed_at = $1 "
                f"WHERE delivery_id IN (SELECT delivery_id FROM {self.s}.deliveries "
                "WHERE status IN ('pending', 'retry') AND not_before <= $1 AND channel = ANY($2) "
                "ORDER BY not_before, delivery_id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING *",
                now, list(self.channels), batch))

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
                    "digest_id = $2 WHERE delivery_id = ANY($3) RETURNING *", now, digest_id, ids)))
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
        variables: dict[str, Any] = _variables(lead)
        if digest:
            variables = {"notifications": [{"template": n["template"], "reason": n["reason"], **_variables(n)}
                                           for n in notes]}
        message = Outgoing(
            notification_id=first["digest_id"] if digest else lead["notification_id"],
            committee_id=first["committee_id"], channel=first["channel"], recipient_id=first["target_id"],
            address=address, template="digest" if digest else lead["template"], category=lead["category"],
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
            for row in rows:
                if outcome is Outcome.retry and row["attempts"] < MAX_ATTEMPTS:
                    wait = timedelta(seconds=result.retry_after) if result.retry_after else backoff(row["attempts"])
                    await conn.execute(f"UPDATE {self.s}.deliveries SET status = 'retry', not_before = $2, "
                                       "detail = $3 WHERE delivery_id = $1", row["delivery_id"], now + wait, detail)
                    continue
                status = {Outcome.sent: "sent", Outcome.unknown: "unknown", Outcome.gone: "gone"}.get(
                    outcome, "suppressed" if suppressed else "failed")
                await conn.execute(f"UPDATE {self.s}.deliveries SET status = $2, detail = $3 WHERE delivery_id = $1",
                                   row["delivery_id"], status, detail)
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
