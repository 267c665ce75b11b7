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
-- STABLE, not IMMUTABLE, because concat_ws and extract are: PostgreSQL then inlines it into the calling
-- query instead of running it as a separate SQL function per row (half the cost).
CREATE OR REPLACE FUNCTION {schema}.event_hash(
    prev bytea, p_position bigint, p_event_id uuid, p_stream text, p_version integer, p_type text,
    p_schema_version integer, p_committee text, p_data jsonb, p_metadata jsonb, p_occurred timestamptz
) RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT sha256(coalesce(prev, '\x'::bytea) || convert_to(concat_ws(E'\x1f',
        p_position, p_event_id, p_stream, p_version, p_type, p_schema_version, p_committee,
        p_data::text, p_metadata::text, (extract(epoch FROM p_occurred) * 1000000)::bigint), 'UTF8'))
$$;

-- Appends to one or more streams in one transaction and one round trip: the store's group commit sends the
-- appends that arrived together, a lone append is a batch of one. Each item keeps its own expected-version
-- check; a refused item writes nothing and is reported (out_error = its SQLSTATE: YZ001 wrong expected
-- version, out_detail = the stream's version; YZ002 this transaction's id is older than the stream's last
-- writer's, which retrying in a new transaction resolves) while the others are written. No subtransactions:
-- the checks need no writes, and the one failure they cannot foresee (a concurrent writer inserting the
-- same stream version, unique_violation) aborts the whole batch, which the caller then resends item by item.
-- p_items: [{stream, expected, events: [{event_id, type, schema_version, committee_id, data, metadata,
--            occurred_at}, ...]}, ...]
CREATE OR REPLACE FUNCTION {schema}.append_batch(p_items jsonb)
RETURNS TABLE (out_item integer, out_position bigint, out_version integer, out_tx xid8, out_error text,
               out_detail text)
LANGUAGE plpgsql AS $$
DECLARE
    v_tx      xid8 := pg_current_xact_id();
    v_item    jsonb;
    v_stream  text;
    v_version integer;
    v_last_tx xid8;
    v_hash    bytea;
    v_pos     bigint;
    e         jsonb;
BEGIN
    out_item := -1;
    FOR v_item IN SELECT * FROM jsonb_array_elements(p_items) LOOP
        out_item := out_item + 1;
        out_position := NULL; out_version := NULL; out_tx := NULL; out_error := NULL; out_detail := NULL;
        v_stream := v_item->>'stream';
        v_version := NULL; v_last_tx := NULL; v_hash := NULL;
        SELECT stream_version, tx_id, hash INTO v_version, v_last_tx, v_hash FROM {schema}.events
         WHERE stream_id = v_stream ORDER BY stream_version DESC LIMIT 1;
        v_version := coalesce(v_version, 0);
        IF v_version <> (v_item->>'expected')::integer THEN
            out_error := 'YZ001'; out_detail := v_version::text;
            RETURN NEXT;
            CONTINUE;
        END IF;
        IF v_last_tx > v_tx THEN
            out_error := 'YZ002';
            RETURN NEXT;
            CONTINUE;
        END IF;
        FOR e IN SELECT * FROM jsonb_array_elements(v_item->'events') LOOP
            v_version := v_version + 1;
            v_pos := nextval('{schema}.events_position_seq');
            v_hash := {schema}.event_hash(v_hash, v_pos, (e->>'event_id')::uuid, v_stream, v_version,
                e->>'type', (e->>'schema_version')::integer, e->>'committee_id', e->'data', e->'metadata',
                (e->>'occurred_at')::timestamptz);
            INSERT INTO {schema}.events (position, tx_id, event_id, stream_id, stream_version, type,
                schema_version, committee_id, data, metadata, occurred_at, hash)
            VALUES (v_pos, v_tx, (e->>'event_id')::uuid, v_stream, v_version, e->>'type',
                (e->>'schema_version')::integer, e->>'committee_id', e->'data', e->'metadata',
                (e->>'occurred_at')::timestamptz, v_hash);
            out_position := v_pos; out_version := v_version; out_tx := v_tx;
            RETURN NEXT;
        END LOOP;
    END LOOP;
END
$$;

-- One stream's append inside a caller's transaction (a consumer's inbox row, a read model): as one item of
-- append_batch, but a refusal raises (YZ001 with the stream's version as DETAIL, or YZ002), so the caller's
-- transaction writes nothing.
CREATE OR REPLACE FUNCTION {schema}.append_events(p_stream text, p_expected integer, p_events jsonb)
RETURNS TABLE (out_position bigint, out_version integer, out_tx xid8)
LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT * FROM {schema}.append_batch(jsonb_build_array(jsonb_build_object(
                 'stream', p_stream, 'expected', p_expected, 'events', p_events))) LOOP
        IF r.out_error = 'YZ001' THEN
            RAISE EXCEPTION 'stream is at version %', r.out_detail USING ERRCODE = 'YZ001', DETAIL = r.out_detail;
        ELSIF r.out_error = 'YZ002' THEN
            RAISE EXCEPTION 'stream % was written by a newer transaction; retry', p_stream
                USING ERRCODE = 'YZ002';
        END IF;
        out_position := r.out_position; out_version := r.out_version; out_tx := r.out_tx;
        RETURN NEXT;
    END LOOP;
END
$$;

-- Append-only, enforced here rather than by convention: no role but the maintenance role (a repair, by
-- hand, after `SET ROLE {maintenance_role}`) may change or remove a stored event. A superuser, which the
-- local server runs as, bypasses privileges but not triggers, so the trigger is what refuses; the REVOKE
-- covers roles that are not the table's owner. What a superuser can still do (disable the trigger) the
-- signed anchors of the chain's head (eventstore/audit_anchor.py) make visible to `yizheng verify`.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {maintenance_literal}) THEN
        CREATE ROLE {maintenance_role} NOLOGIN;
    END IF;
EXCEPTION
    -- Roles are cluster-wide and the install lock is per database: an installer of another database won.
    WHEN duplicate_object OR unique_violation THEN NULL;
    WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'the event store needs the role % (NOLOGIN) and this installer may not create it',
            {maintenance_literal} USING HINT = 'create it once as a role with CREATEROLE, then install again';
END
$$;
GRANT USAGE ON SCHEMA {schema} TO {maintenance_role};
GRANT SELECT, UPDATE, DELETE, TRUNCATE ON {schema}.events TO {maintenance_role};
REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.events FROM PUBLIC;

CREATE OR REPLACE FUNCTION {schema}.events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_user = {maintenance_literal} THEN
        IF TG_LEVEL = 'STATEMENT' THEN RETURN NULL; ELSIF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '%.% is append-only: % refused for role %', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP, current_user
        USING ERRCODE = 'insufficient_privilege',
              DETAIL = 'rule: events_append_only (stored events are never changed or removed)',
              HINT = format('a deliberate repair runs as the maintenance role: SET ROLE %s', {maintenance_literal});
END
$$;
CREATE OR REPLACE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON {schema}.events
    FOR EACH ROW EXECUTE FUNCTION {schema}.events_append_only();
CREATE OR REPLACE TRIGGER events_append_only_truncate BEFORE TRUNCATE ON {schema}.events
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.events_append_only();

-- Which store this is: made once, when the schema is first installed. Anchors name it, so `yizheng verify`
-- can tell a store that was dropped and installed anew (every anchored event gone) from one that lost events.
CREATE TABLE IF NOT EXISTS {schema}.store_identity (
    one         boolean     PRIMARY KEY DEFAULT true CHECK (one),
    store_id    uuid        NOT NULL DEFAULT gen_random_uuid(),
    created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO {schema}.store_identity DEFAULT VALUES ON CONFLICT DO NOTHING;
