"""The scorer takes the queue a batch of member-years at a time: one transaction scores members of several
committees and years, and every member's ledger comes out as scoring them one at a time writes it — also
when another writer slips into a member's ledger in the middle of a batch."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from contracts.envelope import EventEnvelope
from contracts.members.scoring import MemberFlagCleared
from contracts.registry import REGISTRY, DomainEvent
from eventstore.append_result import AppendResult
from eventstore.store import CommandContext
from members import streams
from members.parts import MembersParts
from members.scoring.rulebook import default_rulebook_data
from members.scoring.scorer import SCORER, Scorer
from members.service import DEFINITION
from members.tests.builders import envelope
from members.tests.conftest import config
from runtime.service_host import build_service

A, B = "county-a", "county-b"
Ledgers = dict[str, list[tuple[str, dict[str, Any]]]]


@dataclass(frozen=True)
class _Recorded:
    """An event of the service's own store, as the scoring-inputs projection is handed it."""

    envelope: EventEnvelope
    event: DomainEvent


def _recorded(committee: str, type_: str, label: str, data: dict[str, Any]) -> _Recorded:
    # Fixed event ids: the same records give the same source events (and ledgers) in every schema.
    event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{committee}/{type_}/{label}")
    env = envelope(type_, data, committee=committee, event_id=event_id, stream_id=f"{type_}-{committee}-{label}")
    return _Recorded(env, REGISTRY.model(type_).model_validate(env.data))


def _member(committee: str, member_id: str, name: str, joined_on: str) -> _Recorded:
    return _recorded(committee, "member-registered", member_id, {
        "member_id": member_id, "name": name, "family_name": name[0], "sector": "education", "term": 16,
        "joined_on": joined_on})


def _rulebook(year: int, *, charity_points: int | None = None, charity_cap: int | None = None) -> dict[str, Any]:
    data = default_rulebook_data()
    for rule in data["rules"]:
        if rule["id"] == "charity.done" and charity_points is not None:
            rule["points"], rule["cap"] = charity_points, charity_cap
    return {**data, "year": year}


def _published(committee: str, year: int, version: int, rulebook: dict[str, Any], in_force: bool) -> _Recorded:
    return _recorded(committee, "rulebook-published", f"{year}-v{version}",
                     {"year": year, "version": version, "rulebook": rulebook, "in_force": in_force})


def _charity(committee: str, charity_id: str, day: str, members: Sequence[str]) -> _Recorded:
    return _recorded(committee, "charity-recorded", charity_id, {
        "charity_id": charity_id, "kind": "poverty_relief", "title": "扶贫济困", "done_on": day,
        "member_ids": list(members)})


def _a_year_of_two_committees() -> list[_Recorded]:
    """王芳 is a member of both committees (the same member id in each), with different records in each;
    county-b scores charity at 3 points (cap 12) where county-a keeps the default 2 (cap 10), and has no
    2024 rulebook although 陈静 has a 2024 record there."""
    return [
        _member(A, "m-wang", "王芳", "2022-01-10"), _member(A, "m-li", "李明", "2022-01-10"),
        _member(B, "m-wang", "王芳", "2023-03-01"), _member(B, "m-chen", "陈静", "2023-03-01"),
        _published(A, 2024, 1, _rulebook(2024), True), _published(A, 2025, 1, _rulebook(2025), True),
        _published(B, 2025, 1, _rulebook(2025, charity_points=3, charity_cap=12), True),
        *(_charity(A, f"ch-a-{i}", f"2025-0{i + 3}-01", ["m-wang", "m-li"] if i < 2 else ["m-wang"])
          for i in range(6)),
        _charity(A, "ch-a-2024", "2024-05-01", ["m-wang"]),
        *(_charity(B, f"ch-b-{i}", f"2025-0{i + 3}-02", ["m-wang", "m-chen"] if i == 0 else ["m-wang"])
          for i in range(5)),
        _charity(B, "ch-b-2024", "2024-05-02", ["m-chen"]),
    ]


def _corrected_and_graded() -> list[_Recorded]:
    """county-a re-scores 2025 under a corrected rulebook (version 2); county-b grades its 2025."""
    return [
        _published(A, 2025, 2, _rulebook(2025, charity_points=3, charity_cap=12), False),
        _recorded(A, "year-rescored", "2025-to-2", {"year": 2025, "from_version": 1, "to_version": 2,
                                                    "reason": "更正", "rescored_by": "office-zhang"}),
        _recorded(B, "year-graded", "2025", {"year": 2025, "rulebook_version": 1, "graded_by": "office-zhang"}),
    ]


async def _record(parts: MembersParts, records: Sequence[_Recorded]) -> int:
    """Feed the scoring inputs as the projection does; returns how many member-years are queued."""
    async with parts.runtime.pool.acquire() as conn, conn.transaction():
        for record in records:
            await parts.inputs.apply_own(conn, record)
    return int(await parts.runtime.pool.fetchval(f"SELECT count(*) FROM {parts.inputs.s}.score_queue"))


async def _ledgers(parts: MembersParts, *, after: int = 0) -> Ledgers:
    rows = await parts.runtime.pool.fetch(
        f"SELECT stream_id, type, data FROM {parts.store.schema}.events WHERE stream_id LIKE 'ledger-%' "
        "AND position > $1 ORDER BY stream_id, stream_version", after)
    out: Ledgers = {}
    for r in rows:
        out.setdefault(r["stream_id"], []).append((r["type"], r["data"]))
    return out


async def _ledger_transactions(parts: MembersParts, *, after: int = 0) -> int:
    return int(await parts.runtime.pool.fetchval(
        f"SELECT count(DISTINCT tx_id) FROM {parts.store.schema}.events WHERE stream_id LIKE 'ledger-%' "
        "AND position > $1", after))


async def _last_position(parts: MembersParts) -> int:
    return int(await parts.runtime.pool.fetchval(f"SELECT coalesce(max(position), 0) FROM {parts.store.schema}.events"))


def _charity_points(ledgers: Ledgers, committee: str, year: int, member_id: str) -> list[float]:
    """The charity points standing on a member's ledger: awarded and not withdrawn since."""
    standing: dict[str, float] = {}
    for type_, data in ledgers.get(streams.ledger(committee, year, member_id), []):
        if data.get("rule") != "charity.done":
            continue
        if type_ == "duty-points-awarded":
            standing[data["item_id"]] = float(data["points"])
        elif type_ == "duty-points-withdrawn":
            standing.pop(data["item_id"], None)
    return sorted(standing.values(), reverse=True)


@pytest_asyncio.fixture(loop_scope="session")
async def two_services(database_url: str, fresh_schema: str,
                       pg_pool: asyncpg.Pool) -> AsyncIterator[tuple[MembersParts, MembersParts]]:
    """Two installs of the service, each in its own schema and not started (no scorer running by itself)."""
    other = f"t_{uuid.uuid4().hex[:16]}"
    await pg_pool.execute(f'create schema "{other}"')
    built = [await build_service(DEFINITION, config(database_url, schema, run_workers=False))
             for schema in (fresh_schema, other)]
    try:
        for service in built:
            await service.install()
        yield built[0].parts, built[1].parts
    finally:
        for service in built:
            await service.stop()
        await pg_pool.execute(f'drop schema if exists "{other}" cascade')


async def test_one_pass_over_two_committees_scores_every_member_as_scoring_them_one_at_a_time_does(
        two_services: tuple[MembersParts, MembersParts]) -> None:
    one_at_a_time, batched = two_services
    singly = Scorer(one_at_a_time.store, one_at_a_time.inputs, batch_size=1)
    # Sized by count alone: on a slow machine the first pass's pace would otherwise split the second.
    together = Scorer(batched.store, batched.inputs, max_batch_seconds=None)

    queued = await _record(one_at_a_time, _a_year_of_two_committees())
    assert queued == await _record(batched, _a_year_of_two_committees()) == 7
    assert await singly.run_pending() == queued
    assert await together.run_pending() == queued, "the dropped 2024 member-year of county-b counts as done"

    expected, scored = await _ledgers(one_at_a_time), await _ledgers(batched)
    assert scored == expected
    assert await _ledger_transactions(batched) == 1, "the whole queue was scored in one transaction"
    assert await _ledger_transactions(one_at_a_time) == len(expected) == 6
    # Each committee's rulebook and each member's own records: 2 x 5 capped at 10 in county-a, 3 x 4 (the
    # fifth capped) in county-b; county-b has no 2024 rulebook, so 陈静's 2024 record scores nothing yet.
    assert _charity_points(scored, A, 2025, "m-wang") == [2, 2, 2, 2, 2]
    assert _charity_points(scored, A, 2025, "m-li") == [2, 2]
    assert _charity_points(scored, B, 2025, "m-wang") == [3, 3, 3, 3]
    assert _charity_points(scored, A, 2024, "m-wang") == [2]
    assert streams.ledger(B, 2024, "m-chen") not in scored

    # A corrected rulebook (a new version of a year already scored) and a graded year, scored again.
    before = await _last_position(one_at_a_time), await _last_position(batched)
    queued = await _record(one_at_a_time, _corrected_and_graded())
    assert queued == await _record(batched, _corrected_and_graded()) == 4
    assert await singly.run_pending() == queued
    assert await together.run_pending() == queued

    expected, scored = await _ledgers(one_at_a_time, after=before[0]), await _ledgers(batched, after=before[1])
    assert scored == expected
    assert await _ledger_transactions(batched, after=before[1]) == 1
    everything = await _ledgers(batched)
    assert _charity_points(everything, A, 2025, "m-wang") == [3, 3, 3, 3], "version 2 is used, not version 1"
    assert {d["reason"] for t, d in scored[streams.ledger(A, 2025, "m-wang")] if t == "duty-points-withdrawn"} \
        == {"rescored"}
    assert {t for t, _ in scored[streams.ledger(B, 2025, "m-chen")]} >= {"member-graded"}


async def test_a_writer_slipping_into_one_ledger_mid_batch_loses_no_member_of_the_batch(
        two_services: tuple[MembersParts, MembersParts], monkeypatch: pytest.MonkeyPatch) -> None:
    undisturbed, disturbed = two_services
    queued = await _record(undisturbed, _a_year_of_two_committees())
    assert queued == await _record(disturbed, _a_year_of_two_committees())
    assert await Scorer(undisturbed.store, undisturbed.inputs).run_pending() == queued

    # The first time the batch appends to county-b's 王芳, another writer has just appended there.
    target = streams.ledger(B, 2025, "m-wang")
    append = disturbed.store.append
    intruded: list[str] = []

    async def append_after_another_writer(stream_id: str, expected_version: int, events: Sequence[DomainEvent],
                                          ctx: CommandContext, *, conn: asyncpg.Connection | None = None
                                          ) -> AppendResult:
        if stream_id == target and not intruded:
            intruded.append(stream_id)
            await append(target, 0, [MemberFlagCleared(member_id="m-wang", year=2025, flag="none",
                                                       rulebook_version=1)],
                         CommandContext(actor=SCORER, committee_id=B))
        return await append(stream_id, expected_version, events, ctx, conn=conn)

    monkeypatch.setattr(disturbed.store, "append", append_after_another_writer)
    assert await Scorer(disturbed.store, disturbed.inputs).run_pending() == queued
    assert intruded == [target], "the batch met the other writer"
    assert await disturbed.runtime.pool.fetchval(f"SELECT count(*) FROM {disturbed.inputs.s}.score_queue") == 0

    scored = await _ledgers(disturbed)
    assert scored[target][0][0] == "member-flag-cleared", "the other writer's event stays first"
    scored[target] = scored[target][1:]
    assert scored == await _ledgers(undisturbed), "every member of the rolled-back batch was scored again"


async def test_the_batch_reads_answer_what_the_one_member_reads_answer(
        two_services: tuple[MembersParts, MembersParts]) -> None:
    parts = two_services[0]
    await _record(parts, [*_a_year_of_two_committees(), *_corrected_and_graded()])
    member_years = [(c, y, m) for c in (A, B) for y in (2024, 2025) for m in ("m-wang", "m-li", "m-chen", "m-none")]
    async with parts.runtime.pool.acquire() as conn:
        facts = await parts.inputs.facts_for(conn, member_years)
        roster = await parts.inputs.roster_entries(conn, {(c, m) for c, _, m in member_years})
        in_force = await parts.inputs.rulebooks_in_force(conn, {(c, y) for c, y, _ in member_years})
        for c, y, m in member_years:
            assert sorted(facts.get((c, y, m), []), key=lambda f: f.key) == sorted(
                await parts.inputs.facts_of(conn, c, y, m), key=lambda f: f.key)
            assert roster.get((c, m)) == await parts.inputs.roster_entry(conn, c, m)
            assert in_force.get((c, y)) == await parts.inputs.rulebook_in_force(conn, c, y)
        assert len(facts[A, 2025, "m-wang"]) == 6 and (B, 2024, "m-wang") not in facts
        assert sorted(in_force) == [(A, 2024), (A, 2025), (B, 2025)], "county-b has no 2024 rulebook"
        assert (in_force[A, 2025][1:], in_force[B, 2025][1:]) == ((2, False), (1, True)), "county-a re-scored"
        again = await parts.inputs.rulebook_in_force(conn, A, 2025)
        assert again is not None and again[0] is in_force[A, 2025][0], "a version is parsed once and kept"
