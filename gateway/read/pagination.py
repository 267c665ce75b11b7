"""Cursor pagination over keyset order: a cursor is the opaque encoding of the sort key of the last row
seen, so pages stay stable while new rows arrive."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from gateway.errors import BadRequest

T = TypeVar("T")
DEFAULT_PAGE = 20
MAX_PAGE = 100


@dataclass(frozen=True)
class SortKey:
    """The ordering of a list: SQL expressions, each ascending or not, ending in a unique column."""

    columns: tuple[tuple[str, bool], ...]  # (expression, ascending)

    def order_by(self) -> str:
        return ", ".join(f"{expr} {'ASC' if asc else 'DESC'} NULLS LAST" for expr, asc in self.columns)

    def after(self, values: Sequence[Any], first_param: int) -> tuple[str, list[Any]]:
        """A predicate selecting the rows after `values` in this order (mixed directions, NULLs last)."""
        clauses: list[str] = []
        params: list[Any] = []
        n = first_param
        for i, (expr, asc) in enumerate(self.columns):
            parts = []
            for j in range(i):
                prev_expr = self.columns[j][0]
                if values[j] is None:
                    parts.append(f"{prev_expr} IS NULL")
                else:
                    parts.append(f"{prev_expr} = ${n}")
                    params.append(values[j])
                    n += 1
            value = values[i]
            if value is None:
                continue  # nothing sorts after NULL in this column (NULLS LAST): only later columns can break it
            op = ">" if asc else "<"
            parts.append(f"({expr} {op} ${n} OR {expr} IS NULL)")
            params.append(value)
            n += 1
            clauses.append("(" + " AND ".join(parts) + ")")
        return ("(" + " OR ".join(clauses) + ")" if clauses else "false"), params


def encode_cursor(values: Sequence[Any]) -> str:
    def plain(v: Any) -> Any:
        if isinstance(v, datetime):
            return {"dt": v.isoformat()}
        if isinstance(v, date):
            return {"d": v.isoformat()}
        if isinstance(v, Decimal):
            return {"n": str(v)}
        return v

    raw = json.dumps([plain(v) for v in values], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    def typed(v: Any) -> Any:
        if isinstance(v, dict):
            if "dt" in v:
                return datetime.fromisoformat(v["dt"])
            if "d" in v:
                return date.fromisoformat(v["d"])
            if "n" in v:
                return Decimal(v["n"])
        return v

    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list):
            raise ValueError("not a list")
    except (ValueError, TypeError) as err:
        raise BadRequest(f"invalid cursor {cursor!r}") from err
    return [typed(v) for v in values]


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if first < 0 or first > MAX_PAGE:
        raise BadRequest(f"first must be between 0 and {MAX_PAGE}")
    return first


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    cursors: list[str]
    has_next: bool
    has_previous: bool
    total: int


class Where:
    """Accumulates SQL conditions with numbered parameters."""

    def __init__(self, *initial: tuple[str, Any]) -> None:
        self.clauses: list[str] = []
        self.params: list[Any] = []
        for clause, value in initial:
            self.add(clause, value)

    def add(self, clause: str, *values: Any) -> None:
        """`clause` uses `?` for each value, in order."""
        for value in values:
            self.params.append(value)
            clause = clause.replace("?", f"${len(self.params)}", 1)
        self.clauses.append(clause)

    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "true"


async def paginate(db: Any, base_sql: str, where: Where, key: SortKey, key_names: Sequence[str], first: int | None,
                   after: str | None) -> Page[Any]:
    """Run `SELECT … FROM … WHERE <where> [AND after] ORDER BY key LIMIT n+1`, with `base_sql` being
    `SELECT <columns> FROM <from>` whose columns include `key_names` (the sort key's values, by name)."""
    n = page_size(first)
    total = int(await db.fetchval(f"SELECT count(*) FROM ({base_sql} WHERE {where.sql()}) AS counted", *where.params))
    conditions = where.sql()
    params = list(where.params)
    if after:
        values = decode_cursor(after)
        if len(values) != len(key.columns):
            raise BadRequest("cursor does not belong to this list")
        predicate, extra = key.after(values, len(params) + 1)
        conditions = f"({conditions}) AND {predicate}"
        params.extend(extra)
    rows = await db.fetch(f"SELECT * FROM ({base_sql} WHERE {conditions}) AS page ORDER BY "
                          f"{_outer(key)} LIMIT {n + 1}", *params)
    has_next = len(rows) > n
    rows = rows[:n]
    cursors = [encode_cursor([r[k] for k in key_names]) for r in rows]
    return Page(list(rows), cursors, has_next, after is not None, total)


def _outer(key: SortKey) -> str:
    # The outer query orders by the named output columns (the last identifier of each expression).
    return ", ".join(f"{expr.split('.')[-1]} {'ASC' if asc else 'DESC'} NULLS LAST" for expr, asc in key.columns)
