"""A province hosting its counties: `yizheng demo load --committees N` loads N demo counties, each a
committee of its own with a seed of its own. The CLI's arguments and the counties' ids and seeds are checked
without a platform; the slow test loads 20 small counties into the in-process platform (test_demo's) the way
the CLI does and reads every county's figures back through the gateway: each equals its own script's."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from runtime.auth import issue_token, verify_token
from tests.e2e import test_demo
from tests.e2e.test_demo import (
    CARD,
    OVERSIGHT,
    SURVEYS_QUERY,
    Platform,
    card_figures,
    expected_card,
    expected_oversight,
    expected_surveys,
    oversight_figures,
    settled,
    surveys_figures,
)
from yizheng import cli_demo
from yizheng.demo.generator import DEFAULT_COMMITTEE, DEFAULT_SEED, Size, generate
from yizheng.demo.load import FAILED, Failure, LoadReport, LoadSummary
from yizheng.demo.province import CountyLoad, ProvinceLoad, counties, county_named, load_province, scripts
from yizheng.demo.script import Script

# test_demo's module-scoped platform fixture: one in-process platform for this module too.
platform = test_demo.platform

runner = CliRunner()


# ---- pure: ids, seeds, arguments --------------------------------------------------------------------------

def test_each_county_has_a_committee_and_a_seed_of_its_own_and_the_first_is_the_one_yizheng_run_loads() -> None:
    province = counties(20, seed=7)
    assert [c.committee_id for c in province[:3]] == [DEFAULT_COMMITTEE, f"{DEFAULT_COMMITTEE}-2",
                                                     f"{DEFAULT_COMMITTEE}-3"]
    assert [c.seed for c in province] == list(range(7, 27))
    assert len({c.committee_id for c in province}) == 20
    assert counties(20, seed=7) == province  # the same every run, so a second run replays every key
    assert counties(1) == [counties(20)[0]] and counties(1)[0].seed == DEFAULT_SEED
    for county in province:
        assert county_named(county.committee_id, seed=7) == county
    for not_ours in ("demo-county-1", "demo-county-02", "demo-county-x", "other", "demo-county-"):
        with pytest.raises(ValueError, match="not a county of the province"):
            county_named(not_ours)
    with pytest.raises(ValueError):
        counties(0)


def test_the_counties_scripts_differ_by_seed_but_share_nothing_but_the_shape() -> None:
    now = datetime(2026, 6, 1, 2, tzinfo=UTC)
    first, second = scripts(2, now=now, seed=5, size=Size.small())
    assert (first.committee_id, first.seed) == (DEFAULT_COMMITTEE, 5)
    assert (second.committee_id, second.seed) == (f"{DEFAULT_COMMITTEE}-2", 6)
    assert [s.body for s in first.steps] == [s.body for s in generate(5, now=now, size=Size.small()).steps]
    # Different people in different counties: the member ids repeat (m001, …), their names do not.
    assert {m: c.name for m, c in first.expected.cards.items()} != {m: c.name for m, c in second.expected.cards.items()}
    assert first.idempotency_key(first.steps[0]) != second.idempotency_key(second.steps[0])


def fake_province(calls: list[dict[str, Any]], *, refused: bool = False) -> Any:
    async def load(county_scripts: list[Script], urls: dict[str, str], **options: Any) -> ProvinceLoad:
        calls.append({"scripts": county_scripts, "urls": urls, **options})
        loads = []
        for s in county_scripts:
            report = LoadReport(s.committee_id, len(s.steps) - 1)
            if refused:
                report.failures.append(refusal_of(s))
            loads.append(CountyLoad(LoadSummary(s.committee_id, s.tokens(), s, True, report), 1.0))
        return ProvinceLoad(loads, 2.0)
    return load


def refusal_of(script: Script) -> Failure:
    step = script.steps[1]
    return Failure(step.index, step.command, step.lane, 422, "some_rule", "refused")


def test_the_cli_loads_the_counties_it_is_asked_for_and_prints_the_first_countys_tokens(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("yizheng.demo.province.load_province", fake_province(calls))
    result = runner.invoke(cli_demo.app, ["load", "--committees", "3", "--size", "small", "--seed", "9",
                                          "--concurrency", "2", "--per-service", "3",
                                          "--url", "members=http://127.0.0.1:9999/"])
    assert result.exit_code == 0, result.output
    (call,) = calls
    assert [(s.committee_id, s.seed) for s in call["scripts"]] == [(c.committee_id, c.seed)
                                                                   for c in counties(3, seed=9)]
    assert all(s.expected.counts["members"] == 40 for s in call["scripts"])
    assert call["urls"]["members"] == "http://127.0.0.1:9999"
    assert set(call["urls"]) >= {"proposals", "members", "surveys"}
    assert (call["concurrency"], call["per_service"]) == (2, 3)
    printed = [line.split(": ", 1) for line in result.stdout.splitlines() if line.startswith("  ")]
    assert [role.strip() for role, _ in printed] == ["office", "leadership", "member", "unit"]
    assert {verify_token(token).committee_id for _, token in printed} == {DEFAULT_COMMITTEE}
    assert "yizheng demo tokens --committee demo-county-2 --seed 9 --size small" in result.output
    assert "3 counties:" in result.output


def test_the_cli_exits_1_when_a_command_was_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("yizheng.demo.province.load_province", fake_province([], refused=True))
    result = runner.invoke(cli_demo.app, ["load", "--committees", "2", "--size", "small"])
    assert result.exit_code == 1
    assert "2 commands were refused" in result.output


@pytest.mark.parametrize(("args", "named"), [
    (["--committees", "0"], "--committees"),
    (["--committees", "201"], "--committees"),
    (["--size", "medium"], "--size"),
    (["--concurrency", "0"], "--concurrency"),
    (["--url", "nowhere=http://127.0.0.1:1"], "--url"),
    (["--url", "members"], "--url"),
    (["--url", "members=ftp://x"], "--url"),
])
def test_the_cli_refuses_bad_arguments_naming_them_and_loads_nothing(
        monkeypatch: pytest.MonkeyPatch, args: list[str], named: str) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("yizheng.demo.province.load_province", fake_province(calls))
    result = runner.invoke(cli_demo.app, ["load", *args])
    assert result.exit_code == 2
    assert named in result.output
    assert calls == []


def test_tokens_of_any_county_of_the_province() -> None:
    result = runner.invoke(cli_demo.app, ["tokens", "--committee", "demo-county-3", "--seed", "9", "--size", "small"])
    assert result.exit_code == 0, result.output
    tokens = dict(line.split(": ", 1) for line in result.stdout.splitlines())
    third = generate(11, now=datetime.now(UTC), size=Size.small(), committee_id="demo-county-3")
    leadership = verify_token(tokens["leadership"])
    assert leadership.committee_id == "demo-county-3"
    assert leadership.actor == verify_token(third.tokens()["leadership"]).actor
    refused = runner.invoke(cli_demo.app, ["tokens", "--committee", "demo-county-1"])
    assert refused.exit_code == 2 and "--committee" in refused.output


# ---- the province on the platform (slow) ------------------------------------------------------------------

COUNTIES = 20
VIEWS_TIMEOUT = 900.0  # the gateway's projector shares this process (and 2 cores) with the services and loader


async def check_county(platform: Platform, script: Script) -> None:
    """The county's scorecards, oversight and surveys figures through the gateway (and every member's total
    in the members service) equal its own script's."""
    e = script.expected
    leadership = script.tokens()["leadership"]
    who = script.committee_id
    for member_id in e.featured_members:
        async def card(member_id: str = member_id) -> dict[str, Any] | None:
            data = await platform.query(CARD, leadership, {"m": member_id, "y": e.year})
            return card_figures(data["memberScorecard"])

        await settled(card, expected_card(e, member_id), timeout=VIEWS_TIMEOUT, what=f"{who}: {member_id}'s scorecard")

    async def oversight() -> dict[str, Any]:
        data = await platform.query(OVERSIGHT, leadership, {"y": e.year, "asOf": e.overdue_as_of.isoformat()})
        return oversight_figures(data["oversight"])

    await settled(oversight, expected_oversight(e), timeout=VIEWS_TIMEOUT, what=f"{who}: the oversight figures")

    async def surveys() -> dict[str, Any]:
        return surveys_figures(await platform.query(SURVEYS_QUERY, leadership, {"y": e.year, "d": e.today.isoformat()}))

    await settled(surveys, expected_surveys(e), timeout=VIEWS_TIMEOUT, what=f"{who}: the surveys figures")
    async with httpx.AsyncClient(timeout=30) as client:
        headers = {"Authorization": f"Bearer {script.tokens()['office']}"}

        async def totals() -> dict[str, Any]:
            out = {}
            for member_id in e.cards:
                r = await client.get(f"{platform.urls['members']}/scorecards/{e.year}/{member_id}", headers=headers)
                out[member_id] = str(r.json()["total"]) if r.status_code == 200 else None
            return out

        await settled(totals, {m: str(c.total) for m, c in e.cards.items()}, timeout=VIEWS_TIMEOUT,
                      what=f"{who}: every member's total in the members service")


MEMBER = "query($m: ID!, $y: Int!) { member(id: $m) { name } memberScorecard(memberId: $m, year: $y) { total } }"


async def check_isolation(platform: Platform, mine: Script, theirs: Script) -> None:
    """Member ids repeat across counties (m001, …): with `mine`'s token, `theirs`'s featured member is
    `mine`'s member of that id (name and total), never `theirs`'s."""
    token = mine.tokens()["leadership"]
    for member_id in theirs.expected.featured_members:
        data = await platform.query(MEMBER, token, {"m": member_id, "y": mine.year})
        own = mine.expected.cards.get(member_id)
        other = theirs.expected.cards[member_id]
        # GraphQL's total is a Float (64.0), the generator's a Decimal (64): compared as numbers.
        seen = ((data["member"] or {}).get("name"),
                None if data["memberScorecard"] is None else Decimal(str(data["memberScorecard"]["total"])))
        assert seen == ((own.name, Decimal(own.total)) if own else (None, None)), (mine.committee_id, member_id)
        if own is not None and own.name != other.name:
            assert seen[0] != other.name


@pytest.mark.slow
@pytest.mark.timeout(1800)  # the suite's 300 s is for one test of one county; this one loads twenty
async def test_twenty_counties_load_at_once_and_each_shows_its_own_figures(platform: Platform) -> None:
    province = scripts(COUNTIES, now=datetime.now(UTC), size=Size.small())
    started = time.monotonic()
    loaded = await load_province(province, platform.urls, say=print)
    load_seconds = time.monotonic() - started
    print(f"\n{loaded.line()}")
    refused = [str(f) for c in loaded.counties if c.summary.report for f in c.summary.report.failures]
    assert loaded.refusals == 0, refused
    for county in loaded.counties:
        report = county.summary.report
        assert county.summary.loaded_now and report is not None
        assert FAILED not in report.outcomes and report.outcomes["written"] == len(county.summary.script.steps) - 1

    for script in province:
        await check_county(platform, script)
    print(f"{COUNTIES} small counties: loaded in {load_seconds:.0f} s; every county's figures through the gateway "
          f"{time.monotonic() - started:.0f} s after the start")

    for mine, theirs in zip(province, [*province[1:], province[0]], strict=True):
        await check_isolation(platform, mine, theirs)
    # A committee with no county sees nothing of theirs.
    outsider = issue_token("leadership", f"{DEFAULT_COMMITTEE}-{COUNTIES + 1}", subject="m001", member_id="m001")
    data = await platform.query(MEMBER, outsider, {"m": "m001", "y": province[0].year})
    assert data == {"member": None, "memberScorecard": None}

    # A second run writes nothing: every county answers as loaded already.
    before = await platform.command_events()
    again = await load_province(province, platform.urls)
    assert [c.summary.loaded_now for c in again.counties] == [False] * COUNTIES
    assert again.refusals == 0 and again.commands == 2 * COUNTIES
    assert await platform.command_events() == before
