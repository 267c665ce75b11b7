"""While PostgreSQL cannot be reached (restarting, failing over, out of connections) a request is answered 503
with `Retry-After`, naming the cause, rather than 500: the client's request is sound and may be sent again
(with its idempotency key, a retry acts at most once)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from eventstore.in_flight import RETRY_AFTER_SECONDS

# What a lost or refused database connection raises: the socket (OSError), a connection closed under a query
# (InterfaceError, class 08), a server shutting down or starting up (class 57), too many connections (class 53),
# and a pooled connection ended mid-query being handed back ("cannot switch to state …": InternalClientError).
UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError, asyncpg.OperatorInterventionError,
    asyncpg.InsufficientResourcesError, asyncpg.InternalClientError)


def unavailable_body(err: BaseException) -> dict[str, object]:
    return {"error": {"code": "unavailable",
                      "message": f"the database cannot be reached ({type(err).__name__}); retry shortly"}}


async def _answer(request: Request, err: Exception) -> Response:
    return JSONResponse(unavailable_body(err), status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def unavailable_handlers() -> dict[type[BaseException], Callable[[Request, Exception], Awaitable[Response]]]:
    """Starlette `exception_handlers` for every app of a process that talks to PostgreSQL."""
    return {cls: _answer for cls in UNAVAILABLE}
