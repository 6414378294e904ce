"""Webmail sign-in (password, SMS code), forced password change, forgot password, sign-out.

PRODUCT §6: every refusal has its own message (invalid user or password, unknown organisation,
phone not registered, mailbox not opened, account disabled, locked) — the services raise distinct
catalogue errors and the form shows ``error.text(lang)``. A password an administrator set must be
changed first (``deps.member`` sends such a member to ``/password/change`` from any other page).
Sessions are cookies (``ym_mail``, HttpOnly, SameSite=Lax, Secure on HTTPS); the session's idle time
is the member's keep-alive setting.

Two-step verification: a right password of a member with TOTP on answers TOTP_REQUIRED; the page then
asks for the authenticator code (login and password carried in hidden fields of that uncached page)
and posts all three again. Forgot password and SMS login are two steps (send a code, then use it);
the code step keeps where the code went and offers "send a new code" in place. Changing the password
ends the member's other sessions (a reset by code ends all of them, in the auth service).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from yunmail.auth import CodeChannel, Principal
from yunmail.errors import PasswordMismatch, YunmailError
from yunmail.web import deps
from yunmail.web.deps import SESSION_COOKIES

STRINGS: Mapping[str, tuple[str, str]] = {
    "webmail.login.title": ("Sign in to your mailbox", "登录企业邮箱"),
    "webmail.login.account": ("Login account or mailbox address", "登录账号或邮箱地址"),
    "webmail.login.account_hint": ("account@organisation or name@your-domain", "账号@企业标识 或 邮箱地址"),
    "webmail.login.password": ("Password", "密码"),
    "webmail.login.totp": ("Authenticator code", "动态验证码"),
    "webmail.login.with_sms": ("Sign in with an SMS code", "短信验证码登录"),
    "webmail.login.with_password": ("Sign in with a password", "密码登录"),
    "webmail.login.phone": ("Mobile phone", "手机号"),
    "webmail.login.org": ("Organisation identifier (if asked)", "企业标识（如有提示）"),
    "webmail.login.send_code": ("Send code", "发送验证码"),
    "webmail.login.code": ("SMS code", "短信验证码"),
    "webmail.login.code_sent": ("A code was sent to {target}.", "验证码已发送至 {target}。"),
    "webmail.login.forgot": ("Forgot password?", "忘记密码？"),
    "webmail.login.expired": (
        "Your session ended after a period of inactivity. Please sign in again.",
        "由于长时间未操作，您已退出登录，请重新登录。",
    ),
    "webmail.login.logged_out": ("You have signed out.", "您已安全退出。"),
    "webmail.login.reset_done": (
        "Your password was reset and you were signed out everywhere. Sign in with the new password.",
        "密码已重置，所有设备上的登录均已退出，请使用新密码登录。",
    ),
    "webmail.login.totp_title": ("Two-step verification", "两步验证"),
    "webmail.login.totp_for": ("Signing in as", "正在登录"),
    "webmail.login.totp_help": (
        "Open your authenticator app and type the 6-digit code it shows for Yunmail.",
        "请打开身份验证器应用，输入云邮对应的 6 位动态码。",
    ),
    "webmail.login.other_account": ("Sign in with another account", "使用其他账号登录"),
    "webmail.login.resend": ("Send a new code", "重新发送验证码"),
    "webmail.login.code_email": ("E-mailed code", "邮件验证码"),
    "webmail.password.change_title": ("Change your password", "修改密码"),
    "webmail.password.forced": (
        "Your administrator set your password. Choose your own password to continue.",
        "您的密码由管理员设置，请先设置自己的新密码。",
    ),
    "webmail.password.current": ("Current password", "当前密码"),
    "webmail.password.new": ("New password", "新密码"),
    "webmail.password.repeat": ("New password again", "再次输入新密码"),
    "webmail.password.rules": (
        "8–32 characters with at least two of: digits, upper-case, lower-case, special characters.",
        "8–32 位，至少包含数字、大写字母、小写字母、特殊字符中的两种。",
    ),
    "webmail.password.forgot_title": ("Reset your password", "找回密码"),
    "webmail.password.send_to": ("Send the code to", "验证码发送方式"),
    "webmail.password.by_sms": ("my registered phone", "绑定的手机"),
    "webmail.password.by_email": ("my contact e-mail", "联系邮箱"),
    "webmail.password.reset": ("Set new password", "设置新密码"),
    "webmail.password.back_to_login": ("Back to sign-in", "返回登录"),
    "webmail.password.others_end": (
        "Saving signs you out on your other devices; this browser stays signed in.",
        "保存后，其他设备上的登录将退出，当前浏览器保持登录。",
    ),
    "webmail.password.back_to_settings": ("Back to settings", "返回设置"),
}


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    routes.add_api_route("/login", login_form, methods=["GET"])
    routes.add_api_route("/login", login_with_password, methods=["POST"])
    routes.add_api_route("/login/sms", sms_form, methods=["GET"])
    routes.add_api_route("/login/sms/request", request_sms_code, methods=["POST"])
    routes.add_api_route("/login/sms", login_with_sms_code, methods=["POST"])
    routes.add_api_route("/logout", logout, methods=["POST"])
    routes.add_api_route("/password/change", change_form, methods=["GET"])
    routes.add_api_route("/password/change", change_password, methods=["POST"])
    routes.add_api_route("/password/forgot", forgot_form, methods=["GET"])
    routes.add_api_route("/password/forgot/request", request_reset_code, methods=["POST"])
    routes.add_api_route("/password/forgot", reset_password, methods=["POST"])
    return routes


# Sign-in notices after a redirect (``?done=``); never echo raw query text.
_NOTICES = {
    "expired": "webmail.login.expired",
    "logout": "webmail.login.logged_out",
    "reset": "webmail.login.reset_done",
}
_TOTP_CODES = frozenset({"TOTP_REQUIRED", "TOTP_INVALID"})
# Refusals of the new password itself: the code was not checked, so the page keeps it.
_PASSWORD_REFUSALS = frozenset(
    {"PASSWORD_MISMATCH", "PASSWORD_TOO_SHORT", "PASSWORD_TOO_LONG", "PASSWORD_TOO_WEAK"}
)


def _render(
    request: Request, template: str, context: dict[str, Any], status: int = 200, *, no_store: bool = False
) -> Response:
    response = request.app.state.pages.render(request, template, context, status_code=status)
    assert isinstance(response, Response)
    if no_store:
        response.headers["cache-control"] = "no-store"
    return response


def _error(request: Request, error: YunmailError) -> dict[str, str]:
    return {"error": error.text(deps.language(request)), "error_code": error.code}


def _safe_next(target: str | None) -> str:
    """A same-site path only. Browsers drop tabs and newlines from URLs (so ``/\\t/evil.test`` becomes
    ``//evil.test``) and read ``\\`` as ``/``: refuse whitespace, control characters and backslashes."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not any(c == "\\" or c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in target)
    ):
        return target
    return "/mail/"


async def _start_session(request: Request, principal: Principal, next_url: str | None) -> Response:
    services = deps.services_of(request)
    token = await services.auth.sessions.create(principal, remote_ip=deps.remote_ip(request))
    target = "/password/change" if principal.must_change_password else _safe_next(next_url)
    response = RedirectResponse(target, status_code=303)
    deps.set_session_cookie(request, response, "webmail", token)
    return response


# --- password and SMS sign-in -----------------------------------------------------------------------


async def login_form(
    request: Request, next: str | None = None, expired: str | None = None, done: str | None = None
) -> Response:
    notice = _NOTICES.get(done or "")
    if expired:
        notice = "webmail.login.expired"
    return _render(
        request, "webmail/login.html", {"next": _safe_next(next), "notice": notice, "mode": "password"}
    )


async def sms_form(request: Request, next: str | None = None) -> Response:
    return _render(request, "webmail/login.html", {"next": _safe_next(next), "mode": "sms"})


async def login_with_password(
    request: Request,
    login: str = Form(""),
    password: str = Form(""),
    totp_code: str = Form(""),
    next: str = Form("/mail/"),
) -> Response:
    services = deps.services_of(request)
    try:
        principal = await services.auth.login.authenticate(
            login.strip(),
            password,
            channel="web",
            remote_ip=deps.remote_ip(request),
            totp_code=totp_code.strip() or None,
        )
    except YunmailError as exc:
        context: dict[str, Any] = {
            "next": _safe_next(next),
            "login": login,
            "mode": "password",
            **_error(request, exc),
        }
        if exc.code in _TOTP_CODES:
            # The password was right: ask for the authenticator code. The password rides along in a
            # hidden field of this one (uncached) page, so the member need not type it again.
            context.update({"mode": "totp", "password_kept": password})
            return _render(request, "webmail/login.html", context, status=exc.http_status, no_store=True)
        return _render(request, "webmail/login.html", context, status=exc.http_status)
    return await _start_session(request, principal, next)


async def request_sms_code(
    request: Request,
    phone: str = Form(""),
    org_id: str = Form(""),
    next: str = Form("/mail/"),
    sent_to: str = Form(""),
) -> Response:
    """Send a login code; ``sent_to`` comes with "send a new code" from the code step."""
    services = deps.services_of(request)
    context: dict[str, Any] = {"next": _safe_next(next), "phone": phone, "org_id": org_id, "mode": "sms"}
    try:
        sent = await services.auth.codes.request_login_code(phone, org_id=org_id.strip() or None)
    except YunmailError as exc:
        context.update(_error(request, exc))
        context["ask_org"] = exc.code == "LOGIN_ORG_REQUIRED" or bool(org_id)
        if sent_to and exc.code != "LOGIN_ORG_REQUIRED":  # asked again from the code step: stay there
            context["code_sent_to"] = sent_to
        return _render(request, "webmail/login.html", context, status=exc.http_status)
    context.update({"code_sent_to": sent.masked_target, "ask_org": bool(org_id)})
    return _render(request, "webmail/login.html", context)


async def login_with_sms_code(
    request: Request,
    phone: str = Form(""),
    code: str = Form(""),
    org_id: str = Form(""),
    next: str = Form("/mail/"),
    sent_to: str = Form(""),
) -> Response:
    services = deps.services_of(request)
    try:
        principal = await services.auth.codes.login_with_code(
            phone, code.strip(), org_id=org_id.strip() or None, remote_ip=deps.remote_ip(request)
        )
    except YunmailError as exc:
        context = {
            "next": _safe_next(next),
            "phone": phone,
            "org_id": org_id,
            "mode": "sms",
            "code_sent_to": sent_to or phone,
            "ask_org": bool(org_id),
            **_error(request, exc),
        }
        return _render(request, "webmail/login.html", context, status=exc.http_status)
    return await _start_session(request, principal, next)


async def logout(request: Request) -> Response:
    token = deps.session_token(request, "webmail")
    if token is not None:
        await deps.verify_csrf(request, "webmail")
        await deps.services_of(request).auth.sessions.revoke(token)
    response = RedirectResponse("/login?done=logout", status_code=303)
    response.delete_cookie(SESSION_COOKIES["webmail"], path="/")
    return response


# --- changing and resetting the password ------------------------------------------------------------


async def change_form(request: Request, principal: Principal = Depends(deps.member)) -> Response:
    return _render(request, "webmail/password_change.html", {"forced": principal.must_change_password})


async def change_password(
    request: Request,
    current: str = Form(""),
    new: str = Form(""),
    repeat: str = Form(""),
    principal: Principal = Depends(deps.member),
) -> Response:
    services = deps.services_of(request)
    assert principal.enterprise_id is not None and principal.member_id is not None
    try:
        if new != repeat:
            raise PasswordMismatch()
        await services.directory.members.change_password(
            principal.enterprise_id, principal.member_id, current, new, deps.actor_of(principal, request)
        )
    except YunmailError as exc:
        context = {"forced": principal.must_change_password, **_error(request, exc)}
        return _render(request, "webmail/password_change.html", context, status=exc.http_status)
    # Whoever knew the old password may hold a session: end them all, and give this browser a new one.
    await services.auth.sessions.revoke_all(principal.enterprise_id, principal.member_id)
    token = await services.auth.sessions.create(principal, remote_ip=deps.remote_ip(request))
    response = RedirectResponse("/settings?done=password-changed#password", status_code=303)
    deps.set_session_cookie(request, response, "webmail", token)
    return response


async def forgot_form(request: Request) -> Response:
    return _render(request, "webmail/password_forgot.html", {"step": "request", "channel": "sms"})


async def request_reset_code(
    request: Request,
    login: str = Form(""),
    channel: str = Form("sms"),
    sent_to: str = Form(""),
    again: str = Form(""),
) -> Response:
    """Send a reset code; ``again`` (with ``sent_to``) comes from "send a new code" on the reset step."""
    services = deps.services_of(request)
    chosen: CodeChannel = "email" if channel == "email" else "sms"
    context: dict[str, Any] = {"login": login, "channel": chosen}
    try:
        sent = await services.auth.codes.request_reset_code(login.strip(), chosen)
    except YunmailError as exc:
        step = "reset" if again else "request"  # asked again from the reset step: stay there
        context.update({"step": step, "code_sent_to": sent_to, **_error(request, exc)})
        return _render(request, "webmail/password_forgot.html", context, status=exc.http_status)
    context.update({"step": "reset", "code_sent_to": sent.masked_target})
    return _render(request, "webmail/password_forgot.html", context)


async def reset_password(
    request: Request,
    login: str = Form(""),
    channel: str = Form("sms"),
    sent_to: str = Form(""),
    code: str = Form(""),
    new: str = Form(""),
    repeat: str = Form(""),
) -> Response:
    services = deps.services_of(request)
    try:
        if new != repeat:
            raise PasswordMismatch()  # checked first: a typo must not use up a code attempt
        await services.auth.codes.reset_password(
            login.strip(), code.strip(), new, remote_ip=deps.remote_ip(request)
        )
    except YunmailError as exc:
        context = {
            "step": "reset",
            "login": login,
            "channel": "email" if channel == "email" else "sms",
            "code_sent_to": sent_to,
            "code": code if exc.code in _PASSWORD_REFUSALS else "",
            **_error(request, exc),
        }
        return _render(request, "webmail/password_forgot.html", context, status=exc.http_status)
    return RedirectResponse("/login?done=reset", status_code=303)
