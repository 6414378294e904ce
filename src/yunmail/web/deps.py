"""Request → services, language, principal and CSRF checks: the dependencies every route uses.

Sessions (PRODUCT §1, §6) are cookies holding the session token; each portal has its own cookie
so that logging into the admin console does not log a member out of webmail:

* ``ym_mail`` — member webmail session (idle time chosen by the member, default 30 minutes);
* ``ym_admin`` — enterprise administrator (console and cookie-authenticated API), 30 minutes idle;
* ``ym_operator`` — platform operator console, 30 minutes idle.

CSRF: a state-changing request authenticated by a cookie must carry the session's CSRF token
(form field ``csrf_token`` or header ``X-CSRF-Token``). The token is derived from the session token
(which the page cannot read: the cookie is HttpOnly), so it needs no storage and works on every
node. API scripts authenticate with ``Authorization: Bearer`` and need no CSRF token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import TYPE_CHECKING, Literal

from fastapi import Request
from starlette.responses import Response

from yunmail.errors import (
    AuthenticationFailed,
    CsrfRejected,
    PasswordChangeRequired,
    PortalForbidden,
    SessionInvalid,
)

if TYPE_CHECKING:
    from yunmail.auth import Principal
    from yunmail.web.ports import WebServices

Portal = Literal["webmail", "admin", "operator"]

SESSION_COOKIES: dict[Portal, str] = {
    "webmail": "ym_mail",
    "admin": "ym_admin",
    "operator": "ym_operator",
}
LOGIN_PATHS: dict[Portal, str] = {"webmail": "/login", "admin": "/admin/login", "operator": "/operator/login"}
PASSWORD_CHANGE_PATH = "/password/change"
# Pages a member who must change the password may still use.
_BEFORE_PASSWORD_CHANGE = (PASSWORD_CHANGE_PATH, "/logout")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def language(request: Request) -> str:
    """``zh`` or ``en``, chosen once per request by the front door middleware."""
    return str(getattr(request.state, "lang", "zh"))


def set_session_cookie(request: Request, response: Response, portal: Portal, token: str) -> None:
    """The portal's session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS; ends with the browser."""
    response.set_cookie(
        SESSION_COOKIES[portal],
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def services_of(request: Request) -> WebServices:
    services: WebServices = request.app.state.services
    return services


def portal_of_path(path: str) -> Portal:
    if path.startswith("/admin") or path.startswith("/api/"):
        return "admin"
    if path.startswith("/operator"):
        return "operator"
    return "webmail"


def remote_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def csrf_token_for(session_token: str) -> str:
    digest = hashlib.sha256(b"yunmail-csrf\x00" + session_token.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode("ascii")


def session_token(request: Request, portal: Portal) -> str | None:
    return request.cookies.get(SESSION_COOKIES[portal]) or None


def csrf_token(request: Request, portal: Portal | None = None) -> str:
    """The CSRF token pages embed in their forms ('' when not logged in to the portal)."""
    token = session_token(request, portal or portal_of_path(request.url.path))
    return csrf_token_for(token) if token else ""


async def verify_csrf(request: Request, portal: Portal) -> None:
    """Refuse an unsafe, cookie-authenticated request without the right CSRF token."""
    if request.method not in UNSAFE_METHODS:
        return
    token = session_token(request, portal)
    if token is None:
        return  # not cookie-authenticated: the principal check refuses it if it needs a login
    expected = csrf_token_for(token)
    supplied = request.headers.get(CSRF_HEADER, "")
    if not supplied and _is_form(request):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        supplied = value if isinstance(value, str) else ""
    if not supplied or not hmac.compare_digest(supplied, expected):
        raise CsrfRejected()


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith("application/x-www-form-urlencoded") or kind.startswith("multipart/form-data")


async def _session_principal(request: Request, portal: Portal) -> Principal:
    token = session_token(request, portal)
    if token is None:
        raise SessionInvalid()
    principal = await services_of(request).auth.sessions.validate(token)
    await verify_csrf(request, portal)
    return principal


async def member(request: Request) -> Principal:
    """The logged-in member of the webmail (cookie ``ym_mail``)."""
    principal = await _session_principal(request, "webmail")
    if principal.kind != "member":
        raise PortalForbidden()
    request.state.principal = principal
    if principal.must_change_password and not request.url.path.startswith(_BEFORE_PASSWORD_CHANGE):
        raise PasswordChangeRequired()  # an admin set or reset the password (PRODUCT §3)
    return principal


async def administrator(request: Request) -> Principal:
    """An enterprise administrator: console cookie, or an API token in ``Authorization: Bearer``."""
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        principal = await services_of(request).auth.api_tokens.validate(
            authorization[7:].strip(), remote_ip=remote_ip(request)
        )
    else:
        principal = await _session_principal(request, "admin")
    if principal.kind != "admin" or principal.enterprise_id is None:
        raise PortalForbidden()
    request.state.principal = principal
    return principal


async def operator(request: Request) -> Principal:
    """The platform operator (cookie ``ym_operator``)."""
    principal = await _session_principal(request, "operator")
    if principal.kind != "operator":
        raise PortalForbidden()
    request.state.principal = principal
    return principal


def enterprise_scope(principal: Principal) -> int:
    """The enterprise an administrator acts on; every tenant query is scoped by it."""
    if principal.enterprise_id is None:
        raise AuthenticationFailed()
    return principal.enterprise_id


def actor_of(principal: Principal, request: Request) -> str:
    """Audit-log actor: who and from where (PRODUCT: who, what, when, from where)."""
    return f"{principal.kind}:{principal.login}@{remote_ip(request)}"
