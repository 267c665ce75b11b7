"""Notify's record of what each look-back (回头看) is about: a proposal's commitment (its number and title
come from the proposal's record) or a recommendation report (建议案, its title from
`recommendation-report-recorded`), so a look-back's messages name 提案2026-015《…》 or 建议案《…》, not the
look-back's id."""

from __future__ import annotations

from typing import Any

import asyncpg

from eventstore.db import quote_ident

TYPES = frozenset({"lookback-opened", "recommendation-report-recorded"})


async def record(conn: asyncpg.Connection, schema: str, committee: str, t: str, data: dict[str, Any]) -> None:
    s = quote_ident(schema)
    if t == "recommendation-report-recorded":
        await conn.execute(f"INSERT INTO {s}.recommendations VALUES ($1, $2, $3) ON CONFLICT "
                           "(committee_id, recommendation_id) DO UPDATE SET title = excluded.title",
                           committee, data["recommendation_id"], data["title"])
    elif t == "lookback-opened":
        await conn.execute(f"INSERT INTO {s}.lookbacks VALUES ($1, $2, $3, $4) ON CONFLICT (committee_id, "
                           "lookback_id) DO UPDATE SET proposal_id = excluded.proposal_id, "
                           "recommendation_id = excluded.recommendation_id",
                           committee, data["lookback_id"], data.get("proposal_id"), data.get("recommendation_id"))


async def recommendation_title(conn: asyncpg.Connection, schema: str, committee: str,
                               recommendation_id: str) -> str | None:
    title = await conn.fetchval(f"SELECT title FROM {quote_ident(schema)}.recommendations WHERE committee_id = $1 "
                                "AND recommendation_id = $2", committee, recommendation_id)
    return str(title) if title else None


async def about(conn: asyncpg.Connection, schema: str, committee: str, lookback_id: str) -> dict[str, Any]:
    """The variables naming what the look-back is about: the proposal's id, number and title, or the
    recommendation report's id and title."""
    s = quote_ident(schema)
    row = await conn.fetchrow(f"SELECT proposal_id, recommendation_id FROM {s}.lookbacks WHERE committee_id = $1 "
                              "AND lookback_id = $2", committee, lookback_id)
    if row is None:
        return {}
    if row["proposal_id"]:
        found = {"proposal_id": row["proposal_id"]}
        proposal = await conn.fetchrow(f"SELECT title, number FROM {s}.proposal_parties WHERE committee_id = $1 "
                                       "AND proposal_id = $2", committee, row["proposal_id"])
        if proposal is not None:
            found.update({k: proposal[k] for k in ("title", "number") if proposal[k]})
        return found
    if row["recommendation_id"]:
        title = await recommendation_title(conn, schema, committee, row["recommendation_id"])
        return {"recommendation_id": row["recommendation_id"], **({"title": title} if title else {})}
    return {}
