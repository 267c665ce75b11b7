"""Routes beside the command API: the caller's inbox (`GET /notifications`, one item at
`GET /notifications/{id}`, each with its "why you got this" reason, its title and summary, and each channel's
delivery status — the office also gets each delivery's detail with its attempts), the caller's preferences
(`GET /preferences`); for the office and admin the webhook endpoints (`GET /webhook-endpoints`) and the
delivery list (`GET /deliveries?status=unknown`); for staff the reminders escalated in a month
(`GET /escalations?month=2026-03`). Who may read which is `contracts.access` (the gateway's table), and an
inbox is always the bearer token's own (`notify.inbox`). The one-click unsubscribe (`GET /unsubscribe`
confirms, `POST /unsubscribe` applies, RFC 8058) needs no login: the signed token names the committee, the
recipient and the category. The SQL is in `notify.inbox_queries`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from contracts.access import may_read
from contracts.clock import CHINA_TZ
from contracts.envelope import Actor, Role
from contracts.notify.preferences import CategoryChannels, NotificationPreferencesSet
from contracts.notify.vocabulary import Category, RecipientKind
from contracts.roles import OFFICE_OR_ADMIN
from eventstore.db import quote_ident
from eventstore.errors import DomainError
from eventstore.store import CommandContext
from eventstore.unit_of_work import Tx, UnitOfWork
from notify import inbox_queries as q
from notify.channels.settings import UnsubscribeSettings
from notify.channels.unsubscribe import read_token
from notify.handlers import save_preferences
from notify.inbox import inbox_of
from notify.writer import preferences_of
from runtime.auth import Principal

PAGE = 50
MAX_PAGE = 200


def _error(status: int, code: str, message: str, fields: list[str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "fields": fields or []}}, status_code=status)


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "false").lower() in ("1", "true", "yes")


class Refused(Exception):
    """A read refused before any SQL runs: the answer to give."""

    def __init__(self, response: JSONResponse) -> None:
        self.response = response


class Routes:
    def __init__(self, schema: str, uow: UnitOfWork, authenticate: Callable[[str | None], Principal]) -> None:
        self.schema = schema
        self.s = quote_ident(schema)
        self.uow = uow
        self.authenticate = authenticate

    def routes(self) -> list[Route]:
        return [Route("/notifications", self.inbox, methods=["GET"]),
                Route("/notifications/{notification_id}", self.notification, methods=["GET"]),
                Route("/preferences", self.preferences, methods=["GET"]),
                Route("/webhook-endpoints", self.webhook_endpoints, methods=["GET"]),
                Route("/deliveries", self.deliveries, methods=["GET"]),
                Route("/escalations", self.escalations, methods=["GET"]),
                Route("/unsubscribe", self.unsubscribe_page, methods=["GET"]),
                Route("/unsubscribe", self.unsubscribe, methods=["POST"])]

    # ---- who is asking ------------------------------------------------------------------------------------

    def _caller(self, request: Request, operation: str) -> Principal:
        try:
            who = self.authenticate(request.headers.get("authorization"))
        except Exception as err:  # every authentication failure is a 401
            raise Refused(_error(401, "unauthenticated", str(err))) from None
        if not may_read(who.role, operation):
            raise Refused(_error(403, "not_authorized", f"{operation} is not available to the {who.role.value} role"))
        return who

    def _inbox(self, request: Request, operation: str) -> tuple[Principal, RecipientKind, str]:
        who = self._caller(request, operation)
        try:
            kind, rid = inbox_of(who.actor)
        except DomainError as err:
            raise Refused(_error(403, err.rule, err.message)) from None
        return who, kind, rid

    @staticmethod
    def _page(request: Request) -> tuple[int, str | None]:
        try:
            first = max(1, min(int(request.query_params.get("first", PAGE)), MAX_PAGE))
            after = request.query_params.get("after") or None
            q.decode_cursor(after)
        except (ValueError, TypeError):
            raise Refused(_error(400, "invalid_query", "first must be a number and after a cursor given here",
                                 ["first", "after"])) from None
        return first, after

    # ---- reads --------------------------------------------------------------------------------------------

    async def inbox(self, request: Request) -> JSONResponse:
        try:
            who, kind, rid = self._inbox(request, "notifications")
            first, after = self._page(request)
        except Refused as refused:
            return refused.response
        unread_only, archived = _flag(request, "unread_only"), _flag(request, "archived")
        states = ["unread"] if unread_only else (["archived"] if archived else ["unread", "read"])
        page = await q.inbox_page(self.uow.store.pool, self.s, who.committee_id, kind.value, rid, states=states,
                                  first=first, after=after, now=self.uow.clock(),
                                  with_deliveries=who.role in OFFICE_OR_ADMIN)
        return JSONResponse(page)

    async def notification(self, request: Request) -> JSONResponse:
        try:
            who, kind, rid = self._inbox(request, "notifications")
        except Refused as refused:
            return refused.response
        found = await q.one(self.uow.store.pool, self.s, who.committee_id, kind.value, rid,
                            request.path_params["notification_id"], now=self.uow.clock(),
                            with_deliveries=who.role in OFFICE_OR_ADMIN)
        if found is None:
            return _error(404, "not_found", "no such notification in your inbox", ["notification_id"])
        return JSONResponse(found)

    async def preferences(self, request: Request) -> JSONResponse:
        try:
            who, kind, rid = self._inbox(request, "notificationPreferences")
        except Refused as refused:
            return refused.response
        return JSONResponse(await q.preferences(self.uow.store.pool, self.s, who.committee_id, kind.value, rid))

    async def webhook_endpoints(self, request: Request) -> JSONResponse:
        try:
            who = self._caller(request, "webhookEndpoints")
        except Refused as refused:
            return refused.response
        return JSONResponse({"items": await q.webhook_endpoints(self.uow.store.pool, self.s, who.committee_id)})

    async def deliveries(self, request: Request) -> JSONResponse:
        try:
            who = self._caller(request, "notificationDeliveries")
            first, after = self._page(request)
        except Refused as refused:
            return refused.response
        status = request.query_params.get("status") or None
        if status is not None and status not in q.STATUSES:
            return _error(400, "invalid_query", f"status must be one of {', '.join(q.STATUSES)}", ["status"])
        page = await q.deliveries_page(self.uow.store.pool, self.s, who.committee_id, status=status, first=first,
                                       after=after, now=self.uow.clock())
        return JSONResponse(page)

    async def escalations(self, request: Request) -> JSONResponse:
        try:
            who = self._caller(request, "oversight")
        except Refused as refused:
            return refused.response
        try:
            year, month = (int(x) for x in request.query_params.get("month", "").split("-"))
            first_day = date(year, month, 1)
        except ValueError:
            return _error(400, "invalid_query", "month must be given as YYYY-MM", ["month"])
        after_last = date(year + month // 12, month % 12 + 1, 1)
        start, end = (datetime.combine(d, time(), CHINA_TZ) for d in (first_day, after_last))
        found = await q.escalations(self.uow.store.pool, self.s, who.committee_id, start, end)
        return JSONResponse({"month": f"{year:04d}-{month:02d}", **found})

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

