"""Earlier years (往年提案): the office imports the proposals of past years from its files (CSV or XLSX) so that,
in the platform's first year, a new submission is already offered the earlier years' proposals on its subject.
A bad row — a number repeated or already taken, a year not past, an unknown unit — is reported by row and
skipped; the rest is imported, and nothing of a refused row is written."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import asyncpg
import pytest_asyncio
from openpyxl import Workbook

from contracts.clock import local_date, utc_now
from contracts.envelope import Actor, Role
from proposals.registry import UNIT, Named, Registry, refusal
from yizheng.infra import Endpoints
from yizheng.testing.command_client import ADMIN, COMMITTEE, OFFICE, CommandClient, count_events
from yizheng.testing.platform import InProcessPlatform, in_process_platform
from yizheng.testing.wait import wait_until

from ..flows import ZHANG, accepted, draft_body
from ..integration_kit import Api, FakeClock, ProposalsService

HEADER = ["编号", "年度", "标题", "案由", "建议", "承办单位", "办理结果"]


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(r) for r in rows) + "\n").encode("utf-8-sig")


def _file(filename: str, content: bytes) -> dict[str, str]:
    return {"filename": filename, "content_base64": base64.b64encode(content).decode()}


def _by_row(report: dict[str, Any]) -> dict[int, tuple[str, str | None, list[str]]]:
    return {r["row"]: (r["status"], r.get("rule"), r.get("fields", [])) for r in report["rows"]}


async def _imported(service: ProposalsService) -> list[dict[str, Any]]:
    rows = await service.pool.fetch(f"SELECT stream_id, data FROM {service.store.schema}.events "
                                    "WHERE type = 'past-proposal-imported' ORDER BY stream_id")
    return [{"stream_id": r["stream_id"], **_json(r["data"])} for r in rows]


def _json(data: Any) -> dict[str, Any]:
    return data if isinstance(data, dict) else json.loads(data)


async def test_the_office_imports_earlier_years_and_a_new_submission_is_offered_the_matching_one(
        api: Api, service: ProposalsService) -> None:
    report = await api.do("import-past-proposals", _file("往年提案.xlsx", _xlsx([
        HEADER,
        ["2025-012", 2025, "关于保障农村饮用水安全的建议", "部分村组饮用水水质不稳定，管网老化",
         "更新供水管网；建立水质监测制度", "县水利局、县卫健局", "B"],
        ["2024-031", "2024年", "关于发展县域全域旅游的建议", "旅游资源丰富但开发不足", "打造精品线路",
         "县文旅局", "A类"],
        ["第7号", 2024, "关于减轻中小企业负担的建议", "企业融资难、融资贵", "设立县级担保基金", "",
         "留作参考"]])), OFFICE)
    assert (report["registered"], report["refused"]) == (3, 0), report
    assert [(r["row"], r["proposal_id"], r["name"]) for r in report["rows"]] == [
        (2, "past:2025-012", "关于保障农村饮用水安全的建议"), (3, "past:2024-031", "关于发展县域全域旅游的建议"),
        (4, "past:2024-007", "关于减轻中小企业负担的建议")]

    imported = {e["number"]: e for e in await _imported(service)}
    assert sorted(imported) == ["2024-007", "2024-031", "2025-012"]
    water = imported["2025-012"]
    assert water["stream_id"] == "pastProposal-cppcc-county-a-past:2025-012"
    assert (water["year"], water["result_class"], water["case"]) == (2025, "B", "部分村组饮用水水质不稳定，管网老化")
    assert water["units_as_written"] == ["县水利局", "县卫健局"]
    assert imported["2024-031"]["result_class"] == "A" and imported["2024-007"]["result_class"] == "C"
    transactions = await service.pool.fetchval(f"SELECT count(DISTINCT tx_id) FROM {service.store.schema}.events")
    assert transactions == 1, "the file is written in one transaction"
    await api.caught_up()

    # This year's first proposal on drinking water is offered last year's, as the office's file numbered it.
    pid = (await api.do("draft-proposal", draft_body("关于加强农村饮用水安全保障的建议"), ZHANG))["proposal_id"]
    submitted = await api.do("submit-proposal", {"proposal_id": pid}, ZHANG)
    assert [(s["proposal_id"], s["number"], s["year"]) for s in submitted["similar"]] == [
        ("past:2025-012", "2025-012", 2025)]


@pytest_asyncio.fixture(loop_scope="session")
async def platform(infra: Endpoints, pg_pool: asyncpg.Pool) -> AsyncIterator[InProcessPlatform]:
    """The running platform, whose members service registered the committee's units: the proposals service knows
    them from the members topic (its record of the registry, `proposals.registry`)."""
    async with in_process_platform(infra, pg_pool, label="pastimport", workers_paused=("proposals",),
                                   pool_max_size=5) as running:
        async with CommandClient.over(running.members) as members:
            for unit_id, name in (("u-mzj", "县民政局"), ("u-jtj", "县交通局"), ("u-gaj", "县公安局")):
                await members.do("register-unit", {"unit_id": unit_id, "name": name}, OFFICE)
        registry, units = Registry(running.schemas["proposals"]), [Named(UNIT, "-", ("u-mzj", "u-jtj", "u-gaj"))]

        async def recorded() -> bool:
            return refusal(units, await registry.known(pg_pool, COMMITTEE, units)) is None

        await wait_until(recorded, timeout=30, message="the proposals service's record of the units")
        yield running


async def test_a_duplicate_number_an_unknown_unit_and_a_year_not_past_are_reported_by_row_the_valid_row_imported(
        platform: InProcessPlatform) -> None:
    this_year = local_date(utc_now()).year
    last, before_last = str(this_year - 1), str(this_year - 2)
    async with CommandClient.over(platform.proposals) as proposals:
        earlier = await proposals.do("import-past-proposals", _file("earlier.csv", _csv([
            ["number", "year", "title", "text", "units", "result class"],
            [f"{before_last}-001", before_last, "关于改善城区交通秩序的建议", "城区高峰拥堵，建议优化信号灯配时",
             "u-gaj", "A"]])), ADMIN)
        assert earlier["registered"] == 1 and "unit_check" not in earlier, earlier
        before, _ = await count_events(platform.proposals)

        report = await proposals.do("import-past-proposals", _file("补录.csv", _csv([
            ["编号", "年度", "标题", "内容", "承办单位", "办理结果"],
            # 2: valid, its units by name and by id
            [f"{last}-003", last, "关于加强农村养老服务的建议", "农村老人多，养老服务站少", "县民政局、u-jtj", "B"],
            # 3: the number repeats row 2
            [f"{last}-3", last, "关于农村养老服务站建设的建议", "建设养老服务站", "县民政局", "A"],
            # 4: imported before
            [f"{before_last}-001", before_last, "关于改善城区交通秩序的建议", "重复导入", "县公安局", "A"],
            # 5: this year's proposals are submitted on the platform
            [f"{this_year}-005", str(this_year), "关于今年的建议", "今年的提案在平台上提交", "县民政局", "A"],
            # 6: 县城管局 is not one of the committee's units
            [f"{last}-009", last, "关于电动车管理的建议", "规范电动车停放", "县交通局；县城管局", "C"],
            # 7: not A/B/C
            [f"{last}-010", last, "关于校园安全的建议", "加强校园周边治理", "县交通局", "D"],
            # 8: no title
            [f"{last}-011", last, "", "没有标题", "县交通局", "A"]])), OFFICE)

    assert _by_row(report) == {
        2: ("registered", None, []), 3: ("refused", "duplicate_in_file", ["number"]),
        4: ("refused", "number_already_registered", ["number"]), 5: ("refused", "year_not_past", ["year"]),
        6: ("refused", "unknown_unit", ["units"]), 7: ("refused", "unknown_result_class", ["result_class"]),
        8: ("refused", "title_required", ["title"])}
    assert report["rows"][1]["message"] == "number repeats row 2"
    assert report["rows"][4]["message"] == "承办单位 (units): 县城管局 is not a registered handling unit"
    assert "unit_check" not in report

    imported = {e["number"]: e for e in await _imported(platform.proposals)}
    assert sorted(imported) == [f"{before_last}-001", f"{last}-003"]
    assert imported[f"{last}-003"]["unit_ids"] == ["u-mzj", "u-jtj"]
    assert imported[f"{before_last}-001"]["unit_ids"] == ["u-gaj"]
    written, _ = await count_events(platform.proposals)
    assert written - before == 1, "a refused row leaves nothing of itself behind"


async def test_a_service_run_without_the_registry_keeps_units_as_written_and_says_they_are_unchecked(
        api: Api, service: ProposalsService) -> None:
    report = await api.do("import-past-proposals", _file("2025.csv", _csv([
        ["编号", "年度", "标题", "内容", "承办单位"],
        ["2025-001", "2025", "关于电动车管理的建议", "规范电动车停放", "县交通局；县城管局"]])), OFFICE)
    assert (report["registered"], report["unit_check"]) == (1, "pending")
    (event,) = await _imported(service)
    assert (event["unit_ids"], event["units_as_written"], event["result_class"]) == ([], ["县交通局", "县城管局"], None)


async def test_a_member_may_not_import_past_proposals(api: Api) -> None:
    body = _file("往年提案.csv", _csv([HEADER, ["2025-001", "2025", "关于保障农村饮用水安全的建议", "水质不稳定",
                                                "更新管网", "", "A"]]))
    await api.refused("import-past-proposals", body, ZHANG, "not_authorized")
    await api.refused("import-past-proposals", body, Actor(id="staff-u-sl", role=Role.unit_staff, unit_id="u-sl"),
                      "not_authorized")
    await api.refused("import-past-proposals", {**body, "content_base64": "不是base64"}, OFFICE, "invalid_file")


async def test_a_number_the_platform_gave_in_that_year_is_not_imported_again(api: Api, clock: FakeClock) -> None:
    clock.set(date(2025, 3, 3))
    await accepted(api, "关于加强农村饮用水安全保障的建议")  # 2025-001, on the platform
    clock.set(date(2026, 3, 2))
    report = await api.do("import-past-proposals", _file("2025.csv", _csv([
        ["编号", "年度", "标题", "内容"],
        ["2025-001", "2025", "关于城区停车难问题的建议", "增建公共停车场"],
        ["2025-002", "2025", "关于城区停车收费的建议", "规范停车收费"]])), OFFICE)
    assert _by_row(report) == {2: ("refused", "number_already_registered", ["number"]), 3: ("registered", None, [])}
    assert report["rows"][0]["message"] == "proposal number 2025-001 was given on the platform"
