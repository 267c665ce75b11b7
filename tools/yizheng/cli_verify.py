"""`yizheng verify`: checks every store's hash chain and names the first event changed behind its back, then
compares the store with its last signed anchor (eventstore.audit_anchor) and names what changed since:
rewritten streams, deleted trailing events or streams, a different count, a forged anchor."""

from __future__ import annotations

from pathlib import Path

import typer

from runtime import event_loop


async def _verify(database_url: str, schemas: list[str], audit_dir: Path, public_key: str) -> int:
    from eventstore.audit_anchor import changes_since, read_anchors
    from eventstore.db import create_pool
    from eventstore.verify import first_broken, kernel_schemas

    pool = await create_pool(database_url, max_size=2)
    try:
        broken = 0
        for schema in schemas or await kernel_schemas(pool):
            total, link = await first_broken(pool, schema)
            anchors = read_anchors(audit_dir, schema, public_key)
            problems = [*anchors.forged, *await changes_since(pool, schema, anchors.valid)]
            if link is not None:
                problems.insert(0, f"first broken {link}")
            if not problems:
                since = f", as anchored at {anchors.valid[-1]['anchored_at']}" if anchors.valid else ", no anchor yet"
                typer.echo(f"{schema}: {total} events, chain intact{since}")
                continue
            broken += 1
            typer.echo(f"{schema}: {total} events, TAMPERED: " + problems[0], err=True)
            for problem in problems[1:]:
                typer.echo(f"{schema}:   also: {problem}", err=True)
        return broken
    finally:
        await pool.close()


def verify(
    schema: list[str] = typer.Option([], "--schema", "-s", help="a store's schema (default: every store)"),
) -> None:
    """Recompute each store's hash chain and compare it with its last signed anchor; exit 1 if any event
    was changed, reordered or removed, or an anchor is forged."""
    from eventstore.audit_anchor import public_key_of
    from runtime.settings import audit_dir, audit_public_key, audit_signing_key, database_url

    public_key = audit_public_key() or public_key_of(audit_signing_key())
    if event_loop.run(_verify(database_url(), schema, audit_dir(), public_key)):
        raise typer.Exit(1)
