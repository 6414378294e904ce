"""Pieces the admin and operator consoles share: rendering, UI text, flashes, redirects, sign-in checks.

Both consoles sign in the same way (password, optional TOTP step, 30-minute idle sessions) and differ
only in their path prefix, cookie and principal kind; the page modules keep their own routes and
call these helpers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from starlette.responses import HTMLResponse, RedirectResponse

from yunmail.errors import YunmailError
from yunmail.web import deps
from yunmail.web.errors import language_of
from yunmail.web.templating import Pages


def render(
    request: Request, template: str, context: Mapping[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    pages: Pages = request.app.state.pages
    return pages.render(request, template, context, status_code=status_code)


def text(request: Request, key: str, **params: object) -> str:
    """A UI string in the request's language (for flashes and outcomes built in Python)."""
    pages: Pages = request.app.state.pages
    return pages.catalogue.gettext(language_of(request), key, **params)


def flash_of(request: Request, done: Mapping[str, str]) -> str | None:
    """The translated message of a ``?done=`` marker (never the raw query text)."""
    key = done.get(request.query_params.get("done", ""))
    return text(request, key) if key else None


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def local_next(target: str | None, *, prefix: str, home: str, login: str) -> str:
    """A path under ``prefix`` to go to after sign-in; anything else (other hosts, ``//x``, control
    characters, the login page itself) is ``home``."""
    value = (target or "").strip()
    if (
        not value.startswith(prefix)
        or value.startswith("//")
        or any(c in value for c in "\\\r\n\t")
        or not (value == prefix or value[len(prefix)] in "/?")
        or value.startswith(login)
    ):
        return home
    return value


async def signed_in(request: Request, portal: deps.Portal) -> bool:
    """Whether the request already carries a live session of this console (login page skips itself)."""
    token = deps.session_token(request, portal)
    if token is None:
        return False
    try:
        principal = await deps.services_of(request).auth.sessions.validate(token)
    except YunmailError:
        return False
    return principal.kind == ("admin" if portal == "admin" else "operator")
