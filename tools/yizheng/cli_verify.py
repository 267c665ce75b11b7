"""`yizheng verify`: checks every store's hash chain and names the first event changed behind its back."""

from __future__ import annotations

import typer

from runtime import event_loop


async def _verify(database_url: str, schemas: list[str]) -> int:
    from eventstore.db import create_pool
    from eventstore.verify import first_broken, kernel_schemas

    pool = await create_pool(database_url, max_size=2)
    try:
        broken = 0
        for schema in schemas or await kernel_schemas(pool):
            total, link = await first_broken(pool, schema)
            if link is None:
                typer.echo(f"{schema}: {total} events, chain intact")
            else:
                broken += 1
                typer.echo(f"{schema}: {total} events, TAMPERED: first broken {link}", err=True)
        return broken
    finally:
        await pool.close()


def verify(
    schema: list[str] = typer.Option([], "--schema", "-s", help="a store's schema (default: every store)"),
) -> None:
    """Recompute each store's hash chain; exit 1 if any event's content or order was changed."""
    from runtime.settings import database_url

    if event_loop.run(_verify(database_url(), schema)):
        raise typer.Exit(1)
