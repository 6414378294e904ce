"""Server-rendered pages: one Jinja2 environment for every portal, with the language, CSRF token and nonce.

Templates live beside their portal (``web/<portal>/templates/``) and are addressed with the portal as
prefix (``"admin/members.html"``); the shared layout and error page are in ``web/templates/``.
Autoescaping is always on. Every page gets ``t`` (UI strings in the request's language), ``lang``,
``csrf_token``, ``csp_nonce`` (for the one inline script a page may need), ``principal`` (when
logged in) and ``static`` (URL of a static file, with a version for cache busting).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape
from starlette.responses import HTMLResponse

import yunmail
from yunmail.web.deps import csrf_token, portal_of_path
from yunmail.web.i18n import Catalogue

WEB_DIR = Path(__file__).parent
PORTALS = ("admin", "operator", "webmail")


class Pages:
    """Renders templates to responses; built once by the app factory."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        portal_loaders = {
            name: FileSystemLoader(str(WEB_DIR / name / "templates"))
            for name in PORTALS
            if (WEB_DIR / name / "templates").is_dir()
        }
        self.env = Environment(
            loader=ChoiceLoader([FileSystemLoader(str(WEB_DIR / "templates")), PrefixLoader(portal_loaders)]),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
            enable_async=False,
        )
        self.env.globals["static"] = static_url

    def render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any] | None = None,
        *,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        lang = str(getattr(request.state, "lang", "zh"))

        def t(key: str, **params: object) -> str:
            return self.catalogue.gettext(lang, key, **params)

        values: dict[str, Any] = {
            "request": request,
            "lang": lang,
            "t": t,
            "csrf_token": csrf_token(request, portal_of_path(request.url.path)),
            "csp_nonce": getattr(request.state, "csp_nonce", ""),
            "principal": getattr(request.state, "principal", None),
            "portal": portal_of_path(request.url.path),
            "host_scope": getattr(request.state, "host_scope", None),
        }
        values.update(context or {})
        body = self.env.get_template(template).render(values)
        return HTMLResponse(body, status_code=status_code, headers=dict(headers or {}))


def static_url(path: str) -> str:
    return f"/static/{path}?v={yunmail.__version__}"
