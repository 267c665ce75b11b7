"""How the surveys deciders refuse a command: a `DomainError` whose rule is the stable code clients switch
on, naming the command's fields it is about (dotted paths, as a 400's `fields`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from eventstore.errors import DomainError


def refuse(rule: str, message: str, *, fields: Sequence[str] = (), **details: object) -> DomainError:
    """Build the refusal to raise."""
    return DomainError(rule, message, fields=fields, **details)


def require_reason(text: str, field: str = "reason") -> None:
    if not text.strip():
        raise refuse("reason_required", "a reason must be given", fields=[field])


def not_after_today(day: date, today: date, what: str, field: str) -> None:
    """A past fact is recorded once it has happened (the command's `PastDate` checks the real clock; this
    checks the service's)."""
    if day > today:
        raise refuse("date_in_future", f"{what} is recorded once it has happened ({field} {day} is after today, "
                      f"{today})", fields=[field], date=day.isoformat())


def distinct(ids: Iterable[str], what: str, field: str) -> list[str]:
    ids = list(ids)
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise refuse("duplicate_ids", f"{what} named twice: {', '.join(repeated)}", fields=[field])
    return ids
