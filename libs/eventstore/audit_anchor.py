"""Signed anchors of a store's head, kept outside the database, so that what the hash chain alone cannot show
(deleted trailing events, a deleted stream, a row rewritten together with its recomputed hashes) shows
against the last anchor.

An anchor (`audit-head`) covers every event of transactions older than the oldest one in flight when it
was taken (`tx_bound`): that set never changes again, so a later check compares like with like. It holds
the count, the last position, a digest folding every event hash in position order, and a digest of each
stream's head (last version and hash; the heads that moved since the anchor before are listed in the file:
`eventstore.anchor_heads`), signed with Ed25519: the running services hold the signing key, while an auditor
running `yizheng verify` needs only the public key and so cannot forge an anchor. Anchors are appended to
`<dir>/<schema>.jsonl` and published to the audit topic (`audit.heads`) by `Anchorer`, a worker every
service host runs; `yizheng anchor` writes one now.

The anchors of a store form a chain of their own: each carries its sequence number (`seq`, from 1) and the
digest of the anchor before it (`prev`, `anchor_digest`; "" for the first), both inside what is signed. So
anchors dropped from the end of the file show against the audit topic's copy (kept off the database host),
and a gap (a missing anchor) or a fork (an anchor that does not follow the one before it, or that differs
between the file and the topic) shows in either copy (`chain_breaks`, `compare_copies`). Anchors written
before the chain (no `seq`) are still read: each counts as the one at its place in the file."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import itertools
import json
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from eventstore import anchor_heads
from eventstore.anchor_heads import CHANGED, WHOLE_MAP, Heads, heads_at_last
from eventstore.db import quote_ident
from eventstore.kafka_access import KafkaAccess

log = logging.getLogger("eventstore.audit_anchor")

AUDIT_TOPIC = "audit.heads"
RECORD_TYPE = "audit-head"
ALGORITHM = "Ed25519"


PUBLISH_SECONDS = 10.0  # each of start, send and stop
TOPIC_CHANGED_BYTES = 512 * 1024  # the moved heads an anchor on the topic lists at most (Kafka takes 1 MB a record)
READ_SECONDS = 30.0  # reading the audit topic to its end, in all
GENESIS = ""  # the `prev` of a chain's first anchor
UNKNOWN_TOPIC = 3  # Kafka's UNKNOWN_TOPIC_OR_PARTITION


def _b64_key(raw: str, what: str) -> bytes:
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError:
        raise ValueError(f"{what} is not base64") from None
    if len(key) != 32:
        raise ValueError(f"{what} must be 32 bytes (base64), not {len(key)}")
    return key


def public_key_of(signing_key: str) -> str:
    """The base64 public half of a base64 Ed25519 seed."""
    private = Ed25519PrivateKey.from_private_bytes(_b64_key(signing_key, "the audit signing key"))
    return base64.b64encode(private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def key_id(public_key: str) -> str:
    return hashlib.sha256(_b64_key(public_key, "the audit public key")).hexdigest()[:16]


def _canonical(record: dict[str, Any]) -> bytes:
    # `changed` is signed through its digest (`changed_digest`), so the topic's copy can leave it out.
    body = {k: v for k, v in record.items() if k not in ("signature", CHANGED)}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(record: dict[str, Any], signing_key: str) -> dict[str, Any]:
    private = Ed25519PrivateKey.from_private_bytes(_b64_key(signing_key, "the audit signing key"))
    body = {**record, "alg": ALGORITHM, "key_id": key_id(public_key_of(signing_key))}
    return {**body, "signature": base64.b64encode(private.sign(_canonical(body))).decode()}


def signature_holds(record: dict[str, Any], public_key: str) -> bool:
    try:
        signature = base64.b64decode(str(record.get("signature", "")), validate=True)
        Ed25519PublicKey.from_public_bytes(_b64_key(public_key, "the audit public key")).verify(
            signature, _canonical(record))
    except (InvalidSignature, ValueError):
        return False
    return record.get("alg") == ALGORITHM and anchor_heads.changed_holds(record)


@dataclass(frozen=True)
class StoreHead:
    schema: str
    tx_bound: int  # covers the events of transactions with an id below this
    count: int
    last_position: int
    digest: str  # hex sha256 over every event hash, in position order
    streams: Heads  # stream -> (last version, hex hash)
    store_id: str = ""  # the schema's store_identity: a store installed anew has another
    store_created_at: str = ""

    def record(self, anchored_at: datetime, seq: int = 1, prev: str = GENESIS,
               before: Heads | None = None) -> dict[str, Any]:
        """`before`: the heads as of the previous anchor (None: unknown, so every head is listed)."""
        return {"type": RECORD_TYPE, "schema": self.schema, "store_id": self.store_id,
                "anchored_at": anchored_at.isoformat(), "seq": seq, "prev": prev,
                "tx_bound": str(self.tx_bound), "count": self.count, "last_position": self.last_position,
                "digest": self.digest, **anchor_heads.fields(self.streams, before)}


async def read_head(pool: asyncpg.Pool, schema: str, tx_bound: int | None = None) -> StoreHead:
    """The store's head now (tx_bound None: up to the oldest transaction in flight) or as of an anchor."""
    s = quote_ident(schema)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        if tx_bound is None:
            tx_bound = int(await conn.fetchval("SELECT pg_snapshot_xmin(pg_current_snapshot())::text"))
        identity = await conn.fetchrow(f"SELECT store_id::text, created_at FROM {s}.store_identity")
        bound = str(tx_bound)
        count, last = await conn.fetchrow(
            f"SELECT count(*), coalesce(max(position), 0) FROM {s}.events WHERE tx_id < $1::text::xid8", bound)
        digest = hashlib.sha256()
        async for row in conn.cursor(f"SELECT hash FROM {s}.events WHERE tx_id < $1::text::xid8 ORDER BY position",
                                     bound, prefetch=5000):
            digest.update(row["hash"])
        streams = {r["stream_id"]: (r["stream_version"], bytes(r["hash"]).hex()) for r in await conn.fetch(
            f"SELECT DISTINCT ON (stream_id) stream_id, stream_version, hash FROM {s}.events "
            "WHERE tx_id < $1::text::xid8 ORDER BY stream_id, stream_version DESC", bound)}
    return StoreHead(schema, tx_bound, int(count), int(last), digest.hexdigest(), streams,
                     identity["store_id"] if identity else "", identity["created_at"].isoformat() if identity else "")


# --- the chain of anchors ------------------------------------------------------------------------------

def anchor_digest(record: dict[str, Any]) -> str:
    """The hex sha256 of a whole signed anchor (its signature included, the file's `changed` left out, as the
    topic's copy has it): what the next anchor's `prev` names."""
    signed = {k: v for k, v in record.items() if k != CHANGED}
    return hashlib.sha256(json.dumps(signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                          .encode()).hexdigest()


def seq_of(record: dict[str, Any], place: int) -> int:
    """An anchor's sequence number; an anchor from before the chain counts as the one at its `place` (from 1)."""
    seq = record.get("seq")
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else place


def next_link(previous: Sequence[dict[str, Any]]) -> tuple[int, str]:
    """The `seq` and `prev` of the anchor that follows `previous`."""
    if not previous:
        return 1, GENESIS
    return seq_of(previous[-1], len(previous)) + 1, anchor_digest(previous[-1])


def _label(record: dict[str, Any], place: int) -> str:
    return f"anchor #{seq_of(record, place)} ({record.get('anchored_at')})"


def chain_breaks(anchors: Sequence[dict[str, Any]], where: str) -> list[str]:
    """Where a copy's anchors, in the order it holds them, are not one chain: a gap (anchors missing between
    two), an anchor repeated or out of order, a fork (an anchor whose `prev` is not the digest of the one before
    it). Anchors from before the chain (no `seq`) are taken as they stand."""
    problems: list[str] = []
    if anchors and "seq" in anchors[0] and seq_of(anchors[0], 1) != 1:
        first = seq_of(anchors[0], 1)
        missing = "anchor #1" if first == 2 else f"anchors #1..#{first - 1}"
        problems.append(f"{where}: a gap in the chain: it begins at {_label(anchors[0], 1)}, {missing} missing")
    for place, (before, after) in enumerate(itertools.pairwise(anchors), start=1):
        if "seq" not in after:
            continue
        expected, seq = seq_of(before, place) + 1, seq_of(after, place + 1)
        if seq > expected:
            missing = f"anchor #{expected}" if seq == expected + 1 else f"anchors #{expected}..#{seq - 1}"
            problems.append(f"{where}: a gap in the chain: {missing} missing between "
                            f"{_label(before, place)} and {_label(after, place + 1)}")
        elif seq < expected:
            problems.append(f"{where}: a fork in the chain: {_label(after, place + 1)} follows "
                            f"{_label(before, place)} (the chain restarted, or an anchor is repeated)")
        elif after.get("prev") != anchor_digest(before):
            problems.append(f"{where}: a fork in the chain: {_label(after, place + 1)} does not follow "
                            f"{_label(before, place)} (its prev digest names another anchor)")
    return problems


@dataclass(frozen=True)
class Comparison:
    problems: list[str]  # what shows tampering: a copy missing or cut short, a fork between the copies
    notes: list[str]  # what does not: the topic behind the file (an anchor not yet, or never, published)
    anchors: list[dict[str, Any]]  # the chain to check the store against: both copies, the topic's on a fork


def compare_copies(file: Sequence[dict[str, Any]], topic: Sequence[dict[str, Any]] | None, *, file_name: str,
                   file_exists: bool, topic_name: str) -> Comparison:
    """The file's anchors against the audit topic's (both valid anchors of one schema, each in the order it
    holds them; `topic` None: not read), each copy a chain of its own (`chain_breaks`). Only the topic's anchors
    of the store it last anchored are compared: a store reset on purpose starts a new chain, with a new store
    id, and its old anchor file moved aside."""
    problems: list[str] = []
    notes: list[str] = []
    if topic is None:
        return Comparison(chain_breaks(file, file_name), notes, list(file))
    if topic:
        store_id = topic[-1].get("store_id")
        earlier = [a for a in topic if a.get("store_id") != store_id]
        topic = [a for a in topic if a.get("store_id") == store_id]
        if earlier:
            notes.append(f"{topic_name} also holds {len(earlier)} anchors of an earlier store "
                         f"{earlier[-1].get('store_id') or '(no id)'} (the last of {earlier[-1].get('anchored_at')})")
    problems += chain_breaks(file, file_name) + chain_breaks(topic, topic_name)
    in_file = {seq_of(a, n): a for n, a in enumerate(file, start=1)}
    on_topic = {seq_of(a, n): a for n, a in enumerate(topic, start=1)}
    if topic:
        last = max(on_topic)
        newest = f"{topic_name} holds anchors up to #{last} ({on_topic[last].get('anchored_at')})"
        if not file_exists:
            problems.append(f"the anchor file {file_name} is missing, but {newest}")
        elif not file:
            problems.append(f"the anchor file {file_name} holds no anchor, but {newest}")
        elif max(in_file) < last:
            problems.append(f"the anchor file {file_name} is cut short: its last anchor is #{max(in_file)} "
                            f"({in_file[max(in_file)].get('anchored_at')}), but {newest}")
    for seq in sorted(in_file.keys() & on_topic.keys()):
        if anchor_digest(in_file[seq]) != anchor_digest(on_topic[seq]):
            problems.append(f"a fork between the copies: anchor #{seq} in {file_name} "
                            f"({in_file[seq].get('anchored_at')}) is not the one on {topic_name} "
                            f"({on_topic[seq].get('anchored_at')})")
    if file and (not topic or max(in_file) > max(on_topic)):
        behind = f"up to #{max(on_topic)}" if topic else "none"
        notes.append(f"{topic_name} holds {behind} of the file's anchors up to #{max(in_file)} "
                     "(not yet published, or publishing failed)")
    # The file's copy where the two are the same anchor: only it lists the heads that moved.
    merged = {**in_file, **{seq: a for seq, a in on_topic.items()
                            if seq not in in_file or anchor_digest(in_file[seq]) != anchor_digest(a)}}
    return Comparison(problems, notes, [merged[seq] for seq in sorted(merged)])


async def first_recorded(pool: asyncpg.Pool, schema: str) -> datetime | None:
    """When the store's first event was recorded (None: it holds none), for a store with no anchor at all."""
    value: datetime | None = await pool.fetchval(f"SELECT min(recorded_at) FROM {quote_ident(schema)}.events")
    return value


# --- kept outside the database -------------------------------------------------------------------------

def anchor_file(directory: Path, schema: str) -> Path:
    return directory / f"{quote_ident(schema)}.jsonl"


def append_anchor(directory: Path, record: dict[str, Any]) -> Path:
    path = anchor_file(directory, record["schema"])
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n"
    with path.open("a", encoding="utf-8") as f:
        f.write(line)
        f.flush()
        os.fsync(f.fileno())
    return path


@dataclass(frozen=True)
class Anchors:
    valid: list[dict[str, Any]]  # in the order written
    forged: list[str]  # what is wrong with each line that is not a valid anchor of this schema


def read_anchors(directory: Path, schema: str, public_key: str) -> Anchors:
    path = anchor_file(directory, schema)
    valid: list[dict[str, Any]] = []
    forged: list[str] = []
    if not path.exists():
        return Anchors(valid, forged)
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            forged.append(f"{path.name} line {n}: not a JSON record")
            continue
        if not isinstance(record, dict) or not signature_holds(record, public_key):
            forged.append(f"{path.name} line {n}: FORGED anchor (its signature does not hold)")
        elif record.get("schema") != schema or record.get("type") != RECORD_TYPE:
            forged.append(f"{path.name} line {n}: signed, but not an audit-head of {schema}")
        else:
            valid.append(record)
    return Anchors(valid, forged)


# --- what changed since -------------------------------------------------------------------------------

async def changes_since(pool: asyncpg.Pool, schema: str, anchors: list[dict[str, Any]]) -> list[str]:
    """What differs between the store and its anchors (the last one for counts and the digest; every one
    for the stream heads, which also narrows down the first rewritten version). Empty: nothing changed."""
    if not anchors:
        return []
    last = anchors[-1]
    head = await read_head(pool, schema, int(last["tx_bound"]))
    anchored_at = last["anchored_at"]
    if last.get("store_id") and head.store_id and last["store_id"] != head.store_id:
        # Not a store that lost events: another store, installed after the anchored one was dropped.
        return [f"the store was replaced: its last anchor ({anchored_at}, {last['count']} events) is of store "
                f"{last['store_id']}, but this schema holds store {head.store_id}, installed {head.store_created_at}; "
                "every anchored event is gone (after a deliberate reset, move its anchor file aside)"]
    problems: list[str] = []
    anchored = heads_at_last(anchors)
    for stream, (version, _hash) in (anchored or {}).items():
        now = head.streams.get(stream)
        if now is None:
            problems.append(f"stream {stream} deleted (at v{version} at the anchor of {anchored_at})")
        elif now[0] < version:
            problems.append(f"stream {stream} was at v{version} at the anchor of {anchored_at}, now v{now[0]} "
                            f"(events v{now[0] + 1}..v{version} deleted)")
        elif now[0] > version:
            problems.append(f"stream {stream} has events v{version + 1}..v{now[0]} that its anchor of "
                            f"{anchored_at} did not (inserted into the anchored past)")
    for stream in sorted(set(head.streams) - set(anchored or head.streams)):
        problems.append(f"stream {stream} is not in the anchor of {anchored_at} (inserted into the anchored past)")
    # Every head any anchor recorded must still be stored as it was: a row rewritten before the last anchor
    # was taken differs from an earlier one, and the recorded heads narrow down the first rewritten version.
    # (A stream that lost events is named for that already.)
    cut = {s for s, (v, _) in (anchored or {}).items() if head.streams.get(s, (0, ""))[0] < v}
    for stream, where in (await _rewritten(pool, schema, anchors)).items():
        if stream not in cut:
            problems.append(f"stream {stream} rewritten (its hashes recomputed): {where}")
    if anchored is None and WHOLE_MAP not in last and anchor_heads.digest(head.streams) != last.get("heads"):
        # The heads cannot be folded from these anchors (some copy lacks the moved heads): the signed digest
        # still shows that a stream changed, though not which.
        problems.append(f"the streams' heads differ from the anchor of {anchored_at}: a stream's events were "
                        "deleted, inserted or rewritten")
    if head.count != last["count"]:
        problems.append(f"{head.count} events where the anchor of {anchored_at} counted {last['count']}")
    if head.digest != last["digest"] and not problems:
        problems.append(f"the digest of every event differs from the anchor of {anchored_at}: an event's "
                        "content, position or order changed")
    return problems


async def _rewritten(pool: asyncpg.Pool, schema: str, anchors: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Streams whose recorded heads are no longer stored as recorded, with where the first rewritten event
    lies: a recorded hash still stored at its version clears that version and every one before it (the
    hash covers the chain up to it); one that differs means a change at or before that version. A version
    no longer stored at all is a deletion, named elsewhere."""
    recorded: dict[str, dict[int, str]] = {}
    for anchor in anchors:
        for stream, (version, digest) in anchor_heads.recorded(anchor).items():
            recorded.setdefault(stream, {})[version] = digest
    pairs = [(s, v) for s, versions in recorded.items() for v in versions]
    rows = await pool.fetch(
        f"SELECT e.stream_id, e.stream_version, e.hash FROM {quote_ident(schema)}.events e "
        "JOIN unnest($1::text[], $2::int[]) AS r(stream_id, stream_version) USING (stream_id, stream_version)",
        [s for s, _ in pairs], [v for _, v in pairs])
    stored = {(r["stream_id"], r["stream_version"]): bytes(r["hash"]).hex() for r in rows}
    found: dict[str, str] = {}
    for stream, versions in sorted(recorded.items()):
        differing = [v for v, h in versions.items() if stored.get((stream, v), h) != h]
        if not differing:
            continue
        upper = min(differing)
        lower = max((v for v, h in versions.items() if v < upper and stored.get((stream, v)) == h), default=0)
        found[stream] = (f"first changed event v{upper}" if upper == lower + 1
                         else f"first changed event between v{lower + 1} and v{upper}")
    return found


# --- the periodic anchoring worker ---------------------------------------------------------------------

class Anchorer:
    """Every `interval` seconds, if the head moved: checks the store against its previous anchors (so that
    tampering is never re-signed as the new normal), then signs, appends and publishes a new anchor. One
    anchorer per store at a time (a transaction-scoped advisory lock); a failure is logged, never fatal."""

    def __init__(self, pool: asyncpg.Pool, schema: str, *, signing_key: str, directory: Path,
                 interval_seconds: float | None = None, bootstrap: KafkaAccess | None = None,
                 topic: str = AUDIT_TOPIC) -> None:
        self.pool = pool
        self.schema = schema
        self.signing_key = signing_key
        self.public_key = public_key_of(signing_key)
        self.directory = directory
        self.interval = interval_seconds
        self.bootstrap = bootstrap
        self.topic = topic
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.interval and self._task is None:
            self._task = asyncio.create_task(self._run(self.interval), name=f"anchor:{self.schema}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self, interval: float) -> None:
        while True:
            try:
                await self.anchor_now()
            except Exception:  # the next tick tries again; the service keeps serving
                log.exception("anchoring %s failed", self.schema)
            await asyncio.sleep(interval)

    async def anchor_now(self, *, force: bool = False) -> dict[str, Any] | None:
        """Sign, append and publish the head; None if it has not moved since the last anchor (unless
        `force`) or if the store no longer matches its anchors (then it raises TamperedStore)."""
        async with self.pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))",
                                       f"{self.schema}:anchor"):
                return None
            previous = read_anchors(self.directory, self.schema, self.public_key).valid
            head = await read_head(self.pool, self.schema)
            if previous and not force and (previous[-1]["count"], previous[-1]["digest"]) == (head.count, head.digest):
                return None
            problems = await changes_since(self.pool, self.schema, previous)
            if problems:
                raise TamperedStore(self.schema, problems)
            seq, prev = next_link(previous)
            record = sign(head.record(datetime.now(UTC), seq, prev, heads_at_last(previous)), self.signing_key)
            append_anchor(self.directory, record)
        if self.bootstrap:
            await publish(self.bootstrap, self.topic, record)
        return record


class TamperedStore(Exception):
    def __init__(self, schema: str, problems: list[str]) -> None:
        super().__init__(f"{schema} no longer matches its anchors, not anchoring: " + "; ".join(problems))
        self.problems = problems


def for_the_topic(record: dict[str, Any]) -> dict[str, Any]:
    """The anchor as the topic keeps it: with the heads that moved when they are few (so the topic's copy alone
    names a changed stream), without them when they would not fit a Kafka record (a first anchor of a big store,
    a burst of writes); the signature holds either way."""
    if len(json.dumps(record.get(CHANGED, {}), ensure_ascii=False).encode()) <= TOPIC_CHANGED_BYTES:
        return record
    return {k: v for k, v in record.items() if k != CHANGED}


async def publish(bootstrap: KafkaAccess, topic: str, record: dict[str, Any]) -> None:
    from eventstore.kafka_clients import public_producer

    producer = public_producer(bootstrap, client_id=f"{record['schema']}-anchor")
    published = for_the_topic(record)
    # Bounded: the anchor is already in the file; a broker that cannot take it (a topic missing, a broker
    # down) must cost this tick, never wedge the service's stop with a flush that waits forever.
    try:
        await asyncio.wait_for(producer.start(), PUBLISH_SECONDS)
        await asyncio.wait_for(producer.send_and_wait(
            topic, json.dumps(published, sort_keys=True, ensure_ascii=False).encode(), key=record["schema"].encode()),
            PUBLISH_SECONDS)
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(producer.stop(), PUBLISH_SECONDS)


async def read_topic(bootstrap: KafkaAccess, topic: str, schemas: Iterable[str], public_key: str,
                     timeout: float = READ_SECONDS) -> dict[str, Anchors]:
    """Every anchor of each of `schemas` on the audit topic, in the topic's order, from its first offset to the
    end it has now (no consumer group: nothing is committed). A topic that does not exist holds none. Raises
    TimeoutError if the broker cannot be read to the end within `timeout` seconds, a KafkaError if it refuses."""
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    found = {schema: Anchors([], []) for schema in schemas}
    consumer = AIOKafkaConsumer(**bootstrap.client_kwargs(), enable_auto_commit=False, auto_offset_reset="earliest",
                                client_id="yizheng-verify")
    admin = AIOKafkaAdminClient(**bootstrap.client_kwargs(), client_id="yizheng-verify")

    async def partitions() -> list[int] | None:
        await admin.start()
        try:
            (described,) = await admin.describe_topics([topic])
        finally:
            await admin.close()
        if described.get("error_code") == UNKNOWN_TOPIC:
            return None
        if described.get("error_code"):
            raise RuntimeError(f"describing {topic}: Kafka error {described['error_code']}")
        return sorted(p["partition"] for p in described["partitions"])

    async def read() -> None:
        numbers = await partitions()
        if not numbers:
            return
        await consumer.start()
        partitions_ = [TopicPartition(topic, p) for p in numbers]
        consumer.assign(partitions_)
        await consumer.seek_to_beginning(*partitions_)
        ends = await consumer.end_offsets(partitions_)
        left = {tp for tp in partitions_ if ends[tp] > 0}
        while left:
            batches = await consumer.getmany(*left, timeout_ms=500)
            for tp, records in batches.items():
                for r in records:
                    if r.offset < ends[tp]:
                        _take(r.value, f"{topic} partition {tp.partition} offset {r.offset}", found, public_key,
                              key=r.key)
            for tp in list(left):
                if await consumer.position(tp) >= ends[tp]:
                    left.discard(tp)

    try:
        await asyncio.wait_for(read(), timeout)
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(consumer.stop(), PUBLISH_SECONDS)
    return found


def _take(value: bytes | None, where: str, found: dict[str, Anchors], public_key: str, *, key: bytes | None) -> None:
    """One audit-topic record (keyed by its schema): an anchor of a schema asked for (kept), of another
    (skipped), or not a genuine anchor (named)."""
    schema = (key or b"").decode(errors="replace")
    if schema not in found:
        return
    try:
        record = json.loads(value or b"")
    except (json.JSONDecodeError, UnicodeDecodeError):
        found[schema].forged.append(f"{where}: not a JSON record")
        return
    if not isinstance(record, dict) or not signature_holds(record, public_key):
        found[schema].forged.append(f"{where}: FORGED anchor (its signature does not hold)")
    elif record.get("schema") != schema or record.get("type") != RECORD_TYPE:
        found[schema].forged.append(f"{where}: signed, but not an audit-head of {schema}")
    else:
        found[schema].valid.append(record)
