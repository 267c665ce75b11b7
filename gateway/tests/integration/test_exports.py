"""The yearly figures as XLSX exports (GET /exports/{year}/{name}.xlsx), read back with openpyxl: every cell
equals the GraphQL figure the same caller reads, and only the caller's committee is in them.

The county is the oversight scenario of `test_oversight` (units U1-U3, proposals P1-P4, as of 2026-07-01: P2
overdue at U1 by 16 days, P3 at U3 by 6) plus three public-opinion reports (R1 adopted by the county, instructed
and published; R2 adopted by the city; R3 from a direct-report point, not adopted); its scorecards are those of
`test_scorecard`'s scenario, in a committee of their own. A neighbouring county has its own unit, overdue
proposal, report and member, none of which may show up."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest_asyncio
from aiokafka import AIOKafkaProducer
from openpyxl import load_workbook

from contracts.envelope import Role
from gateway.exports.workbook import NO, YES, read_rows
from gateway.tests import events as ev
from gateway.tests.conftest import Stack
from gateway.tests.harness import token
from gateway.tests.integration import test_oversight as oversight_scenario
from gateway.tests.integration import test_scorecard as scorecard_scenario

YEAR, AS_OF = 2026, "2026-07-01"
AT = datetime(2026, 5, 1, 2, tzinfo=UTC)  # the reports' day, so they belong to 2026 whatever today is

RATE = "numerator denominator value"
FIGURES = f"""assigned replied replyOnTime {{ {RATE} }} meeting {{ {RATE} }} satisfaction {{ {RATE} }}
              classes {{ resultClass count share }} overdue {{ proposalId }}"""
OVERSIGHT = f"""
query($y: Int!, $d: Date) {{
  oversight(year: $y, asOf: $d) {{
    byUnit {{ unitId unit {{ name }} {FIGURES} }}
    byCategory {{ category {FIGURES} }}
    overall {{ {FIGURES} }}
    overdueByUnit {{ unitId unit {{ name }} items {{ number title category deadline daysOverdue proposalId }} }}
  }}
  labels: enumLabels {{ enum value labelZh }}
}}"""
SCORECARDS = """
query($y: Int!, $after: String) {
  scorecards(year: $y, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { rank memberId member { name sector townshipId } total grade gradeByPoints graded sectorRank }
  }
}"""
REPORT = """id title category authorMemberId author { name } directReportPointId submittedOn forwardedLevel
            adoptedLevel adoptedOn instructed instructionCount publishedIssue publishedOn"""
REPORTS = f"""
query($y: Int!) {{
  all: opinionReports(filter: {{year: $y}}, first: 100) {{ totalCount nodes {{ {REPORT} }} }}
  adopted: opinionReports(filter: {{year: $y, adopted: true}}) {{ totalCount }}
  instructed: opinionReports(filter: {{year: $y, instructed: true}}) {{ totalCount }}
  published: opinionReports(filter: {{year: $y, status: [published]}}) {{ totalCount }}
}}"""
# The columns whose cells show a GraphQL enum value by its Chinese label, and which enum.
LABELLED = {"category": "Category", "member.sector": "Sector", "grade": "Grade", "gradeByPoints": "Grade",
            "forwardedLevel": "ReportLevel", "adoptedLevel": "ReportLevel"}
BOOLEAN = {"graded", "instructed"}


@dataclass
class County:
    stack: Stack
    committee: str
    scored: str  # the committee of the scorecard scenario
    neighbour: str

    def url(self, path: str) -> str:
        return self.stack.api.url.removesuffix("/graphql") + path

    async def get(self, path: str, role: Role = Role.leadership, committee: str | None = None,
                  **claims: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token(role, committee or self.committee, **claims)}"}
        async with httpx.AsyncClient(timeout=30) as client:
            return await client.get(self.url(path), headers=headers)

    async def sheets(self, path: str, committee: str | None = None) -> dict[str, list[dict[str, Any]]]:
        """Each sheet of the export as rows by the key row, cells as GraphQL writes them (days as ISO text)."""
        response = await self.get(path, committee=committee)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
        book = load_workbook(io.BytesIO(response.content))
        return {ws.title: [{k: _plain(v) for k, v in row.items()}
                           for row in read_rows(list(ws.iter_rows(values_only=True)))]
                for ws in book.worksheets}

    async def graphql(self, query: str, variables: dict[str, Any], committee: str | None = None) -> dict[str, Any]:
        result = await self.stack.api.run(query, variables, bearer=token(Role.leadership, committee or self.committee))
        return result.ok()


def _plain(value: Any) -> Any:
    return value.date().isoformat() if isinstance(value, datetime) else value


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def county(stack: Stack, producer: AIOKafkaProducer) -> AsyncIterator[County]:
    tag = uuid.uuid4().hex[:8]
    c = County(stack, f"c-ex-{tag}", f"c-exs-{tag}", f"c-exn-{tag}")
    feed, scored, neighbour = (stack.feed(producer, x) for x in (c.committee, c.scored, c.neighbour))
    await oversight_scenario.scenario(feed)
    await feed.emit("opinion-report-submitted", {"report_id": "R1", "author_member_id": "m1", "title": "校车接送难",
                                                 "body": "正文", "category": "education"}, at=AT)
    await feed.emit("opinion-report-adopted", {"report_id": "R1", "level": "county", "author_member_id": "m1",
                                               "adopted_on": "2026-05-10"}, at=AT)
    await feed.emit("opinion-report-instructed", {"report_id": "R1", "leader": "县委书记", "level": "county",
                                                  "author_member_id": "m1", "instructed_on": "2026-05-12"}, at=AT)
    await feed.emit("opinion-report-published", {"report_id": "R1", "issue": "2026年第3期", "author_member_id": "m1",
                                                 "published_on": "2026-05-20"}, at=AT)
    await feed.emit("opinion-report-submitted", {"report_id": "R2", "author_member_id": "m2", "title": "村道破损",
                                                 "body": "正文", "category": "economy"}, at=AT)
    await feed.emit("opinion-report-adopted", {"report_id": "R2", "level": "city", "author_member_id": "m2",
                                               "adopted_on": "2026-06-01"}, at=AT)
    await feed.emit("opinion-report-submitted", {"report_id": "R3", "author_member_id": None, "title": "集市拥堵",
                                                 "direct_report_point_id": "dp-1", "body": "正文"}, at=AT)
    await scorecard_scenario.scenario(scored)
    # the neighbouring county: its own unit, an overdue proposal, a report and a scored member
    await neighbour.emit(*ev.member_registered("mx", "钱外", "economy", "t-9"))
    await neighbour.emit(*ev.unit_registered("UX", "外县财政局"))
    await neighbour.emit(*ev.proposal_submitted("PX", "外县提案", "mx"))
    await neighbour.emit(*ev.proposal_accepted("PX", "2026-901", "mx"))
    await neighbour.emit(*ev.proposal_assigned("PX", ["UX"], "2026-06-01"))
    await neighbour.emit("opinion-report-submitted", {"report_id": "RX", "author_member_id": "mx", "title": "外县信息",
                                                      "body": "正文"}, at=AT)
    await neighbour.emit(*ev.points("mx", YEAR, "base", 99, item="base:2026:mx", rule="base"))
    for f in (feed, scored, neighbour):
        await f.settle(stack.gateway.projector)
    yield c


def labels(data: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(x["enum"], x["value"]): x["labelZh"] for x in data["labels"]}


def as_cells(node: dict[str, Any], zh: dict[tuple[str, str], str], prefix: str = "") -> dict[str, Any]:
    """A GraphQL node as the export's row: dotted keys, class shares by class, the overdue list by its length,
    enum values by their Chinese label, booleans as 是/否."""
    out: dict[str, Any] = {}
    for k, v in node.items():
        key = prefix + k
        if isinstance(v, dict):
            out.update(as_cells(v, zh, key + "."))
        elif k == "classes":
            for share in v:
                out[f"{key}.{share['resultClass']}.count"] = share["count"]
                out[f"{key}.{share['resultClass']}.share"] = share["share"]
        elif k == "overdue":
            out[key] = len(v)
        elif key in LABELLED and v is not None:
            out[key] = zh[(LABELLED[key], v)]
        elif key in BOOLEAN:
            out[key] = YES if v else NO
        else:
            out[key] = v
    return out


async def test_handling_figures_per_unit_and_per_category_equal_the_oversight_figures(county: County) -> None:
    data = await county.graphql(OVERSIGHT, {"y": YEAR, "d": AS_OF})
    zh, o = labels(data), data["oversight"]
    total = as_cells(o["overall"], zh)

    [units] = (await county.sheets(f"/exports/{YEAR}/handling-by-unit.xlsx?asOf={AS_OF}")).values()
    assert units == [*[as_cells(u, zh) for u in o["byUnit"]], {"unitId": None, "unit.name": "合计", **total}]
    assert [(u["unit.name"], u["replyOnTime.value"], u["classes.A.share"]) for u in units[:1]] == [("教育局", 0.5, 1.0)]

    [categories] = (await county.sheets(f"/exports/{YEAR}/handling-by-category.xlsx?asOf={AS_OF}")).values()
    assert categories == [*[as_cells(c, zh) for c in o["byCategory"]], {"category": "合计", **total}]
    assert {c["category"] for c in categories} == {"教育科技", "经济建设", "合计"}


async def test_the_overdue_list_equals_the_overdue_proposals_by_unit(county: County) -> None:
    data = await county.graphql(OVERSIGHT, {"y": YEAR, "d": AS_OF})
    zh = labels(data)
    expected = [{"unitId": u["unitId"], "unit.name": u["unit"]["name"], **as_cells(i, zh)}
                for u in data["oversight"]["overdueByUnit"] for i in u["items"]]
    [rows] = (await county.sheets(f"/exports/{YEAR}/overdue.xlsx?asOf={AS_OF}")).values()
    assert rows == expected
    assert [(r["unit.name"], r["number"], r["daysOverdue"], r["deadline"]) for r in rows] == [
        ("教育局", "2026-002", 16, "2026-06-15"), ("卫健委", "2026-003", 6, "2026-06-25")]


async def test_scorecards_ranked_equal_the_scorecards_query(county: County) -> None:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await county.graphql(SCORECARDS, {"y": YEAR, "after": after}, county.scored))["scorecards"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    zh = labels(await county.graphql(OVERSIGHT, {"y": YEAR, "d": AS_OF}, county.scored))
    [rows] = (await county.sheets(f"/exports/{YEAR}/scorecards.xlsx", county.scored)).values()
    assert rows == [as_cells(n, zh) for n in nodes]
    assert [(r["rank"], r["member.name"], r["total"], r["grade"], r["graded"]) for r in rows] == [
        (1, "张一", 87, "优秀", YES), (2, "李二", 69, "称职", NO), (2, "王三", 69, "不称职", NO),
        (4, "赵四", 60, "称职", NO)]


async def test_opinion_report_adoption_equals_the_reports_query(county: County) -> None:
    data = await county.graphql(REPORTS, {"y": YEAR})
    zh = labels(await county.graphql(OVERSIGHT, {"y": YEAR, "d": AS_OF}))
    sheets = await county.sheets(f"/exports/{YEAR}/opinion-reports.xlsx")
    # a direct-report point's report has no author (GraphQL `author: null`): its name cell is empty
    assert sheets["信息清单"] == [as_cells({**n, "author": n["author"] or {"name": None}}, zh)
                                 for n in data["all"]["nodes"]]
    nodes = data["all"]["nodes"]
    submitted = data["all"]["totalCount"]
    counts = {"submitted": submitted, "adopted": data["adopted"]["totalCount"],
              **{f"adopted.{level}": sum(1 for n in nodes if n["adoptedLevel"] == level)
                 for level in ("county", "city", "province")},
              "instructed": data["instructed"]["totalCount"], "published": data["published"]["totalCount"]}
    summary = sheets["采用情况"]
    assert {r["figure"]: (r["count"], r["share"]) for r in summary} == {
        k: (n, round(n / submitted, 4)) for k, n in counts.items()}
    assert {r["figure"]: r["count"] for r in summary} == {
        "submitted": 3, "adopted": 2, "adopted.county": 1, "adopted.city": 1, "adopted.province": 0,
        "instructed": 1, "published": 1}


async def test_only_the_callers_committee_is_exported(county: County) -> None:
    found: list[str] = []
    for name in ("handling-by-unit", "handling-by-category", "overdue", "opinion-reports"):
        sheets = await county.sheets(f"/exports/{YEAR}/{name}.xlsx?asOf={AS_OF}")
        found += [str(v) for rows in sheets.values() for row in rows for v in row.values()]
    sheets = await county.sheets(f"/exports/{YEAR}/scorecards.xlsx", county.scored)
    found += [str(v) for rows in sheets.values() for row in rows for v in row.values()]
    assert not {"UX", "外县财政局", "PX", "2026-901", "外县提案", "RX", "外县信息", "mx", "钱外"} & set(found)
    [rows] = (await county.sheets(f"/exports/{YEAR}/overdue.xlsx?asOf={AS_OF}", county.neighbour)).values()
    assert [(r["unit.name"], r["number"]) for r in rows] == [("外县财政局", "2026-901")]


async def test_office_staff_and_admin_export_as_leadership_does_and_others_are_refused(county: County) -> None:
    path = f"/exports/{YEAR}/handling-by-unit.xlsx?asOf={AS_OF}"
    for role in (Role.office_staff, Role.admin):
        assert (await county.get(path, role)).status_code == 200
    unit = await county.get(path, Role.unit_staff, unit="U1")
    assert unit.status_code == 403 and "unit_staff" in unit.json()["error"]["message"]
    member = await county.get(f"/exports/{YEAR}/scorecards.xlsx", Role.member, member="m1")
    assert member.status_code == 403
    async with httpx.AsyncClient(timeout=30) as client:
        assert (await client.get(county.url(path))).status_code == 401


async def test_a_year_or_day_out_of_bounds_and_an_unknown_export_are_refused_by_name(county: County) -> None:
    too_early = (await county.get("/exports/1900/overdue.xlsx")).json()["error"]
    assert too_early["field"] == "year" and too_early["rule"] == "greater_than_equal"
    assert (await county.get("/exports/next/overdue.xlsx")).json()["error"]["rule"] == "int_parsing"
    bad_day = await county.get(f"/exports/{YEAR}/overdue.xlsx?asOf=2026-13-01")
    assert bad_day.status_code == 400 and bad_day.json()["error"]["field"] == "asOf"
    unknown = await county.get(f"/exports/{YEAR}/everything.xlsx")
    assert unknown.status_code == 404 and "handling-by-unit" in unknown.json()["error"]["message"]
