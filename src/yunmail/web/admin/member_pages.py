"""Members: the list (search, filters, pages, bulk actions with a per-member outcome), the add form,
and the member page (edit, disable/enable/delete, password reset, unlock).

Rules shown here and enforced by the directory: a member must be disabled before it is deleted
(MEMBER_NOT_DISABLED); a password set by an administrator must be changed at the member's next
login; a generated password is shown once, on the answer to the post itself (never in a URL, never
stored), with ``Cache-Control: no-store``. After a reset the member's web sessions end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from yunmail.auth import Principal
from yunmail.directory import ROLES, STAFF_TYPES, Member, NewMember
from yunmail.errors import InvalidInput, MemberNotDisabled, PasswordTooWeak, YunmailError
from yunmail.security import check_password_policy, new_token
from yunmail.web import deps
from yunmail.web.admin.org_pages import department_options, parse_department_id
from yunmail.web.console import flash_of, redirect, render, text
from yunmail.web.errors import language_of

PAGE = "/admin/members"
PER_PAGE = 50
_BULK_ACTIONS = ("disable", "enable", "delete", "open")
_NO_STORE = {"cache-control": "no-store"}
_GENERATE_ATTEMPTS = 20

STRINGS: Mapping[str, tuple[str, str]] = {
    "admin.members.title": ("Members", "成员"),
    "admin.members.add": ("Add a member", "添加成员"),
    "admin.members.search": ("Name, account, phone or e-mail", "姓名、账号、手机号或邮箱"),
    "admin.members.department": ("Department", "部门"),
    "admin.members.any_department": ("All departments", "全部部门"),
    "admin.members.root": ("(top level)", "（企业根部门）"),
    "admin.members.status": ("Status", "状态"),
    "admin.members.any": ("Any", "全部"),
    "admin.members.status.active": ("Active", "正常"),
    "admin.members.status.disabled": ("Disabled", "已停用"),
    "admin.members.mailbox": ("Mailbox", "邮箱"),
    "admin.members.mailbox.yes": ("Has a mailbox", "已开通邮箱"),
    "admin.members.mailbox.no": ("No mailbox", "未开通邮箱"),
    "admin.members.no_mailbox": ("not opened", "未开通"),
    "admin.members.filter": ("Filter", "筛选"),
    "admin.members.none": ("No member matches.", "没有符合条件的成员。"),
    "admin.members.select_all": ("Select all on this page", "全选本页"),
    "admin.members.select": ("Select", "选择"),
    "admin.members.bulk": ("With the selected members", "对选中的成员"),
    "admin.members.bulk.disable": ("Disable", "停用"),
    "admin.members.bulk.enable": ("Enable", "启用"),
    "admin.members.bulk.delete": ("Delete (disabled ones only)", "删除（仅限已停用）"),
    "admin.members.bulk.open": ("Open mailboxes…", "开通邮箱…"),
    "admin.members.bulk.apply": ("Apply", "执行"),
    "admin.members.bulk.confirm": (
        "Apply this action to the selected members?",
        "确定对选中的成员执行此操作？",
    ),
    "admin.members.bulk.title": ("Outcome for each member", "每个成员的处理结果"),
    "admin.members.bulk.ok": ("Done", "成功"),
    "admin.members.bulk.summary": ("{ok} done, {failed} refused", "成功 {ok} 个，失败 {failed} 个"),
    "admin.members.bulk.none": ("Select at least one member first.", "请先选择至少一个成员。"),
    "admin.members.back": ("Back to the members", "返回成员列表"),
    "admin.members.name": ("Name", "姓名"),
    "admin.members.account": ("Login account", "登录账号"),
    "admin.members.account_hint": (
        "1-20 letters, digits, _ . - ; cannot be changed later. Logs in as account@{org_id}.",
        "1-20 位字母、数字、_ . -，创建后不可修改。登录名为 账号@{org_id}。",
    ),
    "admin.members.password": ("Password", "密码"),
    "admin.members.password_hint": (
        "8-32 characters mixing at least two of digits, upper case, lower case, symbols. The member "
        "must change it at first login. Leave empty: the member logs in by SMS code or after a reset.",
        "8-32 位，至少包含数字、大写字母、小写字母、特殊字符中的两种，成员首次登录须修改。"
        "留空则成员通过短信验证码登录或由管理员重置密码。",
    ),
    "admin.members.policy": (
        "8-32 characters mixing at least two of digits, upper case, lower case, symbols.",
        "8-32 位，至少包含数字、大写字母、小写字母、特殊字符中的两种。",
    ),
    "admin.members.phone": ("Phone", "手机号"),
    "admin.members.contact_email": ("Contact e-mail", "联系邮箱"),
    "admin.members.contact_hint": (
        "A phone or a contact e-mail is required.",
        "手机号与联系邮箱至少填写一项。",
    ),
    "admin.members.role": ("Role (a label only)", "角色（仅为标签）"),
    "admin.members.role.member": ("Member", "成员"),
    "admin.members.role.administrator": ("Administrator", "管理员"),
    "admin.members.staff_type": ("Staff type", "员工类型"),
    "admin.members.staff.regular": ("Regular", "正式"),
    "admin.members.staff.intern": ("Intern", "实习"),
    "admin.members.staff.dispatched": ("Dispatched", "派遣"),
    "admin.members.staff.outsourced": ("Outsourced", "外包"),
    "admin.members.hire_date": ("Hire date", "入职日期"),
    "admin.members.create": ("Add member", "添加成员"),
    "admin.members.details": ("Details", "基本信息"),
    "admin.members.login": ("Logs in as", "登录名"),
    "admin.members.must_change": ("Must change the password at next login", "下次登录须修改密码"),
    "admin.members.open_mailbox": ("Open a mailbox", "开通邮箱"),
    "admin.members.edit": ("Edit", "编辑"),
    "admin.members.state": ("Account status", "账号状态"),
    "admin.members.disable": ("Disable", "停用"),
    "admin.members.enable": ("Enable", "启用"),
    "admin.members.delete": ("Delete", "删除"),
    "admin.members.delete_hint": (
        "Disable the member first; deleting moves its mailbox to the recycle bin for 30 days.",
        "须先停用成员；删除后其邮箱进入回收站保留 30 天。",
    ),
    "admin.members.delete_confirm": ("Delete this member?", "确定删除该成员？"),
    "admin.members.reset": ("Reset the password", "重置密码"),
    "admin.members.reset_new": ("New password", "新密码"),
    "admin.members.reset_set": ("Set this password", "设置此密码"),
    "admin.members.reset_generate": ("Generate a password", "生成随机密码"),
    "admin.members.reset_hint": (
        "The member must change it at the next login; its web sessions end now.",
        "成员下次登录时须修改密码；其已登录的网页会话将立即失效。",
    ),
    "admin.members.generated": (
        "New password (shown only once; give it to the member):",
        "新密码（仅显示这一次，请转交成员）：",
    ),
    "admin.members.lock": ("Login lock", "登录锁定"),
    "admin.members.locked": (
        "Locked after failed logins until {until} (UTC)",
        "因多次登录失败已锁定，至 {until}（UTC）",
    ),
    "admin.members.not_locked": (
        "Not locked ({failures} recent failed attempts)",
        "未锁定（近期失败 {failures} 次）",
    ),
    "admin.members.unlock": ("Unlock", "解锁"),
    "admin.members.done.added": ("The member was added.", "成员已添加。"),
    "admin.members.done.saved": ("The changes were saved.", "修改已保存。"),
    "admin.members.done.disabled": ("The member was disabled.", "成员已停用。"),
    "admin.members.done.enabled": ("The member was enabled.", "成员已启用。"),
    "admin.members.done.deleted": ("The member was deleted.", "成员已删除。"),
    "admin.members.done.password": (
        "The password was reset; the member must change it at the next login.",
        "密码已重置，成员下次登录时须修改。",
    ),
    "admin.members.done.unlocked": ("The account was unlocked.", "账号已解锁。"),
}

_DONE: Mapping[str, str] = {
    "member-added": "admin.members.done.added",
    "member-saved": "admin.members.done.saved",
    "member-disabled": "admin.members.done.disabled",
    "member-enabled": "admin.members.done.enabled",
    "member-deleted": "admin.members.done.deleted",
    "password-reset": "admin.members.done.password",
    "unlocked": "admin.members.done.unlocked",
}

# Which form field a refusal is about, so the page shows the message next to it.
_FIELD_OF_ERROR: Mapping[str, str] = {
    "MEMBER_NAME_INVALID": "name",
    "ACCOUNT_INVALID": "account",
    "ACCOUNT_TAKEN": "account",
    "PHONE_INVALID": "phone",
    "PHONE_TAKEN": "phone",
    "CONTACT_REQUIRED": "phone",
    "CONTACT_EMAIL_INVALID": "contact_email",
    "HIRE_DATE_INVALID": "hire_date",
    "ROLE_INVALID": "role",
    "STAFF_TYPE_INVALID": "staff_type",
    "DEPARTMENT_NOT_FOUND": "department_id",
    "PASSWORD_TOO_SHORT": "password",
    "PASSWORD_TOO_LONG": "password",
    "PASSWORD_TOO_WEAK": "password",
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """One member's result in a bulk action."""

    member_id: int
    name: str
    ok: bool
    message: str


Admin = Annotated[Principal, Depends(deps.administrator)]


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    routes.add_api_route(PAGE, member_list, methods=["GET"])
    routes.add_api_route(f"{PAGE}/bulk", bulk, methods=["POST"])
    routes.add_api_route(f"{PAGE}/new", new_member_form, methods=["GET"])
    routes.add_api_route(f"{PAGE}/new", add_member, methods=["POST"])
    routes.add_api_route(f"{PAGE}/{{member_id:int}}", member_page, methods=["GET"])
    routes.add_api_route(f"{PAGE}/{{member_id:int}}", edit_member, methods=["POST"])
    for action in ("disable", "enable", "delete"):
        routes.add_api_route(f"{PAGE}/{{member_id:int}}/{action}", change_status, methods=["POST"])
    routes.add_api_route(f"{PAGE}/{{member_id:int}}/password", reset_password, methods=["POST"])
    routes.add_api_route(f"{PAGE}/{{member_id:int}}/unlock", unlock, methods=["POST"])
    return routes


# --- list and bulk actions -------------------------------------------------------------------------


async def member_list(
    request: Request,
    principal: Admin,
    q: str = "",
    department: str = "",
    status: str = "",
    mailbox: str = "",
    page: int = 1,
) -> Response:
    services = deps.services_of(request)
    enterprise_id = deps.enterprise_scope(principal)
    filters = {
        "q": q.strip()[:100],
        "department": department if department.isdigit() else "",
        "status": status if status in ("active", "disabled") else "",
        "mailbox": mailbox if mailbox in ("yes", "no") else "",
    }
    page = max(1, page)
    options = department_options(await services.directory.departments.tree(enterprise_id))
    found = await services.directory.members.search(
        enterprise_id,
        filters["q"] or None,
        department_id=int(filters["department"]) if filters["department"] else None,
        include_sub_departments=True,
        status=filters["status"] or None,
        has_mailbox={"yes": True, "no": False}.get(filters["mailbox"]),
        offset=(page - 1) * PER_PAGE,
        limit=PER_PAGE,
    )
    kept = {k: v for k, v in filters.items() if v}

    def page_url(number: int) -> str:
        return f"{PAGE}?{urlencode({**kept, 'page': number})}"

    flash = flash_of(request, _DONE)
    flash_kind = "ok"
    if request.query_params.get("done") == "none-selected":
        flash, flash_kind = text(request, "admin.members.bulk.none"), "warn"
    return render(
        request,
        "admin/members.html",
        {
            "members": found.items,
            "total": found.total,
            "start": found.offset + 1 if found.items else 0,
            "end": found.offset + len(found.items),
            "prev_url": page_url(page - 1) if page > 1 else None,
            "next_url": page_url(page + 1) if found.offset + len(found.items) < found.total else None,
            "filters": filters,
            "options": options,
            "paths": {o.id: o.path for o in options},
            "mailboxes": await mailbox_addresses(request, enterprise_id),
            "flash": flash,
            "flash_kind": flash_kind,
        },
    )


async def bulk(request: Request, principal: Admin) -> Response:
    form = await request.form()
    action = str(form.get("action", ""))
    member_ids = selected_ids(form.getlist("member_id"))
    if not member_ids:
        return redirect(f"{PAGE}?done=none-selected")
    if action not in _BULK_ACTIONS:
        raise InvalidInput(detail="action")
    if action == "open":
        return redirect(f"{PAGE}/batch-open?{urlencode([('member', i) for i in member_ids])}")
    services = deps.services_of(request)
    enterprise_id = deps.enterprise_scope(principal)
    actor = deps.actor_of(principal, request)
    lang = language_of(request)
    members = services.directory.members
    outcomes: list[Outcome] = []
    for member_id in member_ids:
        name = f"#{member_id}"
        try:
            member = await members.get(enterprise_id, member_id)
            name = member.name
            if action == "disable":
                await members.disable(enterprise_id, member_id, actor)
            elif action == "enable":
                await members.enable(enterprise_id, member_id, actor)
            else:
                await members.delete(enterprise_id, member_id, actor)
        except YunmailError as error:
            outcomes.append(Outcome(member_id, name, False, error.text(lang)))
        else:
            outcomes.append(Outcome(member_id, name, True, text(request, "admin.members.bulk.ok")))
    ok = sum(1 for o in outcomes if o.ok)
    return render(
        request,
        "admin/members_bulk.html",
        {
            "action": action,
            "outcomes": outcomes,
            "summary": text(request, "admin.members.bulk.summary", ok=ok, failed=len(outcomes) - ok),
        },
    )


# --- add -------------------------------------------------------------------------------------------


async def new_member_form(request: Request, principal: Admin) -> Response:
    return await _member_form(request, principal, {"role": "member", "staff_type": "regular"})


async def add_member(request: Request, principal: Admin) -> Response:
    form = await _text_fields(request)
    enterprise_id = deps.enterprise_scope(principal)
    try:
        new = NewMember(
            name=form.get("name", ""),
            account=form.get("account", ""),
            password=form.get("password") or None,
            phone=form.get("phone") or None,
            contact_email=form.get("contact_email") or None,
            department_id=parse_department_id(form.get("department_id", "")),
            role=form.get("role", "member"),
            staff_type=form.get("staff_type", "regular"),
            hire_date=form.get("hire_date") or None,
        )
        member = await deps.services_of(request).directory.members.add(
            enterprise_id, new, deps.actor_of(principal, request)
        )
    except YunmailError as error:
        form.pop("password", None)  # never echo a password back into the page
        return await _member_form(request, principal, form, error=error)
    return redirect(f"{PAGE}/{member.id}?done=member-added")


async def _member_form(
    request: Request, principal: Principal, form: Mapping[str, str], *, error: YunmailError | None = None
) -> Response:
    enterprise_id = deps.enterprise_scope(principal)
    services = deps.services_of(request)
    tree = await services.directory.departments.tree(enterprise_id)
    enterprise = await services.directory.enterprises.get(enterprise_id)
    return render(
        request,
        "admin/member_form.html",
        {
            "form": form,
            "options": department_options(tree),
            "roles": ROLES,
            "staff_types": STAFF_TYPES,
            "org_id": enterprise.org_id,
            **_error_context(request, error),
        },
        status_code=error.http_status if error is not None else 200,
    )


# --- one member ------------------------------------------------------------------------------------


async def member_page(request: Request, principal: Admin, member_id: int) -> Response:
    return await _detail(request, principal, member_id, flash=flash_of(request, _DONE))


async def edit_member(request: Request, principal: Admin, member_id: int) -> Response:
    form = await _text_fields(request)
    enterprise_id = deps.enterprise_scope(principal)
    try:
        await deps.services_of(request).directory.members.update(
            enterprise_id,
            member_id,
            deps.actor_of(principal, request),
            name=form.get("name", ""),
            department_id=parse_department_id(form.get("department_id", "")),
            phone=form.get("phone", ""),
            contact_email=form.get("contact_email", ""),
            role=form.get("role", "member"),
            staff_type=form.get("staff_type", "regular"),
            hire_date=form.get("hire_date", ""),
        )
    except YunmailError as error:
        return await _detail(request, principal, member_id, error=error, form=form)
    return redirect(f"{PAGE}/{member_id}?done=member-saved")


async def change_status(request: Request, principal: Admin, member_id: int) -> Response:
    action = request.url.path.rsplit("/", 1)[1]
    enterprise_id = deps.enterprise_scope(principal)
    members = deps.services_of(request).directory.members
    actor = deps.actor_of(principal, request)
    try:
        if action == "disable":
            await members.disable(enterprise_id, member_id, actor)
        elif action == "enable":
            await members.enable(enterprise_id, member_id, actor)
        else:
            await members.delete(enterprise_id, member_id, actor)
    except MemberNotDisabled as error:
        return await _detail(request, principal, member_id, error=error)
    if action == "delete":
        return redirect(f"{PAGE}?done=member-deleted")
    return redirect(f"{PAGE}/{member_id}?done=member-{action}d")


async def reset_password(
    request: Request,
    principal: Admin,
    member_id: int,
    password: Annotated[str, Form()] = "",
    generate: Annotated[str, Form()] = "",
) -> Response:
    services = deps.services_of(request)
    enterprise_id = deps.enterprise_scope(principal)
    chosen = new_password() if generate else password
    try:
        await services.directory.members.reset_password(
            enterprise_id, member_id, chosen, deps.actor_of(principal, request)
        )
    except YunmailError as error:
        return await _detail(request, principal, member_id, error=error)
    await services.auth.sessions.revoke_all(enterprise_id, member_id)
    if not generate:
        return redirect(f"{PAGE}/{member_id}?done=password-reset")
    response = await _detail(
        request,
        principal,
        member_id,
        flash=text(request, "admin.members.done.password"),
        generated=chosen,
    )
    response.headers.update(_NO_STORE)
    return response


async def unlock(request: Request, principal: Admin, member_id: int) -> Response:
    enterprise_id = deps.enterprise_scope(principal)
    await deps.services_of(request).auth.login.unlock(
        enterprise_id, member_id, actor=deps.actor_of(principal, request)
    )
    return redirect(f"{PAGE}/{member_id}?done=unlocked")


async def _detail(
    request: Request,
    principal: Principal,
    member_id: int,
    *,
    flash: str | None = None,
    error: YunmailError | None = None,
    form: Mapping[str, str] | None = None,
    generated: str | None = None,
) -> Response:
    services = deps.services_of(request)
    enterprise_id = deps.enterprise_scope(principal)
    member = await services.directory.members.get(enterprise_id, member_id)
    tree = await services.directory.departments.tree(enterprise_id)
    enterprise = await services.directory.enterprises.get(enterprise_id)
    lock = await services.auth.login.lock_status(enterprise_id, member_id)
    mailbox = (await mailbox_addresses(request, enterprise_id)).get(member_id)
    options = department_options(tree)
    return render(
        request,
        "admin/member_detail.html",
        {
            "member": member,
            "form": form if form is not None else _fields_of(member),
            "options": options,
            "department_path": {o.id: o.path for o in options}.get(member.department_id or 0, ""),
            "roles": ROLES,
            "staff_types": STAFF_TYPES,
            "org_id": enterprise.org_id,
            "mailbox": mailbox,
            "lock": lock,
            "locked_until": lock.locked_until.strftime("%Y-%m-%d %H:%M") if lock.locked_until else "",
            "generated": generated,
            "flash": flash,
            **_error_context(request, error),
        },
        status_code=error.http_status if error is not None else 200,
    )


# --- helpers ---------------------------------------------------------------------------------------


def new_password() -> str:
    """A random password that passes the policy (16 URL-safe characters, mixed case and digits)."""
    for _ in range(_GENERATE_ATTEMPTS):
        candidate = new_token(12)
        try:
            check_password_policy(candidate)
        except YunmailError:
            continue
        return candidate
    raise PasswordTooWeak()  # 20 draws without two character classes: practically impossible


async def mailbox_addresses(request: Request, enterprise_id: int) -> dict[int, str]:
    """Open personal mailboxes by member id (display form of the address)."""
    mailboxes = await deps.services_of(request).directory.mailboxes.list_mailboxes(
        enterprise_id, status="open", kind="personal"
    )
    return {m.member_id: m.display_address for m in mailboxes if m.member_id is not None}


async def _text_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v.strip() if k != "password" else v for k, v in form.items() if isinstance(v, str)}


def _fields_of(member: Member) -> dict[str, str]:
    return {
        "name": member.name,
        "department_id": str(member.department_id or ""),
        "phone": member.phone or "",
        "contact_email": member.contact_email or "",
        "role": member.role,
        "staff_type": member.staff_type,
        "hire_date": member.hire_date.isoformat() if isinstance(member.hire_date, dt.date) else "",
    }


def _error_context(request: Request, error: YunmailError | None) -> dict[str, Any]:
    if error is None:
        return {"error": None, "error_code": None, "error_field": None}
    return {
        "error": error.text(language_of(request)),
        "error_code": error.code,
        "error_field": _FIELD_OF_ERROR.get(error.code),
    }


def selected_ids(values: Sequence[object]) -> list[int]:
    """Member ids from repeated form or query values; anything not a number is ignored."""
    return list(dict.fromkeys(int(v) for v in values if isinstance(v, str) and v.strip().isdigit()))
