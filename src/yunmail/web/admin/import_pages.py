"""Batch import of members from Excel (template download, upload, preview, import) and batch opening
of mailboxes for selected members (choose a domain, confirm each pinyin address, open).

Import in two steps, nothing written before the second (PRODUCT §3):

1. the upload is previewed (``ExcelImport.preview``): every bad row with its row number, column and
   reason in the page's language, the rows superseded by a later row of the same account, the
   departments that would be created;
2. "Import" commits (``ExcelImport.commit``), which checks the file again and writes the valid rows.

Between the two steps the file travels back with the preview page, base64 in hidden fields, rather
than being kept on the server: this module may not keep storage of its own, any node of a scale-out
deployment can answer the second post, nothing is left behind when the administrator walks away,
and a tampered file gains nothing because the commit validates it again exactly as an upload. The
base64 is split into fields of ``_CHUNK`` characters because the form parser refuses a single field
over 1 MB (an import file may be up to the service's limit, 10 MB by default).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Request, UploadFile
from starlette.responses import Response

from yunmail.auth import Principal
from yunmail.directory import RowError, template_xlsx
from yunmail.errors import ImportFileInvalid, InvalidInput, YunmailError
from yunmail.web import deps
from yunmail.web.admin.member_pages import mailbox_addresses, selected_ids
from yunmail.web.console import render, text
from yunmail.web.errors import language_of

PAGE = "/admin/import"
BATCH_OPEN = "/admin/members/batch-open"
TEMPLATE_NAME = "yunmail-members-template.xlsx"
_CHUNK = 512 * 1024  # characters of base64 per hidden field (the form parser's limit is 1 MB)
_PREVIEW_ROWS = 200  # valid rows listed on the preview page (all errors are always listed)
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

STRINGS: Mapping[str, tuple[str, str]] = {
    "admin.import.title": ("Import members from Excel", "从 Excel 批量导入成员"),
    "admin.import.steps": (
        "Download the template, fill in one member per row, upload it. You will see every problem "
        "before anything is imported.",
        "下载模板，每行填写一个成员，然后上传。导入前会先列出所有有问题的行。",
    ),
    "admin.import.template": ("Download the template (.xlsx)", "下载导入模板（.xlsx）"),
    "admin.import.file": ("Excel file (.xlsx or .xls)", "Excel 文件（.xlsx 或 .xls）"),
    "admin.import.upload": ("Check the file", "检查文件"),
    "admin.import.no_file": ("Choose a file to upload", "请选择要上传的文件"),
    "admin.import.preview": ("Check before importing", "导入前检查"),
    "admin.import.file_name": ("File: {name}", "文件：{name}"),
    "admin.import.counts": (
        "{total} rows: {valid} ready to import, {bad} with problems, {superseded} replaced by a later row",
        "共 {total} 行：{valid} 行可导入，{bad} 行有问题，{superseded} 行被后面的同账号行取代",
    ),
    "admin.import.errors": ("Rows that will not be imported", "不会导入的行"),
    "admin.import.no_errors": ("Every row is valid.", "所有行均有效。"),
    "admin.import.row": ("Row", "行号"),
    "admin.import.column": ("Column", "列"),
    "admin.import.reason": ("Reason", "原因"),
    "admin.import.superseded": (
        "Repeated accounts (the last row wins)",
        "重复的账号（以最后一行为准）",
    ),
    "admin.import.by_row": ("Replaced by row", "被该行取代"),
    "admin.import.new_departments": ("Departments that will be created", "将自动创建的部门"),
    "admin.import.valid": ("Rows ready to import", "可导入的行"),
    "admin.import.more_rows": ("… and {count} more", "… 以及另外 {count} 行"),
    "admin.import.commit": ("Import {count} members", "导入 {count} 个成员"),
    "admin.import.nothing": (
        "No row can be imported; fix the file and upload it again.",
        "没有可导入的行，请修改文件后重新上传。",
    ),
    "admin.import.again": ("Upload another file", "重新上传文件"),
    "admin.import.result": ("Import finished", "导入完成"),
    "admin.import.imported": ("Imported", "已导入"),
    "admin.import.failed": ("Not imported (rows with problems)", "未导入（有问题的行）"),
    "admin.import.mailboxes": ("Mailboxes opened", "已开通邮箱"),
    "admin.import.departments": ("Departments created", "新建部门"),
    "admin.import.see_members": ("See the members", "查看成员"),
    "admin.import.col.row": ("(whole row)", "（整行）"),
    "admin.import.col.name": ("Name", "姓名"),
    "admin.import.col.account": ("Account", "账号"),
    "admin.import.col.password": ("Password", "密码"),
    "admin.import.col.phone": ("Phone", "手机号"),
    "admin.import.col.email": ("E-mail", "联系邮箱"),
    "admin.import.col.role": ("Role", "角色"),
    "admin.import.col.department": ("Department path", "部门路径"),
    "admin.import.col.staff_type": ("Staff type", "员工类型"),
    "admin.import.col.hire_date": ("Hire date", "入职日期"),
    "admin.import.col.mailbox": ("Enterprise mailbox", "企业邮箱"),
    "admin.batch.title": ("Open mailboxes", "批量开通邮箱"),
    "admin.batch.members": ("{count} members selected", "已选择 {count} 个成员"),
    "admin.batch.none": (
        "No member selected: select members in the member list first.",
        "未选择成员：请先在成员列表中勾选。",
    ),
    "admin.batch.domain": ("Domain", "域名"),
    "admin.batch.no_domain": ("Add a domain first.", "请先添加域名。"),
    "admin.batch.choose": ("Continue", "下一步"),
    "admin.batch.confirm": (
        "Each address is the member's name in pinyin; change any of them before opening.",
        "默认地址为成员姓名的拼音，开通前可逐个修改。",
    ),
    "admin.batch.address": ("Address", "邮箱地址"),
    "admin.batch.has_mailbox": ("Already has {address}", "已有邮箱 {address}"),
    "admin.batch.open": ("Open the mailboxes", "开通邮箱"),
    "admin.batch.result": ("Mailboxes opened", "邮箱开通结果"),
    "admin.batch.summary": ("{ok} opened, {failed} refused", "成功 {ok} 个，失败 {failed} 个"),
    "admin.batch.outcome": ("Outcome", "结果"),
    "admin.batch.opened": ("Opened", "已开通"),
}


@dataclass(frozen=True, slots=True)
class ShownError:
    """A row error as the page shows it: column label and reason in the page's language."""

    row: int
    column: str
    reason: str
    account: str


@dataclass(frozen=True, slots=True)
class BatchRow:
    """A member in the batch-open confirmation (``existing``: it already has a mailbox)."""

    member_id: int
    name: str
    account: str
    local_part: str
    existing: str | None


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    member_id: int
    name: str
    ok: bool
    address: str
    message: str


Admin = Annotated[Principal, Depends(deps.administrator)]


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    routes.add_api_route(PAGE, import_page, methods=["GET"])
    routes.add_api_route(f"{PAGE}/template.xlsx", download_template, methods=["GET"])
    routes.add_api_route(f"{PAGE}/preview", preview, methods=["POST"])
    routes.add_api_route(f"{PAGE}/commit", commit, methods=["POST"])
    routes.add_api_route(BATCH_OPEN, batch_open_page, methods=["GET"])
    routes.add_api_route(BATCH_OPEN, batch_open, methods=["POST"])
    return routes


# --- import ----------------------------------------------------------------------------------------


async def import_page(request: Request, principal: Admin) -> Response:
    return render(request, "admin/import.html", {"error": None})


async def download_template(request: Request, principal: Admin) -> Response:
    data = await asyncio.to_thread(template_xlsx)
    return Response(
        data,
        media_type=_XLSX,
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(TEMPLATE_NAME)}"},
    )


async def preview(
    request: Request, principal: Admin, file: Annotated[UploadFile | None, File()] = None
) -> Response:
    services = deps.services_of(request)
    enterprise_id = deps.enterprise_scope(principal)
    imports = services.directory.imports
    if file is None or not file.filename:
        return _upload_error(request, InvalidInput(detail=text(request, "admin.import.no_file")))
    # One byte over the limit is enough for the service to refuse the size (never read more).
    data = await file.read(imports.limits.max_bytes + 1)
    filename = file.filename
    try:
        result = await imports.preview(enterprise_id, data, filename)
    except YunmailError as error:
        return _upload_error(request, error)
    encoded = base64.b64encode(data).decode("ascii")
    return render(
        request,
        "admin/import_preview.html",
        {
            "preview": result,
            "errors": [_shown(request, e) for e in result.errors],
            "bad_rows": len(result.error_rows),
            "valid_rows": result.valid[:_PREVIEW_ROWS],
            "more_rows": max(0, len(result.valid) - _PREVIEW_ROWS),
            "chunks": [encoded[i : i + _CHUNK] for i in range(0, len(encoded), _CHUNK)],
            "filename": filename,
        },
    )


async def commit(request: Request, principal: Admin) -> Response:
    services = deps.services_of(request)
    enterprise_id = deps.enterprise_scope(principal)
    form = await request.form()
    filename = str(form.get("filename", "")) or "import.xlsx"
    encoded = "".join(v for v in form.getlist("data") if isinstance(v, str))
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return _upload_error(request, ImportFileInvalid(filename=filename))
    try:
        result = await services.directory.imports.commit(
            enterprise_id, data, filename, deps.actor_of(principal, request)
        )
    except YunmailError as error:
        return _upload_error(request, error)
    return render(
        request,
        "admin/import_result.html",
        {
            "result": result,
            "failed_rows": len({e.row for e in result.errors}),
            "errors": [_shown(request, e) for e in result.errors],
        },
    )


def _upload_error(request: Request, error: YunmailError) -> Response:
    return render(
        request,
        "admin/import.html",
        {"error": error.text(language_of(request)), "error_code": error.code},
        status_code=error.http_status,
    )


def _shown(request: Request, error: RowError) -> ShownError:
    lang = language_of(request)
    column = text(request, f"admin.import.col.{error.column or 'row'}")
    return ShownError(
        error.row, column, error.message_zh if lang == "zh" else error.message_en, error.account
    )


# --- batch open ------------------------------------------------------------------------------------


async def batch_open_page(request: Request, principal: Admin, domain: str = "") -> Response:
    services = deps.services_of(request)
    enterprise_id = deps.enterprise_scope(principal)
    member_ids = selected_ids(request.query_params.getlist("member"))
    domains = await services.domains.list_domains(enterprise_id)
    chosen = next((d for d in domains if str(d.id) == domain.strip()), None)
    if chosen is None and len(domains) == 1:
        chosen = domains[0]
    mailboxes = await mailbox_addresses(request, enterprise_id)
    rows: list[BatchRow] = []
    for member_id in member_ids:
        member = await services.directory.members.get(enterprise_id, member_id)
        local = ""
        if chosen is not None and member_id not in mailboxes:
            suggestion = await services.directory.mailboxes.suggest_address(
                enterprise_id, member_id, chosen.id
            )
            local = suggestion.address.partition("@")[0]
        rows.append(BatchRow(member_id, member.name, member.account, local, mailboxes.get(member_id)))
    return render(
        request,
        "admin/batch_open.html",
        {"rows": rows, "domains": domains, "domain": chosen, "member_ids": member_ids},
    )


async def batch_open(request: Request, principal: Admin) -> Response:
    services = deps.services_of(request)
    enterprise_id = deps.enterprise_scope(principal)
    form = await request.form()
    domain_text = str(form.get("domain_id", "")).strip()
    if not domain_text.isdigit():
        raise InvalidInput(detail="domain_id")
    domain = await services.domains.get(enterprise_id, int(domain_text))
    actor = deps.actor_of(principal, request)
    lang = language_of(request)
    outcomes: list[BatchOutcome] = []
    for member_id in selected_ids(form.getlist("member")):
        local = str(form.get(f"local_{member_id}", "")).strip()
        name = f"#{member_id}"
        try:
            member = await services.directory.members.get(enterprise_id, member_id)
            name = member.name
            mailbox = await services.directory.mailboxes.open(
                enterprise_id, member_id, domain.id, actor, local_part=local or None
            )
        except YunmailError as error:
            address = f"{local}@{domain.display_name}" if local else ""
            outcomes.append(BatchOutcome(member_id, name, False, address, error.text(lang)))
        else:
            opened = text(request, "admin.batch.opened")
            outcomes.append(BatchOutcome(member_id, name, True, mailbox.display_address, opened))
    ok = sum(1 for o in outcomes if o.ok)
    return render(
        request,
        "admin/batch_open_result.html",
        {
            "outcomes": outcomes,
            "summary": text(request, "admin.batch.summary", ok=ok, failed=len(outcomes) - ok),
        },
    )
