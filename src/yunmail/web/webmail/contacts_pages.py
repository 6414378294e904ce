"""Enterprise address book and personal contacts (``/contacts``), with vCard/CSV import and export."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.responses import RedirectResponse, Response

from yunmail.auth import Principal
from yunmail.directory import ContactDraft, DepartmentNode
from yunmail.directory.contacts import MAX_IMPORT_BYTES
from yunmail.errors import TooLarge, YunmailError
from yunmail.web import deps

STRINGS: Mapping[str, tuple[str, str]] = {
    "webmail.contacts.title": ("Contacts", "通讯录"),
    "webmail.contacts.enterprise": ("Company address book", "企业通讯录"),
    "webmail.contacts.personal": ("My contacts", "个人通讯录"),
    "webmail.contacts.search": ("Search name, department or address", "搜索姓名、部门或邮箱"),
    "webmail.contacts.all_departments": ("All departments", "全部部门"),
    "webmail.contacts.name": ("Name", "姓名"),
    "webmail.contacts.department": ("Department", "部门"),
    "webmail.contacts.email": ("E-mail", "邮箱"),
    "webmail.contacts.phone": ("Phone", "电话"),
    "webmail.contacts.company": ("Company", "公司"),
    "webmail.contacts.note": ("Note", "备注"),
    "webmail.contacts.write": ("Write", "写信"),
    "webmail.contacts.add": ("Add contact", "添加联系人"),
    "webmail.contacts.added": ("Contact added.", "联系人已添加。"),
    "webmail.contacts.deleted": ("Contact deleted.", "联系人已删除。"),
    "webmail.contacts.import": ("Import vCard or CSV", "导入 vCard 或 CSV"),
    "webmail.contacts.imported": ("Imported {added} contacts.", "已导入 {added} 个联系人。"),
    "webmail.contacts.skipped": ("Entry {n} skipped: {reason}", "第 {n} 条已跳过：{reason}"),
    "webmail.contacts.export_vcf": ("Export vCard", "导出 vCard"),
    "webmail.contacts.export_csv": ("Export CSV", "导出 CSV"),
    "webmail.contacts.none": ("Nobody found.", "未找到联系人。"),
}


@dataclass(frozen=True, slots=True)
class Colleague:
    name: str
    department: str
    address: str


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    routes.add_api_route("/contacts", contacts_page, methods=["GET"])
    routes.add_api_route("/contacts/personal", add_contact, methods=["POST"])
    routes.add_api_route("/contacts/personal/{contact_id}/delete", delete_contact, methods=["POST"])
    routes.add_api_route("/contacts/import", import_contacts, methods=["POST"])
    routes.add_api_route("/contacts/export.vcf", export_vcard, methods=["GET"])
    routes.add_api_route("/contacts/export.csv", export_csv, methods=["GET"])
    return routes


def _ids(principal: Principal) -> tuple[int, int]:
    assert principal.enterprise_id is not None and principal.member_id is not None
    return principal.enterprise_id, principal.member_id


def _department_names(nodes: Iterable[DepartmentNode], prefix: str = "") -> dict[int, str]:
    names: dict[int, str] = {}
    for node in nodes:
        path = f"{prefix}/{node.department.name}" if prefix else node.department.name
        names[node.department.id] = path
        names.update(_department_names(node.children, path))
    return names


async def _colleagues(
    request: Request, enterprise_id: int, term: str, department_id: int | None
) -> list[Colleague]:
    directory = deps.services_of(request).directory
    departments = _department_names(await directory.departments.tree(enterprise_id))
    page = await directory.members.search(
        enterprise_id, term or None, department_id=department_id, status="active", has_mailbox=True, limit=200
    )
    mailboxes = await directory.mailboxes.list_mailboxes(enterprise_id, status="open", kind="personal")
    addresses = {m.member_id: m.display_address for m in mailboxes if m.member_id is not None}
    return [
        Colleague(m.name, departments.get(m.department_id or 0, ""), addresses[m.id])
        for m in page.items
        if m.id in addresses
    ]


async def _page(
    request: Request, principal: Principal, extra: dict[str, Any] | None = None, status: int = 200
) -> Response:
    enterprise_id, member_id = _ids(principal)
    directory = deps.services_of(request).directory
    query = request.query_params
    term = query.get("q", "").strip()
    department = query.get("department", "")
    department_id = int(department) if department.isdigit() else None
    context: dict[str, Any] = {
        "q": term,
        "department_id": department_id,
        "departments": sorted(
            _department_names(await directory.departments.tree(enterprise_id)).items(),
            key=lambda item: item[1],
        ),
        "colleagues": await _colleagues(request, enterprise_id, term, department_id),
        "personal": await directory.contacts.list(enterprise_id, member_id, term or None),
        "done": {"added": "webmail.contacts.added", "deleted": "webmail.contacts.deleted"}.get(
            query.get("done", "")
        ),
        **(extra or {}),
    }
    pages = request.app.state.pages
    response = pages.render(request, "webmail/contacts.html", context, status_code=status)
    assert isinstance(response, Response)
    return response


async def contacts_page(request: Request, principal: Principal = Depends(deps.member)) -> Response:
    return await _page(request, principal)


async def add_contact(
    request: Request,
    name: str = Form(""),
    email: str = Form(""),
    phone: str = Form(""),
    company: str = Form(""),
    note: str = Form(""),
    principal: Principal = Depends(deps.member),
) -> Response:
    enterprise_id, member_id = _ids(principal)
    try:
        await deps.services_of(request).directory.contacts.add(
            enterprise_id,
            member_id,
            ContactDraft(name, email or None, phone or None, company or None, note or None),
        )
    except YunmailError as exc:
        return await _page(request, principal, {"error": exc.text(deps.language(request))}, exc.http_status)
    return RedirectResponse("/contacts?done=added#personal", status_code=303)


async def delete_contact(
    request: Request, contact_id: int, principal: Principal = Depends(deps.member)
) -> Response:
    enterprise_id, member_id = _ids(principal)
    await deps.services_of(request).directory.contacts.delete(enterprise_id, member_id, contact_id)
    return RedirectResponse("/contacts?done=deleted#personal", status_code=303)


async def import_contacts(
    request: Request, file: UploadFile = File(...), principal: Principal = Depends(deps.member)
) -> Response:
    enterprise_id, member_id = _ids(principal)
    data = await file.read(MAX_IMPORT_BYTES + 1)
    try:
        if len(data) > MAX_IMPORT_BYTES:
            raise TooLarge()
        report = await deps.services_of(request).directory.contacts.import_file(
            enterprise_id, member_id, data, file.filename or ""
        )
    except YunmailError as exc:
        return await _page(request, principal, {"error": exc.text(deps.language(request))}, exc.http_status)
    return await _page(request, principal, {"imported": report})


async def export_vcard(request: Request, principal: Principal = Depends(deps.member)) -> Response:
    enterprise_id, member_id = _ids(principal)
    data = await deps.services_of(request).directory.contacts.export_vcard(enterprise_id, member_id)
    return Response(
        data,
        media_type="text/vcard; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="contacts.vcf"'},
    )


async def export_csv(request: Request, principal: Principal = Depends(deps.member)) -> Response:
    enterprise_id, member_id = _ids(principal)
    data = await deps.services_of(request).directory.contacts.export_csv(enterprise_id, member_id)
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="contacts.csv"'},
    )
