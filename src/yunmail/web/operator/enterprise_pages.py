"""Operator console: the enterprises — list with search and pages, creation (with an optional first
administrator invitation), and one enterprise's detail (domains, members, administrators, invitations).

Subscriptions: the billing package is not built yet, so the "subscription" the console shows is what
the directory records on each enterprise — its status, its trial end and its seat limit — and the
list says so.

Invitations (PRODUCT §2) are sent as the product says, by SMS (when the phone can take one) and by
e-mail, through the auth service's configured senders: in development that is the outbox, which
the outbox page shows. The link is absolute, on the host the operator is using (a platform host:
consoles are served nowhere else).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from yunmail.auth import Principal
from yunmail.directory import Enterprise, IssuedInvitation
from yunmail.errors import YunmailError
from yunmail.web import deps
from yunmail.web.console import flash_of, redirect, render, text
from yunmail.web.errors import language_of
from yunmail.web.invitations import send_invitation

PAGE_SIZE = 20
_MAX_TERM = 100

STRINGS: Mapping[str, tuple[str, str]] = {
    "operator.enterprises.title": ("Enterprises", "企业"),
    "operator.enterprises.search": ("Name or organisation identifier", "名称或企业标识"),
    "operator.enterprises.new": ("Create an enterprise", "创建企业"),
    "operator.enterprises.none": ("No enterprise yet.", "还没有企业。"),
    "operator.enterprises.no_match": ("No enterprise matches “{term}”.", "没有与“{term}”匹配的企业。"),
    "operator.enterprises.name": ("Name", "名称"),
    "operator.enterprises.org_id": ("Organisation identifier", "企业标识"),
    "operator.enterprises.status": ("Status", "状态"),
    "operator.enterprises.subscription": ("Subscription", "订阅"),
    "operator.enterprises.seats": ("Seats", "席位"),
    "operator.enterprises.created": ("Created", "创建时间"),
    "operator.enterprises.billing_note": (
        "Billing is not built yet: the subscription shows the trial period and the seat limit "
        "recorded on each enterprise.",
        "计费功能尚未上线：订阅一栏显示各企业记录的试用期和席位上限。",
    ),
    "operator.status.active": ("active", "正常"),
    "operator.status.suspended": ("suspended", "已暂停"),
    "operator.sub.trial": ("Trial until {date}", "试用至 {date}"),
    "operator.sub.trial_ended": ("Trial ended {date}", "试用已于 {date} 结束"),
    "operator.sub.none": ("No trial period", "无试用期"),
    "operator.seats.unlimited": ("unlimited", "不限"),
    "operator.seats.of": ("of {seats} seats", "共 {seats} 个席位"),
    "operator.seats.no_limit": ("no seat limit", "席位不限"),
    "operator.create.title": ("Create an enterprise", "创建企业"),
    "operator.create.name_hint": (
        "Shown to members and administrators; cannot be changed later.",
        "成员和管理员可见；创建后不可修改。",
    ),
    "operator.create.org_id_hint": (
        "Short and unique, e.g. kmail: members log in as account@kmail. Cannot be changed later.",
        "简短且唯一，例如 kmail：成员以 账号@kmail 登录。创建后不可修改。",
    ),
    "operator.create.first_admin": ("First administrator (optional)", "首位管理员（可选）"),
    "operator.create.first_admin_hint": (
        "An invitation link goes to this person by SMS and e-mail; they choose their password.",
        "邀请链接将通过短信和邮件发送给此人，由其自行设置密码。",
    ),
    "operator.create.submit": ("Create", "创建"),
    "operator.invite.title": ("Invite an administrator", "邀请管理员"),
    "operator.invite.name": ("Name", "姓名"),
    "operator.invite.phone": ("Mobile phone", "手机号"),
    "operator.invite.email": ("E-mail", "邮箱"),
    "operator.invite.days": ("Valid for (days)", "有效期（天）"),
    "operator.invite.submit": ("Send invitation", "发送邀请"),
    "operator.invite.not_sent": (
        "The enterprise was created, but the invitation was not sent:",
        "企业已创建，但邀请未发出：",
    ),
    "operator.detail.domains": ("Domains", "域名"),
    "operator.detail.members": ("Members", "成员"),
    "operator.detail.mailboxes": ("Seats used", "已用席位"),
    "operator.detail.trial": ("Trial", "试用期"),
    "operator.detail.administrators": ("Administrators", "管理员"),
    "operator.detail.no_administrators": (
        "No administrator yet: invite one below.",
        "尚无管理员：请在下方邀请。",
    ),
    "operator.detail.invitations": ("Invitations", "邀请记录"),
    "operator.detail.no_invitations": ("No invitation sent.", "尚未发出邀请。"),
    "operator.detail.login": ("Login", "登录名"),
    "operator.detail.contact": ("Contact", "联系方式"),
    "operator.detail.expires": ("Valid until", "有效期至"),
    "operator.detail.domain_list": (
        "{count} domain(s), {verified} verified",
        "共 {count} 个域名，{verified} 个已验证",
    ),
    "operator.admin.active": ("active", "正常"),
    "operator.admin.disabled": ("disabled", "已停用"),
    "operator.admin.pending": ("invited", "已邀请"),
    "operator.admin.expired": ("invitation expired", "邀请已过期"),
    "operator.invitation.pending": ("pending", "待接受"),
    "operator.invitation.accepted": ("accepted", "已接受"),
    "operator.invitation.expired": ("expired", "已过期"),
    "operator.invitation.revoked": ("revoked", "已撤销"),
    "operator.done.created": ("The enterprise was created.", "企业已创建。"),
    "operator.done.created_invited": (
        "The enterprise was created and the invitation was sent.",
        "企业已创建，邀请已发出。",
    ),
    "operator.done.invited": ("The invitation was sent.", "邀请已发出。"),
}

_DONE: Mapping[str, str] = {
    "created": "operator.done.created",
    "created-invited": "operator.done.created_invited",
    "invited": "operator.done.invited",
}
_BADGES: Mapping[str, str] = {
    "active": "ok",
    "accepted": "ok",
    "pending": "warn",
    "disabled": "bad",
    "expired": "bad",
    "revoked": "bad",
    "suspended": "bad",
}


@dataclass(frozen=True, slots=True)
class InviteForm:
    """What the operator typed for an invitation (kept when the form comes back with an error)."""

    name: str = ""
    phone: str = ""
    email: str = ""
    days: str = "7"

    @property
    def requested(self) -> bool:
        return bool(self.name.strip() or self.phone.strip() or self.email.strip())

    def validity(self) -> int:
        try:
            return int(self.days.strip() or "7")
        except ValueError:
            return 0  # refused by the service with its own message (1-30 days)


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    routes.add_api_route("/operator/", enterprise_list, methods=["GET"])
    routes.add_api_route("/operator", enterprise_list, methods=["GET"])
    routes.add_api_route("/operator/enterprises/new", create_page, methods=["GET"])
    routes.add_api_route("/operator/enterprises", create_submit, methods=["POST"])
    routes.add_api_route("/operator/enterprises/{enterprise_id}", detail_page, methods=["GET"])
    routes.add_api_route("/operator/enterprises/{enterprise_id}/invitations", invite_submit, methods=["POST"])
    return routes


Operator = Annotated[Principal, Depends(deps.operator)]


# --- list ------------------------------------------------------------------------------------------


async def enterprise_list(request: Request, principal: Operator, q: str = "", page: int = 1) -> Response:
    services = deps.services_of(request)
    term = " ".join(q.split())[:_MAX_TERM]
    page = max(1, page)
    found = await services.directory.enterprises.search(
        term or None, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    now = services.clock.now()
    rows = [_summary(request, e, now) for e in found.items]
    last_page = max(1, (found.total + PAGE_SIZE - 1) // PAGE_SIZE)
    return render(
        request,
        "operator/enterprises.html",
        {
            "term": term,
            "rows": rows,
            "total": found.total,
            "page": page,
            "last_page": last_page,
            "start": found.offset + 1 if rows else 0,
            "end": found.offset + len(rows),
            "flash": flash_of(request, _DONE),
        },
    )


def _summary(request: Request, enterprise: Enterprise, now: dt.datetime) -> dict[str, Any]:
    return {
        "enterprise": enterprise,
        "status": _status_text(request, enterprise.status),
        "status_badge": _BADGES.get(enterprise.status, "warn"),
        **_trial(request, enterprise, now),
        "seats": text(request, "operator.seats.unlimited")
        if enterprise.seats is None
        else str(enterprise.seats),
        "created": _date(enterprise.created_at),
    }


def _status_text(request: Request, status: str) -> str:
    key = f"operator.status.{status}"
    label = text(request, key)
    return status if label == key else label


def _trial(request: Request, enterprise: Enterprise, now: dt.datetime) -> dict[str, str]:
    ends = enterprise.trial_ends_at
    if ends is None:
        return {"trial": text(request, "operator.sub.none"), "trial_badge": ""}
    if _aware(ends) > now:
        return {"trial": text(request, "operator.sub.trial", date=_date(ends)), "trial_badge": "warn"}
    return {"trial": text(request, "operator.sub.trial_ended", date=_date(ends)), "trial_badge": "bad"}


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _date(moment: dt.datetime) -> str:
    return _aware(moment).astimezone(dt.UTC).strftime("%Y-%m-%d")


def _time(moment: dt.datetime) -> str:
    return _aware(moment).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


# --- create ----------------------------------------------------------------------------------------


async def create_page(request: Request, principal: Operator) -> Response:
    return _create_form(request)


async def create_submit(
    request: Request,
    principal: Operator,
    name: Annotated[str, Form()] = "",
    org_id: Annotated[str, Form()] = "",
    admin_name: Annotated[str, Form()] = "",
    admin_phone: Annotated[str, Form()] = "",
    admin_email: Annotated[str, Form()] = "",
    admin_days: Annotated[str, Form()] = "7",
) -> Response:
    services = deps.services_of(request)
    invite = InviteForm(admin_name, admin_phone, admin_email, admin_days)
    actor = deps.actor_of(principal, request)
    try:
        enterprise = await services.directory.enterprises.create(name, org_id, actor)
    except YunmailError as error:
        return _create_form(request, name=name, org_id=org_id, invite=invite, error=error)
    if not invite.requested:
        return redirect(f"/operator/enterprises/{enterprise.id}?done=created")
    try:
        await _invite(request, enterprise, invite, actor)
    except YunmailError as error:
        # The enterprise exists now: show it, with the invitation form kept and the reason.
        lead = text(request, "operator.invite.not_sent")
        return await _detail(request, enterprise.id, invite=invite, error=error, error_lead=lead)
    return redirect(f"/operator/enterprises/{enterprise.id}?done=created-invited")


def _create_form(
    request: Request,
    *,
    name: str = "",
    org_id: str = "",
    invite: InviteForm | None = None,
    error: YunmailError | None = None,
) -> Response:
    return render(
        request,
        "operator/enterprise_new.html",
        {
            "name": name,
            "org_id": org_id,
            "invite": invite or InviteForm(),
            "error": error.text(language_of(request)) if error is not None else None,
            "error_code": error.code if error is not None else None,
        },
        status_code=error.http_status if error is not None else 200,
    )


# --- detail and invitations --------------------------------------------------------------------------


async def detail_page(request: Request, principal: Operator, enterprise_id: int) -> Response:
    return await _detail(request, enterprise_id, flash=flash_of(request, _DONE))


async def invite_submit(
    request: Request,
    principal: Operator,
    enterprise_id: int,
    name: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    days: Annotated[str, Form()] = "7",
) -> Response:
    services = deps.services_of(request)
    enterprise = await services.directory.enterprises.get(enterprise_id)
    invite = InviteForm(name, phone, email, days)
    try:
        await _invite(request, enterprise, invite, deps.actor_of(principal, request))
    except YunmailError as error:
        return await _detail(request, enterprise.id, invite=invite, error=error)
    return redirect(f"/operator/enterprises/{enterprise.id}?done=invited")


async def _detail(
    request: Request,
    enterprise_id: int,
    *,
    invite: InviteForm | None = None,
    error: YunmailError | None = None,
    error_lead: str | None = None,
    flash: str | None = None,
) -> Response:
    services = deps.services_of(request)
    directory = services.directory
    enterprise = await directory.enterprises.get(enterprise_id)
    domains = await services.domains.list_domains(enterprise_id)
    members = await directory.members.search(enterprise_id, limit=1)
    open_mailboxes = await directory.mailboxes.list_mailboxes(enterprise_id, status="open")
    administrators = [
        {
            "name": entry.name,
            "login": entry.administrator.login if entry.administrator else "",
            "contact": " · ".join(c for c in (entry.email, entry.phone) if c),
            "status": text(request, f"operator.admin.{entry.status}"),
            "badge": _BADGES.get(entry.status, "warn"),
        }
        for entry in await directory.administrators.list(enterprise_id)
        if entry.administrator is not None
    ]
    invitations = [
        {
            "name": invitation.name,
            "contact": " · ".join(c for c in (invitation.email, invitation.phone) if c),
            "status": text(request, f"operator.invitation.{invitation.status}"),
            "badge": _BADGES.get(invitation.status, "warn"),
            "expires": _time(invitation.expires_at),
            "invited_by": invitation.invited_by,
        }
        for invitation in await directory.invitations.list(enterprise_id)
    ]
    seats_note = (
        text(request, "operator.seats.no_limit")
        if enterprise.seats is None
        else text(request, "operator.seats.of", seats=enterprise.seats)
    )
    message = error.text(language_of(request)) if error is not None else None
    return render(
        request,
        "operator/enterprise.html",
        {
            "enterprise": enterprise,
            "summary": _summary(request, enterprise, services.clock.now()),
            "domain_count": len(domains),
            "verified_count": sum(1 for d in domains if d.state in ("verified", "ownership-verified")),
            "domains": [{"name": d.display_name, "state": d.state, "mode": d.mode} for d in domains],
            "member_count": members.total,
            "seats_used": len(open_mailboxes),
            "seats_note": seats_note,
            "administrators": administrators,
            "invitations": invitations,
            "invite": invite or InviteForm(),
            "error": f"{error_lead} {message}" if error_lead and message else message,
            "error_code": error.code if error is not None else None,
            "flash": flash,
        },
        status_code=error.http_status if error is not None else 200,
    )


async def _invite(request: Request, enterprise: Enterprise, form: InviteForm, actor: str) -> IssuedInvitation:
    """Issue the invitation, then send its link by SMS (when the phone takes SMS) and by e-mail."""
    services = deps.services_of(request)
    issued = await services.directory.invitations.invite(
        enterprise.id,
        form.name,
        form.phone or None,
        form.email or None,
        actor,
        validity_days=form.validity(),
    )
    await send_invitation(request, issued)
    return issued
