"""`graphql_vs_sql`: the gateway's `oversight` and `scorecards` queries over HTTP, next to the same SQL run
directly with asyncpg. The SQL is what the resolvers run: recorded by calling the gateway's read functions
(`gateway.read.oversight.load`, the rulebook loader's statement and `gateway.read.scorecards.ranked_page`)
with a `Db` that notes each statement and its arguments — per committee, once, before the timed rounds.
The GraphQL queries select the fields those statements answer (no nested fields that would add loaders)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx

from gateway.read import grades
from gateway.read import oversight as overseen
from gateway.read import scorecards as ranking
from gateway.read.db import Db
from yizheng.bench.platform_drive import Request

OVERSIGHT = """query($year: Int!) { oversight(year: $year) {
  year overall { assigned replied } byUnit { unitId assigned replied } byCategory { category assigned replied }
  keyProposals { proposalId title status reports } commitmentsOverdue { id proposalId due }
  visitCoverageBySector { sector } visitCoverageByTownship { townshipId } membersFlagged { memberId flag } } }"""

SCORECARDS = """query($year: Int!) { scorecards(year: $year) {
  totalCount nodes { memberId total grade rank sectorRank committeeSize sectorSize } } }"""

QUERIES = {"oversight": OVERSIGHT, "scorecards": SCORECARDS}


class RecordingDb(Db):
    """A `Db` that notes every statement (schema substituted) and its arguments as it runs them."""

    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        super().__init__(pool, schema)
        self.statements: list[tuple[str, tuple[Any, ...]]] = []

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        self.statements.append((self.sql(query), args))
        return await super().fetch(query, *args)

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        self.statements.append((self.sql(query), args))
        return await super().fetchrow(query, *args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        self.statements.append((self.sql(query), args))
        return await super().fetchval(query, *args)


Statements = list[tuple[str, tuple[Any, ...]]]


async def record_sql(pool: asyncpg.Pool, schema: str, committee: str, year: int) -> dict[str, Statements]:
    """The statements the two resolvers run for this committee's year (today as the oversight's day)."""
    db = RecordingDb(pool, schema)
    await overseen.load(db, committee, year, datetime.now(UTC).date())
    out = {"oversight": db.statements}
    db = RecordingDb(pool, schema)
    rows = await db.fetch("SELECT DISTINCT ON (year) * FROM {s}.rulebooks WHERE committee_id = $1 "
                          "AND year = ANY($2::int[]) ORDER BY year, in_force DESC, version DESC", committee, [year])
    bands = grades.bands_of(rows[0] if rows else None)
    await ranking.ranked_page(db, committee, year, bands, ranking.ScorecardFilter(), None, None)
    out["scorecards"] = db.statements
    return out


@dataclass(frozen=True)
class Reader:
    """Who asks: a leadership token per committee (tokens in the same order as the committees)."""

    committees: Sequence[str]
    tokens: Sequence[str]
    year: int


def graphql_request(gateway_url: str, query_name: str, reader: Reader) -> Request:
    query = QUERIES[query_name]
    rng = random.Random(7)

    async def send(client: httpx.AsyncClient, i: int) -> bool:
        k = rng.randrange(len(reader.committees))
        r = await client.post(f"{gateway_url}/graphql", json={"query": query, "variables": {"year": reader.year}},
                              headers={"Authorization": f"Bearer {reader.tokens[k]}"})
        if r.status_code != 200:
            return False
        body = r.json()
        return not body.get("errors") and body.get("data", {}).get(query_name) is not None

    return send


async def check_graphql(gateway_url: str, query_name: str, reader: Reader) -> str | None:
    """The first error the query answers with, or None."""
    async with httpx.AsyncClient(timeout=30) as client:
        r = await client.post(f"{gateway_url}/graphql", json={"query": QUERIES[query_name],
                                                              "variables": {"year": reader.year}},
                              headers={"Authorization": f"Bearer {reader.tokens[0]}"})
    if r.status_code != 200:
        return f"HTTP {r.status_code}: {r.text[:300]}"
    errors = r.json().get("errors")
    return str(errors[0])[:300] if errors else None


def sql_request(pool: asyncpg.Pool, recorded: Sequence[Statements]) -> Any:
    """One 'request': the recorded statements of a random committee, one after another, each on a pooled
    connection as the resolvers take them."""
    rng = random.Random(7)

    async def run() -> bool:
        for sql, args in recorded[rng.randrange(len(recorded))]:
            await pool.fetch(sql, *args)
        return True

    return run
