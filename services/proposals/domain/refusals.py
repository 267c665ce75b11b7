"""How the proposals deciders refuse a command: a `DomainError` whose rule is the stable code clients
switch on, naming the command's fields it is about."""

from __future__ import annotations

from collections.abc import Sequence

from eventstore.errors import DomainError


def refuse(rule: str, message: str, *, fields: Sequence[str] = (), **details: object) -> DomainError:
    """Build the refusal to raise."""
    return DomainError(rule, message, fields=fields, **details)


def require_reason(text: str, field: str = "reason") -> None:
    if not text.strip():
        raise refuse("reason_required", "a reason must be given", fields=[field])
