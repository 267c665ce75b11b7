"""The scorecard read model: each member's items, flags and grade per year, projected from this service's
ledger events only (the same events the gateway re-projects), so it can be rebuilt from the store."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import asyncpg

from contracts.members.scoring import (
    DutyPointsAwarded,
    DutyPointsWithdrawn,
    MemberFlagCleared,
    MemberFlagged,
    MemberGraded,
)
from eventstore.consumer import Delivered
from eventstore.db import quote_ident


class ScorecardProjection:
    name = "scorecards"

    def __init__(self, schema: str) -> None:
        self.s = quote_ident(schema)

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute(f"""
CREATE TABLE IF NOT EXISTS {self.s}.scorecard_items (
    committee_id text NOT NULL, year integer NOT NULL, member_id text NOT NULL, item_id text NOT NULL,
    category text NOT NULL, rule text NOT NULL, rule_label_zh text NOT NULL, points numeric(11, 2) NOT NULL,
    nominal_points numeric(11, 2) NOT NULL, rulebook_version integer NOT NULL, source_event_id uuid NOT NULL,
    source_event_type text NOT NULL, source_service text NOT NULL, occurred_on date NOT NULL,
    PRIMARY KEY (committee_id, year, member_id, item_id));
CREATE TABLE IF NOT EXISTS {self.s}.scorecard_flags (
    committee_id text NOT NULL, year integer NOT NULL, member_id text NOT NULL, flag text NOT NULL,
    label_zh text NOT NULL, count integer NOT NULL, max_grade text,
    PRIMARY KEY (committee_id, year, member_id, flag));
CREATE TABLE IF NOT EXISTS {self.s}.scorecards (
    committee_id text NOT NULL, year integer NOT NULL, member_id text NOT NULL,
    total numeric(11, 2) NOT NULL DEFAULT 0, grade text, graded_total numeric(11, 2),
    rulebook_version integer, PRIMARY KEY (committee_id, year, member_id));
""")

    async def reset(self, conn: asyncpg.Connection) -> None:
        await conn.execute(f"TRUNCATE {self.s}.scorecard_items, {self.s}.scorecard_flags, {self.s}.scorecards")

    async def apply(self, conn: asyncpg.Connection, delivered: Delivered) -> None:
        c = delivered.envelope.committee_id
        e = delivered.event
        if isinstance(e, DutyPointsAwarded):
            await conn.execute(
                f"INSERT INTO {self.s}.scorecard_items VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) "
                "ON CONFLICT (committee_id, year, member_id, item_id) DO UPDATE SET category = excluded.category, "
                "rule = excluded.rule, rule_label_zh = excluded.rule_label_zh, points = excluded.points, "
                "nominal_points = excluded.nominal_points, rulebook_version = excluded.rulebook_version, "
                "source_event_id = excluded.source_event_id, source_event_type = excluded.source_event_type, "
                "source_service = excluded.source_service, occurred_on = excluded.occurred_on",
                c, e.year, e.member_id, e.item_id, e.category.value, e.rule, e.rule_label_zh, e.points,
                e.nominal_points, e.rulebook_version, e.source_event_id, e.source_event_type, e.source_service,
                e.occurred_on)
            await self._total(conn, c, e.year, e.member_id)
        elif isinstance(e, DutyPointsWithdrawn):
            await conn.execute(f"DELETE FROM {self.s}.scorecard_items WHERE committee_id = $1 AND year = $2 "
                               "AND member_id = $3 AND item_id = $4", c, e.year, e.member_id, e.item_id)
            await self._total(conn, c, e.year, e.member_id)
        elif isinstance(e, MemberFlagged):
            await conn.execute(
                f"INSERT INTO {self.s}.scorecard_flags VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT "
                "(committee_id, year, member_id, flag) DO UPDATE SET count = excluded.count, "
                "max_grade = excluded.max_grade", c, e.year, e.member_id, e.flag, e.label_zh, e.count,
                e.max_grade.value if e.max_grade else None)
        elif isinstance(e, MemberFlagCleared):
            await conn.execute(f"DELETE FROM {self.s}.scorecard_flags WHERE committee_id = $1 AND year = $2 "
                               "AND member_id = $3 AND flag = $4", c, e.year, e.member_id, e.flag)
        elif isinstance(e, MemberGraded):
            await conn.execute(
                f"INSERT INTO {self.s}.scorecards (committee_id, year, member_id, grade, graded_total, "
                "rulebook_version) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (committee_id, year, member_id) "
                "DO UPDATE SET grade = excluded.grade, graded_total = excluded.graded_total, "
                "rulebook_version = excluded.rulebook_version", c, e.year, e.member_id, e.grade.value, e.total,
                e.rulebook_version)

    async def _total(self, conn: asyncpg.Connection, c: str, year: int, member_id: str) -> None:
        await conn.execute(
            f"INSERT INTO {self.s}.scorecards (committee_id, year, member_id, total) VALUES ($1, $2, $3, "
            f"(SELECT coalesce(sum(points), 0) FROM {self.s}.scorecard_items WHERE committee_id = $1 AND year = $2 "
            "AND member_id = $3)) ON CONFLICT (committee_id, year, member_id) DO UPDATE SET total = excluded.total",
            c, year, member_id)


async def read_card(conn: asyncpg.Connection, schema: str, committee_id: str, year: int,
                    member_id: str) -> dict[str, Any] | None:
    s = quote_ident(schema)
    head = await conn.fetchrow(f"SELECT total, grade, graded_total, rulebook_version FROM {s}.scorecards "
                               "WHERE committee_id = $1 AND year = $2 AND member_id = $3",
                               committee_id, year, member_id)
    if head is None:
        return None
    items = await conn.fetch(
        f"SELECT item_id, category, rule, rule_label_zh, points, nominal_points, rulebook_version, "
        f"source_event_id::text AS source_event_id, source_event_type, source_service, occurred_on::text AS "
        f"occurred_on FROM {s}.scorecard_items WHERE committee_id = $1 AND year = $2 AND member_id = $3 "
        "ORDER BY occurred_on, item_id", committee_id, year, member_id)
    flags = await conn.fetch(f"SELECT flag, label_zh, count, max_grade FROM {s}.scorecard_flags "
                             "WHERE committee_id = $1 AND year = $2 AND member_id = $3 ORDER BY flag",
                             committee_id, year, member_id)
    return json.loads(json.dumps({
        "member_id": member_id, "year": year, "total": head["total"], "grade": head["grade"],
        "graded_total": head["graded_total"], "rulebook_version": head["rulebook_version"],
        "items": [dict(r) for r in items], "flags": [dict(r) for r in flags],
    }, default=_number))


def _number(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(type(value).__name__)
