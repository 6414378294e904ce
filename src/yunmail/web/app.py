"""The web application: one FastAPI app serving the REST API, the admin, operator and webmail portals.

Host routing (PRODUCT §4, ``web.hosts``): the platform host serves every portal; a customer's
``mail.<domain>`` serves only the member webmail; ``autoconfig.``/``autodiscover.``/``mta-sts.``
hosts serve only their documents; any other host gets 421 (misdirected). Each request also gets its
language, a CSP nonce and the security headers here, once, so no route can forget them.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import unquote

from fastapi import FastAPI, Form, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import JSONResponse, RedirectResponse, Response

import yunmail
from yunmail.errors import InvalidInput
from yunmail.security import new_token
from yunmail.web import admin, api, operator, webmail, wellknown
from yunmail.web.errors import error_response, install_error_handlers
from yunmail.web.hosts import HostRouter, HostScope
from yunmail.web.i18n import LANGUAGE_COOKIE, LANGUAGES, Catalogue, choose_language
from yunmail.web.openapi import install_openapi
from yunmail.web.ports import WebServices
from yunmail.web.templating import Pages

# Paths any host may serve (static files, health, the language switch).
_ANY_HOST_PREFIXES = ("/static/", "/healthz", "/lang")
# A customer's mail.<domain> serves the member webmail only.
_CONSOLE_PREFIXES = ("/admin", "/operator", "/api")
_STATIC_DIR = Path(__file__).parent / "static"


def create_app(services: WebServices) -> FastAPI:
    app = FastAPI(
        title="Yunmail API",
        version=yunmail.__version__,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    catalogue = Catalogue()
    for strings in (admin.STRINGS, operator.STRINGS, webmail.STRINGS):
        catalogue.register(strings)
    app.state.services = services
    app.state.pages = Pages(catalogue)
    app.state.hosts = HostRouter(_platform_hosts(services), _hosted_lookup(services))
    install_error_handlers(app)
    install_openapi(app)
    app.mount("/static", StaticFiles(directory=str(_STATIC_DIR)), name="static")
    app.include_router(api.router())
    app.include_router(admin.router())
    app.include_router(operator.router())
    app.include_router(wellknown.router())
    app.include_router(webmail.router())  # last: it owns "/"

    @app.api_route("/healthz", methods=["GET", "HEAD"], include_in_schema=False)
    async def health() -> JSONResponse:
        ok = await services.database_ok()
        body = {
            "status": "ok" if ok else "unavailable",
            "database": "ok" if ok else "unavailable",
            "version": yunmail.__version__,
            "backend": services.backend,
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.post("/lang", include_in_schema=False)
    async def switch_language(lang: str = Form(...), next: str = Form("/")) -> Response:
        target = next if next.startswith("/") and not next.startswith("//") else "/"
        response = RedirectResponse(target, status_code=303)
        if lang in LANGUAGES:
            response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True)
        return response

    app.middleware("http")(_front_door)
    return app


async def _front_door(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    request.state.lang = choose_language(
        request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language")
    )
    problem = await _unacceptable_input(request)
    if problem is not None:
        return error_response(request, InvalidInput(detail=problem))
    request.state.csp_nonce = new_token(12)
    router: HostRouter = request.app.state.hosts
    scope = await router.classify(request.headers.get("host", ""))
    request.state.host_scope = scope
    refusal = _refusal(request, scope)
    response = refusal if refusal is not None else await call_next(request)
    _secure(request, response)
    return response


# Input no route may see, checked once for all of them: NUL characters (PostgreSQL cannot store
# them, no field needs them) and numbers beyond 64 bits (no id or count is that large; SQLite and
# PostgreSQL would fail on them). File uploads are not scanned: binary files contain NULs.
_HUGE_NUMBER = re.compile(r"(?:^|[/=&?])-?\d{19,}(?:$|[/&?#])")


async def _unacceptable_input(request: Request) -> str | None:
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    target = unquote(raw_path.decode("latin-1")) + "?" + unquote(request.url.query)
    if "\x00" in target:
        return "NUL characters are not allowed"
    if _HUGE_NUMBER.search(target):
        return "a number is larger than any id or count can be"
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.body()
        if b"\\u0000" in body or b"\x00" in body:
            return "NUL characters are not allowed"
    return None


def _refusal(request: Request, scope: HostScope) -> Response | None:
    path = request.url.path
    if path.startswith(_ANY_HOST_PREFIXES) or scope.scope == "platform":
        return None
    if scope.scope == "webmail" and not path.startswith(_CONSOLE_PREFIXES):
        return None
    if scope.scope == "autoconfig" and wellknown.is_autoconfig_path(path):
        return None
    if scope.scope == "mta-sts" and wellknown.is_mta_sts_path(path):
        return None
    pages: Pages = request.app.state.pages
    if scope.scope == "unknown":
        return pages.render(
            request,
            "error.html",
            {
                "code": "MISDIRECTED_REQUEST",
                "message": pages.catalogue.gettext(str(request.state.lang), "error.misdirected"),
            },
            status_code=421,
        )
    return pages.render(
        request,
        "error.html",
        {"code": "NOT_FOUND", "message": pages.catalogue.gettext(str(request.state.lang), "error.not_found")},
        status_code=404,
    )


def _secure(request: Request, response: Response) -> None:
    headers = response.headers
    nonce = str(request.state.csp_nonce)
    headers.setdefault(
        "content-security-policy",
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'",
    )
    headers.setdefault("x-content-type-options", "nosniff")
    headers.setdefault("referrer-policy", "same-origin")
    headers.setdefault("x-frame-options", "SAMEORIGIN")
    if request.url.scheme == "https":
        headers.setdefault("strict-transport-security", "max-age=31536000")


def _platform_hosts(services: WebServices) -> frozenset[str]:
    hosts = {services.settings.hostname, services.deployment.webmail_host}
    hosts.update(services.settings.web.platform_hosts)
    return frozenset(h for h in hosts if h)


def _hosted_lookup(services: WebServices) -> Callable[[str], Awaitable[bool]]:
    async def is_hosted(domain: str) -> bool:
        return await services.domains.hosted(domain) is not None

    return is_hosted
