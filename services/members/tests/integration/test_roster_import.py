"""Importing a roster file: one register-member command per row, a per-row report of what was refused and
why, contact data kept out of every event."""

from __future__ import annotations

import base64
import io
from typing import Any

from openpyxl import Workbook

from contracts.members.contact_details import _ID_CHECK, _ID_WEIGHTS, id_number_valid
from eventstore.body_limit import COMMAND_BODY_LIMIT
from members.tests.conftest import Client, MembersHost


def id_number(first17: str) -> str:
    return first17 + _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


GOOD_1 = id_number("33102219800101123")
GOOD_2 = id_number("33102219850512456")
BAD_CHECK = GOOD_2[:-1] + ("0" if GOOD_2[-1] != "0" else "1")

HEADER = ["编号", "姓名", "界别", "联络组", "常委", "主席会议职务", "届", "加入日期", "手机", "身份证号", "地址"]
ROWS = [
    ["m-001", "欧阳明", "民盟", "chengguan", "是", "副主席", "第十六届", "2022-01-10", "13800138001", GOOD_1,
     "城关镇1号"],
    ["m-002", "陈静", "医药卫生", "", "否", "", "16", "2022/1/10", "13800138002", GOOD_2, ""],
    ["m-003", "张三", "天文", "", "否", "", "16", "2022-01-10", "", "", ""],                # unknown sector
    ["m-004", "李四", "教育", "", "否", "", "16", "2022-01-10", "", BAD_CHECK, ""],          # bad check digit
    ["m-001", "王五", "教育", "", "否", "", "16", "2022-01-10", "", "", ""],                 # id repeats row 2
    ["m-006", "赵六", "经济", "", "否", "", "16", "2022-01-10", "12345", "", ""],            # bad phone
    ["m-007", "孙七", "经济", "", "否", "主席", "16", "2022-01-10", "", "", ""],             # chair, not standing
    ["", "", "", "", "", "", "", "", "", "", ""],                                            # blank: skipped
    ["m-009", "周九", "经济", "", "否", "", "16", "昨天", "", "", ""],                       # not a date
]


def _csv(rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(r) for r in [HEADER, *rows]) + "\n").encode("utf-8-sig")


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [HEADER, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _import(client: Client, filename: str, content: bytes) -> dict[str, Any]:
    answer = await client.command("import-roster", {"filename": filename,
                                                    "content_base64": base64.b64encode(content).decode()})
    result: dict[str, Any] = answer["result"]
    return result


def test_resident_id_numbers_are_checked_by_their_check_character() -> None:
    assert id_number_valid(GOOD_1) and id_number_valid("11010519491231002X")
    assert not id_number_valid(BAD_CHECK) and not id_number_valid("1234")


async def test_a_csv_roster_with_bad_rows_reports_each_refusal_by_row(client: Client, host: MembersHost) -> None:
    report = await _import(client, "roster.csv", _csv(ROWS))
    by_row = {r["row"]: (r["status"], r.get("rule")) for r in report["rows"]}
    assert by_row == {
        2: ("registered", None), 3: ("registered", None), 4: ("refused", "unknown_sector"),
        5: ("refused", "invalid_id_number"), 6: ("refused", "duplicate_in_file"), 7: ("refused", "invalid_phone"),
        8: ("refused", "chair_must_be_standing"), 10: ("refused", "invalid_date")}
    assert (report["registered"], report["refused"]) == (2, 6)

    events = await host.pool.fetch(f"SELECT type, data::text AS data FROM {host.store.schema}.events")
    assert [e["type"] for e in events] == ["member-registered", "member-registered"]
    assert all(GOOD_1 not in e["data"] and "13800138001" not in e["data"] and "城关镇1号" not in e["data"]
               for e in events), "contact data stays out of events"
    contact = (await client.get("/members/m-001/contact")).json()
    assert contact == {"phone": "13800138001", "id_number": GOOD_1, "address": "城关镇1号", "email": None}

    again = await _import(client, "roster.csv", _csv(ROWS[:2]))
    assert [r.get("rule") for r in again["rows"]] == ["member_already_registered", "member_already_registered"]
    same_person = await _import(client, "roster.csv", _csv([["m-100", "陈静", "医药卫生", "", "否", "", "16",
                                                              "2022-01-10", "", GOOD_2, ""]]))
    assert [r.get("rule") for r in same_person["rows"]] == ["duplicate_id_number"]


async def test_an_xlsx_roster_reads_dates_and_numbers_from_cells(client: Client, host: MembersHost) -> None:
    from datetime import datetime

    rows: list[list[Any]] = [["m-201", "钱多多", "经济", "", "否", "", 16, datetime(2022, 1, 10), "", "", ""],
                             ["m-202", "吴用", "科技", "", "是", "", 16, "2023-03-01", "", "", ""]]
    report = await _import(client, "名单.xlsx", _xlsx(rows))
    assert [(r["row"], r["status"]) for r in report["rows"]] == [(2, "registered"), (3, "registered")]
    data = await host.pool.fetchval(
        f"SELECT data::text FROM {host.store.schema}.events WHERE stream_id = 'member-county-a-m-202'")
    assert '"standing_committee": true' in data and '"joined_on": "2023-03-01"' in data


async def test_a_file_without_the_required_columns_is_refused_as_a_whole(client: Client) -> None:
    content = "名字,单位\n张三,县医院\n".encode()
    report = await _import(client, "roster.csv", content)
    assert report["rows"] == [{"row": 1, "status": "refused", "rule": "missing_columns",
                               "message": "the file needs at least the columns 姓名 (name) and 界别 (sector)"}]


async def test_a_roster_file_over_the_size_limit_is_refused_before_it_is_read(client: Client) -> None:
    oversized = base64.b64encode(b"x" * COMMAND_BODY_LIMIT).decode()
    refused = await client.command("import-roster", {"filename": "roster.csv", "content_base64": oversized},
                                   expect=413)
    assert refused["error"]["code"] == "request_too_large"


async def test_the_command_line_import_prints_the_report_and_fails_on_refusals(
        fresh_schema: str, database_url: str, capsys: Any) -> None:
    import json

    from members.roster_cli import _main

    code = await _main("roster.csv", _csv(ROWS[:3]), "county-a", database_url, fresh_schema, "office-cli")
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and (report["registered"], report["refused"]) == (2, 1)
    assert report["rows"][2]["rule"] == "unknown_sector"
