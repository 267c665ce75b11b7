"""Routes beside the command API: a caller's inbox (`GET /notifications`, with the "why you got this"
reason and the delivery status of each), and the one-click unsubscribe (`GET /unsubscribe` confirms,
`POST /unsubscribe` applies, RFC 8058) that needs no login: the signed token names the committee, the
recipient and the category."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from contracts.envelope import Actor, Role
from contracts.notify.preferences import CategoryChannels, NotificationPreferencesSet
from contracts.notify.vocabulary import Category, RecipientKind
from eventstore.db import quote_ident
from eventstore.errors import DomainError
from eventstore.store import CommandContext
from eventstore.unit_of_work import Tx, UnitOfWork
from notify.channels.settings import UnsubscribeSettings
from notify.channels.unsubscribe import read_token
from notify.handlers import save_preferences
from notify.inbox import inbox_of
from notify.writer import preferences_of
from runtime.auth import Principal

PAGE = 50


def _error(status: int, code: str, message: str, fields: list[str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "fields": fields or []}}, status_code=status)


def _cursor(created_at: str, nid: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([created_at, nid]).encode()).decode()


class Routes:
    def __init__(self, schema: str, uow: UnitOfWork, authenticate: Callable[[str | None], Principal]) -> None:
        self.schema = schema
        self.s = quote_ident(schema)
        self.uow = uow
        self.authenticate = authenticate

    def routes(self) -> list[Route]:
        return [Route("/notifications", self.inbox, methods=["GET"]),
                Route("/unsubscribe", self.unsubscribe_page, methods=["GET"]),
                Route("/unsubscribe", self.unsubscribe, methods=["POST"])]

    async def inbox(self, request: Request) -> JSONResponse:
        try:
            who = self.authenticate(request.headers.get("authorization"))
        except Exception as err:  # every authentication failure is a 401
            return _error(401, "unauthenticated", str(err))
        try:
            kind, rid = inbox_of(who.actor)
        except DomainError as err:
            return _error(403, err.rule, err.message)
        params = request.query_params
        unread_only = params.get("unread_only", "false").lower() in ("1", "true", "yes")
        archived = params.get("archived", "false").lower() in ("1", "true", "yes")
        try:
            first = max(1, min(int(params.get("first", PAGE)), 200))
            after = json.loads(base64.urlsafe_b64decode(params["after"])) if params.get("after") else None
        except (ValueError, TypeError):
            return _error(400, "invalid_query", "first must be a number and after a cursor given here",
                          ["first", "after"])
        states = ["unread"] if unread_only else (["archived"] if archived else ["unread", "read"])
        rows = await self.uow.store.pool.fetch(
            f"SELECT n.*, coalesce((SELECT json_object_agg(d.channel, d.status) FROM {self.s}.deliveries d "
            f"WHERE d.notification_id = n.notification_id), '{{}}') AS deliveries FROM {self.s}.notifications n "
            "WHERE committee_id = $1 AND recipient_kind = $2 AND recipient_id = $3 AND state = ANY($4) "
            "AND ($5::text IS NULL OR (created_at, notification_id) < ($5::timestamptz, $6)) "
            "ORDER BY created_at DESC, notification_id DESC LIMIT $7",
            who.committee_id, kind.value, rid, states, after[0] if after else None, after[1] if after else None,
            first + 1)
        items = [_item(r) for r in rows[:first]]
        unread = await self.uow.store.pool.fetchval(
            f"SELECT count(*) FROM {self.s}.notifications WHERE committee_id = $1 AND recipient_kind = $2 "
            "AND recipient_id = $3 AND state = 'unread'", who.committee_id, kind.value, rid)
        end = _cursor(items[-1]["created_at"], items[-1]["notification_id"]) if items else None
        return JSONResponse({"items": items, "unread": unread, "has_next": len(rows) > first, "end_cursor": end})

    # ---- one-click unsubscribe ----------------------------------------------------------------------------

    async def unsubscribe_page(self, request: Request) -> Response:
        token = request.query_params.get("token", "")
        try:
            claim = read_token(token, UnsubscribeSettings.from_env().secret)
        except DomainError as err:
            return _error(400, err.rule, err.message, ["token"])
        label = Category(claim.category).label_zh if claim.category in Category._value2member_map_ else ""
        # A GET never changes anything (mail scanners follow links): the form posts the one-click.
        return HTMLResponse(
            "<!doctype html><meta charset=utf-8><title>退订</title>"
            f"<p>退订「{label}」类通知的邮件和短信？站内消息仍会保留。</p>"
            f"<form method=post><input type=hidden name=token value=\"{token}\"><button>确认退订</button></form>")

    async def unsubscribe(self, request: Request) -> JSONResponse:
        token = request.query_params.get("token", "")
        if not token:
            form = await request.form()
            token = str(form.get("token") or "")
        try:
            claim = read_token(token, UnsubscribeSettings.from_env().secret)
            kind_text, _, rid = claim.recipient_id.partition(".")
            kind, category = RecipientKind(kind_text), Category(claim.category)
        except DomainError as err:
            return _error(400, err.rule, err.message, ["token"])
        except ValueError:
            return _error(400, "unsubscribe_token_invalid", "the token names no recipient or category", ["token"])
        ctx = CommandContext(actor=Actor(id=f"unsubscribe-link:{kind.value}.{rid}", role=Role.service),
                             committee_id=claim.committee_id)

        async def work(tx: Tx) -> dict[str, Any]:
            prefs = await preferences_of(tx.conn, self.s, tx.committee_id, kind.value, rid)
            categories = {**prefs.categories, category.value: ("inbox",)}
            await save_preferences(tx, self.schema, kind, rid, NotificationPreferencesSet(
                recipient_kind=kind, recipient_id=rid,
                categories=[CategoryChannels(category=Category(k), channels=list(v)) for k, v in categories.items()],
                digest=prefs.digest, digest_hour=prefs.digest_hour, digest_weekday=prefs.digest_weekday,
                quiet_from=prefs.quiet_from, quiet_until=prefs.quiet_until, via_unsubscribe_link=True))
            return {"unsubscribed": category.value}

        outcome = await self.uow.run(ctx, work)
        return JSONResponse(outcome.result)


def _item(r: Any) -> dict[str, Any]:
    deliveries = r["deliveries"] if isinstance(r["deliveries"], dict) else json.loads(r["deliveries"])
    return {"notification_id": r["notification_id"], "template": r["template"], "category": r["category"],
            "urgency": r["urgency"], "subject_id": r["subject_id"], "reason": r["reason"], "state": r["state"],
            "variables": r["variables"] if isinstance(r["variables"], dict) else json.loads(r["variables"]),
            "created_at": r["created_at"].isoformat(), "source_type": r["source_type"], "deliveries": deliveries}
