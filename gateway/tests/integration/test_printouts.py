"""Printouts (GET /print/{document}/{key}.html) as the office, a unit and a proposer read them on paper.

The county: members 张一 (m1), 李二 (m2), 王三 (m3); units 教育局 (U1), 交通局 (U2), 卫健委 (U3).
  P1 2026-007 "校车<script>…安全 & 接送" by 张一 with co-signer 李二: U1 leads, U2 co-handles, reply due
     2026-06-20 (assigned 2026-03-20, re-assignment asked by 2026-03-27); U1 replied A on 2026-06-10.
  P2 2026-008 by 王三: accepted, not yet assigned.
  P3 by 张一: not accepted, converted to an opinion letter ("属于个人诉求").
  P4 by 王三: not accepted, converted to a public-opinion report.
  Reports R1 "校车接送难" (张一) and R2 (direct-report point dp-1) in 《社情民意》2026年第3期, R3 in 第4期.
A neighbouring county has its own proposal PX assigned to its own unit.

No PDF: playwright is not a dependency (the printouts are HTML, printed from the browser), so no PDF test."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaProducer

from contracts.envelope import Role
from gateway.tests import events as ev
from gateway.tests.conftest import Stack
from gateway.tests.harness import token

TITLE = "校车<script>alert(1)</script>安全 & 接送"
AT = datetime(2026, 5, 1, 2, tzinfo=UTC)


@dataclass
class County:
    stack: Stack
    committee: str
    neighbour: str

    async def get(self, path: str, role: Role = Role.office_staff, *, committee: str | None = None,
                  member: str | None = None, unit: str | None = None, bearer: bool = True) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token(role, committee or self.committee, member=member, unit=unit)}"}
        async with httpx.AsyncClient(timeout=30) as client:
            return await client.get(self.stack.api.url.removesuffix("/graphql") + path,
                                    headers=headers if bearer else {})

    async def page(self, path: str, role: Role = Role.office_staff) -> str:
        response = await self.get(path, role)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        return response.text


class Printed(HTMLParser):
    """What the reader sees: the text of the page, and each form table's rows as label -> the cells after it."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.text: list[str] = []
        self.rows: list[dict[str, str]] = []  # per page (section), label -> value
        self._cells: list[str] | None = None
        self._cell: list[str] | None = None
        self._hidden = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "title"):
            self._hidden += 1
        elif tag == "table":
            self.rows.append({})
        elif tag == "tr":
            self._cells = []
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title"):
            self._hidden -= 1
        elif tag in ("th", "td") and self._cells is not None and self._cell is not None:
            self._cells.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._cells:
            for i in range(0, len(self._cells) - 1, 2):  # label, value, label, value
                self.rows[-1][re.sub(r"\s", "", self._cells[i])] = self._cells[i + 1]
            self._cells = None

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    @property
    def all_text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.text))


async def scenario(stack: Stack, producer: AIOKafkaProducer, c: County) -> None:
    feed, neighbour = stack.feed(producer, c.committee), stack.feed(producer, c.neighbour)
    emit = feed.emit
    for member, name in (("m1", "张一"), ("m2", "李二"), ("m3", "王三")):
        await emit(*ev.member_registered(member, name))
    for unit, name in (("U1", "教育局"), ("U2", "交通局"), ("U3", "卫健委")):
        await emit(*ev.unit_registered(unit, name))
    await emit(*ev.proposal_submitted("P1", TITLE, "m1", cosigners=["m2"]))
    await emit("cosigner-confirmed", {"proposal_id": "P1", "member_id": "m2"})
    await emit(*ev.proposal_accepted("P1", "2026-007", "m1", sequence=7, cosigners=["m2"]))
    await emit(*ev.proposal_assigned("P1", ["U1", "U2"], "2026-06-20"))
    await emit(*ev.replied("P1", "U1", "A", on_time=True, replied_on="2026-06-10", deadline="2026-06-20"))
    await emit(*ev.proposal_submitted("P2", "乡村教师", "m3"))
    await emit(*ev.proposal_accepted("P2", "2026-008", "m3", sequence=8))
    await emit(*ev.proposal_submitted("P3", "小区停车难", "m1"))
    await emit("proposal-not-accepted", {"proposal_id": "P3", "converted_to": "opinion_letter",
                                         "reason": "属于个人诉求", "opinion_letter_id": "L3"})
    await emit("opinion-letter-sent", {"letter_id": "L3", "proposal_id": "P3", "unit_id": "U2", "title": "小区停车难",
                                       "text": "建议统筹老旧小区停车泊位", "sent_on": "2026-05-08"})
    await emit(*ev.proposal_submitted("P4", "集市占道", "m3"))
    await emit("proposal-not-accepted", {"proposal_id": "P4", "converted_to": "opinion_report",
                                         "reason": "宜作信息反映", "opinion_report_id": "R9"})
    for rid, author, point, title, issue in (("R1", "m1", None, "校车接送难", "2026年第3期"),
                                             ("R2", None, "dp-1", "村道破损", "2026年第3期"),
                                             ("R3", "m3", None, "集市拥堵", "2026年第4期")):
        await emit("opinion-report-submitted", {"report_id": rid, "author_member_id": author, "title": title,
                                                "direct_report_point_id": point, "body": "正文",
                                                "category": "education"}, at=AT)
        await emit("opinion-report-published", {"report_id": rid, "issue": issue, "author_member_id": author,
                                                "direct_report_point_id": point, "published_on": "2026-05-20"},
                   at=AT)
    await neighbour.emit(*ev.member_registered("mx", "钱外"))
    await neighbour.emit(*ev.unit_registered("U1", "外县教育局"))
    await neighbour.emit(*ev.proposal_submitted("PX", "外县提案", "mx"))
    await neighbour.emit(*ev.proposal_accepted("PX", "2026-901", "mx"))
    await neighbour.emit(*ev.proposal_assigned("PX", ["U1"], "2026-06-01"))
    for f in (feed, neighbour):
        await f.settle(stack.gateway.projector)


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def county(stack: Stack, producer: AIOKafkaProducer) -> AsyncIterator[County]:
    tag = uuid.uuid4().hex[:8]
    c = County(stack, f"c-pr-{tag}", f"c-prn-{tag}")
    await scenario(stack, producer, c)
    yield c


# ---- what the documents say -----------------------------------------------------------------------------

async def test_the_assignment_slip_names_the_proposal_its_units_and_the_reply_deadline(county: County) -> None:
    html = await county.page("/print/assignment-slip/P1.html")
    assert '<meta charset="utf-8">' in html and "size: A4" in html and '"Noto Serif CJK SC"' in html
    slip = Printed(html)
    rows = slip.rows[0]
    assert "政协提案交办单" in slip.all_text
    assert rows["提案号"] == "2026-007" and rows["提案类别"] == "教育科技"
    assert rows["案由"] == TITLE  # the reader sees the title as written, Chinese and all
    assert rows["提案人"] == "张一、李二"
    assert rows["主办单位"] == "教育局" and rows["协办单位"] == "交通局"
    assert rows["交办方式"] == "主办协办"
    assert rows["答复期限"] == "2026年6月20日前书面答复提案人"
    assert "2026年3月27日前" in rows["申请调整"]
    # the title is escaped markup, never a live script
    assert "<script>" not in html and "校车&lt;script&gt;alert(1)&lt;/script&gt;安全 &amp; 接送" in html


async def test_the_feedback_form_names_the_proposers_and_only_the_unit_that_replies(county: County) -> None:
    form = Printed(await county.page("/print/feedback-form/P1.html"))
    assert len(form.rows) == 1  # the lead's form; the co-handling 交通局 answers through the lead
    rows = form.rows[0]
    assert "政协提案办理情况征询意见表" in form.all_text
    assert rows["提案人"] == "张一、李二"
    assert rows["承办单位"] == "教育局（主办单位）"
    assert rows["答复日期"] == "2026年6月10日" and rows["答复类别"] == "A类（已解决或采纳）"
    assert rows["办理结果"].split() == ["□满意", "□基本满意", "□不满意"]  # to tick by hand
    assert "提案人（签名）" in form.all_text


async def test_the_opinion_letter_of_a_proposal_not_accepted(county: County) -> None:
    letter = Printed(await county.page("/print/opinion-letter/P3.html")).all_text
    assert "政协意见建议函" in letter
    assert "张一委员提出的《小区停车难》，经政协提案委员会审查，属于个人诉求，不作为提案立案" in letter
    assert "交通局：" in letter and "意见建议：建议统筹老旧小区停车泊位" in letter
    for other, why in (("P4", "public-opinion report"), ("P1", "it is assigned")):
        response = await county.get(f"/print/opinion-letter/{other}.html")
        assert response.status_code == 409 and why in response.json()["error"]["message"]


async def test_an_issue_of_the_opinion_periodical_lists_its_reports(county: County) -> None:
    issue = Printed(await county.page("/print/opinion-digest/2026年第3期.html", Role.leadership)).all_text
    assert "社情民意" in issue and "2026年第3期" in issue and "2026年5月20日" in issue
    assert "1. 校车接送难" in issue and "反映人：张一" in issue
    assert "2. 村道破损" in issue and "反映人：直报点 dp-1" in issue
    assert "集市拥堵" not in issue  # another issue's
    missing = await county.get("/print/opinion-digest/2026年第9期.html")
    assert missing.status_code == 404 and "2026年第9期" in missing.json()["error"]["message"]


# ---- who may print what -----------------------------------------------------------------------------------

async def test_staff_print_everything_of_their_committee(county: County) -> None:
    for role in (Role.office_staff, Role.leadership, Role.admin):
        for path in ("/print/assignment-slip/P1.html", "/print/feedback-form/P1.html",
                     "/print/opinion-letter/P3.html", "/print/opinion-digest/2026年第3期.html"):
            assert (await county.get(path, role)).status_code == 200, (role, path)


async def test_a_unit_prints_the_slip_and_form_of_what_is_assigned_to_it(county: County) -> None:
    for unit in ("U1", "U2"):  # lead and co-handling unit
        for doc in ("assignment-slip", "feedback-form"):
            assert (await county.get(f"/print/{doc}/P1.html", Role.unit_staff, unit=unit)).status_code == 200
    other = await county.get("/print/assignment-slip/P1.html", Role.unit_staff, unit="U3")
    assert other.status_code == 403 and "assigned to their unit" in other.json()["error"]["message"]
    for path in ("/print/opinion-letter/P3.html", "/print/opinion-digest/2026年第3期.html"):
        refused = await county.get(path, Role.unit_staff, unit="U1")
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"


async def test_a_member_prints_the_feedback_form_of_their_own_proposals_only(county: County) -> None:
    for proposer in ("m1", "m2"):  # the lead and the confirmed co-signer
        assert (await county.get("/print/feedback-form/P1.html", Role.member, member=proposer)).status_code == 200
    stranger = await county.get("/print/feedback-form/P1.html", Role.member, member="m3")
    assert stranger.status_code == 403 and "a proposer" in stranger.json()["error"]["message"]
    for path in ("/print/assignment-slip/P1.html", "/print/opinion-letter/P3.html",
                 "/print/opinion-digest/2026年第3期.html"):
        assert (await county.get(path, Role.member, member="m1")).status_code == 403


async def test_no_token_another_role_or_another_committee(county: County) -> None:
    anonymous = await county.get("/print/assignment-slip/P1.html", bearer=False)
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthenticated"
    assert (await county.get("/print/assignment-slip/P1.html", Role.service)).status_code == 403
    foreign = await county.get("/print/assignment-slip/PX.html")  # the neighbour's proposal
    assert foreign.status_code == 404 and foreign.json()["error"]["code"] == "not_found"
    # the neighbour's unit U1 shares an id with ours, and still sees nothing of ours
    across = await county.get("/print/assignment-slip/P1.html", Role.unit_staff, committee=county.neighbour, unit="U1")
    assert across.status_code == 404


# ---- bad requests ---------------------------------------------------------------------------------------

async def test_bad_requests_name_what_is_wrong(county: County) -> None:
    too_long = await county.get(f"/print/assignment-slip/{'P' * 65}.html")
    assert too_long.status_code == 400 and too_long.json()["error"]["field"] == "proposalId"
    pdf = await county.get("/print/assignment-slip/P1.html?format=pdf")
    assert pdf.status_code == 400 and pdf.json()["error"]["field"] == "format"
    unknown = await county.get("/print/receipt/P1.html")
    assert unknown.status_code == 404 and "assignment-slip" in unknown.json()["error"]["message"]
    unassigned = await county.get("/print/assignment-slip/P2.html")
    assert unassigned.status_code == 409 and "not assigned" in unassigned.json()["error"]["message"]


# ---- a committee's own templates ------------------------------------------------------------------------

async def test_a_committee_prints_from_its_own_templates(county: County, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / county.committee
    own.mkdir()
    # its name on every document, through the layout
    (own / "base.html.j2").write_text('{% extends "default/base.html.j2" %}'
                                      "{% block committee_name %}政协宜正县委员会{% endblock %}", encoding="utf-8")
    # and a feedback form of its own, escaped like the defaults
    (own / "feedback-form.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block body %}<h1>{{ self.committee_name() }}提案办理反馈单</h1>'
        "<p>{{ proposal.title }}</p>{% endblock %}", encoding="utf-8")
    monkeypatch.setenv("YIZHENG_PRINT_TEMPLATES", str(tmp_path))

    slip = Printed(await county.page("/print/assignment-slip/P1.html")).all_text
    assert "政协宜正县委员会提案交办单" in slip
    form = await county.page("/print/feedback-form/P1.html")
    assert "政协宜正县委员会提案办理反馈单" in Printed(form).all_text
    assert "校车&lt;script&gt;" in form and "<script>" not in form
    # the neighbour has no templates of its own: the defaults
    neighbour = await county.get("/print/assignment-slip/PX.html", committee=county.neighbour)
    assert neighbour.status_code == 200 and "政协提案交办单" in Printed(neighbour.text).all_text

    (own / "feedback-form.html.j2").write_text("{{ proposal.no_such_field }}", encoding="utf-8")
    broken = await county.get("/print/feedback-form/P1.html")
    assert broken.status_code == 500 and broken.json()["error"]["code"] == "template_error"
    assert "feedback-form.html.j2" in broken.json()["error"]["message"]
