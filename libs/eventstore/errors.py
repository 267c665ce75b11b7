"""Errors the kernel raises."""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    """A command refused by a business rule. `rule` is a stable code clients can switch on; `fields` names
    the command's fields the refusal is about (dotted paths, as a 400's `fields`)."""

    def __init__(self, rule: str, message: str, *, fields: Sequence[str] = (), **details: object) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.fields = list(fields)
        self.details = details

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


class ConcurrencyError(Exception):
    """Another writer changed the stream first; nothing was written. Reload and retry, or refuse."""

    def __init__(self, stream_id: str, expected_version: int, detail: str) -> None:
        super().__init__(f"stream {stream_id!r} was expected at version {expected_version} but {detail}; "
                         "nothing was written")
        self.stream_id = stream_id
        self.expected_version = expected_version


class NotAuthorized(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__("not_authorized", message)


class TransactionOrderConflict(ConcurrencyError):
    """The writing transaction took its id before the stream's last writer committed; appending would put
    the stream out of order for tailing readers. Nothing was written; retrying the transaction succeeds."""
