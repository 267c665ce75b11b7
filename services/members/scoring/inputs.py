"""What the scorer reads, kept as tables in the service's schema: the roster, duty facts (from this
service's own events and from other services' topics), the rulebook in force per year, and a queue of
member-years to (re)score. Written by the `scoring-inputs` projection (own store) and by the consumer of
proposals/surveys topics, each in its own transaction together with its checkpoint or inbox row."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import date

import asyncpg
from pydantic import TypeAdapter

from contracts.members.member import MemberRegistered, MemberStatusChanged, MemberUpdated
from contracts.members.rulebook import Rulebook
from contracts.members.scoring import RulebookPublished, YearGraded, YearRescored
from contracts.members.visit import VisitLogged
from eventstore.consumer import Delivered
from eventstore.db import quote_ident
from members.domain.member import FINAL
from members.scoring.facts import FOREIGN_TYPES, OWN_TYPES, DutyFact, RosterEntry, facts_from

# (committee_id, year, member_id): one row of the queue, one ledger stream.
MemberYear = tuple[str, int, str]
# The rulebook in force for a committee-year, its version, and whether the year was graded.
InForce = tuple[Rulebook, int, bool]

# Parsed rulebooks kept per (committee_id, year, version): rulebook_versions rows are never changed (inserted
# ON CONFLICT DO NOTHING, from immutable events), so a parsed one stays right. A few counties' few years.
RULEBOOK_CACHE_SIZE = 128
# A member-year's facts are parsed as one JSON array: one pydantic call instead of one per fact (about
# twice as fast per fact, measured on a member's visits).
_FACT_LIST: TypeAdapter[list[DutyFact]] = TypeAdapter(list[DutyFact])
# Parsed facts kept by their stored text (a DutyFact is frozen, and its text is all it is made of): a member-year
# is rescored on every new fact, and each rescoring parsed every fact of the year again. Bounded, least recently
# used first out; a parsed fact is about a kilobyte.
PARSED_FACTS = 30_000


class ParsedFacts:
    def __init__(self, size: int = PARSED_FACTS) -> None:
        self.size = size
        self._kept: OrderedDict[str, DutyFact] = OrderedDict()

    def of(self, texts: Sequence[str]) -> list[DutyFact]:
        """The facts of these stored texts, those not kept parsed in one pydantic call."""
        kept = self._kept
        missing = list(dict.fromkeys(t for t in texts if t not in kept))
        if missing:
            kept.update(zip(missing, _FACT_LIST.validate_json(f"[{','.join(missing)}]"), strict=True))
        facts = []
        for text in texts:
            facts.append(kept[text])
            kept.move_to_end(text)
        while len(kept) > self.size:
            kept.popitem(last=False)
        return facts


def scoring_channel(schema: str) -> str:
    return f"{schema}_scoring"


def ddl(s: str) -> str:
    return f"""
CREATE TABLE IF NOT EXISTS {s}.roster (
    committee_id text NOT NULL, member_id text NOT NULL, name text NOT NULL, family_name text NOT NULL,
    sector text NOT NULL, township_id text, chair_role text, standing_committee boolean NOT NULL,
    status text NOT NULL, joined_on date NOT NULL, left_on date, registered_event_id uuid NOT NULL,
    PRIMARY KEY (committee_id, member_id));
CREATE TABLE IF NOT EXISTS {s}.duty_facts (
    committee_id text NOT NULL, fact_key text NOT NULL, member_id text NOT NULL, year integer NOT NULL,
    fact jsonb NOT NULL, source_service text NOT NULL, PRIMARY KEY (committee_id, fact_key));
CREATE INDEX IF NOT EXISTS duty_facts_member_year ON {s}.duty_facts (committee_id, member_id, year);
CREATE TABLE IF NOT EXISTS {s}.rulebook_versions (
    committee_id text NOT NULL, year integer NOT NULL, version integer NOT NULL, rulebook jsonb NOT NULL,
    PRIMARY KEY (committee_id, year, version));
CREATE TABLE IF NOT EXISTS {s}.scoring_years (
    committee_id text NOT NULL, year integer NOT NULL, in_force integer NOT NULL,
    graded boolean NOT NULL DEFAULT false, PRIMARY KEY (committee_id, year));
CREATE TABLE IF NOT EXISTS {s}.score_queue (
    committee_id text NOT NULL, year integer NOT NULL, member_id text NOT NULL, reason text NOT NULL,
    PRIMARY KEY (committee_id, year, member_id));
CREATE TABLE IF NOT EXISTS {s}.visits (
    committee_id text NOT NULL, visit_id text NOT NULL, visitor_member_id text NOT NULL, kind text NOT NULL,
    visited_member_ids text[] NOT NULL, visited_on date NOT NULL, PRIMARY KEY (committee_id, visit_id));
"""


class ScoringInputs:
    """The tables the scorer reads. One instance serves the own-store projection and the foreign consumer."""

    def __init__(self, schema: str) -> None:
        self.s = quote_ident(schema)
        self.channel = scoring_channel(schema)
        self._rulebooks: OrderedDict[tuple[str, int, int], Rulebook] = OrderedDict()
        self._facts = ParsedFacts()

    # ---- setup -----------------------------------------------------------------------------------------

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute(ddl(self.s))

    # ---- the queue -------------------------------------------------------------------------------------

    async def enqueue(self, conn: asyncpg.Connection, committee_id: str, year: int, member_ids: Iterable[str],
                      reason: str = "recalculated") -> None:
        ids = sorted(set(member_ids))
        if not ids:
            return
        # The own-store projection and the duty-facts consumer each queue members event by event, in the
        # order of their batches, which span committees. Row locks taken in those different orders
        # deadlocked (as would one lock per committee), so the queue's writers take turns, until their
        # transaction ends: the lock is taken (the materialized `turn`) before the insert locks any row.
        # A pending re-scoring keeps its reason when a fact arrives for the same member-year. One statement,
        # one round trip: this runs for every event that yields a fact.
        await conn.execute(
            f"WITH turn AS MATERIALIZED (SELECT pg_advisory_xact_lock(hashtextextended($5, 0))), "
            f"queued AS (INSERT INTO {self.s}.score_queue (committee_id, year, member_id, reason) "
            "SELECT $1, $2, m, $4 FROM turn, unnest($3::text[]) AS m ON CONFLICT (committee_id, year, member_id) "
            "DO UPDATE SET reason = CASE WHEN score_queue.reason = 'rescored' THEN 'rescored' "
            "ELSE excluded.reason END) SELECT pg_notify($6, '')",
            committee_id, year, ids, reason, f"{self.s}:score_queue", self.channel)

    async def enqueue_year(self, conn: asyncpg.Connection, committee_id: str, year: int, reason: str) -> None:
        """Everyone the year concerns: members in office that year and anyone with facts in it."""
        ids = await conn.fetch(
            f"SELECT member_id FROM {self.s}.roster WHERE committee_id = $1 AND extract(year FROM joined_on) <= $2 "
            f"AND (left_on IS NULL OR extract(year FROM left_on) >= $2) "
            f"UNION SELECT member_id FROM {self.s}.duty_facts WHERE committee_id = $1 AND year = $2",
            committee_id, year)
        await self.enqueue(conn, committee_id, year, [r["member_id"] for r in ids], reason)

    async def scored_years(self, conn: asyncpg.Connection, committee_id: str) -> list[int]:
        rows = await conn.fetch(f"SELECT year FROM {self.s}.scoring_years WHERE committee_id = $1", committee_id)
        return [r["year"] for r in rows]

    # ---- facts -----------------------------------------------------------------------------------------

    async def record_facts(self, conn: asyncpg.Connection, committee_id: str, facts: Sequence[DutyFact]) -> None:
        # One statement for the event's facts; a key named twice keeps its last fact, as one insert after
        # another would (and ON CONFLICT cannot touch one row twice in a statement).
        latest = {fact.key: fact for fact in facts}.values()
        if latest:
            await conn.execute(
                f"INSERT INTO {self.s}.duty_facts (committee_id, fact_key, member_id, year, fact, source_service) "
                "SELECT $1, k, m, y, f::jsonb, s FROM unnest($2::text[], $3::text[], $4::integer[], $5::text[], "
                "$6::text[]) AS u (k, m, y, f, s) ON CONFLICT (committee_id, fact_key) DO UPDATE "
                "SET member_id = excluded.member_id, year = excluded.year, fact = excluded.fact",
                committee_id, [f.key for f in latest], [f.member_id for f in latest], [f.year for f in latest],
                [f.model_dump_json() for f in latest], [f.source_service for f in latest])
        by_year: dict[int, set[str]] = {}
        for fact in facts:
            by_year.setdefault(fact.year, set()).add(fact.member_id)
        for year, members in sorted(by_year.items()):
            await self.enqueue(conn, committee_id, year, members)

    async def facts_of(self, conn: asyncpg.Connection, committee_id: str, year: int,
                       member_id: str) -> list[DutyFact]:
        rows = await conn.fetch(
            f"SELECT fact::text AS fact FROM {self.s}.duty_facts "
            "WHERE committee_id = $1 AND year = $2 AND member_id = $3",
            committee_id, year, member_id)
        return self._facts.of([r["fact"] for r in rows])

    async def facts_for(self, conn: asyncpg.Connection,
                        member_years: Iterable[MemberYear]) -> dict[MemberYear, list[DutyFact]]:
        """`facts_of` for many member-years in one statement (the scorer's batch); one without facts is absent."""
        keys = sorted(set(member_years))
        if not keys:
            return {}
        rows = await conn.fetch(
            f"SELECT f.committee_id, f.year, f.member_id, f.fact::text AS fact FROM {self.s}.duty_facts f "
            "JOIN unnest($1::text[], $2::integer[], $3::text[]) AS k (committee_id, year, member_id) "
            "USING (committee_id, year, member_id)",
            [k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys])
        texts: dict[MemberYear, list[str]] = {}
        for r in rows:
            texts.setdefault((r["committee_id"], r["year"], r["member_id"]), []).append(r["fact"])
        return {key: self._facts.of(facts) for key, facts in texts.items()}

    # ---- roster ----------------------------------------------------------------------------------------

    async def roster_entry(self, conn: asyncpg.Connection, committee_id: str, member_id: str) -> RosterEntry | None:
        row = await conn.fetchrow(
            f"SELECT joined_on, left_on, registered_event_id FROM {self.s}.roster "
            "WHERE committee_id = $1 AND member_id = $2", committee_id, member_id)
        if row is None:
            return None
        return RosterEntry(member_id=member_id, registered_event_id=row["registered_event_id"],
                           joined_on=row["joined_on"], left_on=row["left_on"])

    async def roster_entries(self, conn: asyncpg.Connection,
                             members: Iterable[tuple[str, str]]) -> dict[tuple[str, str], RosterEntry]:
        """`roster_entry` for many (committee_id, member_id) in one statement; one not on the roster is absent."""
        keys = sorted(set(members))
        if not keys:
            return {}
        rows = await conn.fetch(
            f"SELECT r.committee_id, r.member_id, r.joined_on, r.left_on, r.registered_event_id FROM {self.s}.roster r "
            "JOIN unnest($1::text[], $2::text[]) AS k (committee_id, member_id) USING (committee_id, member_id)",
            [k[0] for k in keys], [k[1] for k in keys])
        return {(r["committee_id"], r["member_id"]): RosterEntry(
                    member_id=r["member_id"], registered_event_id=r["registered_event_id"],
                    joined_on=r["joined_on"], left_on=r["left_on"]) for r in rows}

    async def _on_member(self, conn: asyncpg.Connection, delivered: Delivered) -> None:
        env, event = delivered.envelope, delivered.event
        c = env.committee_id
        if isinstance(event, MemberRegistered):
            await conn.execute(
                f"INSERT INTO {self.s}.roster VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9, NULL, $10) "
                "ON CONFLICT (committee_id, member_id) DO NOTHING",
                c, event.member_id, event.name, event.family_name, event.sector.value, event.township_id,
                event.chair_role.value if event.chair_role else None, event.standing_committee, event.joined_on,
                env.event_id)
        elif isinstance(event, MemberUpdated):
            values = event.model_dump(mode="json")
            for name in event.changed:
                if name in ("name", "family_name", "sector", "township_id", "chair_role", "standing_committee"):
                    await conn.execute(f"UPDATE {self.s}.roster SET {name} = $3 WHERE committee_id = $1 "
                                       "AND member_id = $2", c, event.member_id, values[name])
                if name == "name":
                    await conn.execute(f"UPDATE {self.s}.roster SET family_name = $3 WHERE committee_id = $1 "
                                       "AND member_id = $2", c, event.member_id, values["family_name"])
        elif isinstance(event, MemberStatusChanged):
            left: date | None = event.effective_on if event.status in FINAL else None
            await conn.execute(f"UPDATE {self.s}.roster SET status = $3, left_on = $4 WHERE committee_id = $1 "
                               "AND member_id = $2", c, event.member_id, event.status.value, left)
        else:
            return
        member_id = str(getattr(event, "member_id"))  # noqa: B009 - every member event names the member
        for year in await self.scored_years(conn, c):
            await self.enqueue(conn, c, year, [member_id])

    # ---- rulebooks -------------------------------------------------------------------------------------

    async def rulebook_in_force(self, conn: asyncpg.Connection, committee_id: str, year: int) -> InForce | None:
        return (await self.rulebooks_in_force(conn, [(committee_id, year)])).get((committee_id, year))

    async def rulebooks_in_force(self, conn: asyncpg.Connection,
                                 years: Iterable[tuple[str, int]]) -> dict[tuple[str, int], InForce]:
        """The rulebook in force for each (committee_id, year) that has one, in one statement. A version
        parsed before is not sent again: it is taken from memory."""
        wanted = set(years)
        if not wanted:
            return {}
        # Copied before the await: another pass sharing these inputs may evict entries meanwhile.
        known = {k: rb for k, rb in self._rulebooks.items() if (k[0], k[1]) in wanted}
        keys, held = sorted(wanted), sorted(known)
        rows = await conn.fetch(
            f"SELECT y.committee_id, y.year, y.in_force, y.graded, CASE WHEN (y.committee_id, y.year, y.in_force) "
            "IN (SELECT * FROM unnest($3::text[], $4::integer[], $5::integer[])) THEN NULL "
            f"ELSE v.rulebook::text END AS rulebook FROM {self.s}.scoring_years y "
            "JOIN unnest($1::text[], $2::integer[]) AS k (committee_id, year) USING (committee_id, year) "
            f"JOIN {self.s}.rulebook_versions v "
            "ON v.committee_id = y.committee_id AND v.year = y.year AND v.version = y.in_force",
            [k[0] for k in keys], [k[1] for k in keys], [h[0] for h in held], [h[1] for h in held],
            [h[2] for h in held])
        out: dict[tuple[str, int], InForce] = {}
        for r in rows:
            key = (r["committee_id"], r["year"], r["in_force"])
            text = r["rulebook"]  # NULL: one of those held
            rulebook = known[key] if text is None else Rulebook.model_validate_json(text)
            self._rulebooks[key] = rulebook
            self._rulebooks.move_to_end(key)
            while len(self._rulebooks) > RULEBOOK_CACHE_SIZE:
                self._rulebooks.popitem(last=False)
            out[(r["committee_id"], r["year"])] = rulebook, r["in_force"], r["graded"]
        return out

    async def _on_year(self, conn: asyncpg.Connection, delivered: Delivered) -> None:
        env, event = delivered.envelope, delivered.event
        c = env.committee_id
        if isinstance(event, RulebookPublished):
            await conn.execute(
                f"INSERT INTO {self.s}.rulebook_versions VALUES ($1, $2, $3, $4::text::jsonb) ON CONFLICT DO NOTHING",
                c, event.year, event.version, event.rulebook.model_dump_json())
            if not event.in_force:
                return
            await conn.execute(f"INSERT INTO {self.s}.scoring_years (committee_id, year, in_force) "
                               "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", c, event.year, event.version)
            await self.enqueue_year(conn, c, event.year, "recalculated")
        elif isinstance(event, YearRescored):
            await conn.execute(f"UPDATE {self.s}.scoring_years SET in_force = $3 WHERE committee_id = $1 "
                               "AND year = $2", c, event.year, event.to_version)
            await self.enqueue_year(conn, c, event.year, "rescored")
        elif isinstance(event, YearGraded):
            await conn.execute(f"UPDATE {self.s}.scoring_years SET graded = true WHERE committee_id = $1 "
                               "AND year = $2", c, event.year)
            await self.enqueue_year(conn, c, event.year, "recalculated")

    # ---- visits (for the plan's progress) ---------------------------------------------------------------

    async def _on_visit(self, conn: asyncpg.Connection, delivered: Delivered) -> None:
        event = delivered.event
        assert isinstance(event, VisitLogged)
        await conn.execute(
            f"INSERT INTO {self.s}.visits VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            delivered.envelope.committee_id, event.visit_id, event.visitor_member_id, event.kind.value,
            event.visited_member_ids, event.visited_on)

    # ---- entry points ----------------------------------------------------------------------------------

    async def apply_own(self, conn: asyncpg.Connection, delivered: Delivered) -> None:
        """One event of this service's store."""
        event = delivered.event
        if isinstance(event, MemberRegistered | MemberUpdated | MemberStatusChanged):
            await self._on_member(conn, delivered)
        elif isinstance(event, RulebookPublished | YearRescored | YearGraded):
            await self._on_year(conn, delivered)
        if isinstance(event, VisitLogged):
            await self._on_visit(conn, delivered)
        if delivered.envelope.type in OWN_TYPES:
            facts = facts_from(delivered.envelope, event.model_dump(mode="json"))
            await self.record_facts(conn, delivered.envelope.committee_id, facts)

    async def apply_foreign(self, conn: asyncpg.Connection, delivered: Delivered) -> None:
        """One event of another service (proposals, surveys), read as its current contract."""
        if delivered.envelope.type not in FOREIGN_TYPES:
            return
        facts = facts_from(delivered.envelope, delivered.event.model_dump(mode="json"))
        await self.record_facts(conn, delivered.envelope.committee_id, facts)


class OwnInputsProjection:
    """The `scoring-inputs` projection of this service's own store."""

    name = "scoring-inputs"

    def __init__(self, inputs: ScoringInputs) -> None:
        self.inputs = inputs

    async def setup(self, conn: asyncpg.Connection) -> None:
        await self.inputs.setup(conn)

    async def reset(self, conn: asyncpg.Connection) -> None:
        s = self.inputs.s
        await conn.execute(f"DELETE FROM {s}.duty_facts WHERE source_service = 'members'; "
                           f"TRUNCATE {s}.roster, {s}.rulebook_versions, {s}.scoring_years, {s}.visits")

    async def apply(self, conn: asyncpg.Connection, delivered: Delivered) -> None:
        await self.inputs.apply_own(conn, delivered)


class ForeignFactsProjection:
    """Duty facts from other services' topics (the `duty-facts` consumer); fed by an IdempotentConsumer (its
    inbox is the progress)."""

    name = "duty-facts"

    def __init__(self, inputs: ScoringInputs) -> None:
        self.inputs = inputs

    async def setup(self, conn: asyncpg.Connection) -> None:
        await self.inputs.setup(conn)

    async def reset(self, conn: asyncpg.Connection) -> None:
        await conn.execute(f"DELETE FROM {self.inputs.s}.duty_facts WHERE source_service <> 'members'")

    async def apply(self, conn: asyncpg.Connection, delivered: Delivered) -> None:
        await self.inputs.apply_foreign(conn, delivered)
