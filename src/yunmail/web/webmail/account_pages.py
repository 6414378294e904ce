"""Member settings: keep-alive, sessions, two-step verification, client passwords and mail-app settings.

PRODUCT §6: a client password is random, shown once, labelled, listed with when and by which protocol
it was last used, and revoked at once; it works for IMAP, POP3 and SMTP submission and never for the
web login (the auth service enforces both). The keep-alive is the member's session idle time; saving
it also re-issues this browser's session with the new idle time (the auth service fixes a session's
idle time when it is created), so the choice applies at once, not only from the next sign-in.

Two-step verification (TOTP): ``begin`` makes a secret and stores nothing, so the page carries the
secret in a hidden field to ``confirm``, which stores it only once a code from the member's app
matches. The page shows the secret as text and the ``otpauth://`` link (no QR code: rendering one
would need a new dependency). Every form error is shown in the section of the form that caused it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from yunmail.auth import Principal, TotpEnrollment
from yunmail.config import Settings, parse_host_port
from yunmail.errors import YunmailError
from yunmail.web import deps
from yunmail.web.webmail.mailbox_view import full_time

STRINGS: Mapping[str, tuple[str, str]] = {
    "webmail.settings.title": ("Settings", "设置"),
    "webmail.settings.password": ("Password", "登录密码"),
    "webmail.settings.change_password": ("Change password", "修改密码"),
    "webmail.settings.password_changed": (
        "Your password was changed. Your other sessions were signed out.",
        "密码已修改，其他设备上的登录已退出。",
    ),
    "webmail.settings.keep": ("Stay signed in while idle for", "无操作时保持登录"),
    "webmail.settings.keep_help": (
        "Applies to this browser now and to every later sign-in.",
        "对当前浏览器立即生效，之后的登录也将使用此设置。",
    ),
    "webmail.settings.keep_saved": ("Your keep-alive setting was saved.", "登录保持时间已保存。"),
    "webmail.settings.minute": ("1 minute", "1 分钟"),
    "webmail.settings.minutes": ("{n} minutes", "{n} 分钟"),
    "webmail.settings.hour": ("1 hour", "1 小时"),
    "webmail.settings.hours": ("{n} hours", "{n} 小时"),
    "webmail.settings.day": ("1 day", "1 天"),
    "webmail.settings.days": ("{n} days", "{n} 天"),
    "webmail.settings.sessions": ("Where you are signed in", "登录设备"),
    "webmail.settings.session_ip": ("Address", "IP 地址"),
    "webmail.settings.session_started": ("Signed in", "登录时间"),
    "webmail.settings.session_seen": ("Last active", "最近活动"),
    "webmail.settings.logout_all": ("Sign out everywhere else", "退出其他所有设备"),
    "webmail.settings.logout_all_help": (
        "Ends every other web session of your account; this browser stays signed in. "
        "Mail apps keep working with their client passwords (revoke those above).",
        "结束本账号在其他设备上的网页登录，当前浏览器保持登录。"
        "邮件客户端使用客户端专用密码，不受影响（如需停用请在上方删除对应密码）。",
    ),
    "webmail.settings.client_passwords": ("Client passwords", "客户端专用密码"),
    "webmail.settings.client_help": (
        "Mail apps (Outlook, Foxmail, Thunderbird, phone mail) sign in with a client password instead "
        "of your account password. Create one per app; revoke it when you stop using the app.",
        "Outlook、Foxmail、Thunderbird、手机邮件等客户端请使用客户端专用密码登录，而非账号密码。"
        "建议每个客户端单独生成一个，停用后及时删除。",
    ),
    "webmail.settings.label": ("Name", "名称"),
    "webmail.settings.label_input": ("Name (e.g. Outlook on my laptop)", "名称（如：笔记本上的 Outlook）"),
    "webmail.settings.create": ("Create client password", "生成专用密码"),
    "webmail.settings.new_secret": (
        "Your new client password — copy it now, it will not be shown again:",
        "新的客户端专用密码如下，请立即复制，它不会再次显示：",
    ),
    "webmail.settings.new_secret_how": (
        "Type it into the app as the password, with your mailbox address as the user name.",
        "在客户端中将其填写为密码，用户名填写您的邮箱地址。",
    ),
    "webmail.settings.created": ("Created", "创建时间"),
    "webmail.settings.last_used": ("Last used", "最近使用"),
    "webmail.settings.never": ("never", "从未使用"),
    "webmail.settings.revoke": ("Revoke", "删除"),
    "webmail.settings.revoke_named": ("Revoke {label}", "删除 {label}"),
    "webmail.settings.revoked": (
        "The client password was revoked; apps using it can no longer sign in.",
        "客户端专用密码已删除，使用它的客户端将无法再登录。",
    ),
    "webmail.settings.none": ("No client passwords yet.", "尚未生成客户端专用密码。"),
    "webmail.settings.servers": ("Settings for mail apps", "客户端服务器设置"),
    "webmail.settings.protocol": ("Protocol", "协议"),
    "webmail.settings.server": ("Server", "服务器"),
    "webmail.settings.port": ("Port", "端口"),
    "webmail.settings.security": ("Security", "加密方式"),
    "webmail.settings.username": (
        "User name: your mailbox address {address}",
        "用户名：您的邮箱地址 {address}",
    ),
    "webmail.settings.password_hint": (
        "Password: a client password from the section above.",
        "密码：上方生成的客户端专用密码。",
    ),
    "webmail.settings.ssl": ("SSL/TLS", "SSL/TLS"),
    "webmail.settings.starttls": ("STARTTLS", "STARTTLS"),
    "webmail.settings.sessions_ended": (
        "Other sessions signed out: {n}. This browser stays signed in.",
        "已退出其他 {n} 个登录，当前浏览器保持登录。",
    ),
    "webmail.settings.totp": ("Two-step verification", "两步验证"),
    "webmail.settings.totp_help": (
        "When it is on, signing in with your password also asks for a 6-digit code from an "
        "authenticator app on your phone (Google Authenticator, Microsoft Authenticator, FreeOTP…). "
        "Mail apps keep using client passwords.",
        "开启后，使用密码登录网页邮箱时还需输入手机身份验证器应用（如 Google Authenticator、"
        "Microsoft Authenticator、FreeOTP 等）中的 6 位动态码。邮件客户端仍使用客户端专用密码。",
    ),
    "webmail.settings.totp_on": ("On", "已开启"),
    "webmail.settings.totp_off": ("Off", "未开启"),
    "webmail.settings.totp_begin": ("Set up two-step verification", "开启两步验证"),
    "webmail.settings.totp_step1": (
        "1. In your authenticator app, add an account and enter this key (or open the setup link on "
        "your phone):",
        "1. 在身份验证器应用中添加账户，输入以下密钥（或在手机上打开设置链接）：",
    ),
    "webmail.settings.totp_key": ("Key", "密钥"),
    "webmail.settings.totp_link": ("Open in authenticator app", "在身份验证器中打开"),
    "webmail.settings.totp_uri": ("Setup link (otpauth)", "设置链接（otpauth）"),
    "webmail.settings.totp_step2": (
        "2. Type the 6-digit code the app now shows:",
        "2. 输入应用中显示的 6 位动态码：",
    ),
    "webmail.settings.totp_code": ("6-digit code", "6 位动态码"),
    "webmail.settings.totp_confirm": ("Turn on", "确认开启"),
    "webmail.settings.totp_disable": ("Turn off", "关闭两步验证"),
    "webmail.settings.totp_disable_help": (
        "To turn it off, type a current code from your app.",
        "如需关闭，请输入应用中当前显示的动态码。",
    ),
    "webmail.settings.totp_enabled": (
        "Two-step verification is on. Signing in now asks for a code from your app.",
        "两步验证已开启，之后登录时需输入应用中的动态码。",
    ),
    "webmail.settings.totp_disabled": ("Two-step verification is off.", "两步验证已关闭。"),
}

# ?done=… after a redirect: the notice and the section it is shown in (the page scrolls there).
_DONE = {
    "password-changed": ("webmail.settings.password_changed", "password"),
    "keep-saved": ("webmail.settings.keep_saved", "keep-alive"),
    "revoked": ("webmail.settings.revoked", "client-passwords"),
    "totp-on": ("webmail.settings.totp_enabled", "totp"),
    "totp-off": ("webmail.settings.totp_disabled", "totp"),
    "logged-out-elsewhere": ("webmail.settings.sessions_ended", "sessions"),
}
KEEP_CHOICES = (15, 30, 60, 120, 480, 1440, 4320, 10080)  # minutes offered (within auth limits)


@dataclass(frozen=True, slots=True)
class ClientServer:
    """One line of the mail-app settings table."""

    protocol: str
    host: str
    port: int
    security: str  # "ssl" or "starttls"


def client_servers(settings: Settings) -> list[ClientServer]:
    """What to type into a mail app, from the listeners this installation actually runs.

    Every row has the same host (the installation's ``hostname``); the page shows it once."""
    rows = []
    for protocol, name, security in (
        ("IMAP", "imaps", "ssl"),
        ("IMAP", "imap", "starttls"),
        ("POP3", "pop3s", "ssl"),
        ("POP3", "pop3", "starttls"),
        ("SMTP", "smtps", "ssl"),
        ("SMTP", "submission", "starttls"),
    ):
        addresses = getattr(settings.listen, name)
        if addresses:
            _, port = parse_host_port(addresses[0])
            rows.append(ClientServer(protocol, settings.hostname, port, security))
    return rows


def keep_label(minutes: int) -> tuple[str, int]:
    """The UI string key and number for a keep-alive choice (``1 hour``, ``8 hours``, ``3 days``)."""
    if minutes % 1440 == 0:
        unit, n = "day", minutes // 1440
    elif minutes % 60 == 0:
        unit, n = "hour", minutes // 60
    else:
        unit, n = "minute", minutes
    return (f"webmail.settings.{unit}" if n == 1 else f"webmail.settings.{unit}s"), n


def grouped_secret(secret: str) -> str:
    """``ABCD EFGH …``: a TOTP key is easier to type from groups of four."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    routes.add_api_route("/settings", settings_page, methods=["GET"])
    routes.add_api_route("/settings/keep-alive", save_keep_alive, methods=["POST"])
    routes.add_api_route("/settings/sessions/logout-all", logout_everywhere, methods=["POST"])
    routes.add_api_route("/settings/client-passwords", create_client_password, methods=["POST"])
    routes.add_api_route(
        "/settings/client-passwords/{password_id}/revoke", revoke_client_password, methods=["POST"]
    )
    routes.add_api_route("/settings/totp/begin", begin_totp, methods=["POST"])
    routes.add_api_route("/settings/totp/confirm", confirm_totp, methods=["POST"])
    routes.add_api_route("/settings/totp/disable", disable_totp, methods=["POST"])
    return routes


def _ids(principal: Principal) -> tuple[int, int]:
    assert principal.enterprise_id is not None and principal.member_id is not None  # deps.member
    return principal.enterprise_id, principal.member_id


async def _page(
    request: Request, principal: Principal, extra: dict[str, Any] | None = None, status: int = 200
) -> Response:
    services = deps.services_of(request)
    enterprise_id, member_id = _ids(principal)
    passwords = await services.auth.client_passwords.list(enterprise_id, member_id)
    sessions = await services.auth.sessions.list_for_member(enterprise_id, member_id)
    keep = await services.auth.sessions.keep_minutes(enterprise_id, member_id)
    context: dict[str, Any] = {
        "client_passwords": passwords,
        "sessions": sessions,
        "keep_minutes": keep,
        "keep_choices": [(m, *keep_label(m)) for m in sorted({*KEEP_CHOICES, keep})],
        "servers": client_servers(services.settings),
        "totp_on": await services.auth.totp.enabled(principal),
        "when": full_time,
        **(extra or {}),
    }
    response = request.app.state.pages.render(request, "webmail/settings.html", context, status_code=status)
    assert isinstance(response, Response)
    # Pages may hold a fresh secret (client password, TOTP key): never cache any settings page.
    response.headers["cache-control"] = "no-store"
    return response


async def _failed(
    request: Request, principal: Principal, error: YunmailError, section: str, **extra: Any
) -> Response:
    """The settings page again with ``error`` shown in ``section`` (the form that caused it)."""
    context = {
        "error": error.text(deps.language(request)),
        "error_code": error.code,
        "error_at": section,
        **extra,
    }
    return await _page(request, principal, context, error.http_status)


def _done(what: str) -> RedirectResponse:
    return RedirectResponse(f"/settings?done={what}#{_DONE[what][1]}", status_code=303)


async def _fresh_session(request: Request, principal: Principal, response: Response) -> None:
    """Give this browser a new session (the member's current keep-alive) in ``response``."""
    token = await deps.services_of(request).auth.sessions.create(principal, remote_ip=deps.remote_ip(request))
    deps.set_session_cookie(request, response, "webmail", token)


async def settings_page(
    request: Request,
    done: str | None = None,
    ended: str | None = None,
    principal: Principal = Depends(deps.member),
) -> Response:
    extra: dict[str, Any] = {}
    if done in _DONE:
        extra["notice"], extra["notice_at"] = _DONE[done]
        extra["notice_n"] = int(ended) if ended and ended.isdigit() and len(ended) < 6 else 0
    return await _page(request, principal, extra)


async def save_keep_alive(
    request: Request, minutes: str = Form(""), principal: Principal = Depends(deps.member)
) -> Response:
    services = deps.services_of(request)
    enterprise_id, member_id = _ids(principal)
    try:
        value = int(minutes) if minutes.strip().isdigit() else -1  # the service says what is allowed
        await services.auth.sessions.set_keep_minutes(enterprise_id, member_id, value)
    except YunmailError as exc:
        return await _failed(request, principal, exc, "keep-alive")
    # A session's idle time is fixed when it starts: re-issue this browser's session so that the new
    # keep-alive applies now. The old token ends; other devices keep theirs until they sign in again.
    response = _done("keep-saved")
    current = deps.session_token(request, "webmail")
    await _fresh_session(request, principal, response)
    if current is not None:
        await services.auth.sessions.revoke(current)
    return response


async def logout_everywhere(request: Request, principal: Principal = Depends(deps.member)) -> Response:
    """End every other session of the member; this browser stays signed in (with a new session)."""
    services = deps.services_of(request)
    enterprise_id, member_id = _ids(principal)
    ended = await services.auth.sessions.revoke_all(enterprise_id, member_id)
    others = max(0, ended - 1)  # revoke_all ended this browser's session too
    response = RedirectResponse(f"/settings?done=logged-out-elsewhere&ended={others}#sessions", 303)
    await _fresh_session(request, principal, response)
    return response


async def create_client_password(
    request: Request, label: str = Form(""), principal: Principal = Depends(deps.member)
) -> Response:
    services = deps.services_of(request)
    enterprise_id, member_id = _ids(principal)
    try:
        created, secret = await services.auth.client_passwords.create(
            enterprise_id, member_id, label, actor=deps.actor_of(principal, request)
        )
    except YunmailError as exc:
        return await _failed(request, principal, exc, "client-passwords", label=label)
    # Shown once, in this response only (not cached: see _page); never put in a URL or a log.
    return await _page(request, principal, {"new_secret": secret, "new_label": created.label})


async def revoke_client_password(
    request: Request, password_id: int, principal: Principal = Depends(deps.member)
) -> Response:
    services = deps.services_of(request)
    enterprise_id, member_id = _ids(principal)
    await services.auth.client_passwords.revoke(
        enterprise_id, member_id, password_id, actor=deps.actor_of(principal, request)
    )
    return _done("revoked")


# --- two-step verification --------------------------------------------------------------------------


def _enrollment_context(enrollment: TotpEnrollment) -> dict[str, Any]:
    return {
        "enrollment": enrollment,
        "enrollment_key": grouped_secret(enrollment.secret),
    }


async def begin_totp(request: Request, principal: Principal = Depends(deps.member)) -> Response:
    """Show a new key and the confirm form; nothing is stored until a code proves the app has it."""
    services = deps.services_of(request)
    try:
        enrollment = await services.auth.totp.begin(principal)
    except YunmailError as exc:
        return await _failed(request, principal, exc, "totp")
    return await _page(request, principal, _enrollment_context(enrollment))


async def confirm_totp(
    request: Request,
    secret: str = Form(""),
    otpauth_uri: str = Form(""),
    code: str = Form(""),
    principal: Principal = Depends(deps.member),
) -> Response:
    services = deps.services_of(request)
    try:
        await services.auth.totp.confirm(principal, secret, code)
    except YunmailError as exc:
        # Keep the same key on the page: the member's app already has it. The URI is only shown again
        # (as text and a link) when it is an otpauth link: never echo anything else into an href.
        uri = otpauth_uri if otpauth_uri.startswith("otpauth://totp/") else ""
        kept = _enrollment_context(TotpEnrollment(secret, uri)) if secret.strip() else {}
        return await _failed(request, principal, exc, "totp", **kept)
    return _done("totp-on")


async def disable_totp(
    request: Request, code: str = Form(""), principal: Principal = Depends(deps.member)
) -> Response:
    services = deps.services_of(request)
    try:
        await services.auth.totp.disable(principal, code)
    except YunmailError as exc:
        return await _failed(request, principal, exc, "totp")
    return _done("totp-off")
