"""Admin console sign-in (login + password, then a TOTP step when required), sign-out, and page helpers.

Owns the ``ym_admin`` cookie: set on a successful login (HttpOnly, SameSite=Lax, Secure over
HTTPS, path ``/``), cleared on logout. A page requested without a valid session is sent here by
``web.errors`` (``?next=`` the page, ``&expired=1`` after the 30 idle minutes), and this page says
which of the two happened.

The TOTP step: ``auth.admin_login.authenticate`` needs the login, the password and the code together,
and there is no server-side state between the two steps (any node may answer the second post), so
the second form carries the login and password back in hidden fields. The page is sent with
``Cache-Control: no-store`` so that the password never lands in a cache; it travels only between
the browser and this server, exactly as in the first post.

The page helpers (``render``, ``flash_of``, ``safe_next``) are shared by the admin page modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import HTMLResponse, Response

from yunmail.auth import ADMIN_IDLE_MINUTES, Principal
from yunmail.errors import SessionExpired, YunmailError
from yunmail.web import deps
from yunmail.web.console import flash_of, local_next, redirect, render, signed_in
from yunmail.web.errors import language_of

HOME = "/admin/"
LOGIN = "/admin/login"
_COOKIE = deps.SESSION_COOKIES["admin"]
_TOTP_REQUIRED = "TOTP_REQUIRED"
_TOTP_INVALID = "TOTP_INVALID"
_NO_STORE = {"cache-control": "no-store"}

STRINGS: Mapping[str, tuple[str, str]] = {
    "admin.login.title": ("Administrator login", "管理员登录"),
    "admin.login.login": ("Administrator login name", "管理员账号"),
    "admin.login.password": ("Password", "密码"),
    "admin.login.totp": ("Authenticator code", "动态验证码"),
    "admin.login.totp_hint": (
        "Enter the 6-digit code from your authenticator app.",
        "请输入身份验证器应用中的 6 位动态验证码。",
    ),
    "admin.login.submit": ("Log in", "登录"),
    "admin.login.verify": ("Verify", "验证"),
    "admin.login.start_over": ("Use another account", "使用其他账号登录"),
    "admin.login.logged_out": ("You have logged out.", "您已退出登录。"),
}

_DONE: Mapping[str, str] = {
    "logged-out": "admin.login.logged_out",
    "invitation-accepted": "admin.invite.accepted",  # admin_pages: an invitee has just set a password
}


# --- helpers shared by the admin page modules -----------------------------------------------------


def safe_next(target: str | None) -> str:
    """A local admin path to go to after sign-in, else the home page."""
    return local_next(target, prefix="/admin", home=HOME, login=LOGIN)


# --- routes ----------------------------------------------------------------------------------------


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    routes.add_api_route(LOGIN, login_page, methods=["GET"])
    routes.add_api_route(LOGIN, login_submit, methods=["POST"])
    routes.add_api_route("/admin/logout", logout, methods=["POST"])
    return routes


async def login_page(request: Request, next: str = HOME, expired: str = "") -> Response:
    token = deps.session_token(request, "admin")
    if not expired and await signed_in(request, "admin"):
        return redirect(safe_next(next))
    notice = SessionExpired(minutes=ADMIN_IDLE_MINUTES).text(language_of(request)) if expired else None
    response = _login_form(request, next=safe_next(next), notice=notice, flash=flash_of(request, _DONE))
    if expired and token is not None:
        response.delete_cookie(_COOKIE, path="/")
    return response


async def login_submit(
    request: Request,
    login: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    totp_code: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = HOME,
) -> Response:
    services = deps.services_of(request)
    target = safe_next(next)
    code = totp_code.strip() or None
    try:
        principal = await services.auth.admin_login.authenticate(
            login.strip(), password, totp_code=code, remote_ip=deps.remote_ip(request)
        )
        token = await services.auth.sessions.create(principal, remote_ip=deps.remote_ip(request))
    except YunmailError as error:
        lang = language_of(request)
        if error.code == _TOTP_REQUIRED:
            return _totp_form(request, login=login, password=password, next=target)
        if error.code == _TOTP_INVALID:
            return _totp_form(
                request,
                login=login,
                password=password,
                next=target,
                error=error,
                status_code=error.http_status,
            )
        return _login_form(
            request,
            next=target,
            login=login,
            error=error.text(lang),
            error_code=error.code,
            status_code=error.http_status,
        )
    response = redirect(target)
    response.set_cookie(
        _COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


async def logout(request: Request, principal: Annotated[Principal, Depends(deps.administrator)]) -> Response:
    token = deps.session_token(request, "admin")
    if token is not None:
        await deps.services_of(request).auth.sessions.revoke(token)
    response = redirect(f"{LOGIN}?done=logged-out")
    response.delete_cookie(_COOKIE, path="/")
    return response


def _login_form(
    request: Request,
    *,
    next: str,
    login: str = "",
    error: str | None = None,
    error_code: str | None = None,
    notice: str | None = None,
    flash: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "admin/login.html",
        {
            "step": "password",
            "next": next,
            "login": login,
            "error": error,
            "error_code": error_code,
            "notice": notice,
            "flash": flash,
        },
        status_code=status_code,
    )


def _totp_form(
    request: Request,
    *,
    login: str,
    password: str,
    next: str,
    error: YunmailError | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    response = render(
        request,
        "admin/login.html",
        {
            "step": "totp",
            "next": next,
            "login": login,
            "password": password,
            "error": error.text(language_of(request)) if error is not None else None,
            "error_code": error.code if error is not None else None,
        },
        status_code=status_code,
    )
    response.headers.update(_NO_STORE)
    return response
