"""The projector holds each view's statements of a batch and sends them when the batch ends, runs of one
statement pipelined (`gateway.views.statements`). That is only the same as applying the events one by one
while no view writes or reads another view's tables and no handler reads: the handlers' connection is typed
`Statements` (execute only), so mypy refuses a read; these tests check the tables."""

from __future__ import annotations

import inspect
import re
from collections import Counter
from typing import Any

import pytest

from gateway.views import VIEW_CLASSES
from gateway.views.base import View
from gateway.views.statements import HeldStatements

TABLE_REFERENCE = re.compile(r"self\.t\(['\"](\w+)['\"]\)|\{self\.schema\}\.(\w+)")


def test_no_two_views_own_a_table() -> None:
    owners = Counter(table for view in VIEW_CLASSES for table in view.tables)
    assert [t for t, n in owners.items() if n > 1] == []


@pytest.mark.parametrize("view", VIEW_CLASSES, ids=lambda v: v.name)
def test_a_views_handlers_name_only_its_own_tables(view: type[View]) -> None:
    source = inspect.getsource(view).replace(view.DDL, "")
    named = {a or b for a, b in TABLE_REFERENCE.findall(source)}
    assert named <= set(view.tables), f"{view.name} names {sorted(named - set(view.tables))}"


class _Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []

    async def execute(self, query: str, *args: Any) -> None:
        self.sent.append(("execute", (query, args)))

    async def executemany(self, query: str, rows: list[tuple[Any, ...]]) -> None:
        self.sent.append(("executemany", (query, rows)))


async def test_held_statements_are_sent_in_order_with_runs_of_one_statement_pipelined() -> None:
    held = HeldStatements()
    for query, args in [("A", (1,)), ("A", (2,)), ("B", (3,)), ("A", (4,))]:
        await held.execute(query, *args)
    conn = _Recorder()
    assert await held.flush(conn) == 3  # type: ignore[arg-type]
    assert conn.sent == [("executemany", ("A", [(1,), (2,)])), ("execute", ("B", (3,))), ("execute", ("A", (4,)))]
    assert await held.flush(conn) == 0 and held.held == 0  # type: ignore[arg-type]


def test_a_fact_handler_takes_statements() -> None:
    # A handler typed with a full connection could read; the projector could then not hold its writes.
    for view in VIEW_CLASSES:
        for handler in {*view._handlers.values()}:
            hints = inspect.signature(handler).parameters
            conn = list(hints.values())[1]
            assert "Statements" in str(conn.annotation), f"{view.name}.{handler.__name__}: {conn.annotation}"
