"""Enterprise settings (sending limits, client-password policy) and the audit log.

* ``/admin/settings`` — the sending limits an administrator may lower (never raise above the
  platform's limits, the operator's ceiling: ENTERPRISE_SETTING_ABOVE_CEILING; an empty field
  means the platform default) and whether mail programs must use client passwords. The
  enterprise-wide outbound ceiling is the operator's and only shown. A value already stored above
  the ceiling (set by the operator) may be kept, just not raised.
* ``/admin/audit`` — who did what, when and from where, newest first, 50 entries a page.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from yunmail.auth import Principal
from yunmail.directory import AuditEntry
from yunmail.errors import EnterpriseSettingAboveCeiling, EnterpriseSettingInvalid, YunmailError
from yunmail.web import deps
from yunmail.web.errors import language_of
from yunmail.web.templating import Pages

# Admin-editable limit -> the field of the platform's SendingLimits that caps it.
LIMIT_FIELDS: Mapping[str, str] = {
    "daily_send_limit": "daily_limit",
    "burst_send_limit": "burst_limit",
    "max_recipients": "max_recipients",
    "shared_daily_send_limit": "shared_daily_limit",
}
CLIENT_PASSWORDS = "require_client_passwords"
AUDIT_PAGE_SIZE = 50

STRINGS: Mapping[str, tuple[str, str]] = {
    "admin.settings.title": ("Enterprise settings", "企业设置"),
    "admin.settings.limits": ("Sending limits", "发信限制"),
    "admin.settings.limits.help": (
        "You may lower the platform's limits for your enterprise, not raise them. Leave a field empty "
        "to use the platform default.",
        "您可以为本企业调低平台限制，但不能超过平台上限。留空表示使用平台默认值。",
    ),
    "admin.settings.daily_send_limit": ("Messages per member per day", "每位成员每天发信数"),
    "admin.settings.burst_send_limit": ("Messages per member per 15 minutes", "每位成员每 15 分钟发信数"),
    "admin.settings.max_recipients": (
        "Recipients per message (To + Cc + Bcc)",
        "每封邮件收件人数（收件人+抄送+密送）",
    ),
    "admin.settings.shared_daily_send_limit": (
        "Messages per shared mailbox per day",
        "每个公共邮箱每天发信数",
    ),
    "admin.settings.ceiling": ("platform limit {ceiling}", "平台上限 {ceiling}"),
    "admin.settings.in_force": ("in force: {value}", "当前生效：{value}"),
    "admin.settings.outbound": (
        "Whole enterprise, per day (set by the platform operator)",
        "全企业每天发信总量（由平台运营方设置）",
    ),
    "admin.settings.clients": ("Mail programs", "邮件客户端"),
    "admin.settings.require_client_passwords": (
        "Require client passwords for Outlook, Foxmail, phone mail apps and other mail programs",
        "Outlook、Foxmail、手机邮件应用等客户端必须使用客户端专用密码",
    ),
    "admin.settings.require_client_passwords.help": (
        "Members then create a separate random password for each program in webmail settings; "
        "their login password works only on the web.",
        "开启后，成员需在网页邮箱设置中为每个客户端生成单独的随机密码，登录密码仅可用于网页登录。",
    ),
    "admin.settings.saved": ("Settings saved.", "设置已保存。"),
    "admin.audit.title": ("Audit log", "操作日志"),
    "admin.audit.none": ("Nothing recorded yet.", "暂无记录。"),
    "admin.audit.col.when": ("When", "时间"),
    "admin.audit.col.who": ("Who", "操作人"),
    "admin.audit.col.where": ("From", "来源地址"),
    "admin.audit.col.what": ("What", "操作"),
    "admin.audit.page": ("Page {page}", "第 {page} 页"),
    "admin.audit.newer": ("Newer", "较新"),
    "admin.audit.older": ("Older", "较早"),
    "admin.audit.action.administrator.accept": ("Accepted an administrator invitation", "接受管理员邀请"),
    "admin.audit.action.administrator.create": ("Created an administrator", "创建管理员"),
    "admin.audit.action.administrator.disable": ("Disabled an administrator", "停用管理员"),
    "admin.audit.action.administrator.enable": ("Enabled an administrator", "启用管理员"),
    "admin.audit.action.administrator.invite": ("Invited an administrator", "邀请管理员"),
    "admin.audit.action.administrator.reinvite": ("Invited an administrator again", "重新邀请管理员"),
    "admin.audit.action.administrator.remove": ("Removed an administrator", "删除管理员"),
    "admin.audit.action.administrator.revoke": ("Revoked an invitation", "撤销邀请"),
    "admin.audit.action.alias.add": ("Added an alias", "添加别名"),
    "admin.audit.action.alias.remove": ("Removed an alias", "删除别名"),
    "admin.audit.action.api_token.create": ("Created an API token", "创建 API 令牌"),
    "admin.audit.action.api_token.revoke": ("Revoked an API token", "撤销 API 令牌"),
    "admin.audit.action.department.create": ("Created a department", "创建部门"),
    "admin.audit.action.department.delete": ("Deleted a department", "删除部门"),
    "admin.audit.action.department.move": ("Moved a department", "移动部门"),
    "admin.audit.action.department.rename": ("Renamed a department", "重命名部门"),
    "admin.audit.action.domain.add": ("Added a domain", "添加域名"),
    "admin.audit.action.domain.mode": ("Changed a domain's verification", "更改域名验证方式"),
    "admin.audit.action.domain.remove": ("Removed a domain", "删除域名"),
    "admin.audit.action.domain.state": ("Domain state changed", "域名状态变更"),
    "admin.audit.action.enterprise.create": ("Created the enterprise", "创建企业"),
    "admin.audit.action.enterprise.seats": ("Changed the seats", "更改席位数"),
    "admin.audit.action.enterprise.settings": ("Changed enterprise settings", "修改企业设置"),
    "admin.audit.action.group.add_address": ("Added an address to a group", "邮件组添加地址"),
    "admin.audit.action.group.add_member": ("Added a member to a group", "邮件组添加成员"),
    "admin.audit.action.group.create": ("Created a group", "创建邮件组"),
    "admin.audit.action.group.delete": ("Deleted a group", "删除邮件组"),
    "admin.audit.action.group.remove_address": ("Removed an address from a group", "邮件组移除地址"),
    "admin.audit.action.group.remove_member": ("Removed a member from a group", "邮件组移除成员"),
    "admin.audit.action.mailbox.close": ("Closed a mailbox", "关闭邮箱"),
    "admin.audit.action.mailbox.open": ("Opened a mailbox", "开通邮箱"),
    "admin.audit.action.mailbox.purge": ("Purged a mailbox", "彻底删除邮箱"),
    "admin.audit.action.mailbox.quota": ("Changed a mailbox quota", "修改邮箱容量"),
    "admin.audit.action.mailbox.restore": ("Restored a mailbox", "恢复邮箱"),
    "admin.audit.action.member.add": ("Added a member", "添加成员"),
    "admin.audit.action.member.delete": ("Deleted a member", "删除成员"),
    "admin.audit.action.member.disable": ("Disabled a member", "停用成员"),
    "admin.audit.action.member.enable": ("Enabled a member", "启用成员"),
    "admin.audit.action.member.import": ("Imported members", "批量导入成员"),
    "admin.audit.action.member.update": ("Changed a member", "修改成员信息"),
    "admin.audit.action.shared_mailbox.add_member": (
        "Added a member to a shared mailbox",
        "公共邮箱添加成员",
    ),
    "admin.audit.action.shared_mailbox.create": ("Created a shared mailbox", "创建公共邮箱"),
    "admin.audit.action.shared_mailbox.remove_member": (
        "Removed a member from a shared mailbox",
        "公共邮箱移除成员",
    ),
    "admin.audit.action.totp.enable": ("Turned on two-step verification", "开启两步验证"),
    "admin.audit.action.totp.disable": ("Turned off two-step verification", "关闭两步验证"),
}


@dataclass(frozen=True, slots=True)
class LimitField:
    key: str
    value: str  # as typed / stored ("" = platform default)
    ceiling: int
    in_force: int


@dataclass(frozen=True, slots=True)
class AuditRow:
    entry: AuditEntry
    who: str
    where: str
    what: str  # the action in words (the code itself when there are none)


def router() -> APIRouter:
    r = APIRouter(include_in_schema=False)
    admin = Depends(deps.administrator)

    @r.get("/admin/settings")
    async def settings(request: Request, principal: Principal = admin) -> Response:
        return await _settings_page(request, principal)

    @r.post("/admin/settings")
    async def save_settings(request: Request, principal: Principal = admin) -> Response:
        form = await request.form()
        services = deps.services_of(request)
        scope = deps.enterprise_scope(principal)
        try:
            current = await services.directory.enterprises.settings(scope)
            changes = _changes(request, form, current)
            if changes:
                await services.directory.enterprises.update_settings(
                    scope, changes, deps.actor_of(principal, request)
                )
        except YunmailError as error:
            return await _settings_page(request, principal, error=error, form=form)
        return RedirectResponse("/admin/settings?done=saved", status_code=303)

    @r.get("/admin/audit")
    async def audit(request: Request, principal: Principal = admin) -> Response:
        return await _audit_page(request, principal)

    return r


# --- settings ----------------------------------------------------------------------------------------


def _changes(request: Request, form: FormData, current: Mapping[str, Any]) -> dict[str, Any]:
    """The settings the form changes; values checked against the ceiling (None = back to default)."""
    ceilings = deps.services_of(request).mailflow.policy.defaults
    changes: dict[str, Any] = {}
    for key, field in LIMIT_FIELDS.items():
        text = _text(form.get(key))
        if not text:
            value: int | None = None
        elif text.isascii() and text.isdigit() and int(text) > 0:
            value = int(text)
        else:
            raise EnterpriseSettingInvalid(key=_label(request, key))
        ceiling = int(getattr(ceilings, field))
        if value is not None and value > ceiling and value != current.get(key):
            raise EnterpriseSettingAboveCeiling(key=_label(request, key), ceiling=ceiling)
        if value != current.get(key):
            changes[key] = value
    required = form.get(CLIENT_PASSWORDS) is not None
    if required != (current.get(CLIENT_PASSWORDS) is True):
        changes[CLIENT_PASSWORDS] = True if required else None  # off is the default: not stored
    return changes


async def _settings_page(
    request: Request, principal: Principal, *, error: YunmailError | None = None, form: FormData | None = None
) -> Response:
    services = deps.services_of(request)
    current = await services.directory.enterprises.settings(deps.enterprise_scope(principal))
    policy = services.mailflow.policy
    in_force = policy.limits_for(current)
    fields = []
    for key, field in LIMIT_FIELDS.items():
        stored = current.get(key)
        value = _text(form.get(key)) if form is not None else (str(stored) if stored is not None else "")
        fields.append(
            LimitField(key, value, int(getattr(policy.defaults, field)), int(getattr(in_force, field)))
        )
    required = (
        (form.get(CLIENT_PASSWORDS) is not None)
        if form is not None
        else current.get(CLIENT_PASSWORDS) is True
    )
    context: dict[str, Any] = {
        "fields": fields,
        "require_client_passwords": required,
        "outbound_ceiling": in_force.enterprise_daily_ceiling,
    }
    status = 200
    lang = language_of(request)
    if error is not None:
        status = error.http_status
        context["error"] = error.text(lang)
        context["error_code"] = error.code
    elif request.query_params.get("done") == "saved":
        context["flash"] = _pages(request).catalogue.gettext(lang, "admin.settings.saved")
        context["flash_kind"] = "ok"
    return _pages(request).render(request, "admin/settings.html", context, status_code=status)


def _label(request: Request, key: str) -> str:
    return str(_pages(request).catalogue.gettext(language_of(request), f"admin.settings.{key}"))


# --- audit log ---------------------------------------------------------------------------------------


async def _audit_page(request: Request, principal: Principal) -> Response:
    services = deps.services_of(request)
    page = _page_number(request.query_params.get("page"))
    offset = (page - 1) * AUDIT_PAGE_SIZE
    found = await services.directory.audit_log(
        deps.enterprise_scope(principal), limit=AUDIT_PAGE_SIZE + 1, offset=offset
    )
    catalogue = _pages(request).catalogue
    lang = language_of(request)
    rows = []
    for entry in found[:AUDIT_PAGE_SIZE]:
        who, where = split_actor(entry.actor)
        key = f"admin.audit.action.{entry.action}"
        words = catalogue.gettext(lang, key)
        rows.append(AuditRow(entry, who, where, entry.action if words == key else words))
    context = {"rows": rows, "page": page, "has_older": len(found) > AUDIT_PAGE_SIZE}
    return _pages(request).render(request, "admin/audit.html", context)


def split_actor(actor: str) -> tuple[str, str]:
    """``kind:login@address`` -> (``kind:login``, ``address``); the address only when it is an IP.

    Logins may themselves hold an ``@`` (an e-mail address), and service actors (``system:check``)
    have no address at all.
    """
    who, at, where = actor.rpartition("@")
    if not at:
        return actor, ""
    try:
        ipaddress.ip_address(where)
    except ValueError:
        return actor, ""
    return who, where


def _page_number(value: str | None) -> int:
    if not value or not (value.isascii() and value.isdigit()) or len(value) > 6:
        return 1
    return max(1, int(value))


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages
