"""REST API: batch import of members from the Excel template (download, preview, commit)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from support.server import RunningServer
from support.web import admin_client, web_tenant
from web.api.org_tenant import HEADER, add_member, bearer_client, error_of, upload, workbook

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _row(name: str, account: str, **cells: str) -> list[str]:
    values = {"E-mail": f"{account}@contact.test", **cells}
    return [name, account, *(values.get(label, "") for label in HEADER[2:])]


async def test_template_is_an_xlsx_workbook_with_the_member_columns(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.get("/api/v1/imports/template")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[:2] == ["*姓名 / Name", "*账号 / Account"]
    assert len(header) == len(HEADER)


async def test_preview_lists_every_bad_row_and_superseded_rows_and_writes_nothing(
    org_server: RunningServer,
) -> None:
    tenant = await web_tenant(org_server)
    data = workbook(
        [
            _row("张三", "zhangsan", Phone="13800000001"),
            _row("Bad Account", "bad account", **{"E-mail": "bad@contact.test"}),
            _row("Bad Phone", "badphone", Phone="12345"),
            _row("张三 again", "ZhangSan", **{"Department path": "研发部/一组"}),
        ]
    )
    async with admin_client(org_server, tenant) as client:
        response = await client.post("/api/v1/imports/preview", files=upload(data))
        members = await client.get("/api/v1/members")

    assert response.status_code == 200
    body = response.json()
    assert (body["file_format"], body["total_rows"]) == ("xlsx", 4)
    assert [(e["row"], e["column"], e["code"]) for e in body["errors"]] == [
        (3, "account", "ACCOUNT_INVALID"),
        (4, "phone", "PHONE_INVALID"),
    ]
    assert body["error_rows"] == [3, 4]
    assert body["superseded"] == [{"row": 2, "account": "zhangsan", "by_row": 5}]
    assert [(r["row"], r["account"], r["department"]) for r in body["valid"]] == [
        (5, "ZhangSan", "研发部/一组")
    ]
    assert body["new_departments"] == ["研发部", "研发部/一组"]
    assert members.json()["total"] == 0


async def test_row_errors_are_in_the_requests_language(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    data = workbook([_row("Bad Phone", "badphone", Phone="12345")])
    async with admin_client(org_server, tenant) as client:
        english = await client.post(
            "/api/v1/imports/preview", files=upload(data), headers={"accept-language": "en"}
        )
        chinese = await client.post(
            "/api/v1/imports/preview", files=upload(data), headers={"accept-language": "zh"}
        )

    assert english.json()["errors"][0]["message"] != chinese.json()["errors"][0]["message"]
    assert any("\u4e00" <= c <= "\u9fff" for c in chinese.json()["errors"][0]["message"])


async def test_commit_imports_the_valid_rows_and_reports_the_others(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    await add_member(org_server, tenant, account="existing")
    data = workbook(
        [
            _row(
                "李四",
                "lisi",
                **{"Department path": "销售部", "Enterprise mailbox": f"lisi@{tenant.domain.name}"},
            ),
            _row("Existing", "EXISTING"),
            _row("王五", "wangwu", Role="管理员", **{"Staff type": "实习", "Hire date": "2025/07/01"}),
        ]
    )
    async with admin_client(org_server, tenant) as client:
        response = await client.post("/api/v1/imports", files=upload(data))
        listed = await client.get("/api/v1/members", params={"q": "w"})

    assert response.status_code == 200
    body = response.json()
    added = {m["account"]: m for m in body["added"]}
    assert sorted(added) == ["lisi", "wangwu"]
    assert added["lisi"]["mailbox"] == f"lisi@{tenant.domain.name}"
    assert (added["wangwu"]["role"], added["wangwu"]["staff_type"], added["wangwu"]["hire_date"]) == (
        "administrator",
        "intern",
        "2025-07-01",
    )
    assert (body["departments_created"], body["mailboxes_opened"]) == (1, 1)
    assert [(e["row"], e["code"]) for e in body["errors"]] == [(3, "ACCOUNT_TAKEN")]
    assert [m["account"] for m in listed.json()["items"]] == ["wangwu"]


async def test_two_hundred_rows_import_in_one_go(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    data = workbook([_row(f"成员{n}", f"bulk{n}", **{"Department path": f"部门{n % 4}"}) for n in range(200)])
    async with bearer_client(org_server, tenant) as client:
        # 200 rows in one transaction may take longer than httpx's 5 s default on a busy machine.
        response = await client.post("/api/v1/imports", files=upload(data), timeout=120)
        tree = await client.get("/api/v1/departments")
        listed = await client.get("/api/v1/members", params={"limit": 1})

    assert response.status_code == 200
    assert (len(response.json()["added"]), response.json()["errors"]) == (200, [])
    assert len(tree.json()["items"]) == 4
    assert listed.json()["total"] == 200


async def test_a_file_that_is_not_a_workbook_imports_nothing(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.post("/api/v1/imports", files=upload(b"name,account\nA,a\n", "members.csv"))
        members = await client.get("/api/v1/members")

    assert error_of(response) == (400, "IMPORT_FILE_INVALID")
    assert members.json()["total"] == 0


async def test_a_wrong_header_imports_nothing(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    data = workbook([["张三", "zhangsan"]], header=("Name", "Login"))
    async with admin_client(org_server, tenant) as client:
        response = await client.post("/api/v1/imports", files=upload(data))
        members = await client.get("/api/v1/members")

    assert error_of(response) == (400, "IMPORT_HEADER_INVALID")
    assert members.json()["total"] == 0


async def test_a_workbook_without_rows_is_empty(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.post("/api/v1/imports/preview", files=upload(workbook([])))

    assert error_of(response) == (400, "IMPORT_FILE_EMPTY")


async def test_upload_without_a_file_is_invalid_input(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.post("/api/v1/imports/preview", data={"note": "no file"})

    assert error_of(response) == (400, "INVALID_INPUT")
