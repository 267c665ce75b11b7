"""Errors a client is meant to see (never masked): each carries a stable `code` in the GraphQL error's
extensions. Anything else is an internal error, masked outside development."""

from __future__ import annotations

from typing import Any


class PublicError(Exception):
    code = "BAD_REQUEST"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = {"code": self.code, **extensions}


class BadRequest(PublicError):
    code = "BAD_REQUEST"


class Unauthenticated(PublicError):
    code = "UNAUTHENTICATED"


class Forbidden(PublicError):
    code = "FORBIDDEN"


class NotFound(PublicError):
    code = "NOT_FOUND"


class ServiceUnavailable(PublicError):
    code = "SERVICE_UNAVAILABLE"


class Conflict(PublicError):
    """What is asked is not possible in the record's present state (e.g. a board read before close)."""

    code = "CONFLICT"
