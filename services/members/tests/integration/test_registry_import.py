"""The office imports its handling units and organizations from the files it keeps (CSV or XLSX), the same way
it imports the member roster: each row registered as the single registration command would, the whole file
in one transaction, each refused row reported by row, field and rule and skipped."""

from __future__ import annotations

import base64
import io
from typing import Any

from openpyxl import Workbook

from contracts.access import NOTIFY_ACCOUNT
from contracts.envelope import Role
from members.tests.conftest import Client, MembersHost, member_body, token


def _csv(rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(r) for r in rows) + "\n").encode("utf-8-sig")


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _import(client: Client, command: str, filename: str, content: bytes, **kw: Any) -> dict[str, Any]:
    answer = await client.command(command, {"filename": filename,
                                            "content_base64": base64.b64encode(content).decode()}, **kw)
    if "result" not in answer:
        return answer
    result: dict[str, Any] = answer["result"]
    return result


def _by_row(report: dict[str, Any]) -> dict[int, tuple[str, str | None, list[str]]]:
    return {r["row"]: (r["status"], r.get("rule"), r.get("fields", [])) for r in report["rows"]}


async def _registered(host: MembersHost) -> list[tuple[str, str, str]]:
    rows = await host.pool.fetch(f"SELECT type, stream_id, data->>'name' AS name FROM {host.store.schema}.events "
                                 "WHERE type IN ('unit-registered', 'organization-registered') ORDER BY position")
    return [(r["type"], r["stream_id"], r["name"]) for r in rows]


async def test_the_office_imports_its_units_from_xlsx_and_its_organizations_from_csv(
        client: Client, host: MembersHost) -> None:
    units = await _import(client, "import-units", "承办单位.xlsx", _xlsx([
        ["编号", "名称"], ["u-jyj", "县教育局"], ["u-wjj", "县卫健局"], ["u-slj", "县水利局"]]))
    assert (units["registered"], units["refused"]) == (3, 0)
    assert [(r["row"], r["unit_id"], r["name"]) for r in units["rows"]] == [
        (2, "u-jyj", "县教育局"), (3, "u-wjj", "县卫健局"), (4, "u-slj", "县水利局")]

    organizations = await _import(client, "import-organizations", "党派团体.csv", _csv([
        ["组织编号", "组织名称", "类别", "界别"],
        ["org-mm", "民盟县委会", "民主党派", "民盟"],
        ["org-gsl", "县工商联", "industry_commerce_federation", ""]]))
    assert (organizations["registered"], organizations["refused"]) == (2, 0)

    # (A transaction appends its streams in stream order, not file order.)
    assert sorted(await _registered(host)) == [
        ("organization-registered", "organization-county-a-org-gsl", "县工商联"),
        ("organization-registered", "organization-county-a-org-mm", "民盟县委会"),
        ("unit-registered", "unit-county-a-u-jyj", "县教育局"), ("unit-registered", "unit-county-a-u-slj", "县水利局"),
        ("unit-registered", "unit-county-a-u-wjj", "县卫健局")]
    transactions = await host.pool.fetchval(f"SELECT count(DISTINCT tx_id) FROM {host.store.schema}.events")
    assert transactions == 2, "each file is written in one transaction"

    # The imported records are the registry's own: staff join an imported unit, members an imported organization.
    await client.command("add-unit-staff", {"unit_id": "u-jyj", "staff_id": "jyj-liu", "name": "刘老师",
                                            "is_liaison": True, "phone": "13900001111"})
    await client.command("register-member", member_body("m-wang", "王芳", sector="democratic_league"))
    await client.command("add-organization-member", {"organization_id": "org-mm", "member_id": "m-wang",
                                                     "position": "主委"})
    notify = token(Role.service, subject=NOTIFY_ACCOUNT)
    addresses = (await client.get("/notification-addresses?unit_id=u-jyj", notify)).json()
    assert [s["staff_id"] for s in addresses["units"]["u-jyj"]] == ["jyj-liu"], "the imported unit is told"


async def test_bad_rows_are_reported_by_row_and_skipped_and_the_valid_row_imported(
        client: Client, host: MembersHost) -> None:
    await client.command("register-unit", {"unit_id": "u-jyj", "name": "县教育局"})
    units = await _import(client, "import-units", "units.csv", _csv([
        ["code", "name"],
        ["u-mzj", "县民政局"],          # valid
        ["u-jyj", "县教育局（新）"],     # the code is registered
        ["u-new", "县教育局"],          # the name is registered
        ["u-mzj2", "县民政局"],         # the name repeats row 2
        ["u 错", "县审计局"],           # not a code
        ["", ""],                      # blank: skipped
        ["", "县财政局"]]))             # no code: one is given
    assert _by_row(units) == {
        2: ("registered", None, []), 3: ("refused", "unit_already_registered", ["unit_id"]),
        4: ("refused", "name_already_registered", ["name"]), 5: ("refused", "duplicate_in_file", ["name"]),
        6: ("refused", "invalid_unit_id", ["unit_id"]), 8: ("registered", None, [])}
    assert units["rows"][3]["message"] == "name repeats row 2"
    generated = units["rows"][-1]["unit_id"]
    assert generated.startswith("u-")

    organizations = await _import(client, "import-organizations", "organizations.csv", _csv([
        ["编号", "名称", "类别", "界别"],
        ["org-jsxs", "九三学社县支社", "商会", ""],            # not a kind
        ["org-mj", "民建县委会", "民主党派", "天文"],           # not a sector
        ["org-mg", "民革县委会", "民主党派", "民革"],           # valid
        ["org-mg2", "民革县委会", "民主党派", "民革"]]))        # the name repeats row 4
    assert _by_row(organizations) == {
        2: ("refused", "unknown_kind", ["kind"]), 3: ("refused", "unknown_sector", ["sector"]),
        4: ("registered", None, []), 5: ("refused", "duplicate_in_file", ["name"])}

    assert sorted(name for _, _, name in await _registered(host)) == sorted(["县教育局", "县民政局", "县财政局",
                                                                            "民革县委会"])


async def test_a_refused_row_leaves_nothing_of_itself_behind(client: Client, host: MembersHost) -> None:
    # The roster goes through the same mechanism: a row refused after its event was decided (its ID number
    # belongs to another member) is unstaged and its private write rolled back; the row before it stays.
    header = ["编号", "姓名", "界别", "届", "加入日期", "身份证号"]
    first = await _import(client, "import-roster", "roster.csv", _csv([
        header, ["m-001", "欧阳明", "民盟", "16", "2022-01-10", "11010519491231002X"]]))
    assert first["registered"] == 1
    second = await _import(client, "import-roster", "roster.csv", _csv([
        header, ["m-002", "陈静", "医药卫生", "16", "2022-01-10", ""],
        ["m-003", "张三", "教育", "16", "2022-01-10", "11010519491231002X"]]))
    assert _by_row(second) == {2: ("registered", None, []),
                               3: ("refused", "duplicate_id_number", ["contact.id_number"])}
    streams = await host.pool.fetch(f"SELECT stream_id FROM {host.store.schema}.events ORDER BY position")
    assert [s["stream_id"] for s in streams] == ["member-county-a-m-001", "member-county-a-m-002"]


async def test_only_the_office_and_admin_import_units_and_organizations(client: Client, host: MembersHost) -> None:
    content = _csv([["名称", "类别"], ["县工商联", "工商联"]])
    for role, claims in ((Role.member, {"member_id": "m-wang"}), (Role.unit_staff, {"unit_id": "u-jyj"})):
        for command in ("import-units", "import-organizations"):
            refused = await _import(client, command, "file.csv", content, headers=token(role, **claims), expect=403)
            assert refused["error"]["code"] == "not_authorized"
    admin = await _import(client, "import-organizations", "file.csv", content, headers=token(Role.admin))
    assert admin["registered"] == 1
    assert [t for t, _, _ in await _registered(host)] == ["organization-registered"]


async def test_a_units_file_without_a_name_column_is_refused_as_a_whole(client: Client) -> None:
    report = await _import(client, "import-units", "units.csv", _csv([["编号", "单位"], ["u-1", "县某局"]]))
    assert report["rows"] == [{"row": 1, "status": "refused", "rule": "missing_columns",
                               "message": "the file needs at least the columns 名称 (name)"}]
