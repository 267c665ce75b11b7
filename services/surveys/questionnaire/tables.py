"""The questionnaires' own tables beyond the event store. None has a time column, and none links a member to
an anonymous response:

- `questionnaire_responses`: every response's answers, for results and export — an identified one with its
  member (written with its event), an anonymous one with a random id and no member, `sealed` until the
  questionnaire closes and its event is written (the ballot box);
- `questionnaire_tickets`: the hash (SHA-256) of each invitation ticket drawn for an anonymous questionnaire,
  never the ticket, and whether it was used; nothing names who drew it;
- `questionnaire_ticket_holders`: who has drawn their one ticket (so none draws two), never which.

At closing the tickets and holders of the questionnaire are deleted and the sealed rows rewritten, so what is
left carries nothing of when each was drawn or sent."""

from __future__ import annotations

import asyncpg

from eventstore.db import quote_ident

DDL = """
CREATE TABLE IF NOT EXISTS {s}.questionnaire_responses (
    committee_id text NOT NULL,
    questionnaire_id text NOT NULL,
    response_id text NOT NULL,          -- identified: the member's id; anonymous: random
    member_id text,                     -- identified responses only; NULL for every anonymous one
    answers jsonb NOT NULL,
    sealed boolean NOT NULL DEFAULT false,
    PRIMARY KEY (committee_id, questionnaire_id, response_id)
);
CREATE TABLE IF NOT EXISTS {s}.questionnaire_tickets (
    committee_id text NOT NULL,
    questionnaire_id text NOT NULL,
    ticket_hash bytea NOT NULL,
    used boolean NOT NULL DEFAULT false,
    PRIMARY KEY (committee_id, questionnaire_id, ticket_hash)
);
CREATE TABLE IF NOT EXISTS {s}.questionnaire_ticket_holders (
    committee_id text NOT NULL,
    questionnaire_id text NOT NULL,
    member_id text NOT NULL,
    PRIMARY KEY (committee_id, questionnaire_id, member_id)
);
"""


async def install(conn: asyncpg.Connection, schema: str) -> None:
    await conn.execute(DDL.format(s=quote_ident(schema)))
