"""`yizheng verify`: checks every store's hash chain and names the first event changed behind its back, then
compares the store with its signed anchors (eventstore.audit_anchor) and names what changed since:
rewritten streams, deleted trailing events or streams, a different count, a forged anchor.

The anchors are read from both copies: the anchor file on this host and the audit topic (`audit.heads`), the
copy kept off the database host. By default the topic is read whenever Kafka is configured (KAFKA_* or the
local broker's users); `--from-topic` insists on it, `--no-from-topic` checks the file alone. Against the
topic, verify names an anchor file that is missing or cut short (its last anchor older than the topic's), and
in either copy a gap or a fork in the anchors' chain. A store with events but no anchor anywhere fails once
its first event is older than one anchor interval (by then the running service must have anchored it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from runtime import event_loop

if TYPE_CHECKING:
    from eventstore.audit_anchor import Anchors
    from eventstore.kafka_access import KafkaAccess


async def _topic_anchors(kafka: KafkaAccess | None, topic: str, schemas: list[str],
                         public_key: str) -> tuple[dict[str, Anchors] | None, str | None]:
    """Each schema's anchors on the audit topic, or why they could not be read."""
    from eventstore.audit_anchor import read_topic

    if kafka is None:
        return None, None
    try:
        return await read_topic(kafka, topic, schemas, public_key), None
    except TimeoutError:
        return None, f"the audit topic {topic} could not be read to its end in time"
    except Exception as err:  # a broker that refuses us: named, never taken for "no anchors there"
        return None, f"the audit topic {topic} could not be read ({type(err).__name__}: {err})"


async def _verify(database_url: str, schemas: list[str], audit_dir: Path, public_key: str,
                  kafka: KafkaAccess | None, topic: str, interval: float) -> int:
    from eventstore.audit_anchor import anchor_file, changes_since, compare_copies, first_recorded, read_anchors
    from eventstore.db import create_pool
    from eventstore.verify import first_broken, kernel_schemas

    pool = await create_pool(database_url, max_size=2)
    try:
        schemas = schemas or await kernel_schemas(pool)
        on_topic, unreadable = await _topic_anchors(kafka, topic, schemas, public_key)
        broken = 0
        for schema in schemas:
            total, link = await first_broken(pool, schema)
            path = anchor_file(audit_dir, schema)
            file = read_anchors(audit_dir, schema, public_key)
            from_topic = on_topic.get(schema) if on_topic is not None else None
            copies = compare_copies(file.valid, from_topic.valid if from_topic else None, file_name=str(path),
                                    file_exists=path.exists(), topic_name=f"the audit topic {topic}")
            problems = [*file.forged, *(from_topic.forged if from_topic else []), *copies.problems,
                        *await changes_since(pool, schema, copies.anchors)]
            notes = list(copies.notes)
            if unreadable:
                problems.append(f"{unreadable}: pass --no-from-topic to check against the anchor file alone")
            elif kafka is None:
                notes.append("checked against the anchor file alone (the audit topic not read)")
            if link is not None:
                problems.insert(0, f"first broken {link}")
            since = ""
            if copies.anchors:
                last = copies.anchors[-1]
                since = f", as anchored at {last['anchored_at']} (anchor #{last.get('seq', len(copies.anchors))})"
            elif total:
                first = await first_recorded(pool, schema)
                due = first + timedelta(seconds=interval) if first else None
                where = f"{path} holds none" + ("" if from_topic is None else f", nor does the audit topic {topic}")
                if due is not None and datetime.now(UTC) > due:
                    problems.append(f"{total} events but no anchor at all ({where}), though the "
                                    f"first event was recorded at {first:%Y-%m-%d %H:%M:%S%z}, more than one anchor "
                                    f"interval ({interval:g} s) ago")
                else:
                    since = f", no anchor yet (the first is due by {due:%Y-%m-%d %H:%M:%S%z}, one anchor " \
                            f"interval after the first event)" if due else ", no anchor yet"
            else:
                since = ", no event and no anchor yet"
            if not problems:
                typer.echo(f"{schema}: {total} events, chain intact{since}")
                for note in notes:
                    typer.echo(f"{schema}:   note: {note}")
                continue
            broken += 1
            typer.echo(f"{schema}: {total} events, TAMPERED: " + problems[0], err=True)
            for problem in problems[1:]:
                typer.echo(f"{schema}:   also: {problem}", err=True)
            for note in notes:
                typer.echo(f"{schema}:   note: {note}", err=True)
        return broken
    finally:
        await pool.close()


def verify(
    schema: list[str] = typer.Option([], "--schema", "-s", help="a store's schema (default: every store)"),
    from_topic: bool | None = typer.Option(
        None, "--from-topic/--no-from-topic",
        help="also read the anchors from the audit topic (default: whenever Kafka is configured)"),
    anchor_interval: float | None = typer.Option(
        None, min=1, help="seconds within which a store's first event must be anchored "
                          "(default: YIZHENG_AUDIT_ANCHOR_SECONDS, else 300)"),
) -> None:
    """Recompute each store's hash chain and compare it with its signed anchors, from the anchor file and the
    audit topic; exit 1 if any event was changed, reordered or removed, an anchor is forged, missing or out of
    its chain, or a store older than one anchor interval has no anchor."""
    import os

    from eventstore.audit_anchor import AUDIT_TOPIC, public_key_of
    from runtime.settings import (
        DEFAULT_AUDIT_ANCHOR_SECONDS,
        audit_anchor_seconds,
        audit_dir,
        audit_public_key,
        audit_signing_key,
        database_url,
        external_kafka_bootstrap,
        kafka_access,
    )

    public_key = audit_public_key() or public_key_of(audit_signing_key())
    kafka: KafkaAccess | None = None
    if from_topic is not False:
        try:
            kafka = kafka_access()
        except ValueError as err:  # no KAFKA_BOOTSTRAP_SERVERS and no local broker's users
            if from_topic or external_kafka_bootstrap():
                typer.echo(f"--from-topic: Kafka is not configured: {err}", err=True)
                raise typer.Exit(2) from None
    topic = os.environ.get("YIZHENG_TOPIC_PREFIX", "") + AUDIT_TOPIC
    interval = anchor_interval or audit_anchor_seconds() or DEFAULT_AUDIT_ANCHOR_SECONDS
    if event_loop.run(_verify(database_url(), schema, audit_dir(), public_key, kafka, topic, interval)):
        raise typer.Exit(1)
