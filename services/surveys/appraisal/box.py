"""The service's private tables for appraisal: the ballot box, the sealed boards, and an online round's pool of
undrawn slips and list of who has drawn.

The ballot box holds, per round, one row per credential: the canonical ballot and its signature, and nothing
else: no time, no actor, no client address, no sequence number. A second ballot under the same credential
replaces the first until close. At close the board is built from the box in one transaction with the
`appraisal-closed` event, the box's rows are deleted and the board is kept (`appraisal_boards`) for the read
routes; a voided round's rows are deleted unread.

An online round's slips wait in `appraisal_slip_pool`: the private parts only (no member, no time, no order
column). A rater's draw, in one transaction, takes one at random, deletes it and records in
`appraisal_slips_drawn` that the rater has drawn (no slip, no time); the slip is answered to the rater and kept
nowhere else. At close, or when the round is voided, both are emptied.

PostgreSQL still keeps, while a row lives, the transaction id that wrote it (`xmin`), which orders rows; the
box is emptied at close so that order does not outlive the round. A draw's deleted pool row and its drawn row
carry the same transaction id until vacuum removes the dead row (README: limits)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import asyncpg

from eventstore.db import quote_ident

DDL = """
CREATE TABLE IF NOT EXISTS {s}.appraisal_ballot_box (
    committee_id text NOT NULL,
    appraisal_id text NOT NULL,
    credential text NOT NULL,                  -- the credential's public key; never a member, never a time
    ballot text NOT NULL,                      -- the canonical ballot (contracts.surveys.appraisal_board)
    signature text NOT NULL,
    PRIMARY KEY (committee_id, appraisal_id, credential)
);
CREATE TABLE IF NOT EXISTS {s}.appraisal_boards (
    committee_id text NOT NULL,
    appraisal_id text NOT NULL,
    board text NOT NULL,                       -- the published board's JSON, sorted by tracker
    PRIMARY KEY (committee_id, appraisal_id)
);
CREATE TABLE IF NOT EXISTS {s}.appraisal_slip_pool (
    committee_id text NOT NULL,
    appraisal_id text NOT NULL,
    code text NOT NULL,                        -- an undrawn slip's private part; never a member, never a time
    PRIMARY KEY (committee_id, appraisal_id, code)
);
CREATE TABLE IF NOT EXISTS {s}.appraisal_slips_drawn (
    committee_id text NOT NULL,
    appraisal_id text NOT NULL,
    member_id text NOT NULL,                   -- who has drawn their slip; never which, never when
    PRIMARY KEY (committee_id, appraisal_id, member_id)
);
"""


async def install(conn: asyncpg.Connection, schema: str) -> None:
    await conn.execute(DDL.format(s=quote_ident(schema)))


class Box:
    """The ballot box's and the boards' SQL, on the caller's connection (inside its transaction)."""

    def __init__(self, schema: str) -> None:
        self.s = quote_ident(schema)

    async def put(self, conn: asyncpg.Connection, committee_id: str, appraisal_id: str, credential: str,
                  ballot: bytes, signature: str) -> bool:
        """Keep the ballot, replacing the credential's earlier one; True if it replaced one."""
        replaced = await conn.fetchval(
            f"SELECT true FROM {self.s}.appraisal_ballot_box WHERE committee_id = $1 AND appraisal_id = $2 "
            "AND credential = $3", committee_id, appraisal_id, credential)
        await conn.execute(
            f"INSERT INTO {self.s}.appraisal_ballot_box (committee_id, appraisal_id, credential, ballot, signature) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (committee_id, appraisal_id, credential) "
            "DO UPDATE SET ballot = excluded.ballot, signature = excluded.signature",
            committee_id, appraisal_id, credential, ballot.decode("utf-8"), signature)
        return bool(replaced)

    async def count(self, conn: asyncpg.Connection | asyncpg.Pool, committee_id: str, appraisal_id: str) -> int:
        return int(await conn.fetchval(
            f"SELECT count(*) FROM {self.s}.appraisal_ballot_box WHERE committee_id = $1 AND appraisal_id = $2",
            committee_id, appraisal_id))

    async def ballots(self, conn: asyncpg.Connection, committee_id: str,
                      appraisal_id: str) -> list[tuple[Mapping[str, Any], str]]:
        """Every ballot in the box with its signature, in the credentials' order (not the order they came in)."""
        rows = await conn.fetch(
            f"SELECT ballot, signature FROM {self.s}.appraisal_ballot_box WHERE committee_id = $1 "
            "AND appraisal_id = $2 ORDER BY credential", committee_id, appraisal_id)
        return [(json.loads(r["ballot"]), r["signature"]) for r in rows]

    async def empty(self, conn: asyncpg.Connection, committee_id: str, appraisal_id: str) -> None:
        await conn.execute(f"DELETE FROM {self.s}.appraisal_ballot_box WHERE committee_id = $1 AND appraisal_id = $2",
                           committee_id, appraisal_id)

    async def keep_board(self, conn: asyncpg.Connection, committee_id: str, appraisal_id: str, board: str) -> None:
        await conn.execute(f"INSERT INTO {self.s}.appraisal_boards (committee_id, appraisal_id, board) "
                           "VALUES ($1, $2, $3)", committee_id, appraisal_id, board)

    async def board(self, conn: asyncpg.Connection | asyncpg.Pool, committee_id: str, appraisal_id: str) -> str | None:
        value = await conn.fetchval(f"SELECT board FROM {self.s}.appraisal_boards WHERE committee_id = $1 "
                                    "AND appraisal_id = $2", committee_id, appraisal_id)
        return None if value is None else str(value)

    # ---- an online round's slips ------------------------------------------------------------------------------

    async def pool(self, conn: asyncpg.Connection, committee_id: str, appraisal_id: str, codes: list[str]) -> None:
        """Keep an online round's undrawn slips (their private parts, in the order given: shuffled)."""
        await conn.executemany(f"INSERT INTO {self.s}.appraisal_slip_pool (committee_id, appraisal_id, code) "
                               "VALUES ($1, $2, $3)", [(committee_id, appraisal_id, c) for c in codes])

    async def mark_drawn(self, conn: asyncpg.Connection, committee_id: str, appraisal_id: str,
                         member_id: str) -> bool:
        """Record that the member has drawn their slip (not which); False if they had already."""
        return bool(await conn.fetchval(
            f"INSERT INTO {self.s}.appraisal_slips_drawn (committee_id, appraisal_id, member_id) VALUES ($1, $2, $3) "
            "ON CONFLICT DO NOTHING RETURNING true", committee_id, appraisal_id, member_id))

    async def take(self, conn: asyncpg.Connection, committee_id: str, appraisal_id: str) -> str | None:
        """One undrawn slip at random, deleted from the pool: its code, or None if the pool is empty."""
        code = await conn.fetchval(
            f"DELETE FROM {self.s}.appraisal_slip_pool WHERE committee_id = $1 AND appraisal_id = $2 AND code = ("
            f"SELECT code FROM {self.s}.appraisal_slip_pool WHERE committee_id = $1 AND appraisal_id = $2 "
            "ORDER BY random() LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING code", committee_id, appraisal_id)
        return None if code is None else str(code)

    async def drawers(self, conn: asyncpg.Connection, committee_id: str, appraisal_id: str) -> list[str]:
        """The raters who have drawn a slip, sorted (the close credits them)."""
        rows = await conn.fetch(f"SELECT member_id FROM {self.s}.appraisal_slips_drawn WHERE committee_id = $1 "
                                "AND appraisal_id = $2 ORDER BY member_id", committee_id, appraisal_id)
        return [r["member_id"] for r in rows]

    async def drawn_count(self, conn: asyncpg.Connection | asyncpg.Pool, committee_id: str, appraisal_id: str) -> int:
        return int(await conn.fetchval(f"SELECT count(*) FROM {self.s}.appraisal_slips_drawn WHERE committee_id = $1 "
                                       "AND appraisal_id = $2", committee_id, appraisal_id))

    async def empty_slips(self, conn: asyncpg.Connection, committee_id: str, appraisal_id: str) -> None:
        """The undrawn slips and the list of who drew, gone with the round."""
        for table in ("appraisal_slip_pool", "appraisal_slips_drawn"):
            await conn.execute(f"DELETE FROM {self.s}.{table} WHERE committee_id = $1 AND appraisal_id = $2",
                               committee_id, appraisal_id)
