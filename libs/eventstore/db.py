"""Connection pools with the codecs every kernel query relies on."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import asyncpg


async def _init_connection(conn: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    # xid8 travels as text; the kernel only compares and stores it.
    await conn.set_type_codec("xid8", encoder=str, decoder=int, schema="pg_catalog", format="text")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Pool release without asyncpg's reset query (advisory unlock all, CLOSE ALL, UNLISTEN *, RESET ALL: a
    full round trip per release). Kernel code leaves no session state on pooled connections: locks are
    transaction-scoped or unlocked explicitly, listeners are removed before release, nothing is SET.
    asyncpg still rolls back a transaction left open."""


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10, **kwargs: Any) -> asyncpg.Pool:
    kwargs.setdefault("reset", _keep_session)
    pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, init=_init_connection, **kwargs)
    assert pool is not None
    return pool


def quote_ident(name: str) -> str:
    """Schema names come from configuration; refuse anything that is not a plain identifier."""
    if not name.replace("_", "").isalnum() or not name[0].isalpha() or name.lower() != name:
        raise ValueError(f"schema name {name!r} must be lower-case letters, digits and underscores")
    return name


def connection(target: asyncpg.Connection | asyncpg.Pool) -> Any:
    """An async context manager giving a connection: borrowed from a pool, or the one passed in."""
    if isinstance(target, asyncpg.Pool):
        return target.acquire()
    return contextlib.nullcontext(target)
