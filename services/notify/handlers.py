"""Command handlers of the notify service: the inbox (read, archive), preferences, webhook endpoints. Each
writes the service's own table and the fact in one transaction of the kernel's unit of work (`tx.conn`)."""

from __future__ import annotations

import json
from typing import Any

from contracts.notify import commands as c
from contracts.notify.notification import NotificationArchived, NotificationsRead
from contracts.notify.preferences import CategoryChannels, NotificationPreferencesSet
from contracts.notify.vocabulary import RecipientKind
from contracts.notify.webhooks import WebhookEndpointDisabled, WebhookEndpointRegistered
from contracts.registry import DomainEvent
from eventstore.command_outcome import CommandOutcome
from eventstore.db import quote_ident
from eventstore.decider import Decider
from eventstore.errors import DomainError
from eventstore.service import Handler
from eventstore.store import CommandContext
from eventstore.streams import stream_id
from eventstore.unit_of_work import Tx
from notify.channels.settings import WebhookSettings
from notify.channels.webhook import new_secret
from notify.channels.webhook_url import validate_webhook_url
from notify.inbox import inbox_of
from notify.parts import NotifyParts

# The service's streams only carry facts; its state is in its tables, so loading a stream is for its version.
FACTS: Decider[None, Any] = Decider(initial=lambda: None, decide=lambda state, command: [],
                                    evolve=lambda state, event: state)


async def _stage(tx: Tx, stream: str, events: list[DomainEvent]) -> None:
    tx.stage(await tx.load(stream, FACTS), events)


def inbox_stream(committee_id: str, kind: RecipientKind, recipient_id: str) -> str:
    return stream_id("inbox", committee_id, f"{kind.value}.{recipient_id}")


async def mark_notifications_read(p: NotifyParts, cmd: c.MarkNotificationsRead, ctx: CommandContext) -> CommandOutcome:
    kind, rid = inbox_of(ctx.actor)
    s = quote_ident(p.schema)

    async def work(tx: Tx) -> dict[str, Any]:
        if cmd.notification_ids:
            mine = await tx.conn.fetchval(
                f"SELECT count(*) FROM {s}.notifications WHERE committee_id = $1 AND recipient_kind = $2 "
                "AND recipient_id = $3 AND notification_id = ANY($4)", tx.committee_id, kind.value, rid,
                list(set(cmd.notification_ids)))
            if mine != len(set(cmd.notification_ids)):
                raise DomainError("not_found", "some of these notifications are not in your inbox",
                                  fields=["notification_ids"])
        rows = await tx.conn.fetch(
            f"UPDATE {s}.notifications SET state = 'read', read_at = $5 WHERE committee_id = $1 "
            "AND recipient_kind = $2 AND recipient_id = $3 AND state = 'unread' "
            "AND (cardinality($4::text[]) = 0 OR notification_id = ANY($4)) RETURNING notification_id",
            tx.committee_id, kind.value, rid, list(cmd.notification_ids), tx.now)
        ids = sorted(r["notification_id"] for r in rows)
        for start in range(0, len(ids), 100):  # an event's list holds at most 100
            await _stage(tx, inbox_stream(tx.committee_id, kind, rid), [NotificationsRead(
                recipient_kind=kind, recipient_id=rid, notification_ids=ids[start:start + 100], read_at=tx.now)])
        return {"read": len(ids)}

    return await p.uow.run(ctx, work)


async def archive_notification(p: NotifyParts, cmd: c.ArchiveNotification, ctx: CommandContext) -> CommandOutcome:
    kind, rid = inbox_of(ctx.actor)
    s = quote_ident(p.schema)

    async def work(tx: Tx) -> dict[str, Any]:
        state = await tx.conn.fetchval(
            f"SELECT state FROM {s}.notifications WHERE committee_id = $1 AND recipient_kind = $2 "
            "AND recipient_id = $3 AND notification_id = $4 FOR UPDATE", tx.committee_id, kind.value, rid,
            cmd.notification_id)
        if state is None:
            raise DomainError("not_found", "no such notification in your inbox", fields=["notification_id"])
        if state != "archived":
            await tx.conn.execute(f"UPDATE {s}.notifications SET state = 'archived', read_at = coalesce(read_at, $2) "
                                  "WHERE notification_id = $1", cmd.notification_id, tx.now)
            await _stage(tx, inbox_stream(tx.committee_id, kind, rid), [NotificationArchived(
                recipient_kind=kind, recipient_id=rid, notification_id=cmd.notification_id)])
        return {"notification_id": cmd.notification_id, "state": "archived"}

    return await p.uow.run(ctx, work)


async def save_preferences(tx: Tx, schema: str, kind: RecipientKind, rid: str,
                           event: NotificationPreferencesSet) -> None:
    """The preference row and its fact, in the caller's transaction (a command's or the unsubscribe link's)."""
    s = quote_ident(schema)
    await tx.conn.execute(
        f"INSERT INTO {s}.preferences VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9) "
        "ON CONFLICT (committee_id, recipient_kind, recipient_id) DO UPDATE SET categories = excluded.categories, "
        "digest = excluded.digest, digest_hour = excluded.digest_hour, digest_weekday = excluded.digest_weekday, "
        "quiet_from = excluded.quiet_from, quiet_until = excluded.quiet_until",
        tx.committee_id, kind.value, rid,
        json.dumps({cc.category.value: [ch.value for ch in cc.channels] for cc in event.categories}),
        event.digest.value, event.digest_hour, event.digest_weekday, event.quiet_from, event.quiet_until)
    await _stage(tx, stream_id("preferences", tx.committee_id, f"{kind.value}.{rid}"), [event])


async def set_notification_preferences(p: NotifyParts, cmd: c.SetNotificationPreferences,
                                       ctx: CommandContext) -> CommandOutcome:
    kind, rid = inbox_of(ctx.actor)
    if (cmd.quiet_from is None) != (cmd.quiet_until is None):
        raise DomainError("quiet_hours_incomplete", "quiet hours need both a start and an end",
                          fields=["quiet_from", "quiet_until"])
    if cmd.quiet_from is not None and cmd.quiet_from == cmd.quiet_until:
        raise DomainError("quiet_hours_empty", "quiet hours must not start and end at the same minute",
                          fields=["quiet_until"])
    seen = [cc.category for cc in cmd.categories]
    if len(set(seen)) != len(seen):
        raise DomainError("category_repeated", "each category may be named once", fields=["categories"])
    event = NotificationPreferencesSet(
        recipient_kind=kind, recipient_id=rid,
        categories=[CategoryChannels(category=cc.category, channels=list(dict.fromkeys(cc.channels)))
                    for cc in cmd.categories],
        digest=cmd.digest, digest_hour=cmd.digest_hour, digest_weekday=cmd.digest_weekday,
        quiet_from=cmd.quiet_from, quiet_until=cmd.quiet_until)

    async def work(tx: Tx) -> dict[str, Any]:
        await save_preferences(tx, p.schema, kind, rid, event)
        return {"recipient_kind": kind.value, "recipient_id": rid}

    return await p.uow.run(ctx, work)


async def register_webhook_endpoint(p: NotifyParts, cmd: c.RegisterWebhookEndpoint,
                                    ctx: CommandContext) -> CommandOutcome:
    url = await validate_webhook_url(cmd.url, refuse_private=WebhookSettings.from_env().refuse_private_addresses)
    s = quote_ident(p.schema)
    secret = new_secret()  # kept privately; the office gives it to the receiving system out of band

    async def work(tx: Tx) -> dict[str, Any]:
        await tx.conn.execute(
            f"INSERT INTO {s}.webhook_endpoints (committee_id, endpoint_id, name, url, categories, enabled, secret) "
            "VALUES ($1, $2, $3, $4, $5, true, $6) ON CONFLICT (committee_id, endpoint_id) DO UPDATE SET "
            "name = excluded.name, url = excluded.url, categories = excluded.categories, secret = excluded.secret, "
            "enabled = true",
            tx.committee_id, cmd.endpoint_id, cmd.name, url, [cat.value for cat in dict.fromkeys(cmd.categories)],
            secret)
        await _stage(tx, stream_id("webhookEndpoint", tx.committee_id, cmd.endpoint_id), [WebhookEndpointRegistered(
            endpoint_id=cmd.endpoint_id, name=cmd.name, categories=list(dict.fromkeys(cmd.categories)))])
        # The signing secret is shown once, to the office, to hand to the receiving system.
        return {"endpoint_id": cmd.endpoint_id, "signing_secret": secret}

    return await p.uow.run(ctx, work)


async def disable_webhook_endpoint(p: NotifyParts, cmd: c.DisableWebhookEndpoint,
                                   ctx: CommandContext) -> CommandOutcome:
    s = quote_ident(p.schema)

    async def work(tx: Tx) -> dict[str, Any]:
        enabled = await tx.conn.fetchval(
            f"UPDATE {s}.webhook_endpoints SET enabled = false WHERE committee_id = $1 AND endpoint_id = $2 "
            "RETURNING true", tx.committee_id, cmd.endpoint_id)
        if enabled is None:
            raise DomainError("not_found", f"no webhook endpoint {cmd.endpoint_id}", fields=["endpoint_id"])
        await _stage(tx, stream_id("webhookEndpoint", tx.committee_id, cmd.endpoint_id), [WebhookEndpointDisabled(
            endpoint_id=cmd.endpoint_id, reason="disabled by the office")])
        return {"endpoint_id": cmd.endpoint_id, "enabled": False}

    return await p.uow.run(ctx, work)


HANDLERS: dict[str, Handler[NotifyParts]] = {
    "mark-notifications-read": mark_notifications_read,
    "archive-notification": archive_notification,
    "set-notification-preferences": set_notification_preferences,
    "register-webhook-endpoint": register_webhook_endpoint,
    "disable-webhook-endpoint": disable_webhook_endpoint,
}
