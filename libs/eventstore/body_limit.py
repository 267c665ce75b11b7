"""A cap on request bodies for the HTTP APIs (the services' command APIs, the GraphQL gateway): a body over
the cap is answered 413 with an error naming the limit, and is never held in memory whole."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The command APIs carry a roster file (base64 XLSX) at most; GraphQL documents are far smaller.
COMMAND_BODY_LIMIT = 8 * 1024 * 1024
GRAPHQL_BODY_LIMIT = 1024 * 1024


def command_error(limit: int) -> dict[str, Any]:
    return {"error": {"code": "request_too_large", "message": f"the request body is over {limit:,} bytes"}}


def graphql_error(limit: int) -> dict[str, Any]:
    return {"errors": [{"message": f"the request body is over {limit:,} bytes",
                        "extensions": {"code": "REQUEST_TOO_LARGE"}}]}


class BodyLimit:
    """ASGI middleware. Reads the body up to `limit` bytes, then hands it to the app; refuses at once when
    Content-Length already says it is too large."""

    def __init__(self, app: ASGIApp, limit: int, error: Callable[[int], dict[str, Any]] = command_error) -> None:
        self.app = app
        self.limit = limit
        self.error = error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([message]), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay([{"type": "http.request", "body": b"".join(chunks), "more_body": False}],
                                      then=receive), send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(self.error(self.limit)).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    async def receive() -> Message:
        if messages:
            return messages.pop(0)
        if then is not None:
            return await then()  # after the body: the disconnect, when it comes
        return {"type": "http.disconnect"}

    return receive
