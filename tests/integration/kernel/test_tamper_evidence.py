"""A log no one can quietly rewrite: the events table refuses UPDATE, DELETE and TRUNCATE to everyone but
the maintenance role, and what the maintenance role (or a superuser) does anyway shows against the store's
last signed anchor: `verify` names the rewritten stream, the deleted events, the deleted stream, the forged
anchor. The anchors are a chain (each names the one before it) kept in two copies, the file on the database
host and the audit topic off it: `verify` names an anchor file deleted or cut short, from the topic, and a
gap or a fork in the chain; and a store with events but no anchor at all, once one anchor interval has
passed. Each test works on a fresh schema of its own."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio

from eventstore import audit_anchor
from eventstore.anchor_heads import digest
from eventstore.audit_anchor import (
    AUDIT_TOPIC,
    GENESIS,
    Anchorer,
    anchor_digest,
    anchor_file,
    chain_breaks,
    changes_since,
    for_the_topic,
    public_key_of,
    read_anchors,
    read_head,
    sign,
    signature_holds,
)
from eventstore.install import install
from eventstore.kafka_access import KafkaAccess
from eventstore.store import EventStore
from eventstore.verify import first_broken
from runtime.settings import DEV_AUDIT_SIGNING_KEY
from tests.integration.kernel.sample_events import SampleNoted, ctx
from tests.integration.kernel.tampering import as_maintenance
from yizheng.testing.platform import create_topics
from yizheng.testing.topic_reader import TopicReader
from yizheng.testing.wait import wait_until

STREAMS = ("proposal-0", "proposal-1", "proposal-2")


@pytest.fixture
def anchorer(store: EventStore, tmp_path: Path) -> Anchorer:
    return Anchorer(store.pool, store.schema, signing_key=DEV_AUDIT_SIGNING_KEY, directory=tmp_path)


async def _anchored(anchorer: Anchorer, count: int) -> None:
    """Anchor until an anchor covers `count` events: an anchor covers only transactions older than every
    one still in flight in the cluster, which other sessions may hold back for a moment."""
    async def covered() -> bool:
        record = await anchorer.anchor_now()
        return record is not None and record["count"] == count

    await wait_until(covered, timeout=30, message=f"an anchor of {count} events")


async def _fill(store: EventStore, anchorer: Anchorer) -> tuple[Path, list[str]]:
    """Three proposals of four events each, written a round at a time, anchored after every round; returns the
    anchor file and its lines (4, or more if a transaction in flight held an anchor back)."""
    for version in range(4):
        for i, stream in enumerate(STREAMS):
            await store.append(stream, version, [SampleNoted(n=i * 10 + version)], ctx())
        await _anchored(anchorer, 3 * (version + 1))
    path = anchor_file(anchorer.directory, store.schema)
    return path, path.read_text().splitlines()


async def _changes(anchorer: Anchorer) -> list[str]:
    anchors = read_anchors(anchorer.directory, anchorer.schema, anchorer.public_key)
    return [*anchors.forged, *await changes_since(anchorer.pool, anchorer.schema, anchors.valid)]


@pytest.mark.parametrize("statement", [
    "UPDATE {s}.events SET data = '{{}}' WHERE stream_version = 1",
    "DELETE FROM {s}.events WHERE stream_id = 'proposal-0'",
    "TRUNCATE {s}.events",
])
async def test_the_application_may_not_change_or_remove_a_stored_event(
        store: EventStore, anchorer: Anchorer, pg_pool: asyncpg.Pool, statement: str) -> None:
    await _fill(store, anchorer)
    with pytest.raises(asyncpg.InsufficientPrivilegeError) as refused:
        await pg_pool.execute(statement.format(s=store.schema))
    assert f"{store.schema}.events is append-only" in str(refused.value)
    assert refused.value.detail == "rule: events_append_only (stored events are never changed or removed)"
    assert await pg_pool.fetchval(f"SELECT count(*) FROM {store.schema}.events") == 12
    assert await as_maintenance(pg_pool, statement.format(s=store.schema)) != ""


@pytest_asyncio.fixture(loop_scope="session")
async def app_role(pg_pool: asyncpg.Pool) -> AsyncIterator[str]:
    """A role of its own that is not the tables' owner, as production's services connect."""
    name = f"t_app_{uuid.uuid4().hex[:12]}"
    await pg_pool.execute(f"CREATE ROLE {name} NOLOGIN")
    try:
        yield name
    finally:
        await pg_pool.execute(f"DROP OWNED BY {name}")
        await pg_pool.execute(f"DROP ROLE {name}")


async def test_install_revokes_changes_from_the_application_role_and_stays_idempotent(
        store: EventStore, pg_pool: asyncpg.Pool, app_role: str) -> None:
    s = store.schema
    await store.append("proposal-0", 0, [SampleNoted(n=1)], ctx())
    await pg_pool.execute(f"GRANT USAGE ON SCHEMA {s} TO {app_role}; GRANT ALL ON {s}.events TO {app_role}")
    await install(pg_pool, s, app_role=app_role)
    await install(pg_pool, s, app_role=app_role)
    async with pg_pool.acquire() as conn:
        await conn.execute(f"SET ROLE {app_role}")
        try:
            assert await conn.fetchval(f"SELECT count(*) FROM {s}.events") == 1
            for statement in (f"UPDATE {s}.events SET type = 'x'", f"DELETE FROM {s}.events", f"TRUNCATE {s}.events"):
                with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                    await conn.execute(statement)
        finally:
            await conn.execute("RESET ROLE")


async def test_an_untouched_store_matches_its_anchors(store: EventStore, anchorer: Anchorer) -> None:
    await _fill(store, anchorer)
    await store.append("proposal-3", 0, [SampleNoted(n=99)], ctx())  # after the last anchor: not a change
    assert await _changes(anchorer) == []
    await _anchored(anchorer, 13)
    anchored = len(read_anchors(anchorer.directory, anchorer.schema, anchorer.public_key).valid)
    assert await anchorer.anchor_now() is None, "the head did not move: no new anchor"
    assert len(read_anchors(anchorer.directory, anchorer.schema, anchorer.public_key).valid) == anchored


async def _recompute_hashes(pool: asyncpg.Pool, schema: str, stream: str, from_version: int) -> None:
    for version in range(from_version, 5):
        await as_maintenance(pool, f"""
            UPDATE {schema}.events e SET hash = {schema}.event_hash(
                (SELECT p.hash FROM {schema}.events p WHERE p.stream_id = e.stream_id
                    AND p.stream_version = e.stream_version - 1),
                position, event_id, stream_id, stream_version, type, schema_version, committee_id, data,
                metadata, occurred_at)
             WHERE stream_id = $1 AND stream_version = $2""", stream, version)


async def test_a_rewritten_row_with_its_hashes_recomputed_is_named(
        store: EventStore, anchorer: Anchorer, pg_pool: asyncpg.Pool) -> None:
    await _fill(store, anchorer)
    s = store.schema
    await as_maintenance(pg_pool, f"UPDATE {s}.events SET data = jsonb_set(data, '{{n}}', '99') "
                                  "WHERE stream_id = 'proposal-1' AND stream_version = 2")
    await _recompute_hashes(pg_pool, s, "proposal-1", 2)
    assert (await first_broken(pg_pool, s))[1] is None, "the chain alone no longer shows it"
    changes = await _changes(anchorer)
    assert changes == ["stream proposal-1 rewritten (its hashes recomputed): first changed event v2"]


async def test_deleted_trailing_events_are_named(store: EventStore, anchorer: Anchorer, pg_pool: asyncpg.Pool) -> None:
    await _fill(store, anchorer)
    await as_maintenance(pg_pool, f"DELETE FROM {store.schema}.events "
                                  "WHERE stream_id = 'proposal-2' AND stream_version > 2")
    assert (await first_broken(pg_pool, store.schema))[1] is None
    changes = await _changes(anchorer)
    assert changes[0].startswith("stream proposal-2 was at v4 at the anchor of ")
    assert changes[0].endswith(", now v2 (events v3..v4 deleted)")
    assert changes[1].startswith("10 events where the anchor of ") and changes[1].endswith("counted 12")


async def test_a_deleted_stream_is_named(store: EventStore, anchorer: Anchorer, pg_pool: asyncpg.Pool) -> None:
    await _fill(store, anchorer)
    await as_maintenance(pg_pool, f"DELETE FROM {store.schema}.events WHERE stream_id = 'proposal-0'")
    changes = await _changes(anchorer)
    assert changes[0].startswith("stream proposal-0 deleted (at v4 at the anchor of ")
    assert "8 events where the anchor" in changes[1]


async def test_a_store_dropped_and_installed_anew_is_named_as_replaced(
        store: EventStore, anchorer: Anchorer, pg_pool: asyncpg.Pool) -> None:
    await _fill(store, anchorer)
    await pg_pool.execute(f"DROP SCHEMA {store.schema} CASCADE")
    await install(pg_pool, store.schema)
    [change] = await _changes(anchorer)
    assert change.startswith("the store was replaced: its last anchor (") and "12 events" in change
    assert "every anchored event is gone" in change


async def test_a_forged_anchor_is_named_and_the_store_is_checked_against_the_last_genuine_one(
        store: EventStore, anchorer: Anchorer, pg_pool: asyncpg.Pool) -> None:
    await _fill(store, anchorer)
    await as_maintenance(pg_pool, f"DELETE FROM {store.schema}.events WHERE stream_id = 'proposal-0'")
    # The forger writes an anchor of the store as it is now, but cannot sign it.
    path = anchor_file(anchorer.directory, store.schema)
    lines = path.read_text().splitlines()
    forged = json.loads(lines[-1])
    forged["changed"].pop("proposal-0", None)
    forged["count"] = 8
    path.write_text("\n".join([*lines, json.dumps(forged)]) + "\n")
    changes = await _changes(anchorer)
    assert changes[0] == f"{path.name} line {len(lines) + 1}: FORGED anchor (its signature does not hold)"
    assert changes[1].startswith("stream proposal-0 deleted")


async def test_the_verify_command_names_what_changed_since_the_anchor_and_exits_non_zero(
        store: EventStore, anchorer: Anchorer, pg_pool: asyncpg.Pool, database_url: str) -> None:
    await _fill(store, anchorer)
    cmd = [sys.executable, "-m", "yizheng.cli", "verify", "--schema", store.schema]
    env = {"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin", "YIZHENG_AUDIT_DIR": str(anchorer.directory)}
    ok = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert ok.returncode == 0 and "12 events, chain intact, as anchored at" in ok.stdout, ok.stderr
    await as_maintenance(pg_pool, f"DELETE FROM {store.schema}.events "
                                  "WHERE stream_id = 'proposal-1' AND stream_version = 4")
    bad = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert bad.returncode == 1
    assert "TAMPERED: stream proposal-1 was at v4 at the anchor of" in bad.stderr
    # Anchoring now refuses to sign the tampered store as the new normal.
    refused = subprocess.run([sys.executable, "-m", "yizheng.cli", "anchor", "--no-publish", "--schema",
                              store.schema], capture_output=True, text=True, env=env, check=False)
    assert refused.returncode == 1 and "no longer matches its anchors" in refused.stderr


async def test_the_anchoring_worker_publishes_signed_heads_to_the_audit_topic(
        store: EventStore, pg_pool: asyncpg.Pool, tmp_path: Path, kafka_bootstrap: KafkaAccess,
        topic_prefix: str) -> None:
    topic = f"{topic_prefix}{AUDIT_TOPIC}"
    await create_topics(kafka_bootstrap, [topic])  # as the platform's topics are made before anything runs
    await store.append("proposal-0", 0, [SampleNoted(n=1), SampleNoted(n=2)], ctx())
    worker = Anchorer(pg_pool, store.schema, signing_key=DEV_AUDIT_SIGNING_KEY, directory=tmp_path,
                      interval_seconds=0.2, bootstrap=kafka_bootstrap, topic=topic)
    async with TopicReader(kafka_bootstrap, topic) as reader:
        await worker.start()
        try:
            await store.append("proposal-0", 2, [SampleNoted(n=3)], ctx())
            records = await reader.until(
                lambda rs: any(json.loads(r.value or b"{}")["count"] == 3 for r in rs),
                message="an anchor of all three events on the audit topic")
        finally:
            await worker.stop()
    heads = [json.loads(r.value or b"{}") for r in records]
    assert all(signature_holds(h, worker.public_key) and h["schema"] == store.schema for h in heads)
    assert records[-1].key == store.schema.encode()
    in_file = read_anchors(tmp_path, store.schema, worker.public_key).valid[-1]
    assert in_file == heads[-1], "the file has it too"
    (version, hash_), = in_file["changed"].values()
    assert in_file["changed"] == {"proposal-0": [3, hash_]} and version == 3, "it lists the head that moved"
    assert heads[-1]["heads"] == digest({"proposal-0": (3, hash_)})


# --- the anchors' chain, and the copy on the audit topic ------------------------------------------------

@pytest_asyncio.fixture(loop_scope="session")
async def publishing(store: EventStore, tmp_path: Path, kafka_bootstrap: KafkaAccess,
                     topic_prefix: str) -> Anchorer:
    """An anchorer as a service host runs it: to the anchor file and the (test's own) audit topic."""
    topic = f"{topic_prefix}{AUDIT_TOPIC}"
    await create_topics(kafka_bootstrap, [topic])
    return Anchorer(store.pool, store.schema, signing_key=DEV_AUDIT_SIGNING_KEY, directory=tmp_path,
                    bootstrap=kafka_bootstrap, topic=topic)


# --- anchors whose size follows what moved, not the store ---------------------------------------------

async def test_an_anchor_lists_the_heads_that_moved_and_a_stream_deleted_long_before_is_still_named(
        store: EventStore, anchorer: Anchorer, pg_pool: asyncpg.Pool) -> None:
    # A members store holds a stream per visit: every head in every anchor made anchors of 7.5 MB.
    many = [f"visit-{i}" for i in range(300)]
    await pg_pool.execute(f"SELECT {store.schema}.append_events(s, 0, jsonb_build_array(jsonb_build_object("
                          "'type', 'sample-noted', 'schema_version', 1, 'committee_id', 'c', "
                          "'data', '{\"n\": 1}'::jsonb, 'metadata', '{}'::jsonb, 'occurred_at', now(), "
                          "'event_id', gen_random_uuid()))) "
                          "FROM unnest($1::text[]) AS s", many)
    await _anchored(anchorer, 300)
    await store.append("visit-7", 1, [SampleNoted(n=2)], ctx())
    await _anchored(anchorer, 301)
    first, second = read_anchors(anchorer.directory, anchorer.schema, anchorer.public_key).valid[-2:]
    assert len(first["changed"]) == 300
    assert list(second["changed"]) == ["visit-7"] and second["changed"]["visit-7"][0] == 2
    assert len(json.dumps(for_the_topic(second))) < 2_000, "a record the audit topic takes, however big the store"
    await as_maintenance(pg_pool, f"DELETE FROM {store.schema}.events WHERE stream_id = 'visit-250'")
    changes = await _changes(anchorer)
    assert changes[0].startswith("stream visit-250 deleted (at v1 at the anchor of "), changes


async def test_the_heads_the_file_lists_are_signed(store: EventStore, anchorer: Anchorer) -> None:
    path, lines = await _fill(store, anchorer)
    last = json.loads(lines[-1])
    (stream, (version, _hash)), *_ = last["changed"].items()
    last["changed"][stream] = [version, "0" * 64]
    path.write_text("\n".join([*lines[:-1], json.dumps(last)]) + "\n")
    changes = await _changes(anchorer)
    assert changes[0] == f"{path.name} line {len(lines)}: FORGED anchor (its signature does not hold)"


async def test_an_anchor_whose_moved_heads_are_too_many_for_the_topic_is_published_without_them(
        store: EventStore, anchorer: Anchorer, pg_pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch) -> None:
    await _fill(store, anchorer)
    monkeypatch.setattr(audit_anchor, "TOPIC_CHANGED_BYTES", 10)
    topic_copies = [for_the_topic(a) for a in read_anchors(anchorer.directory, anchorer.schema,
                                                           anchorer.public_key).valid]
    assert all("changed" not in a and signature_holds(a, anchorer.public_key) for a in topic_copies)
    assert await changes_since(pg_pool, store.schema, topic_copies) == []
    # From such a copy alone a change still shows through the signed digest of the heads, though not where.
    await as_maintenance(pg_pool, f"DELETE FROM {store.schema}.events "
                                  "WHERE stream_id = 'proposal-2' AND stream_version = 4")
    changes = await changes_since(pg_pool, store.schema, topic_copies)
    assert changes[0].startswith("the streams' heads differ from the anchor of "), changes
    assert changes[1].endswith("counted 12")


async def test_anchors_that_listed_every_head_are_folded_into_the_ones_after(
        store: EventStore, anchorer: Anchorer, pg_pool: asyncpg.Pool) -> None:
    for i, stream in enumerate(STREAMS):
        await store.append(stream, 0, [SampleNoted(n=i)], ctx())
    head = await read_head(store.pool, store.schema)
    # An anchor as written before its heads were folded: every head, inside the signature.
    fresh = head.record(datetime.now(UTC))
    old = {**{k: v for k, v in fresh.items() if k not in ("heads", "changed_digest", "changed")},
           "streams": {s: [v, h] for s, (v, h) in sorted(head.streams.items())}}
    path = anchor_file(anchorer.directory, store.schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(sign(old, DEV_AUDIT_SIGNING_KEY)) + "\n")
    await store.append("proposal-0", 1, [SampleNoted(n=5)], ctx())
    await _anchored(anchorer, 4)
    _legacy, second = read_anchors(anchorer.directory, store.schema, anchorer.public_key).valid
    assert list(second["changed"]) == ["proposal-0"], "only what moved since the anchor that listed every head"
    assert await _changes(anchorer) == []
    await as_maintenance(pg_pool, f"DELETE FROM {store.schema}.events WHERE stream_id = 'proposal-1'")
    assert (await _changes(anchorer))[0].startswith("stream proposal-1 deleted (at v1 at the anchor of ")


def _verify(anchorer: Anchorer, database_url: str, kafka: KafkaAccess, topic_prefix: str,
            *extra: str) -> subprocess.CompletedProcess[str]:
    env = {"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin", "YIZHENG_AUDIT_DIR": str(anchorer.directory),
           "YIZHENG_TOPIC_PREFIX": topic_prefix, **kafka.env()}
    return subprocess.run([sys.executable, "-m", "yizheng.cli", "verify", "--schema", anchorer.schema, *extra],
                          capture_output=True, text=True, env=env, check=False)


def test_each_anchor_names_the_one_before_it_inside_what_is_signed() -> None:
    first = sign({"type": "audit-head", "schema": "s", "seq": 1, "prev": GENESIS}, DEV_AUDIT_SIGNING_KEY)
    second = sign({"type": "audit-head", "schema": "s", "seq": 2, "prev": anchor_digest(first)},
                  DEV_AUDIT_SIGNING_KEY)
    assert chain_breaks([first, second], "f") == []
    assert not signature_holds({**second, "prev": "0" * 64}, public_key_of(DEV_AUDIT_SIGNING_KEY))
    third = sign({"type": "audit-head", "schema": "s", "seq": 3, "prev": anchor_digest(second)},
                 DEV_AUDIT_SIGNING_KEY)
    [gap] = chain_breaks([first, third], "f")
    assert gap.startswith("f: a gap in the chain: anchor #2 missing between anchor #1")
    [fork] = chain_breaks([first, second, sign({**third, "prev": anchor_digest(first)}, DEV_AUDIT_SIGNING_KEY)],
                          "f")
    assert fork.startswith("f: a fork in the chain: anchor #3") and "its prev digest names another anchor" in fork


async def test_the_anchors_are_a_chain_and_an_anchor_from_before_it_is_still_read(
        store: EventStore, anchorer: Anchorer) -> None:
    await store.append("proposal-0", 0, [SampleNoted(n=1)], ctx())
    head = await read_head(store.pool, store.schema)
    # An anchor as written before the chain: no seq, no prev.
    old = {k: v for k, v in head.record(datetime.now(UTC)).items() if k not in ("seq", "prev")}
    path = anchor_file(anchorer.directory, store.schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(sign(old, DEV_AUDIT_SIGNING_KEY)) + "\n")
    await store.append("proposal-0", 1, [SampleNoted(n=2)], ctx())
    await _anchored(anchorer, 2)
    await store.append("proposal-0", 2, [SampleNoted(n=3)], ctx())
    await _anchored(anchorer, 3)
    legacy, second, third = read_anchors(anchorer.directory, store.schema, anchorer.public_key).valid
    assert "seq" not in legacy
    assert (second["seq"], second["prev"]) == (2, anchor_digest(legacy))
    assert (third["seq"], third["prev"]) == (3, anchor_digest(second))
    assert chain_breaks([legacy, second, third], path.name) == []
    assert await _changes(anchorer) == []


async def test_verify_reads_the_audit_topic_and_names_a_deleted_anchor_file(
        store: EventStore, publishing: Anchorer, pg_pool: asyncpg.Pool, database_url: str,
        kafka_bootstrap: KafkaAccess, topic_prefix: str) -> None:
    path, lines = await _fill(store, publishing)
    n = len(lines)
    ok = _verify(publishing, database_url, kafka_bootstrap, topic_prefix)
    assert ok.returncode == 0, ok.stderr
    assert "12 events, chain intact, as anchored at" in ok.stdout and f"(anchor #{n})" in ok.stdout
    path.unlink()
    # With the file gone, what was deleted from the store still shows, against the topic's anchors.
    await as_maintenance(pg_pool, f"DELETE FROM {store.schema}.events WHERE stream_id = 'proposal-0'")
    bad = _verify(publishing, database_url, kafka_bootstrap, topic_prefix)
    assert bad.returncode == 1
    assert (f"TAMPERED: the anchor file {path} is missing, but the audit topic {publishing.topic} "
            f"holds anchors up to #{n} (") in bad.stderr
    assert "also: stream proposal-0 deleted (at v4 at the anchor of " in bad.stderr
    # Checking the file alone, as before, finds nothing wrong but says so.
    alone = _verify(publishing, database_url, kafka_bootstrap, topic_prefix, "--no-from-topic")
    assert "the audit topic not read" in alone.stdout


async def test_verify_names_an_anchor_file_cut_short(
        store: EventStore, publishing: Anchorer, database_url: str, kafka_bootstrap: KafkaAccess,
        topic_prefix: str) -> None:
    path, lines = await _fill(store, publishing)
    path.write_text("\n".join(lines[:2]) + "\n")  # the last two anchors dropped
    assert await _changes(publishing) == [], "the file alone still looks whole"
    bad = _verify(publishing, database_url, kafka_bootstrap, topic_prefix)
    assert bad.returncode == 1
    assert f"TAMPERED: the anchor file {path} is cut short: its last anchor is #2 (" in bad.stderr
    assert f"but the audit topic {publishing.topic} holds anchors up to #{len(lines)} (" in bad.stderr


async def test_verify_names_a_middle_anchor_whose_prev_digest_was_tampered(
        store: EventStore, publishing: Anchorer, database_url: str, kafka_bootstrap: KafkaAccess,
        topic_prefix: str) -> None:
    path, lines = await _fill(store, publishing)
    third = json.loads(lines[2])
    # Edited as it stands, the anchor's signature no longer holds.
    path.write_text("\n".join([*lines[:2], json.dumps({**third, "prev": "0" * 64}), *lines[3:]]) + "\n")
    forged = _verify(publishing, database_url, kafka_bootstrap, topic_prefix)
    assert forged.returncode == 1 and f"TAMPERED: {path.name} line 3: FORGED anchor" in forged.stderr
    # Re-signed by someone holding the database host's signing key: the chain and the topic's copy show it.
    resigned = sign({k: v for k, v in third.items() if k != "signature"} | {"prev": "0" * 64}, DEV_AUDIT_SIGNING_KEY)
    path.write_text("\n".join([*lines[:2], json.dumps(resigned), *lines[3:]]) + "\n")
    bad = _verify(publishing, database_url, kafka_bootstrap, topic_prefix)
    assert bad.returncode == 1
    assert (f"TAMPERED: {path}: a fork in the chain: anchor #3 ({third['anchored_at']}) does not follow anchor #2"
            in bad.stderr), bad.stderr
    assert (f"a fork between the copies: anchor #3 in {path} ({third['anchored_at']}) is not the one on the audit "
            f"topic {publishing.topic}") in bad.stderr
    # A middle anchor dropped is a gap.
    path.write_text("\n".join([*lines[:2], *lines[3:]]) + "\n")
    gap = _verify(publishing, database_url, kafka_bootstrap, topic_prefix)
    assert gap.returncode == 1 and f"{path}: a gap in the chain: anchor #3 missing between anchor #2" in gap.stderr


async def test_a_store_with_events_but_no_anchor_fails_after_one_anchor_interval(
        store: EventStore, anchorer: Anchorer, pg_pool: asyncpg.Pool, database_url: str,
        kafka_bootstrap: KafkaAccess, topic_prefix: str) -> None:
    await create_topics(kafka_bootstrap, [f"{topic_prefix}{AUDIT_TOPIC}"])
    await store.append("proposal-0", 0, [SampleNoted(n=1), SampleNoted(n=2)], ctx())
    young = _verify(anchorer, database_url, kafka_bootstrap, topic_prefix)
    assert young.returncode == 0, young.stderr
    assert "2 events, chain intact, no anchor yet (the first is due by " in young.stdout
    # recorded_at is not in the hash: the store now looks as if its first event were an hour old.
    await as_maintenance(pg_pool, f"UPDATE {store.schema}.events SET recorded_at = recorded_at - interval '1 hour'")
    old = _verify(anchorer, database_url, kafka_bootstrap, topic_prefix)
    assert old.returncode == 1
    assert (f"2 events, TAMPERED: 2 events but no anchor at all ({anchor_file(anchorer.directory, store.schema)} "
            f"holds none, nor does the audit topic {topic_prefix}{AUDIT_TOPIC}), though the first event was "
            "recorded at ") in old.stderr
    assert "more than one anchor interval (300 s) ago" in old.stderr
