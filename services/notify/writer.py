"""Writing a notification, in the caller's transaction (the intake consumer's or a reminder worker's): the
inbox row under its UNIQUE id, a delivery row per channel the person keeps (and per webhook endpoint of
the category), and the `notification-created` fact. A notification already written writes nothing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import asyncpg

from contracts.envelope import Actor, Role
from contracts.notify.notification import NotificationCreated
from contracts.notify.vocabulary import ChannelName, Digest, RecipientKind, Urgency
from contracts.registry import DomainEvent
from eventstore.db import quote_ident
from eventstore.store import CommandContext, EventStore
from eventstore.streams import stream_id
from notify import policy
from notify.rules import rulebook

ACTOR = Actor(id="notify", role=Role.service)


def derived_id(prefix: str, *parts: str) -> str:
    """A stable id from its parts (the same fact told the same person twice names the same row)."""
    return prefix + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def delivery_channel(schema: str) -> str:
    """The NOTIFY channel that wakes the delivery worker when a delivery due now is written."""
    return f"{schema}_deliveries"


def context(committee_id: str, correlation: Any = None, causation: Any = None) -> CommandContext:
    ctx = CommandContext(actor=ACTOR, committee_id=committee_id)
    if correlation is not None:
        ctx = CommandContext(actor=ACTOR, committee_id=committee_id, correlation_id=correlation,
                             causation_id=causation)
    return ctx


class Facts:
    """Appends the service's own facts inside a transaction someone else holds."""

    def __init__(self, schema: str) -> None:
        # Only the connection-bound append is used, so the store needs no pool of its own.
        self.store = EventStore(cast(asyncpg.Pool, None), schema, "notify")

    async def append(self, conn: asyncpg.Connection, stream: str, events: Sequence[DomainEvent],
                     ctx: CommandContext) -> None:
        version = await self.store.stream_version(stream, conn=conn)
        await self.store.append(stream, version, events, ctx, conn=conn)


@dataclass(frozen=True)
class Notice:
    """One notification to write."""

    committee_id: str
    recipient_kind: RecipientKind
    recipient_id: str
    template: str
    category: str
    urgency: Urgency
    channels: Sequence[ChannelName]
    subject_id: str
    reason: str
    source_event_id: str
    source_type: str
    created_at: datetime
    variables: Mapping[str, Any]
    reminder_id: str | None = None
    # Whether the webhook endpoints of its category get it: not when its existence tells a sealed value
    # (`notify.rules.Rule.sealed`).
    webhooks: bool = True

    @property
    def notification_id(self) -> str:
        return derived_id("n", self.source_event_id, f"{self.recipient_kind.value}:{self.recipient_id}",
                          self.template)


async def preferences_of(conn: asyncpg.Connection, s: str, committee_id: str, kind: str,
                         recipient_id: str) -> policy.Preferences:
    row = await conn.fetchrow(
        f"SELECT categories, digest, digest_hour, digest_weekday, quiet_from, quiet_until FROM {s}.preferences "
        "WHERE committee_id = $1 AND recipient_kind = $2 AND recipient_id = $3", committee_id, kind, recipient_id)
    if row is None:
        return rulebook(committee_id).preferences  # the committee's default for people who chose nothing
    categories = row["categories"] if isinstance(row["categories"], dict) else json.loads(row["categories"])
    return policy.Preferences({k: tuple(v) for k, v in categories.items()}, Digest(row["digest"]),
                              row["digest_hour"], row["digest_weekday"], row["quiet_from"], row["quiet_until"])


async def write(conn: asyncpg.Connection, schema: str, facts: Facts, notice: Notice,
                ctx: CommandContext) -> bool:
    """Write the notification once; returns False when it was already there."""
    s = quote_ident(schema)
    nid = notice.notification_id
    inserted = await conn.fetchval(
        f"INSERT INTO {s}.notifications (notification_id, committee_id, recipient_kind, recipient_id, template, "
        "category, urgency, subject_id, reason, variables, source_event_id, source_type, reminder_id, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13, $14) "
        "ON CONFLICT (notification_id) DO NOTHING RETURNING true",
        nid, notice.committee_id, notice.recipient_kind.value, notice.recipient_id, notice.template,
        notice.category, notice.urgency.value, notice.subject_id, notice.reason,
        json.dumps(dict(notice.variables), ensure_ascii=False, default=str), notice.source_event_id,
        notice.source_type, notice.reminder_id, notice.created_at)
    if not inserted:
        return False
    prefs = await preferences_of(conn, s, notice.committee_id, notice.recipient_kind.value, notice.recipient_id)
    kept = policy.channels(notice.channels, prefs, notice.category)
    if notice.recipient_kind is RecipientKind.office:  # the office reads its inbox; it has no mailbox of its own
        kept = [ChannelName.inbox]
    status, not_before = policy.when(prefs, notice.urgency, notice.created_at)
    rows: list[tuple[str, str, str, str, datetime]] = [
        (derived_id("d", nid, c.value, notice.recipient_id), c.value, notice.recipient_id, status, not_before)
        for c in kept if c in (ChannelName.email, ChannelName.sms)]
    endpoints = await conn.fetch(
        f"SELECT endpoint_id FROM {s}.webhook_endpoints WHERE committee_id = $1 AND enabled "
        "AND $2 = ANY(categories)", notice.committee_id, notice.category) if notice.webhooks else []
    rows += [(derived_id("d", nid, "webhook", e["endpoint_id"]), "webhook", e["endpoint_id"], "pending",
              notice.created_at) for e in endpoints]
    if rows:
        await conn.executemany(
            f"INSERT INTO {s}.deliveries (delivery_id, notification_id, committee_id, channel, target_id, status, "
            "not_before) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (delivery_id) DO NOTHING",
            [(d, nid, notice.committee_id, channel, target, st, nb) for d, channel, target, st, nb in rows])
        if any(st == "pending" and nb <= notice.created_at for _, _, _, st, nb in rows):
            # Delivered at commit (and once per transaction, however many are written): the worker sends now.
            await conn.execute("SELECT pg_notify($1, '')", delivery_channel(schema))
    event = NotificationCreated(
        notification_id=nid, recipient_kind=notice.recipient_kind, recipient_id=notice.recipient_id,
        template=notice.template, category=notice.category, urgency=notice.urgency,
        channels=[*kept, *([ChannelName.webhook] if endpoints else [])], subject_id=notice.subject_id,
        reason=notice.reason, source_event_id=notice.source_event_id, source_type=notice.source_type,
        reminder_id=notice.reminder_id)
    await facts.append(conn, stream_id("notification", notice.committee_id, nid), [event], ctx)
    return True
