"""The SQL over the questionnaires' own tables (`surveys.questionnaire.tables`): responses kept for results,
the anonymous ballot box, tickets by hash. Each write runs in the caller's transaction."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import uuid4

import asyncpg

from contracts.surveys.questionnaire_form import Answer
from eventstore.db import quote_ident

TICKET_BYTES = 32  # 256 random bits: a ticket cannot be guessed, so its hash needs no salt or stretching


def new_ticket() -> str:
    return secrets.token_urlsafe(TICKET_BYTES)


def ticket_hash(ticket: str) -> bytes:
    return hashlib.sha256(ticket.encode()).digest()


def _answers_json(answers: Sequence[Answer]) -> str:
    return json.dumps([a.model_dump(mode="json", exclude_defaults=True) for a in answers], ensure_ascii=False)


@dataclass(frozen=True)
class Response:
    response_id: str
    member_id: str | None
    answers: list[Answer]


class Responses:
    def __init__(self, schema: str) -> None:
        self.s = quote_ident(schema)

    async def keep_identified(self, conn: asyncpg.Connection, committee_id: str, questionnaire_id: str,
                              member_id: str, answers: Sequence[Answer]) -> None:
        await conn.execute(f"INSERT INTO {self.s}.questionnaire_responses "
                           "(committee_id, questionnaire_id, response_id, member_id, answers) "
                           "VALUES ($1, $2, $3, $3, $4::jsonb)", committee_id, questionnaire_id, member_id,
                           _answers_json(answers))

    async def draw_ticket(self, conn: asyncpg.Connection, committee_id: str, questionnaire_id: str,
                          member_id: str) -> str | None:
        """A new ticket for the member, or None if they drew theirs already. Only its hash is kept."""
        drawn = await conn.fetchval(f"INSERT INTO {self.s}.questionnaire_ticket_holders VALUES ($1, $2, $3) "
                                    "ON CONFLICT DO NOTHING RETURNING true", committee_id, questionnaire_id, member_id)
        if not drawn:
            return None
        ticket = new_ticket()
        await conn.execute(f"INSERT INTO {self.s}.questionnaire_tickets (committee_id, questionnaire_id, ticket_hash) "
                           "VALUES ($1, $2, $3)", committee_id, questionnaire_id, ticket_hash(ticket))
        return ticket

    async def use_ticket(self, conn: asyncpg.Connection, committee_id: str, questionnaire_id: str,
                         ticket: str) -> str:
        """'used' (now), 'spent' (used before) or 'unknown'."""
        row = await conn.fetchrow(f"SELECT used FROM {self.s}.questionnaire_tickets WHERE committee_id = $1 AND "
                                  "questionnaire_id = $2 AND ticket_hash = $3 FOR UPDATE", committee_id,
                                  questionnaire_id, ticket_hash(ticket))
        if row is None:
            return "unknown"
        if row["used"]:
            return "spent"
        await conn.execute(f"UPDATE {self.s}.questionnaire_tickets SET used = true WHERE committee_id = $1 AND "
                           "questionnaire_id = $2 AND ticket_hash = $3", committee_id, questionnaire_id,
                           ticket_hash(ticket))
        return "used"

    async def seal(self, conn: asyncpg.Connection, committee_id: str, questionnaire_id: str,
                   answers: Sequence[Answer]) -> None:
        """An anonymous response into the ballot box: a random id, no member, no ticket, no time."""
        await conn.execute(f"INSERT INTO {self.s}.questionnaire_responses "
                           "(committee_id, questionnaire_id, response_id, answers, sealed) "
                           "VALUES ($1, $2, $3, $4::jsonb, true)", committee_id, questionnaire_id, uuid4().hex,
                           _answers_json(answers))

    async def unseal(self, conn: asyncpg.Connection, committee_id: str, questionnaire_id: str) -> list[Response]:
        """The ballot box opened at closing: its responses in the order of their random ids, no longer sealed;
        the questionnaire's tickets and ticket holders deleted."""
        rows = await conn.fetch(f"UPDATE {self.s}.questionnaire_responses SET sealed = false WHERE committee_id = $1 "
                                "AND questionnaire_id = $2 AND sealed RETURNING response_id, answers",
                                committee_id, questionnaire_id)
        for table in ("questionnaire_tickets", "questionnaire_ticket_holders"):
            await conn.execute(f"DELETE FROM {self.s}.{table} WHERE committee_id = $1 AND questionnaire_id = $2",
                               committee_id, questionnaire_id)
        return sorted((Response(r["response_id"], None, _answers(r["answers"])) for r in rows),
                      key=lambda r: r.response_id)

    async def count(self, conn: asyncpg.Connection | asyncpg.Pool, committee_id: str, questionnaire_id: str) -> int:
        return int(await conn.fetchval(f"SELECT count(*) FROM {self.s}.questionnaire_responses WHERE committee_id = $1 "
                                       "AND questionnaire_id = $2", committee_id, questionnaire_id))

    async def responded(self, conn: asyncpg.Pool, committee_id: str, questionnaire_id: str, member_id: str) -> bool:
        return bool(await conn.fetchval(f"SELECT true FROM {self.s}.questionnaire_responses WHERE committee_id = $1 "
                                        "AND questionnaire_id = $2 AND member_id = $3", committee_id,
                                        questionnaire_id, member_id))

    async def all(self, pool: asyncpg.Pool, committee_id: str, questionnaire_id: str) -> list[Response]:
        """Every response not sealed, in response-id order (an anonymous one's is random)."""
        rows = await pool.fetch(f"SELECT response_id, member_id, answers FROM {self.s}.questionnaire_responses "
                                "WHERE committee_id = $1 AND questionnaire_id = $2 AND NOT sealed "
                                "ORDER BY response_id", committee_id, questionnaire_id)
        return [Response(r["response_id"], r["member_id"], _answers(r["answers"])) for r in rows]


def _answers(raw: str | list[object]) -> list[Answer]:
    data = json.loads(raw) if isinstance(raw, str) else raw
    return [Answer.model_validate(a) for a in data]
