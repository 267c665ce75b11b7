"""A mid-year rulebook correction: published, not applied until an explicit re-scoring, which is recorded
(who, why), deterministic, idempotent, and leaves the previous year alone."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Role
from members.scoring.rulebook import default_rulebook_data
from members.tests.conftest import Client, MembersHost, member_body, token
from yizheng.testing.wait import WaitUntil


def _charity(record_id: str, day: str) -> dict[str, Any]:
    return {"charity_id": record_id, "kind": "poverty_relief", "title": "扶贫济困", "done_on": day,
            "member_ids": ["m-wang"]}


def _corrected_2025() -> dict[str, Any]:
    data = default_rulebook_data()
    for rule in data["rules"]:
        if rule["id"] == "charity.done":
            rule["points"], rule["cap"] = 3, 12
    return {**data, "year": 2025, "title": "2025 更正版: 公益每次 3 分"}


async def _items(host: MembersHost, year: int) -> dict[str, tuple[str, float]]:
    rows = await host.pool.fetch(
        f"SELECT item_id, rule, points FROM {host.store.schema}.scorecard_items WHERE year = $1 "
        "AND member_id = 'm-wang'", year)
    return {r["item_id"]: (r["rule"], float(r["points"])) for r in rows}


async def _ledger_events(host: MembersHost, year: int) -> list[tuple[str, int]]:
    rows = await host.pool.fetch(
        f"SELECT type, stream_version FROM {host.store.schema}.events WHERE stream_id = $1 ORDER BY stream_version",
        f"ledger-county-a-{year}-m-wang")
    return [(r["type"], r["stream_version"]) for r in rows]


async def test_a_corrected_rulebook_rescores_its_year_only_on_command_and_leaves_last_year_alone(
        client: Client, host: MembersHost, wait_until: WaitUntil) -> None:
    await client.command("register-member", member_body("m-wang", "王芳"))
    for year in (2024, 2025):
        await client.command("publish-rulebook", {"year": year})
        for i in range(5):
            await client.command("record-charity", _charity(f"ch-{year}-{i}", f"{year}-0{i + 3}-01"))

    async def charity_total(year: int, total: float) -> bool:
        items = await _items(host, year)
        return sum(p for r, p in items.values() if r == "charity.done") == total

    # Default: +2 each, capped at 10 -> five activities give 10 in each year.
    await wait_until(lambda: charity_total(2024, 10), message="2024 charity at 10")
    await wait_until(lambda: charity_total(2025, 10), message="2025 charity at 10")
    ledger_2024 = await _ledger_events(host, 2024)

    published = await client.command("publish-rulebook", {"year": 2025, "rulebook": _corrected_2025(),
                                                          "note": "常委会议决定公益活动每次计3分"})
    await host.runtime.projector("scoring-inputs").catch_up()
    assert await host.parts.scorer.run_pending() == 0, "publishing a correction re-scores nothing by itself"
    assert await charity_total(2025, 10)

    refused = await client.command("rescore-year", {"year": 2025, "to_version": 9, "reason": "x"}, expect=422)
    assert refused["error"]["code"] == "unknown_rulebook_version"
    await client.command("rescore-year", {"year": 2025, "to_version": 2, "reason": "x"},
                         headers=token(Role.leadership), expect=403)
    rescored = await client.command("rescore-year", {"year": 2025, "to_version": 2,
                                                     "reason": "按常委会议更正的规则重新计分"})
    assert rescored["positions"][0] > published["positions"][0]
    # Corrected: +3 each, capped at 12 -> 3, 3, 3, 3, 0.
    await wait_until(lambda: charity_total(2025, 12), message="2025 re-scored to 12")
    assert sorted(p for r, p in (await _items(host, 2025)).values() if r == "charity.done") == [3, 3, 3, 3]
    assert await _ledger_events(host, 2024) == ledger_2024, "the previous year's ledger is untouched"
    assert await charity_total(2024, 10)

    row = await host.pool.fetchrow(
        f"SELECT data, metadata FROM {host.store.schema}.events WHERE type = 'year-rescored'")
    assert row["data"]["reason"] == "按常委会议更正的规则重新计分" and row["data"]["rescored_by"] == "office-zhang"
    assert (row["data"]["from_version"], row["data"]["to_version"]) == (1, 2)
    withdrawn = await host.pool.fetch(
        f"SELECT data FROM {host.store.schema}.events WHERE type = 'duty-points-withdrawn'")
    assert {w["data"]["reason"] for w in withdrawn} == {"rescored"}

    # Re-scoring again under the same version is recorded but changes no ledger: the same inputs give the
    # same scores.
    before = await _ledger_events(host, 2025)
    await client.command("rescore-year", {"year": 2025, "to_version": 2, "reason": "复核"})
    await host.runtime.projector("scoring-inputs").catch_up()
    await host.parts.scorer.run_pending()
    assert await _ledger_events(host, 2025) == before


async def test_the_scorecards_rebuild_from_the_ledger_events_alone(
        client: Client, host: MembersHost, wait_until: WaitUntil) -> None:
    from members.service import DEFINITION
    from runtime.replay import of_service
    from runtime.service_host import replay

    await client.command("register-member", member_body("m-wang", "王芳"))
    await client.command("publish-rulebook", {"year": 2025})
    for i in range(3):
        await client.command("record-charity", _charity(f"ch-{i}", f"2025-0{i + 3}-01"))
    await client.command("grade-year", {"year": 2025})

    async def graded() -> list[tuple[Any, ...]] | None:
        rows = await host.pool.fetch(f"SELECT member_id, total, grade FROM {host.store.schema}.scorecards")
        return [tuple(r) for r in rows] if rows and rows[0]["grade"] else None

    live = await wait_until(graded, message="the graded card")
    assert [(m, float(t), g) for m, t, g in live] == [("m-wang", 76.0, "competent")]  # 70 + 3 x 2
    live_items = await _items(host, 2025)
    await host.runtime.projector("scorecards").stop()
    assert "members.scorecards" in [r.name for r in of_service(DEFINITION)]
    assert await replay(DEFINITION, "scorecards", host.config) > 0  # what `yizheng replay members.scorecards` runs
    assert await graded() == live and await _items(host, 2025) == live_items
