"""Operator console: sign-in (password, then an authenticator code when the operator has one), sign-out,
and the page helpers the other operator modules share.

Owns the ``ym_operator`` cookie: set on a successful login (HttpOnly, SameSite=Lax, Secure over
HTTPS, path ``/``), cleared on logout. A console page requested without a valid operator session
is sent here by ``web.errors`` (``?next=`` the page, ``&expired=1`` after the 30 idle minutes).

The authenticator step carries the login and password back in hidden fields (there is no server
state between the two posts, so any node may answer the second), and that page is sent with
``Cache-Control: no-store``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import HTMLResponse, Response

from yunmail.auth import ADMIN_IDLE_MINUTES, Principal
from yunmail.errors import PortalForbidden, SessionExpired, YunmailError
from yunmail.web import deps
from yunmail.web.console import flash_of, local_next, redirect, render, signed_in
from yunmail.web.errors import language_of

HOME = "/operator/"
LOGIN = "/operator/login"
_COOKIE = deps.SESSION_COOKIES["operator"]
_TOTP_REQUIRED = "TOTP_REQUIRED"
_TOTP_INVALID = "TOTP_INVALID"
_NO_STORE = {"cache-control": "no-store"}

STRINGS: Mapping[str, tuple[str, str]] = {
    "operator.nav.enterprises": ("Enterprises", "企业"),
    "operator.nav.outbox": ("Outbox", "发件记录"),
    "operator.nav.settings": ("Platform settings", "平台设置"),
    "operator.login.title": ("Operator login", "平台运营登录"),
    "operator.login.login": ("Operator login name", "运营账号"),
    "operator.login.password": ("Password", "密码"),
    "operator.login.totp": ("Authenticator code", "动态验证码"),
    "operator.login.totp_hint": (
        "Enter the 6-digit code from your authenticator app.",
        "请输入身份验证器应用中的 6 位动态验证码。",
    ),
    "operator.login.submit": ("Log in", "登录"),
    "operator.login.verify": ("Verify", "验证"),
    "operator.login.start_over": ("Use another account", "使用其他账号登录"),
    "operator.login.logged_out": ("You have logged out.", "您已退出登录。"),
}

_DONE: Mapping[str, str] = {"logged-out": "operator.login.logged_out"}


# --- helpers shared by the operator page modules --------------------------------------------------


def safe_next(target: str | None) -> str:
    """A local operator path to go to after sign-in, else the home page."""
    return local_next(target, prefix="/operator", home=HOME, login=LOGIN)


# --- routes ----------------------------------------------------------------------------------------


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    routes.add_api_route(LOGIN, login_page, methods=["GET"])
    routes.add_api_route(LOGIN, login_submit, methods=["POST"])
    routes.add_api_route("/operator/logout", logout, methods=["POST"])
    return routes


async def login_page(request: Request, next: str = HOME, expired: str = "") -> Response:
    token = deps.session_token(request, "operator")
    if not expired and await signed_in(request, "operator"):
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
    remote_ip = deps.remote_ip(request)
    try:
        principal = await services.auth.operators.authenticate(
            login.strip(), password, totp_code=totp_code.strip() or None, remote_ip=remote_ip
        )
        if principal.kind != "operator":  # the service answers operators only; never trust a mix-up
            raise PortalForbidden()
        token = await services.auth.sessions.create(principal, remote_ip=remote_ip)
    except YunmailError as error:
        if error.code in (_TOTP_REQUIRED, _TOTP_INVALID):
            return _totp_form(
                request,
                login=login,
                password=password,
                next=target,
                error=error if error.code == _TOTP_INVALID else None,
                status_code=error.http_status if error.code == _TOTP_INVALID else 200,
            )
        return _login_form(
            request,
            next=target,
            login=login,
            error=error.text(language_of(request)),
            error_code=error.code,
            status_code=error.http_status,
        )
    response = redirect(target)
    deps.set_session_cookie(request, response, "operator", token)
    return response


async def logout(request: Request, principal: Annotated[Principal, Depends(deps.operator)]) -> Response:
    token = deps.session_token(request, "operator")
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
        "operator/login.html",
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
        "operator/login.html",
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
