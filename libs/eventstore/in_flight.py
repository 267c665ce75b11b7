"""A bound on the requests one process works on at once (the services' command APIs, the GraphQL gateway):
beyond it a request is answered 503 with `Retry-After` at once, instead of queueing without bound behind the
database pool while every client's wait grows. Health and readiness checks are exempt, so a supervisor never
takes a busy process for a dead one; WebSockets (subscriptions, long-lived by nature) are not counted."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

DEFAULT_MAX_IN_FLIGHT = 64
RETRY_AFTER_SECONDS = 1
HEALTH_PATHS = frozenset({"/healthz", "/readyz"})


def command_overloaded(limit: int) -> dict[str, Any]:
    return {"error": {"code": "overloaded", "message": f"more than {limit} requests are in progress; retry shortly"}}


def graphql_overloaded(limit: int) -> dict[str, Any]:
    return {"errors": [{"message": f"more than {limit} requests are in progress; retry shortly",
                        "extensions": {"code": "OVERLOADED", "limit": limit}}]}


class InFlightLimit:
    """ASGI middleware: at most `limit` HTTP requests inside `app` at once; the one over it gets a 503.
    Place it outermost, so a shed request costs no body read."""

    def __init__(self, app: ASGIApp, limit: int, error: Callable[[int], dict[str, Any]] = command_overloaded,
                 exempt: Collection[str] = HEALTH_PATHS, retry_after: int = RETRY_AFTER_SECONDS) -> None:
        if limit < 1:
            raise ValueError(f"an in-flight limit of {limit} would refuse every request")
        self.app = app
        self.limit = limit
        self.error = error
        self.exempt = frozenset(exempt)
        self.retry_after = retry_after
        self.in_flight = 0  # one event loop per process: a plain counter needs no lock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.exempt:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            await self._shed(send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _shed(self, send: Send) -> None:
        body = json.dumps(self.error(self.limit)).encode()
        await send({"type": "http.response.start", "status": 503, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(self.retry_after).encode())]})
        await send({"type": "http.response.body", "body": body})
