-- The event-sourcing kernel's tables, installed into each service's own schema ({schema}).
-- Idempotent: safe to run at every start.

CREATE SCHEMA IF NOT EXISTS {schema};

-- Append-only. Readers order by (tx_id, position) and only read rows of transactions older than the
-- oldest one still in flight (pg_snapshot_xmin), so a tailing reader can never skip a row that commits
-- later. See eventstore/store.py for why this beats one global lock.
CREATE TABLE IF NOT EXISTS {schema}.events (
    position        bigint      PRIMARY KEY,
    tx_id           xid8        NOT NULL DEFAULT pg_current_xact_id(),
    event_id        uuid        NOT NULL UNIQUE,
    stream_id       text        NOT NULL,
    stream_version  integer     NOT NULL CHECK (stream_version >= 1),
    type            text        NOT NULL,
    schema_version  integer     NOT NULL CHECK (schema_version >= 1),
    committee_id    text        NOT NULL,
    data            jsonb       NOT NULL,
    metadata        jsonb       NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    hash            bytea       NOT NULL,
    UNIQUE (stream_id, stream_version)
);
CREATE SEQUENCE IF NOT EXISTS {schema}.events_position_seq OWNED BY {schema}.events.position;
CREATE INDEX IF NOT EXISTS events_tx_order ON {schema}.events (tx_id, position);

-- Where each reader of this store (relay, local projections) has got to.
CREATE TABLE IF NOT EXISTS {schema}.checkpoints (
    name        text        PRIMARY KEY,
    tx_id       xid8        NOT NULL,
    position    bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Events from other services already applied by a consumer; written in the consumer's own transaction.
CREATE TABLE IF NOT EXISTS {schema}.inbox (
    consumer    text        NOT NULL,
    event_id    uuid        NOT NULL,
    topic       text        NOT NULL,
    handled_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

-- Command results by idempotency key, so a retried command does not act twice.
CREATE TABLE IF NOT EXISTS {schema}.idempotency (
    key         text        PRIMARY KEY,
    command     text        NOT NULL,
    request     bytea       NOT NULL,
    response    jsonb,  -- NULL while the first attempt runs
    created_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE {schema}.idempotency ALTER COLUMN response DROP NOT NULL;

-- The content an event's hash covers. Shared by append and verify, so both hash the same bytes.
CREATE OR REPLACE FUNCTION {schema}.event_hash(
    prev bytea, p_position bigint, p_event_id uuid, p_stream text, p_version integer, p_type text,
    p_schema_version integer, p_committee text, p_data jsonb, p_metadata jsonb, p_occurred timestamptz
) RETURNS bytea LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT sha256(coalesce(prev, '\x'::bytea) || convert_to(concat_ws(E'\x1f',
        p_position, p_event_id, p_stream, p_version, p_type, p_schema_version, p_committee,
        p_data::text, p_metadata::text, (extract(epoch FROM p_occurred) * 1000000)::bigint), 'UTF8'))
$$;

-- Append events to one stream at an expected version, in one round trip.
-- p_events: [{event_id, type, schema_version, committee_id, data, metadata, occurred_at}, ...]
-- Errors: YZ001 wrong expected version; YZ002 this transaction's id is older than the stream's last
-- writer's (it took its id before that writer committed); retrying the whole transaction resolves it.
CREATE OR REPLACE FUNCTION {schema}.append_events(p_stream text, p_expected integer, p_events jsonb)
RETURNS TABLE (out_position bigint, out_version integer, out_tx xid8)
LANGUAGE plpgsql AS $$
DECLARE
    v_last    {schema}.events%ROWTYPE;
    v_version integer;
    v_hash    bytea;
    v_tx      xid8 := pg_current_xact_id();
    v_pos     bigint;
    e         jsonb;
BEGIN
    SELECT * INTO v_last FROM {schema}.events
     WHERE stream_id = p_stream ORDER BY stream_version DESC LIMIT 1;
    v_version := coalesce(v_last.stream_version, 0);
    IF v_version <> p_expected THEN
        RAISE EXCEPTION 'stream is at version %', v_version USING ERRCODE = 'YZ001', DETAIL = v_version::text;
    END IF;
    IF v_last.tx_id IS NOT NULL AND v_last.tx_id > v_tx THEN
        RAISE EXCEPTION 'stream % was written by a newer transaction; retry', p_stream
            USING ERRCODE = 'YZ002';
    END IF;
    v_hash := v_last.hash;
    FOR e IN SELECT * FROM jsonb_array_elements(p_events) LOOP
        v_version := v_version + 1;
        v_pos := nextval('{schema}.events_position_seq');
        v_hash := {schema}.event_hash(v_hash, v_pos, (e->>'event_id')::uuid, p_stream, v_version,
            e->>'type', (e->>'schema_version')::integer, e->>'committee_id', e->'data', e->'metadata',
            (e->>'occurred_at')::timestamptz);
        INSERT INTO {schema}.events (position, tx_id, event_id, stream_id, stream_version, type,
            schema_version, committee_id, data, metadata, occurred_at, hash)
        VALUES (v_pos, v_tx, (e->>'event_id')::uuid, p_stream, v_version, e->>'type',
            (e->>'schema_version')::integer, e->>'committee_id', e->'data', e->'metadata',
            (e->>'occurred_at')::timestamptz, v_hash);
        out_position := v_pos; out_version := v_version; out_tx := v_tx;
        RETURN NEXT;
    END LOOP;
END
$$;

-- Several streams' appends in one transaction and one round trip (the store's group commit). Each item
-- keeps its own expected-version check in a subtransaction: a refused item writes nothing and is reported
-- (error = its SQLSTATE) while the others commit.
-- p_items: [{stream, expected, events: [...as append_events...]}, ...]
CREATE OR REPLACE FUNCTION {schema}.append_batch(p_items jsonb)
RETURNS TABLE (out_item integer, out_position bigint, out_version integer, out_tx xid8, out_error text,
               out_detail text)
LANGUAGE plpgsql AS $$
DECLARE
    v_item jsonb;
    v_index integer := 0;
    r record;
BEGIN
    FOR v_item IN SELECT * FROM jsonb_array_elements(p_items) LOOP
        BEGIN
            FOR r IN SELECT * FROM {schema}.append_events(v_item->>'stream', (v_item->>'expected')::integer,
                                                          v_item->'events') LOOP
                out_item := v_index; out_position := r.out_position; out_version := r.out_version;
                out_tx := r.out_tx; out_error := NULL; out_detail := NULL;
                RETURN NEXT;
            END LOOP;
        EXCEPTION WHEN SQLSTATE 'YZ001' OR SQLSTATE 'YZ002' OR unique_violation THEN
            out_item := v_index; out_position := NULL; out_version := NULL; out_tx := NULL;
            GET STACKED DIAGNOSTICS out_detail = PG_EXCEPTION_DETAIL;
            out_error := SQLSTATE;
            RETURN NEXT;
        END;
        v_index := v_index + 1;
    END LOOP;
END
$$;
