"""Administrators and invitations; API tokens and two-step verification of the signed-in administrator.

Pages:

* ``/admin/administrators`` — administrators (active/disabled) with disable, enable and remove
  (the last active administrator cannot go: LAST_ADMINISTRATOR is shown on the page), every
  invitation with its status (pending/accepted/expired/revoked), revoke and re-invite, and the
  invite form (name, phone, e-mail, validity in days). The link goes out through the auth
  service's senders (e-mail, and SMS for a mainland mobile number); the inviter never sees it.
* ``/admin/administrators/me`` — the signed-in administrator's API tokens (the secret is shown once,
  on the page that answers the create form, sent ``no-store``) and TOTP enrolment: ``begin`` keeps
  nothing on the server, so the new secret travels in the confirmation form.
* ``/admin/invite/{token}`` (also ``/invite/{token}``) — public: no session needed. The invitee
  chooses a login (default: the invitation's e-mail) and a password and becomes an administrator,
  then goes to ``/admin/login?done=invitation-accepted``. A link that expired, was revoked, was
  already used or never existed shows its own message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from yunmail.auth import Principal
from yunmail.directory import Invitation
from yunmail.errors import InvalidInput, NotFound, PasswordMismatch, YunmailError
from yunmail.web import deps
from yunmail.web.errors import language_of
from yunmail.web.invitations import try_send_invitation
from yunmail.web.templating import Pages

STRINGS: Mapping[str, tuple[str, str]] = {
    "admin.admins.title": ("Administrators", "管理员"),
    "admin.admins.col.name": ("Name", "姓名"),
    "admin.admins.col.login": ("Login", "登录名"),
    "admin.admins.col.contact": ("Phone / e-mail", "手机 / 邮箱"),
    "admin.admins.col.status": ("Status", "状态"),
    "admin.admins.col.actions": ("Actions", "操作"),
    "admin.admins.status.active": ("Active", "正常"),
    "admin.admins.status.disabled": ("Disabled", "已停用"),
    "admin.admins.you": ("(you)", "（本人）"),
    "admin.admins.disable": ("Disable", "停用"),
    "admin.admins.enable": ("Enable", "启用"),
    "admin.admins.remove": ("Remove", "删除"),
    "admin.admins.remove.title": ("Remove the administrator {name}?", "删除管理员 {name}？"),
    "admin.admins.remove.help": (
        "{login} loses access to the console and the API at once; its API tokens are deleted.",
        "{login} 将立即失去管理后台和 API 的访问权限，其 API 令牌将一并删除。",
    ),
    "admin.admins.remove.confirm": ("Yes, remove", "确认删除"),
    "admin.invitations.title": ("Invitations", "邀请记录"),
    "admin.invitations.none": ("No invitation yet.", "暂无邀请。"),
    "admin.invitations.col.expires": ("Valid until", "有效期至"),
    "admin.invitations.col.by": ("Invited by", "邀请人"),
    "admin.invitations.status.pending": ("Pending", "待接受"),
    "admin.invitations.status.accepted": ("Accepted", "已接受"),
    "admin.invitations.status.expired": ("Expired", "已过期"),
    "admin.invitations.status.revoked": ("Revoked", "已撤销"),
    "admin.invitations.revoke": ("Revoke", "撤销"),
    "admin.invitations.reinvite": ("Invite again", "重新邀请"),
    "admin.invite.title": ("Invite an administrator", "邀请管理员"),
    "admin.invite.help": (
        "The invitee gets a link by e-mail (and SMS for a mainland China mobile number) and sets a "
        "password to become an administrator.",
        "被邀请人将通过邮件（中国大陆手机号还会收到短信）收到链接，设置密码后即成为管理员。",
    ),
    "admin.invite.name": ("Name", "姓名"),
    "admin.invite.phone": ("Mobile phone (optional)", "手机号（可选）"),
    "admin.invite.email": ("E-mail", "邮箱"),
    "admin.invite.days": ("Valid for (days, 1-30)", "有效期（天，1-30）"),
    "admin.invite.submit": ("Send invitation", "发送邀请"),
    "admin.admins.done.invited": ("Invitation sent.", "邀请已发送。"),
    "admin.admins.done.reinvited": (
        "A new invitation link was sent; the old one no longer works.",
        "已发送新的邀请链接，原链接已失效。",
    ),
    "admin.admins.done.revoked": ("Invitation revoked.", "邀请已撤销。"),
    "admin.admins.done.disabled": ("Administrator disabled.", "管理员已停用。"),
    "admin.admins.done.enabled": ("Administrator enabled.", "管理员已启用。"),
    "admin.admins.done.removed": ("Administrator removed.", "管理员已删除。"),
    "admin.admins.done.not_sent": (
        "The invitation was created, but its link could not be sent; try “Invite again” later.",
        "邀请已创建，但链接发送失败，请稍后点击“重新邀请”。",
    ),
    "admin.me.title": ("My security settings", "我的安全设置"),
    "admin.me.link": ("My API tokens and two-step verification", "我的 API 令牌与两步验证"),
    "admin.tokens.title": ("API tokens", "API 令牌"),
    "admin.tokens.help": (
        "Scripts call the REST API with 'Authorization: Bearer <token>'. A token acts as you; revoke "
        "it when it is no longer needed.",
        "脚本调用 REST API 时使用“Authorization: Bearer <令牌>”。令牌拥有您的权限，不再使用时请及时撤销。",
    ),
    "admin.tokens.none": ("No token yet.", "暂无令牌。"),
    "admin.tokens.label": ("Name (what it is for)", "名称（用途）"),
    "admin.tokens.create": ("Create token", "创建令牌"),
    "admin.tokens.col.label": ("Name", "名称"),
    "admin.tokens.col.created": ("Created", "创建时间"),
    "admin.tokens.col.used": ("Last used", "最近使用"),
    "admin.tokens.col.state": ("State", "状态"),
    "admin.tokens.active": ("Active", "有效"),
    "admin.tokens.revoked": ("Revoked", "已撤销"),
    "admin.tokens.never": ("never", "从未使用"),
    "admin.tokens.revoke": ("Revoke", "撤销"),
    "admin.tokens.secret": (
        "Copy the token now: it is shown only this once.",
        "请立即复制该令牌：它只显示这一次。",
    ),
    "admin.totp.title": ("Two-step verification", "两步验证"),
    "admin.totp.on": (
        "On: logging in needs a code from your authenticator app.",
        "已开启：登录时需要输入身份验证器应用中的动态码。",
    ),
    "admin.totp.off": (
        "Off: turn it on to protect the console with a code from an authenticator app.",
        "未开启：开启后登录管理后台时需输入身份验证器应用中的动态码。",
    ),
    "admin.totp.begin": ("Set up an authenticator app", "设置身份验证器"),
    "admin.totp.secret": (
        "Add this key in your authenticator app (or open the link on your phone), then enter the code "
        "it shows.",
        "请在身份验证器应用中添加此密钥（或在手机上打开链接），然后输入应用显示的动态码。",
    ),
    "admin.totp.open_app": ("Open in authenticator app", "在身份验证器中打开"),
    "admin.totp.code": ("6-digit code", "6 位动态码"),
    "admin.totp.confirm": ("Turn on", "开启"),
    "admin.totp.disable": ("Turn off", "关闭"),
    "admin.admins.done.token_revoked": ("Token revoked.", "令牌已撤销。"),
    "admin.admins.done.totp_on": ("Two-step verification is on.", "两步验证已开启。"),
    "admin.admins.done.totp_off": ("Two-step verification is off.", "两步验证已关闭。"),
    "admin.invite.accept.title": ("Become an administrator of {enterprise}", "成为「{enterprise}」的管理员"),
    "admin.invite.accept.hello": (
        "{name}, you were invited to administer this enterprise's mail. Choose your login and password.",
        "{name}，您被邀请管理本企业邮箱。请设置登录名和密码。",
    ),
    "admin.invite.accept.login": ("Login name", "登录名"),
    "admin.invite.accept.login_help": (
        "3-254 letters, digits and _ . - + @; your e-mail address by default.",
        "3-254 个字母、数字或 _ . - + @，默认为您的邮箱地址。",
    ),
    "admin.invite.accept.password": ("Password", "密码"),
    "admin.invite.accept.password_help": (
        "8-32 characters with at least two of: digits, upper case, lower case, symbols.",
        "8-32 个字符，至少包含数字、大写字母、小写字母、符号中的两种。",
    ),
    "admin.invite.accept.confirm": ("Password again", "确认密码"),
    "admin.invite.accept.submit": ("Accept and set password", "接受邀请并设置密码"),
    "admin.invite.accept.failed": ("This invitation cannot be used", "该邀请无法使用"),
    "admin.invite.accepted": (
        "You are now an administrator: log in with your new password.",
        "您已成为管理员，请使用新密码登录。",
    ),
}

_DONE = {
    "invited": "admin.admins.done.invited",
    "reinvited": "admin.admins.done.reinvited",
    "revoked": "admin.admins.done.revoked",
    "disabled": "admin.admins.done.disabled",
    "enabled": "admin.admins.done.enabled",
    "removed": "admin.admins.done.removed",
    "not-sent": "admin.admins.done.not_sent",
    "token-revoked": "admin.admins.done.token_revoked",
    "totp-on": "admin.admins.done.totp_on",
    "totp-off": "admin.admins.done.totp_off",
}
_STATUS_BADGE = {
    "active": "ok",
    "accepted": "ok",
    "pending": "warn",
    "disabled": "bad",
    "expired": "bad",
    "revoked": "",
}
_NO_STORE = {"cache-control": "no-store"}
_LOGIN_AFTER_ACCEPT = "/admin/login?done=invitation-accepted"

Action = Callable[[], Awaitable[object]]


def router() -> APIRouter:
    r = APIRouter(include_in_schema=False)
    admin = Depends(deps.administrator)

    @r.get("/admin/administrators")
    async def administrators(request: Request, principal: Principal = admin) -> Response:
        return await _admins_page(request, principal)

    @r.post("/admin/administrators/invite")
    async def invite(request: Request, principal: Principal = admin) -> Response:
        form = await request.form()
        services = deps.services_of(request)
        scope = deps.enterprise_scope(principal)
        try:
            issued = await services.directory.invitations.invite(
                scope,
                _text(form.get("name")),
                _text(form.get("phone")) or None,
                _text(form.get("email")) or None,
                deps.actor_of(principal, request),
                validity_days=_days(form.get("validity_days")),
            )
        except YunmailError as error:
            return await _admins_page(request, principal, error=error, form=form)
        sent = await try_send_invitation(request, issued)
        return _redirect("/admin/administrators?done=" + ("invited" if sent else "not-sent"))

    @r.post("/admin/administrators/invitations/{invitation_id}/reinvite")
    async def reinvite(invitation_id: int, request: Request, principal: Principal = admin) -> Response:
        form = await request.form()
        services = deps.services_of(request)
        scope = deps.enterprise_scope(principal)
        try:
            issued = await services.directory.invitations.reinvite(
                scope,
                invitation_id,
                deps.actor_of(principal, request),
                validity_days=_days(form.get("validity_days")),
            )
        except NotFound:
            raise
        except YunmailError as error:
            return await _admins_page(request, principal, error=error)
        sent = await try_send_invitation(request, issued)
        return _redirect("/admin/administrators?done=" + ("reinvited" if sent else "not-sent"))

    @r.post("/admin/administrators/invitations/{invitation_id}/revoke")
    async def revoke(invitation_id: int, request: Request, principal: Principal = admin) -> Response:
        async def action() -> object:
            return await deps.services_of(request).directory.invitations.revoke(
                deps.enterprise_scope(principal), invitation_id, deps.actor_of(principal, request)
            )

        return await _act(request, principal, action, "revoked")

    @r.post("/admin/administrators/{admin_id}/disable")
    async def disable(admin_id: int, request: Request, principal: Principal = admin) -> Response:
        async def action() -> object:
            services = deps.services_of(request)
            scope = deps.enterprise_scope(principal)
            await services.directory.administrators.disable(
                scope, admin_id, deps.actor_of(principal, request)
            )
            # A disabled administrator must not keep working in an open console.
            return await services.auth.sessions.revoke_all_for_admin(scope, admin_id)

        return await _act(request, principal, action, "disabled")

    @r.post("/admin/administrators/{admin_id}/enable")
    async def enable(admin_id: int, request: Request, principal: Principal = admin) -> Response:
        async def action() -> object:
            return await deps.services_of(request).directory.administrators.enable(
                deps.enterprise_scope(principal), admin_id, deps.actor_of(principal, request)
            )

        return await _act(request, principal, action, "enabled")

    @r.get("/admin/administrators/{admin_id}/remove")
    async def remove_confirm(admin_id: int, request: Request, principal: Principal = admin) -> Response:
        return await _remove_page(request, principal, admin_id)

    @r.post("/admin/administrators/{admin_id}/remove")
    async def remove(admin_id: int, request: Request, principal: Principal = admin) -> Response:
        services = deps.services_of(request)
        try:
            await services.directory.administrators.remove(
                deps.enterprise_scope(principal), admin_id, deps.actor_of(principal, request)
            )
        except NotFound:
            raise
        except YunmailError as error:
            return await _remove_page(request, principal, admin_id, error=error)
        return _redirect("/admin/administrators?done=removed")

    # --- the signed-in administrator: API tokens and TOTP ------------------------------------------

    @r.get("/admin/administrators/me")
    async def me(request: Request, principal: Principal = admin) -> Response:
        return await _me_page(request, principal)

    @r.post("/admin/administrators/me/tokens")
    async def create_token(request: Request, principal: Principal = admin) -> Response:
        form = await request.form()
        try:
            token, secret = await deps.services_of(request).auth.api_tokens.create(
                deps.enterprise_scope(principal),
                _admin_id(principal),
                _text(form.get("label")),
                actor=deps.actor_of(principal, request),
            )
        except YunmailError as error:
            return await _me_page(request, principal, error=error, form=form)
        # The secret exists only in this response: render it here rather than redirect.
        return await _me_page(request, principal, new_token=(token.label, secret))

    @r.post("/admin/administrators/me/tokens/{token_id}/revoke")
    async def revoke_token(token_id: int, request: Request, principal: Principal = admin) -> Response:
        await deps.services_of(request).auth.api_tokens.revoke(
            deps.enterprise_scope(principal),
            _admin_id(principal),
            token_id,
            actor=deps.actor_of(principal, request),
        )
        return _redirect("/admin/administrators/me?done=token-revoked")

    @r.post("/admin/administrators/me/totp/begin")
    async def totp_begin(request: Request, principal: Principal = admin) -> Response:
        try:
            enrollment = await deps.services_of(request).auth.totp.begin(principal)
        except YunmailError as error:
            return await _me_page(request, principal, error=error)
        return await _me_page(request, principal, enrollment=(enrollment.secret, enrollment.otpauth_uri))

    @r.post("/admin/administrators/me/totp/confirm")
    async def totp_confirm(request: Request, principal: Principal = admin) -> Response:
        form = await request.form()
        secret = _text(form.get("secret"))
        try:
            await deps.services_of(request).auth.totp.confirm(principal, secret, _code(form.get("code")))
        except YunmailError as error:
            enrollment = (secret, _text(form.get("otpauth_uri")))
            return await _me_page(request, principal, error=error, enrollment=enrollment)
        return _redirect("/admin/administrators/me?done=totp-on")

    @r.post("/admin/administrators/me/totp/disable")
    async def totp_disable(request: Request, principal: Principal = admin) -> Response:
        form = await request.form()
        try:
            await deps.services_of(request).auth.totp.disable(principal, _code(form.get("code")))
        except YunmailError as error:
            return await _me_page(request, principal, error=error)
        return _redirect("/admin/administrators/me?done=totp-off")

    # --- the invitee (public) ------------------------------------------------------------------------

    for path in ("/admin/invite/{token}", "/invite/{token}"):
        r.add_api_route(path, invite_page, methods=["GET"])
        r.add_api_route(path, accept_invitation, methods=["POST"])
    return r


async def invite_page(token: str, request: Request) -> Response:
    try:
        invitation = await deps.services_of(request).directory.invitations.find_by_token(token)
    except YunmailError as error:
        return _invite_failed(request, error)
    return await _invite_form(request, invitation, login=invitation.email or "")


async def accept_invitation(token: str, request: Request) -> Response:
    services = deps.services_of(request)
    form = await request.form()
    login = _text(form.get("login"))
    password = form.get("password")
    password = password if isinstance(password, str) else ""
    try:
        invitation = await services.directory.invitations.find_by_token(token)
    except YunmailError as error:
        return _invite_failed(request, error)
    try:
        if password != form.get("password_confirm"):
            raise PasswordMismatch()
        await services.directory.invitations.accept(token, password, login=login or None)
    except (InvalidInput, PasswordMismatch) as error:
        return await _invite_form(request, invitation, login=login, error=error)
    except YunmailError as error:
        if error.code == "ADMINISTRATOR_LOGIN_TAKEN":
            return await _invite_form(request, invitation, login=login, error=error)
        return _invite_failed(request, error)  # expired or used meanwhile
    return _redirect(_LOGIN_AFTER_ACCEPT)


# --- pages -------------------------------------------------------------------------------------------


async def _admins_page(
    request: Request, principal: Principal, *, error: YunmailError | None = None, form: FormData | None = None
) -> Response:
    services = deps.services_of(request)
    scope = deps.enterprise_scope(principal)
    entries = await services.directory.administrators.list(scope)
    invitations = await services.directory.invitations.list(scope)
    values = {k: v for k, v in (form or {}).items() if isinstance(v, str) and k != "csrf_token"}
    context: dict[str, Any] = {
        "admins": [e.administrator for e in entries if e.administrator is not None],
        "invitations": invitations,
        "badge": _STATUS_BADGE,
        "form": {"validity_days": "7", **values},
        "me_id": principal.admin_id,
    }
    return _render(request, "admin/administrators.html", context, error)


async def _remove_page(
    request: Request, principal: Principal, admin_id: int, *, error: YunmailError | None = None
) -> Response:
    target = await deps.services_of(request).directory.administrators.get(
        deps.enterprise_scope(principal), admin_id
    )
    return _render(request, "admin/administrators_remove.html", {"target": target}, error)


async def _me_page(
    request: Request,
    principal: Principal,
    *,
    error: YunmailError | None = None,
    form: FormData | None = None,
    new_token: tuple[str, str] | None = None,
    enrollment: tuple[str, str] | None = None,
) -> Response:
    services = deps.services_of(request)
    tokens = await services.auth.api_tokens.list(deps.enterprise_scope(principal), _admin_id(principal))
    context: dict[str, Any] = {
        "tokens": tokens,
        "new_token": new_token,
        "totp_on": await services.auth.totp.enabled(principal),
        "enrollment": enrollment,
        "form": {k: v for k, v in (form or {}).items() if isinstance(v, str) and k != "csrf_token"},
    }
    return _render(request, "admin/tokens.html", context, error, headers=_NO_STORE)


async def _invite_form(
    request: Request, invitation: Invitation, *, login: str, error: YunmailError | None = None
) -> Response:
    enterprise = await deps.services_of(request).directory.enterprises.get(invitation.enterprise_id)
    context = {"invitation": invitation, "enterprise": enterprise.name, "login": login}
    return _render(request, "admin/invite_accept.html", context, error, headers=_NO_STORE)


def _invite_failed(request: Request, error: YunmailError) -> Response:
    return _render(request, "admin/invite_accept.html", {"failed": True}, error, headers=_NO_STORE)


def _render(
    request: Request,
    template: str,
    context: dict[str, Any],
    error: YunmailError | None,
    *,
    headers: Mapping[str, str] | None = None,
) -> Response:
    status = 200
    if error is not None:
        status = error.http_status
        context["error"] = error.text(language_of(request))
        context["error_code"] = error.code
    else:
        key = _DONE.get(request.query_params.get("done", ""))
        if key is not None:
            context["flash"] = _pages(request).catalogue.gettext(language_of(request), key)
            context["flash_kind"] = "warn" if key == "admin.admins.done.not_sent" else "ok"
    return _pages(request).render(request, template, context, status_code=status, headers=headers)


async def _act(request: Request, principal: Principal, action: Action, done: str) -> Response:
    """Run ``action``; redirect with the flash, or re-render the list with the refusal (ids: 404)."""
    try:
        await action()
    except NotFound:
        raise
    except YunmailError as error:
        return await _admins_page(request, principal, error=error)
    return _redirect(f"/admin/administrators?done={done}")


# --- small helpers -----------------------------------------------------------------------------------


def _admin_id(principal: Principal) -> int:
    if principal.admin_id is None:
        raise NotFound()
    return principal.admin_id


def _days(value: object) -> int:
    """Validity days from the form; anything not a number is left to the service to refuse."""
    text = _text(value)
    if not text:
        return 7
    try:
        return int(text)
    except ValueError:
        return -1


def _code(value: object) -> str:
    return "".join(_text(value).split())


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages
