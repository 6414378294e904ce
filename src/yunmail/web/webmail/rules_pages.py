"""Member mail settings: signature, auto-reply, forwarding and simple rules (``/settings/mail``).

The rules themselves run in ``delivery.automation`` at delivery time; this page edits them. Each form
saves one part and keeps the others, and the service validates the whole value, so a page cannot
store something delivery would not understand.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from yunmail.auth import Principal
from yunmail.delivery import AutoReply, Forwarding, MailboxAutomation, MailRule
from yunmail.delivery.automation_model import RULE_ACTIONS, RULE_FIELDS
from yunmail.errors import AutomationInvalid, YunmailError
from yunmail.web import deps

STRINGS: Mapping[str, tuple[str, str]] = {
    "webmail.rules.title": ("Mail settings", "收信设置"),
    "webmail.rules.link": ("Signature, auto-reply, forwarding and rules", "签名、自动回复、转发与收信规则"),
    "webmail.rules.saved": ("Saved.", "已保存。"),
    "webmail.rules.signature": ("Signature", "签名"),
    "webmail.rules.signature_help": ("Added below new messages you write.", "写信时自动添加在正文下方。"),
    "webmail.rules.auto_reply": ("Auto-reply", "自动回复"),
    "webmail.rules.auto_reply_on": ("Answer incoming mail automatically", "开启自动回复"),
    "webmail.rules.auto_reply_help": (
        "Each sender gets at most one answer a day; mailing lists and automatic mail get none.",
        "每位发件人每天最多收到一次自动回复；邮件列表和系统自动邮件不会收到。",
    ),
    "webmail.rules.from_date": ("From", "开始日期"),
    "webmail.rules.to_date": ("Until", "结束日期"),
    "webmail.rules.subject": ("Subject (optional)", "主题（可选）"),
    "webmail.rules.text": ("Text", "回复内容"),
    "webmail.rules.forwarding": ("Forwarding", "自动转发"),
    "webmail.rules.forwarding_on": ("Forward incoming mail", "开启自动转发"),
    "webmail.rules.forward_to": ("Forward to (one address per line)", "转发到（每行一个地址）"),
    "webmail.rules.keep_copy": ("Keep a copy in this mailbox", "在本邮箱保留副本"),
    "webmail.rules.rules": ("Rules", "收信规则"),
    "webmail.rules.none": ("No rules yet.", "暂无收信规则。"),
    "webmail.rules.if": ("If", "如果"),
    "webmail.rules.contains": ("contains", "包含"),
    "webmail.rules.then": ("then", "则"),
    "webmail.rules.target": ("Folder or address", "文件夹或地址"),
    "webmail.rules.add": ("Add rule", "添加规则"),
    "webmail.rules.field.from": ("Sender", "发件人"),
    "webmail.rules.field.subject": ("Subject", "主题"),
    "webmail.rules.field.to": ("Recipient", "收件人"),
    "webmail.rules.action.move": ("move to folder", "移动到文件夹"),
    "webmail.rules.action.mark_read": ("mark as read", "标记为已读"),
    "webmail.rules.action.forward": ("forward to", "转发给"),
    "webmail.rules.action.reject": ("reject", "拒收"),
}


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    routes.add_api_route("/settings/mail", mail_settings, methods=["GET"])
    routes.add_api_route("/settings/mail/signature", save_signature, methods=["POST"])
    routes.add_api_route("/settings/mail/auto-reply", save_auto_reply, methods=["POST"])
    routes.add_api_route("/settings/mail/forwarding", save_forwarding, methods=["POST"])
    routes.add_api_route("/settings/mail/rules", add_rule, methods=["POST"])
    routes.add_api_route("/settings/mail/rules/{index}/delete", delete_rule, methods=["POST"])
    return routes


def _ids(principal: Principal) -> tuple[int, int]:
    assert principal.enterprise_id is not None
    return principal.enterprise_id, principal.require_mailbox()


async def _current(request: Request, principal: Principal) -> MailboxAutomation:
    enterprise_id, mailbox_id = _ids(principal)
    return await deps.services_of(request).mailflow.automation.get(enterprise_id, mailbox_id)


async def _page(
    request: Request, principal: Principal, extra: dict[str, Any] | None = None, status: int = 200
) -> Response:
    enterprise_id, mailbox_id = _ids(principal)
    services = deps.services_of(request)
    automation = await services.mailflow.automation.get(enterprise_id, mailbox_id)
    folders = await services.mailstore.list_folders(mailbox_id)
    context: dict[str, Any] = {
        "automation": automation,
        "folders": [f.name for f in folders if f.special_use is None],
        "rule_fields": RULE_FIELDS,
        "rule_actions": RULE_ACTIONS,
        **(extra or {}),
    }
    response = request.app.state.pages.render(
        request, "webmail/mail_settings.html", context, status_code=status
    )
    assert isinstance(response, Response)
    return response


async def _save(request: Request, principal: Principal, automation: MailboxAutomation) -> Response:
    enterprise_id, mailbox_id = _ids(principal)
    try:
        await deps.services_of(request).mailflow.automation.update(
            enterprise_id, mailbox_id, automation, deps.actor_of(principal, request)
        )
    except YunmailError as exc:
        extra = {"error": exc.text(deps.language(request)), "error_code": exc.code}
        return await _page(request, principal, extra, exc.http_status)
    return RedirectResponse("/settings/mail?done=saved", status_code=303)


async def mail_settings(
    request: Request, done: str | None = None, principal: Principal = Depends(deps.member)
) -> Response:
    return await _page(request, principal, {"saved": done == "saved"})


async def save_signature(
    request: Request, signature: str = Form(""), principal: Principal = Depends(deps.member)
) -> Response:
    current = await _current(request, principal)
    return await _save(request, principal, dataclasses.replace(current, signature=signature))


def _date(value: str) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise AutomationInvalid(detail=f"“{value}” is not a date (YYYY-MM-DD)") from None


async def save_auto_reply(
    request: Request,
    enabled: str = Form(""),
    start: str = Form(""),
    end: str = Form(""),
    subject: str = Form(""),
    body: str = Form(""),
    principal: Principal = Depends(deps.member),
) -> Response:
    current = await _current(request, principal)
    reply = AutoReply(bool(enabled), _date(start), _date(end), subject, body)
    return await _save(request, principal, dataclasses.replace(current, auto_reply=reply))


async def save_forwarding(
    request: Request,
    enabled: str = Form(""),
    addresses: str = Form(""),
    keep_copy: str = Form(""),
    principal: Principal = Depends(deps.member),
) -> Response:
    current = await _current(request, principal)
    targets = tuple(a for a in addresses.replace(",", "\n").splitlines() if a.strip())
    forwarding = Forwarding(bool(enabled), targets, bool(keep_copy))
    return await _save(request, principal, dataclasses.replace(current, forwarding=forwarding))


async def add_rule(
    request: Request,
    field: str = Form(...),
    contains: str = Form(""),
    action: str = Form(...),
    target: str = Form(""),
    principal: Principal = Depends(deps.member),
) -> Response:
    if field not in RULE_FIELDS or action not in RULE_ACTIONS:
        raise AutomationInvalid(detail="unknown rule field or action")
    current = await _current(request, principal)
    rule = MailRule(field, contains, action, target)
    return await _save(request, principal, dataclasses.replace(current, rules=(*current.rules, rule)))


async def delete_rule(request: Request, index: int, principal: Principal = Depends(deps.member)) -> Response:
    current = await _current(request, principal)
    rules = tuple(r for i, r in enumerate(current.rules) if i != index)
    return await _save(request, principal, dataclasses.replace(current, rules=rules))
