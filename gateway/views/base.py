"""The common shape of a gateway view: tables in the gateway's schema, filled by handlers per event type.

A view is a `eventstore.projection.Projection` (setup / reset / apply). Handlers read the event as a plain
dict (the payload upcast and validated by the contracts registry, dumped to JSON types), so a view depends
on the public field names of an event, never on its Python class."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, ClassVar
from uuid import UUID

import asyncpg

from contracts.clock import local_date
from eventstore.consumer import Delivered
from eventstore.db import quote_ident
from gateway.views.statements import Statements


@dataclass(frozen=True)
class Fact:
    """One delivered event, as the views read it."""

    type: str
    committee_id: str
    event_id: UUID
    stream_id: str
    occurred_at: datetime
    data: dict[str, Any]
    actor_id: str
    recorded_at: datetime | None = None  # when it was written; before `occurred_at` only for a back-dated step

    @classmethod
    def of(cls, delivered: Delivered) -> Fact:
        env = delivered.envelope
        try:
            data = delivered.event.model_dump(mode="json")
        except Exception:  # an event without a registered class: the raw payload is all we have
            data = dict(env.data)
        occurred = env.occurred_at if env.occurred_at.tzinfo else env.occurred_at.replace(tzinfo=UTC)
        recorded = env.recorded_at if env.recorded_at is None or env.recorded_at.tzinfo \
            else env.recorded_at.replace(tzinfo=UTC)
        return cls(env.type, env.committee_id, env.event_id, env.stream_id, occurred, data, env.actor.id, recorded)

    @property
    def local_date(self) -> date:
        # A fact recorded at 23:30 UTC happened the next day in the county.
        return local_date(self.occurred_at)

    def date(self, key: str) -> date | None:
        value = self.data.get(key)
        if value is None:
            return None
        return value if isinstance(value, date) else date.fromisoformat(str(value))

    def datetime(self, key: str) -> datetime | None:
        value = self.data.get(key)
        if value is None:
            return None
        return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))

    def ids(self, key: str) -> list[str]:
        return [str(v) for v in (self.data.get(key) or [])]


FactHandler = Callable[[Any, Statements, Fact], Awaitable[None]]


def on(*event_types: str) -> Callable[[FactHandler], FactHandler]:
    """Mark a view method as the handler of some event types."""

    def mark(fn: FactHandler) -> FactHandler:
        fn.__handles__ = event_types  # type: ignore[attr-defined]
        return fn

    return mark


class View:
    """Subclasses set `name`, `tables` (in dependency order) and `DDL` (with `{s}` for the schema), and
    mark handlers with `@on(...)`."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    tables: ClassVar[tuple[str, ...]]
    DDL: ClassVar[str]
    _handlers: ClassVar[dict[str, FactHandler]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        handlers: dict[str, FactHandler] = {}
        for klass in reversed(cls.__mro__):
            for attr in vars(klass).values():
                for event_type in getattr(attr, "__handles__", ()):
                    handlers[event_type] = attr
        cls._handlers = handlers

    def __init__(self, schema: str) -> None:
        self.schema = quote_ident(schema)

    @classmethod
    def handled_types(cls) -> frozenset[str]:
        return frozenset(cls._handlers)

    def t(self, table: str) -> str:
        return f"{self.schema}.{table}"

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
        await conn.execute(self.DDL.replace("{s}", self.schema))

    async def reset(self, conn: asyncpg.Connection) -> None:
        await conn.execute("TRUNCATE " + ", ".join(self.t(name) for name in self.tables))

    async def apply(self, conn: asyncpg.Connection, delivered: Delivered) -> None:
        handler = self._handlers.get(delivered.envelope.type)
        if handler is not None:
            await handler(self, conn, Fact.of(delivered))

    async def apply_fact(self, conn: Statements, fact: Fact) -> None:
        handler = self._handlers.get(fact.type)
        if handler is not None:
            await handler(self, conn, fact)
