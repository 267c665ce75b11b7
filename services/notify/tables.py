"""The notify service's own tables beyond the event store: the inbox, the deliveries, the parties of the
proposals it has heard of, the tracked items and meetings its messages name, preferences, reminders, webhook
endpoints (URL and secret private) and bounce counts (by a hash of the address, never the address)."""

from __future__ import annotations

import asyncpg

from eventstore.db import quote_ident

DDL = """
CREATE TABLE IF NOT EXISTS {s}.notifications (
    notification_id text PRIMARY KEY,          -- derived from (source event, recipient, template): UNIQUE
    committee_id text NOT NULL,
    recipient_kind text NOT NULL,
    recipient_id text NOT NULL,
    template text NOT NULL,
    category text NOT NULL,
    urgency text NOT NULL,
    subject_id text NOT NULL,
    reason text NOT NULL,
    variables jsonb NOT NULL DEFAULT '{{}}',
    source_event_id text NOT NULL,
    source_type text NOT NULL,
    reminder_id text,
    state text NOT NULL DEFAULT 'unread',      -- unread | read | archived
    created_at timestamptz NOT NULL,
    read_at timestamptz
);
CREATE INDEX IF NOT EXISTS notifications_inbox
    ON {s}.notifications (committee_id, recipient_kind, recipient_id, state, created_at DESC);
CREATE TABLE IF NOT EXISTS {s}.deliveries (
    delivery_id text PRIMARY KEY,              -- (notification, channel, target): UNIQUE
    notification_id text NOT NULL REFERENCES {s}.notifications,
    committee_id text NOT NULL,
    channel text NOT NULL,
    target_id text NOT NULL,                   -- the member or unit, or the webhook endpoint
    status text NOT NULL,  -- pending | digest | sending | sent | retry | unknown | failed | gone | suppressed
    not_before timestamptz NOT NULL,
    attempts int NOT NULL DEFAULT 0,
    claimed_at timestamptz,
    detail text NOT NULL DEFAULT '',
    digest_id text
);
-- The running worker that claimed the row (it holds an advisory lock on this id while it lives).
ALTER TABLE {s}.deliveries ADD COLUMN IF NOT EXISTS claimed_by int;
CREATE INDEX IF NOT EXISTS deliveries_due ON {s}.deliveries (status, not_before);
-- The next due rows in claiming order, straight off the index: with (status, not_before) alone every claim read
-- and sorted the whole backlog (76 ms a claim at 25,000 pending, one claim per message sent).
CREATE INDEX IF NOT EXISTS deliveries_claimable ON {s}.deliveries (not_before, delivery_id)
    WHERE status IN ('pending', 'retry');
-- A notification's deliveries (every inbox item shows them): without it each item scanned every delivery.
CREATE INDEX IF NOT EXISTS deliveries_notification ON {s}.deliveries (notification_id);
-- The office's list of its committee's deliveries, and its count.
CREATE INDEX IF NOT EXISTS deliveries_committee ON {s}.deliveries (committee_id);
CREATE TABLE IF NOT EXISTS {s}.proposal_parties (
    committee_id text NOT NULL,
    proposal_id text NOT NULL,
    number text,
    title text NOT NULL DEFAULT '',
    lead_member_id text,
    cosigner_member_ids text[] NOT NULL DEFAULT '{{}}',
    unit_ids text[] NOT NULL DEFAULT '{{}}',
    supervising_leaders text[] NOT NULL DEFAULT '{{}}',
    PRIMARY KEY (committee_id, proposal_id)
);
CREATE TABLE IF NOT EXISTS {s}.tracked_items (     -- the units of each tracked item (a reopen names none)
    committee_id text NOT NULL,
    item_id text NOT NULL,
    unit_ids text[] NOT NULL,
    PRIMARY KEY (committee_id, item_id)
);
-- What its reminders call it: its title and kind (consultation_outcome | rectification | research_recommendation).
ALTER TABLE {s}.tracked_items ADD COLUMN IF NOT EXISTS title text NOT NULL DEFAULT '';
ALTER TABLE {s}.tracked_items ADD COLUMN IF NOT EXISTS subject text NOT NULL DEFAULT '';
CREATE TABLE IF NOT EXISTS {s}.meetings (          -- the meetings as scheduled: what an invitation says
    committee_id text NOT NULL,
    meeting_id text NOT NULL,
    kind text NOT NULL,
    title text NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    venue text NOT NULL DEFAULT '',
    PRIMARY KEY (committee_id, meeting_id)
);
-- Who is invited to each meeting, and who is not to be told check-in is open (approved leave, or recorded).
CREATE TABLE IF NOT EXISTS {s}.meeting_invitees (
    committee_id text NOT NULL,
    meeting_id text NOT NULL,
    member_id text NOT NULL,
    excused boolean NOT NULL DEFAULT false,
    PRIMARY KEY (committee_id, meeting_id, member_id)
);
-- The handling units by name (the members service's registry), so messages say 县生态环境局, not u-env.
CREATE TABLE IF NOT EXISTS {s}.units (
    committee_id text NOT NULL,
    unit_id text NOT NULL,
    name text NOT NULL,
    PRIMARY KEY (committee_id, unit_id)
);
-- What each look-back is about (a proposal's commitment or a recommendation report), and the reports' titles.
CREATE TABLE IF NOT EXISTS {s}.lookbacks (
    committee_id text NOT NULL,
    lookback_id text NOT NULL,
    proposal_id text,
    recommendation_id text,
    PRIMARY KEY (committee_id, lookback_id)
);
CREATE TABLE IF NOT EXISTS {s}.recommendations (
    committee_id text NOT NULL,
    recommendation_id text NOT NULL,
    title text NOT NULL,
    PRIMARY KEY (committee_id, recommendation_id)
);
-- The questionnaires by title and response mode, and the members whose identified response is recorded.
CREATE TABLE IF NOT EXISTS {s}.questionnaires (
    committee_id text NOT NULL,
    questionnaire_id text NOT NULL,
    title text NOT NULL,
    mode text NOT NULL,                        -- identified | anonymous
    PRIMARY KEY (committee_id, questionnaire_id)
);
CREATE TABLE IF NOT EXISTS {s}.questionnaire_answered (
    committee_id text NOT NULL,
    questionnaire_id text NOT NULL,
    member_id text NOT NULL,
    PRIMARY KEY (committee_id, questionnaire_id, member_id)
);
CREATE TABLE IF NOT EXISTS {s}.members (
    committee_id text NOT NULL,
    member_id text NOT NULL,
    name text NOT NULL,
    PRIMARY KEY (committee_id, member_id)
);
CREATE TABLE IF NOT EXISTS {s}.preferences (
    committee_id text NOT NULL,
    recipient_kind text NOT NULL,
    recipient_id text NOT NULL,
    categories jsonb NOT NULL,                 -- category -> [channels]
    digest text NOT NULL,
    digest_hour int NOT NULL,
    digest_weekday int NOT NULL,
    quiet_from int,
    quiet_until int,
    PRIMARY KEY (committee_id, recipient_kind, recipient_id)
);
CREATE TABLE IF NOT EXISTS {s}.reminders (
    step_id text NOT NULL,                     -- <task>:<kind>[:<n>]
    committee_id text NOT NULL,
    task_id text NOT NULL,
    task text NOT NULL,
    kind text NOT NULL,
    subject_id text NOT NULL,
    recipient_kind text NOT NULL,
    recipient_id text NOT NULL,
    due date NOT NULL,
    fire_on date NOT NULL,
    status text NOT NULL DEFAULT 'pending',    -- pending | fired | cancelled | lapsed
    source_event_id text NOT NULL,
    PRIMARY KEY (committee_id, step_id)
);
-- A timed notice's step (check-in open) goes out at its instant, not on its day, and lapses unsent once its
-- subject is over; the ladders' steps have neither.
ALTER TABLE {s}.reminders ADD COLUMN IF NOT EXISTS fire_at timestamptz;
ALTER TABLE {s}.reminders ADD COLUMN IF NOT EXISTS lapses_at timestamptz;
CREATE INDEX IF NOT EXISTS reminders_due ON {s}.reminders (status, fire_on);
CREATE INDEX IF NOT EXISTS reminders_task ON {s}.reminders (committee_id, task_id);
CREATE TABLE IF NOT EXISTS {s}.webhook_endpoints (
    committee_id text NOT NULL,
    endpoint_id text NOT NULL,
    name text NOT NULL,
    url text NOT NULL,
    categories text[] NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    secret text NOT NULL,                      -- the Standard Webhooks signing secret; never in an event
    PRIMARY KEY (committee_id, endpoint_id)
);
CREATE TABLE IF NOT EXISTS {s}.bounces (
    committee_id text NOT NULL,
    address_hash text NOT NULL,
    count int NOT NULL,
    PRIMARY KEY (committee_id, address_hash)
);
"""


async def install(conn: asyncpg.Connection, schema: str) -> None:
    await conn.execute(DDL.format(s=quote_ident(schema)))
