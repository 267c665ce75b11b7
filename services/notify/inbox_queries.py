"""Read functions behind the notify service's read routes (`notify.routes`): a caller's inbox page, one
notification, the caller's preferences, the webhook endpoints, the office's delivery list, and the
reminders escalated in a month. SQL over the service's own tables (and, for why an endpoint was disabled,
its own event store); nothing here writes.

An item's title and summary are the ones its email carries: the template catalog's subject, and the first
paragraph of the text part (`notify.channels.rendering`). A template the catalog does not know (or that
needs a variable the notification lacks) falls back to the category's label and the subject's title.

A delivery's status as people read it: `sent`; `deferred` (waiting for the person's digest, for the end of
their quiet hours, or for a retry after a refusal); `pending` (due now) and `sending` (in a sender's hands);
`unknown` (may have been handed over: the office checks); `failed` (refused for good, the endpoint gone,
or the address suppressed after bounces — `end` says which)."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

from contracts.notify.vocabulary import Category
from eventstore.streams import stream_id
from notify.channels.rendering import TemplateError, render
from notify.writer import preferences_of

STATUSES = ("pending", "deferred", "sending", "sent", "unknown", "failed")
SUMMARY_CHARS = 200

# The status people read, from the delivery row's own (`notify.tables`); $1 is the moment "now".
STATUS_SQL = ("CASE WHEN d.status = 'sent' THEN 'sent' "
              "WHEN d.status IN ('failed', 'gone', 'suppressed') THEN 'failed' "
              "WHEN d.status = 'unknown' THEN 'unknown' "
              "WHEN d.status = 'sending' THEN 'sending' "
              "WHEN d.status IN ('digest', 'retry') OR d.not_before > $1 THEN 'deferred' "
              "ELSE 'pending' END")
DELIVERY_FIELDS = ("d.delivery_id, d.notification_id, d.channel, d.target_id, d.status AS end_status, "
                   f"{STATUS_SQL} AS shown, d.attempts, d.not_before, d.detail")


class BadCursor(ValueError):
    """A cursor this list did not hand out."""


def encode_cursor(created_at: datetime, key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([created_at.isoformat(), key]).encode()).decode()


def decode_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    if not cursor:
        return None
    try:
        at, key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(str(at)), str(key)
    except (ValueError, TypeError) as err:
        raise BadCursor(str(err)) from None


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def headline(template: str, category: str, variables: dict[str, Any], reason: str,
             urgency: str) -> tuple[str, str]:
    """(title, summary) as the notification's email gives them."""
    try:
        rendered = render(template, variables, reason=reason, urgency=urgency)
    except TemplateError:
        label = Category(category).label_zh if category in Category._value2member_map_ else "通知"
        title = variables.get("title")
        return (f"{label}：《{title}》" if title else f"{label}通知"), ""
    body = rendered.text.split("\n--\n", 1)[0]
    paragraphs = [" ".join(p.split()) for p in body.split("\n\n")]
    summary = next((p for p in paragraphs if p and p != "【紧急】"), "")
    return rendered.subject, summary[:SUMMARY_CHARS]


def delivery(r: asyncpg.Record) -> dict[str, Any]:
    return {"delivery_id": r["delivery_id"], "notification_id": r["notification_id"], "channel": r["channel"],
            "target_id": r["target_id"], "status": r["shown"], "end": r["end_status"], "attempts": r["attempts"],
            "not_before": r["not_before"].isoformat(), "detail": r["detail"]}


def item(r: asyncpg.Record, deliveries: Sequence[asyncpg.Record] | None) -> dict[str, Any]:
    """One inbox item. `deliveries` (the office's detail) is None for everyone else."""
    variables = _json(r["variables"]) or {}
    title, summary = headline(r["template"], r["category"], variables, r["reason"], r["urgency"])
    statuses = _json(r["deliveries"]) or {}
    return {"notification_id": r["notification_id"], "template": r["template"], "category": r["category"],
            "urgency": r["urgency"], "subject_id": r["subject_id"], "reason": r["reason"], "state": r["state"],
            "variables": variables, "title": title, "summary": summary,
            "recipient_kind": r["recipient_kind"], "recipient_id": r["recipient_id"],
            "created_at": r["created_at"].isoformat(), "read_at": r["read_at"].isoformat() if r["read_at"] else None,
            "source_type": r["source_type"], "deliveries": statuses,
            "delivery_details": None if deliveries is None else [delivery(d) for d in deliveries],
            "cursor": encode_cursor(r["created_at"], r["notification_id"])}


# Each item's channel -> status, as the route has always carried it.
NOTIFICATION_COLUMNS = ("n.*, coalesce((SELECT json_object_agg(d.channel, d.status) FROM {s}.deliveries d "
                 "WHERE d.notification_id = n.notification_id), '{{}}') AS deliveries")


async def _details(db: asyncpg.Pool, s: str, ids: list[str], now: datetime) -> dict[str, list[asyncpg.Record]]:
    rows = await db.fetch(f"SELECT {DELIVERY_FIELDS} FROM {s}.deliveries d WHERE d.notification_id = ANY($2) "
                          "ORDER BY d.channel, d.target_id", now, ids)
    found: dict[str, list[asyncpg.Record]] = {i: [] for i in ids}
    for row in rows:
        found[row["notification_id"]].append(row)
    return found


async def inbox_page(db: asyncpg.Pool, s: str, committee: str, kind: str, rid: str, *, states: Sequence[str],
                     first: int, after: str | None, now: datetime, with_deliveries: bool) -> dict[str, Any]:
    """A page of the caller's inbox, newest first, with the count of the whole list and of the unread."""
    cursor = decode_cursor(after)
    where = ("committee_id = $1 AND recipient_kind = $2 AND recipient_id = $3 AND state = ANY($4)")
    rows = await db.fetch(
        f"SELECT {NOTIFICATION_COLUMNS.format(s=s)} FROM {s}.notifications n WHERE {where} "
        "AND ($5::timestamptz IS NULL OR (created_at, notification_id) < ($5::timestamptz, $6)) "
        "ORDER BY created_at DESC, notification_id DESC LIMIT $7",
        committee, kind, rid, list(states), cursor[0] if cursor else None, cursor[1] if cursor else None, first + 1)
    page = rows[:first]
    total = await db.fetchval(f"SELECT count(*) FROM {s}.notifications WHERE {where}", committee, kind, rid,
                              list(states))
    unread = await db.fetchval(f"SELECT count(*) FROM {s}.notifications WHERE {where}", committee, kind, rid,
                               ["unread"])
    details = await _details(db, s, [r["notification_id"] for r in page], now) if with_deliveries else None
    items = [item(r, details[r["notification_id"]] if details is not None else None) for r in page]
    return {"items": items, "unread": unread, "total": total, "has_next": len(rows) > first,
            "end_cursor": items[-1]["cursor"] if items else None}


async def one(db: asyncpg.Pool, s: str, committee: str, kind: str, rid: str, notification_id: str, *,
              now: datetime, with_deliveries: bool) -> dict[str, Any] | None:
    """One notification of the caller's inbox (None when it is someone else's or does not exist)."""
    row = await db.fetchrow(f"SELECT {NOTIFICATION_COLUMNS.format(s=s)} FROM {s}.notifications n "
                            "WHERE committee_id = $1 AND recipient_kind = $2 AND recipient_id = $3 "
                            "AND notification_id = $4",
                            committee, kind, rid, notification_id)
    if row is None:
        return None
    details = await _details(db, s, [notification_id], now) if with_deliveries else None
    return item(row, details[notification_id] if details is not None else None)


async def deliveries_page(db: asyncpg.Pool, s: str, committee: str, *, status: str | None, first: int,
                          after: str | None, now: datetime) -> dict[str, Any]:
    """The committee's deliveries for the office, newest notification first; `status` narrows them."""
    cursor = decode_cursor(after)
    where = f"d.committee_id = $2 AND ($3::text IS NULL OR {STATUS_SQL} = $3)"
    rows = await db.fetch(
        f"SELECT {DELIVERY_FIELDS}, n.template, n.category, n.urgency, n.reason, n.variables, n.recipient_kind, "
        f"n.recipient_id, n.created_at FROM {s}.deliveries d JOIN {s}.notifications n USING (notification_id) "
        f"WHERE {where} AND ($4::timestamptz IS NULL OR (n.created_at, d.delivery_id) < ($4::timestamptz, $5)) "
        "ORDER BY n.created_at DESC, d.delivery_id DESC LIMIT $6",
        now, committee, status, cursor[0] if cursor else None, cursor[1] if cursor else None, first + 1)
    page = rows[:first]
    total = await db.fetchval(f"SELECT count(*) FROM {s}.deliveries d WHERE {where}", now, committee, status)
    items = []
    for r in page:
        title, _ = headline(r["template"], r["category"], _json(r["variables"]) or {}, r["reason"], r["urgency"])
        items.append({**delivery(r), "template": r["template"], "category": r["category"], "title": title,
                      "recipient_kind": r["recipient_kind"], "recipient_id": r["recipient_id"],
                      "created_at": r["created_at"].isoformat(),
                      "cursor": encode_cursor(r["created_at"], r["delivery_id"])})
    return {"items": items, "total": total, "has_next": len(rows) > first,
            "end_cursor": items[-1]["cursor"] if items else None}


async def preferences(db: asyncpg.Pool, s: str, committee: str, kind: str, rid: str) -> dict[str, Any]:
    """The caller's preferences: as set, or (`set` false) the committee's defaults for people who chose none."""
    async with db.acquire() as conn:
        chosen = await conn.fetchval(f"SELECT true FROM {s}.preferences WHERE committee_id = $1 "
                                     "AND recipient_kind = $2 AND recipient_id = $3", committee, kind, rid)
        prefs = await preferences_of(conn, s, committee, kind, rid)
    return {"recipient_kind": kind, "recipient_id": rid, "set": bool(chosen),
            "categories": {k: list(v) for k, v in prefs.categories.items()}, "digest": prefs.digest.value,
            "digest_hour": prefs.digest_hour, "digest_weekday": prefs.digest_weekday,
            "quiet_from": prefs.quiet_from, "quiet_until": prefs.quiet_until}


async def webhook_endpoints(db: asyncpg.Pool, s: str, committee: str) -> list[dict[str, Any]]:
    """The committee's endpoints (never the signing secret), with why a disabled one was disabled (the latest
    `webhook-endpoint-disabled` fact of its stream)."""
    rows = await db.fetch(f"SELECT endpoint_id, name, url, categories, enabled FROM {s}.webhook_endpoints "
                          "WHERE committee_id = $1 ORDER BY endpoint_id", committee)
    streams = [stream_id("webhookEndpoint", committee, r["endpoint_id"]) for r in rows]
    why = {e["stream_id"]: _json(e["data"]) for e in await db.fetch(
        f"SELECT DISTINCT ON (stream_id) stream_id, data FROM {s}.events WHERE stream_id = ANY($1) "
        "AND type = 'webhook-endpoint-disabled' ORDER BY stream_id, stream_version DESC", streams)}
    found = []
    for r, stream in zip(rows, streams, strict=True):
        disabled = None if r["enabled"] else why.get(stream, {})
        found.append({"endpoint_id": r["endpoint_id"], "name": r["name"], "url": r["url"],
                      "categories": list(r["categories"]), "enabled": r["enabled"],
                      "disabled_reason": None if disabled is None else disabled.get("reason", ""),
                      "gone": bool(disabled and disabled.get("gone"))})
    return found


async def escalations(db: asyncpg.Pool, s: str, committee: str, start: datetime, end: datetime) -> dict[str, Any]:
    """Reminder steps escalated (to the office, to the supervising leaders) between `start` and `end`: one
    per firing of an escalation step, however many leaders it told."""
    rows = await db.fetch(
        f"SELECT r.step_id, r.task_id, r.kind, r.subject_id, n.variables ->> 'due' AS due, "
        "min(n.created_at) AS escalated_at, array_agg(n.recipient_id ORDER BY n.recipient_id) AS to_ids "
        f"FROM {s}.notifications n JOIN {s}.reminders r ON r.committee_id = n.committee_id "
        "AND r.step_id = n.reminder_id WHERE n.committee_id = $1 AND r.kind IN ('escalate_office', "
        "'escalate_leader') AND n.created_at >= $2 AND n.created_at < $3 "
        "GROUP BY n.source_event_id, r.step_id, r.task_id, r.kind, r.subject_id, n.variables ->> 'due' "
        "ORDER BY escalated_at, r.step_id", committee, start, end)
    items = [{"step_id": r["step_id"], "task_id": r["task_id"], "kind": r["kind"], "subject_id": r["subject_id"],
              "due": r["due"], "escalated_at": r["escalated_at"].isoformat(), "to_ids": list(r["to_ids"])}
             for r in rows]
    return {"to_office": sum(1 for i in items if i["kind"] == "escalate_office"),
            "to_leaders": sum(1 for i in items if i["kind"] == "escalate_leader"), "items": items}
