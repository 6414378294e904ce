"""Batch import pages: template download, preview of every bad row before anything is written, import."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from pathlib import Path

import openpyxl
from playwright.async_api import Page

from support.browser import no_horizontal_scroll, screenshot
from support.server import RunningServer
from support.web import WebTenant, base_url, login_page_as, web_tenant
from web.admin.console_server import ON_CONSOLE, console, console_client, console_database_url
from yunmail.web.deps import csrf_token_for

__all__ = ["console", "console_database_url"]  # the module's server fixtures

HEADER = (
    "Name",
    "Account",
    "Password",
    "Phone",
    "E-mail",
    "Role",
    "Department path",
    "Staff type",
    "Hire date",
    "Enterprise mailbox",
)
KEYS = (
    "name",
    "account",
    "password",
    "phone",
    "email",
    "role",
    "department",
    "staff_type",
    "hire_date",
    "mailbox",
)
PASSWORD = "Welcome-2026"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLS_FIXTURE = Path(__file__).resolve().parents[2] / "directory" / "fixtures" / "members.xls"
ENGLISH = {"accept-language": "en"}

# Spreadsheet row (header = row 1) -> (column shown, reason shown) for the five bad rows.
BAD_ROWS = {
    12: ("Phone", "phone number"),
    45: ("Account", "login account"),
    78: ("Hire date", "YYYY/MM/DD"),
    120: ("Password", "at least two"),
    167: ("Name", "name"),
}


def row(n: int, **fields: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": f"成员{n}",
        "account": f"user{n}",
        "password": PASSWORD,
        "phone": f"138{n:08d}",
        "department": "研发部/一组" if n % 2 else "市场部",
    }
    values.update(fields)
    return values


def workbook(rows: Iterable[Mapping[str, object]]) -> bytes:
    wb = openpyxl.Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(list(HEADER))
    for values in rows:
        sheet.append([values.get(key) for key in KEYS])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def two_hundred_rows_with_five_bad_ones() -> list[dict[str, object]]:
    rows = [row(n) for n in range(1, 201)]
    # Data row i sits on spreadsheet row i + 1 (the header is row 1).
    rows[12 - 2] = row(11, phone="12345")
    rows[45 - 2] = row(44, account="bad account!")
    rows[78 - 2] = row(77, hire_date="2025.07.01")
    rows[120 - 2] = row(119, password="alllowercase")
    rows[167 - 2] = row(166, name="")
    return rows


async def member_total(server: RunningServer, tenant: WebTenant) -> int:
    return (await server.services.directory.members.search(tenant.enterprise.id, limit=1)).total


# --- fast: HTTP only ----------------------------------------------------------------------------


@ON_CONSOLE
async def test_the_template_downloads_as_an_xlsx_attachment(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    async with console_client(console, tenant) as http:
        response = await http.get("/admin/import/template.xlsx")

    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    assert response.headers["content-disposition"].startswith("attachment;")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.cell(row=1, column=1).value == "*姓名 / Name"


@ON_CONSOLE
async def test_a_file_that_is_not_a_workbook_is_refused_and_nothing_is_written(
    console: RunningServer,
) -> None:
    tenant = await web_tenant(console)
    async with console_client(console, tenant) as http:
        response = await http.post(
            "/admin/import/preview",
            files={"file": ("members.xlsx", b"name,account\nAnn,ann\n", XLSX)},
            headers=ENGLISH,
        )

    assert response.status_code == 400
    assert 'data-code="IMPORT_FILE_INVALID"' in response.text
    assert "members.xlsx" in response.text
    assert await member_total(console, tenant) == 0


@ON_CONSOLE
async def test_preview_writes_nothing_and_commit_imports_the_file_it_carried(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    data = workbook([row(1), row(2), row(3, phone="1")])
    async with console_client(console, tenant) as http:
        preview = await http.post("/admin/import/preview", files={"file": ("staff.xlsx", data, XLSX)})
        assert await member_total(console, tenant) == 0
        chunks = [part.split('"', 1)[0] for part in preview.text.split('name="data" value="')[1:]]
        result = await http.post(
            "/admin/import/commit",
            data={"csrf_token": csrf_token_for(tenant.admin_token), "filename": "staff.xlsx", "data": chunks},
        )

    assert 'data-valid="2" data-bad="1"' in preview.text
    assert result.status_code == 200
    assert 'data-testid="import-imported">2<' in result.text
    assert 'data-testid="import-failed">1<' in result.text
    assert await member_total(console, tenant) == 2


@ON_CONSOLE
async def test_a_repeated_account_is_listed_as_superseded_by_the_last_row(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    data = workbook([row(1), row(2), row(3, account="user1", name="Newer")])
    async with console_client(console, tenant) as http:
        preview = await http.post("/admin/import/preview", files={"file": ("staff.xlsx", data, XLSX)})

    superseded = preview.text.split('data-testid="superseded-row" data-row="2">', 1)[1].split("</tr>", 1)[0]
    cells = [part.split("</td>", 1)[0].rsplit(">", 1)[1] for part in superseded.split("<td")[1:]]
    assert cells == ["2", "user1", "4"]
    assert 'data-valid="2"' in preview.text


@ON_CONSOLE
async def test_a_legacy_xls_file_is_previewed(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    async with console_client(console, tenant) as http:
        preview = await http.post(
            "/admin/import/preview",
            files={"file": ("members.xls", XLS_FIXTURE.read_bytes(), "application/vnd.ms-excel")},
        )

    assert preview.status_code == 200
    assert 'data-total="3" data-valid="2" data-bad="1"' in preview.text
    assert 'data-testid="import-error" data-row="3"' in preview.text


@ON_CONSOLE
async def test_the_preview_speaks_chinese_to_a_chinese_browser(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    async with console_client(console, tenant) as http:
        preview = await http.post(
            "/admin/import/preview",
            files={"file": ("staff.xlsx", workbook([row(1, phone="12345")]), XLSX)},
            headers={"accept-language": "zh-CN"},
        )

    error = preview.text.split('data-testid="import-error" data-row="2">', 1)[1].split("</tr>", 1)[0]
    assert "手机号" in error


# --- browser ------------------------------------------------------------------------------------


async def test_import_of_200_rows_lists_exactly_the_5_bad_ones_then_imports_195(
    server: RunningServer, page: Page, tmp_path: Path
) -> None:
    tenant = await web_tenant(server)
    upload = tmp_path / "members.xlsx"
    upload.write_bytes(workbook(two_hundred_rows_with_five_bad_ones()))
    await login_page_as(page, server, "admin", tenant.admin_token)
    await page.goto(f"{base_url(server)}/admin/import")
    await screenshot(page, "admin-import")

    await page.get_by_test_id("import-file").set_input_files(str(upload))
    await page.get_by_test_id("import-check").click()
    await page.get_by_test_id("import-counts").wait_for()

    shown = {}
    for line in await page.get_by_test_id("import-error").all():
        cells = await line.locator("td").all_inner_texts()
        shown[int(cells[0])] = (cells[1], cells[2])
    assert sorted(shown) == sorted(BAD_ROWS)
    for number, (column, reason) in BAD_ROWS.items():
        assert shown[number][0] == column
        assert reason.lower() in shown[number][1].lower(), (number, shown[number])
    assert await member_total(server, tenant) == 0  # nothing written by the preview
    await screenshot(page, "admin-import-preview")

    await page.get_by_test_id("import-commit").click()
    await page.get_by_test_id("import-imported").wait_for()

    assert await page.get_by_test_id("import-imported").inner_text() == "195"
    assert await page.get_by_test_id("import-failed").inner_text() == "5"
    assert await member_total(server, tenant) == 195
    await screenshot(page, "admin-import-result")


async def test_import_preview_fits_a_phone(server: RunningServer, phone_page: Page, tmp_path: Path) -> None:
    tenant = await web_tenant(server)
    upload = tmp_path / "members.xlsx"
    upload.write_bytes(workbook([row(1), row(2, account="a-really-long.acct_x", phone="12345"), row(3)]))
    await login_page_as(phone_page, server, "admin", tenant.admin_token)
    await phone_page.goto(f"{base_url(server)}/admin/import")
    upload_fits = await no_horizontal_scroll(phone_page)

    await phone_page.get_by_test_id("import-file").set_input_files(str(upload))
    await phone_page.get_by_test_id("import-check").click()
    await phone_page.get_by_test_id("import-counts").wait_for()

    assert upload_fits and await no_horizontal_scroll(phone_page)
    await screenshot(phone_page, "admin-import-preview-phone")
