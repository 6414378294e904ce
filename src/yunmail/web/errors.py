"""The web front door's one mapping from catalogue errors to HTTP: ``{code, message}`` JSON or an error page.

DESIGN §3.9: services raise catalogue errors; this module alone turns them into responses. API
paths (``/api/``) and requests that ask for JSON get ``{"code", "message"}`` in the request's
language; page requests get the error page, except that a page needing a login redirects to its
portal's login (``?next=`` the page, ``&expired=1`` after idle expiry) and a member who must change
the password first is sent to the change page. Unexpected exceptions become ``INTERNAL_ERROR`` 500
without details (the trace goes to the log, never to the browser).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from yunmail import logging
from yunmail.errors import (
    InvalidInput,
    NotFound,
    PasswordChangeRequired,
    SessionExpired,
    SessionInvalid,
    YunmailError,
)
from yunmail.web.deps import LOGIN_PATHS, PASSWORD_CHANGE_PATH, portal_of_path

if TYPE_CHECKING:
    from yunmail.web.templating import Pages

_log = logging.get("web.errors")

_HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "AUTHENTICATION_REQUIRED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    421: "MISDIRECTED_REQUEST",
    429: "RATE_LIMITED",
}


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def language_of(request: Request) -> str:
    return str(getattr(request.state, "lang", "en"))


def error_response(request: Request, error: YunmailError) -> Response:
    lang = language_of(request)
    if wants_json(request):
        return JSONResponse(error.as_dict(lang), status_code=error.http_status)
    redirect = _page_redirect(request, error)
    if redirect is not None:
        return redirect
    pages: Pages = request.app.state.pages
    return pages.render(
        request,
        "error.html",
        {"code": error.code, "message": error.text(lang)},
        status_code=error.http_status,
    )


def _page_redirect(request: Request, error: YunmailError) -> Response | None:
    """A page that needs a login (or a password change first) sends the browser there instead."""
    portal = portal_of_path(request.url.path)
    if isinstance(error, SessionInvalid | SessionExpired) and request.method in ("GET", "HEAD"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        query = urlencode({"next": target, **({"expired": "1"} if isinstance(error, SessionExpired) else {})})
        return RedirectResponse(f"{LOGIN_PATHS[portal]}?{query}", status_code=303)
    if isinstance(error, SessionInvalid | SessionExpired):
        return RedirectResponse(LOGIN_PATHS[portal], status_code=303)
    if isinstance(error, PasswordChangeRequired) and portal == "webmail":
        return RedirectResponse(PASSWORD_CHANGE_PATH, status_code=303)
    return None


def install_error_handlers(app: FastAPI) -> None:
    async def on_catalogue_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, YunmailError)
        return error_response(request, exc)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        detail = "; ".join(_describe(e) for e in exc.errors()[:5])
        return error_response(request, InvalidInput(detail=detail))

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            return error_response(request, NotFound())
        code = _HTTP_CODES.get(exc.status_code, "HTTP_ERROR")
        lang = language_of(request)
        message = str(exc.detail) if exc.detail else code
        headers = dict(exc.headers or {})
        if wants_json(request):
            return JSONResponse({"code": code, "message": message}, exc.status_code, headers=headers)
        pages: Pages = request.app.state.pages
        del lang
        return pages.render(
            request, "error.html", {"code": code, "message": message}, status_code=exc.status_code
        )

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        _log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(request, YunmailError())

    app.add_exception_handler(YunmailError, on_catalogue_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)


def _describe(error: object) -> str:
    if not isinstance(error, dict):
        return str(error)
    where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path"))
    return f"{where}: {error.get('msg', 'invalid')}" if where else str(error.get("msg", "invalid"))
