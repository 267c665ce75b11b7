"""The pgbench baseline of `command_vs_pgbench`: a custom script making the writes of one members `log-visit`
command, copied from one the platform really carried out, into a scratch schema that has the kernel's tables
and function (`eventstore.install`) and copies (LIKE … INCLUDING ALL) of the read-model tables it writes.

One pgbench transaction-script run per command, as the command's path writes:
  1. BEGIN; the stream's read (empty: a new stream); `append_events` of the very event (a fresh event id and
     stream); the idempotency key with its answer (INSERT … ON CONFLICT DO NOTHING RETURNING, as
     `IdempotentRequest.record`); COMMIT — the unit of work's transaction, the command's one commit;
  2. BEGIN; the `scoring-inputs` projection's rows (visits, duty_facts, the score_queue upsert and its NOTIFY)
     and its checkpoint (a row per pgbench client); COMMIT — one projector transaction per command (the
     projector may batch several).
Left out: the read of the roster the decider makes, the relay's read and checkpoint, the scorer's work (it
runs after the command's answer), and the projection's per-committee advisory lock (16 pgbench clients would
queue on it where the one projector does not)."""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import asyncpg

from eventstore.install import install
from yizheng.bench.pgbench import PgbenchError, connection_args, pgbench_binary

_TPS = re.compile(r"^tps = ([0-9.]+) \(without initial connection time\)", re.MULTILINE)
_LATENCY = re.compile(r"^latency average = ([0-9.]+) ms", re.MULTILINE)
_FAILED = re.compile(r"^number of failed transactions: (\d+)", re.MULTILINE)

READ_MODEL_TABLES = ("visits", "duty_facts", "score_queue")
PROJECTION_CHECKPOINT = "scoring-inputs"
MAX_CLIENTS = 256


class BaselineError(RuntimeError):
    pass


@dataclass(frozen=True)
class PgbenchWindow:
    clients: int
    seconds: int
    tps: float
    latency_ms: float
    failed: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _one_line(sql: str) -> str:
    return " ".join(sql.split())


async def build_script(pool: asyncpg.Pool, source_schema: str, scratch: str, stream_id: str,
                       idempotency_key: str) -> str:
    """The pgbench script of one `log-visit` like the one written to `stream_id`, into `scratch` (created)."""
    async with pool.acquire() as conn:
        event = await conn.fetchrow(
            f"SELECT type, schema_version, committee_id, data::text AS data, metadata::text AS metadata, "
            f"occurred_at FROM {source_schema}.events WHERE stream_id = $1 ORDER BY position LIMIT 1", stream_id)
        idem = await conn.fetchrow(f"SELECT command, request, response::text AS response "
                                   f"FROM {source_schema}.idempotency WHERE key LIKE '%' || $1", idempotency_key)
        rows: dict[str, list[str]] = {}
        for table in ("visits", "duty_facts"):
            column = "visit_id" if table == "visits" else "fact_key"
            found = await conn.fetch(f"SELECT row_to_json(t)::text AS j FROM {source_schema}.{table} t "
                                     f"WHERE t.{column} LIKE '%' || $1 || '%'", _visit_id(stream_id))
            rows[table] = [r["j"] for r in found]
        queue = await conn.fetchrow(f"SELECT committee_id, year, member_id FROM {source_schema}.score_queue LIMIT 1")
        members = [r["member_id"] for r in await conn.fetch(
            f"SELECT member_id FROM {source_schema}.roster LIMIT 200")]
    if event is None or idem is None or not rows["visits"]:
        raise BaselineError(f"the template command (stream {stream_id}) left no event, idempotency row or visit")
    await pool.execute(f"DROP SCHEMA IF EXISTS {scratch} CASCADE")
    await pool.execute(f"CREATE SCHEMA {scratch}")
    await install(pool, scratch)
    for table in READ_MODEL_TABLES:
        await pool.execute(f"CREATE TABLE {scratch}.{table} (LIKE {source_schema}.{table} INCLUDING ALL)")
    # A checkpoint row per pgbench client: the platform has one projector per store, so its checkpoint row
    # is never contended; 16 clients updating one row would queue on its lock through each other's commit.
    await pool.execute(f"INSERT INTO {scratch}.checkpoints (name, tx_id, position) "
                       f"SELECT $1 || '-' || n, pg_current_xact_id(), 0 FROM generate_series(0, $2) AS n",
                       PROJECTION_CHECKPOINT, MAX_CLIENTS)

    n = "'b' || :client_id || '-' || :zzn"  # unique per transaction
    event_json = (f'{{"type":{_json(event["type"])},"schema_version":{event["schema_version"]},'
                  f'"committee_id":{_json(event["committee_id"])},"data":{event["data"]},'
                  f'"metadata":{event["metadata"]},"occurred_at":{_json(event["occurred_at"].isoformat())}}}')
    s = scratch
    lines = [
        r"\set zzn random(1, 1000000000000000)",
        r"\set zzm random(0, " + str(max(len(members), 1) - 1) + ")",
        "BEGIN;",
        f"SELECT * FROM {s}.events WHERE stream_id = 'visit-' || {n} ORDER BY stream_version;",
        _one_line(f"""SELECT out_position, out_version, out_tx FROM {s}.append_events('visit-' || {n}, 0,
            jsonb_build_array({lit(event_json)}::jsonb || jsonb_build_object('event_id', gen_random_uuid())));"""),
        _one_line(f"""INSERT INTO {s}.idempotency (key, command, request, response)
            VALUES ({n}, {lit(idem['command'])}, decode({lit(bytes(idem['request']).hex())}, 'hex'),
            {lit(idem['response'] or '{}')}::jsonb) ON CONFLICT (key) DO NOTHING RETURNING true;"""),
        "COMMIT;",
        "BEGIN;",
    ]
    for row in rows["visits"]:
        lines.append(_one_line(f"""INSERT INTO {s}.visits SELECT (jsonb_populate_record(NULL::{s}.visits,
            {lit(row)}::jsonb || jsonb_build_object('visit_id', {n}))).* ON CONFLICT DO NOTHING;"""))
    for row in rows["duty_facts"]:
        lines.append(_one_line(f"""INSERT INTO {s}.duty_facts SELECT (jsonb_populate_record(NULL::{s}.duty_facts,
            {lit(row)}::jsonb || jsonb_build_object('fact_key', 'visit:' || {n}))).*
            ON CONFLICT (committee_id, fact_key) DO UPDATE SET member_id = excluded.member_id,
            year = excluded.year, fact = excluded.fact;"""))
    if queue is not None and members:
        array = "ARRAY[" + ",".join(lit(m) for m in members) + "]"
        lines.append(_one_line(f"""INSERT INTO {s}.score_queue (committee_id, year, member_id, reason)
            VALUES ({lit(queue['committee_id'])}, {queue['year']}, ({array})[:zzm + 1], 'recalculated')
            ON CONFLICT (committee_id, year, member_id) DO UPDATE SET reason = CASE WHEN
            score_queue.reason = 'rescored' THEN 'rescored' ELSE excluded.reason END;"""))
        lines.append(f"SELECT pg_notify({lit(s + '_scoring')}, '');")
    lines += [f"UPDATE {s}.checkpoints SET tx_id = pg_current_xact_id(), position = position + 1, "
              f"updated_at = now() WHERE name = {lit(PROJECTION_CHECKPOINT + '-')} || :client_id;", "COMMIT;"]
    return "\n".join(lines) + "\n"


def _visit_id(stream_id: str) -> str:
    """The visit id in a visit stream's id (`visit-<committee>-<visit id>`): its part after the bench marker."""
    marker = stream_id.find("bench-v")
    return stream_id[marker:] if marker >= 0 else stream_id


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


async def run_script(database_url: str, script: str, *, clients: int, threads: int, seconds: int) -> PgbenchWindow:
    """`pgbench -n -c clients -j threads -T seconds -f script` and its tps (without connection set-up)."""
    conn_args, extra_env = connection_args(database_url)
    database = urlparse(database_url).path.lstrip("/") or "postgres"
    with tempfile.TemporaryDirectory(prefix="yz-pgbench-") as tmp:
        path = Path(tmp) / "command.sql"
        path.write_text(script)
        proc = await asyncio.create_subprocess_exec(
            str(pgbench_binary()), *conn_args, "-n", "-c", str(clients), "-j", str(threads), "-T", str(seconds),
            "-f", str(path), database, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env={**os.environ, **extra_env, "PGAPPNAME": f"yz-pgbench-{uuid.uuid4().hex[:8]}"})
        out_b, err_b = await proc.communicate()
    out, err = out_b.decode(errors="replace"), err_b.decode(errors="replace")
    tps = _TPS.search(out)
    if proc.returncode != 0 or tps is None:
        raise PgbenchError(f"pgbench failed (exit {proc.returncode}):\n{out}\n{err[-3000:]}".strip())
    latency, failed = _LATENCY.search(out), _FAILED.search(out)
    return PgbenchWindow(clients=clients, seconds=seconds, tps=float(tps.group(1)),
                         latency_ms=float(latency.group(1)) if latency else 0.0,
                         failed=int(failed.group(1)) if failed else 0)
