"""`yizheng anchor`: sign each store's head now, append it to the audit directory and publish it to the
audit topic (what every running service does periodically; eventstore.audit_anchor)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from runtime import event_loop

if TYPE_CHECKING:
    from eventstore.kafka_access import KafkaAccess


async def _anchor(database_url: str, schemas: list[str], audit_dir: Path, signing_key: str,
                  bootstrap: KafkaAccess | None, topic: str) -> int:
    from eventstore.audit_anchor import Anchorer, TamperedStore
    from eventstore.db import create_pool
    from eventstore.verify import kernel_schemas

    pool = await create_pool(database_url, max_size=3)
    try:
        refused = 0
        for schema in schemas or await kernel_schemas(pool):
            anchorer = Anchorer(pool, schema, signing_key=signing_key, directory=audit_dir, bootstrap=bootstrap,
                                topic=topic)
            try:
                record = await anchorer.anchor_now(force=True)
            except TamperedStore as err:
                refused += 1
                typer.echo(str(err), err=True)
                continue
            if record is None:
                typer.echo(f"{schema}: another process is anchoring it now", err=True)
            else:
                typer.echo(f"{schema}: anchored {record['count']} events (last position {record['last_position']})")
        return refused
    finally:
        await pool.close()


def anchor(
    schema: list[str] = typer.Option([], "--schema", "-s", help="a store's schema (default: every store)"),
    publish: bool = typer.Option(True, help="also publish the anchor to the audit topic"),
) -> None:
    """Sign and record each store's head now; exit 1 if a store no longer matches its earlier anchors."""
    import os

    from eventstore.audit_anchor import AUDIT_TOPIC
    from runtime.settings import audit_dir, audit_signing_key, database_url, kafka_access

    topic = os.environ.get("YIZHENG_TOPIC_PREFIX", "") + AUDIT_TOPIC
    if event_loop.run(_anchor(database_url(), schema, audit_dir(), audit_signing_key(),
                              kafka_access() if publish else None, topic)):
        raise typer.Exit(1)
