"""Admin console sign-in: the login form, each refusal's own message, the TOTP step, logout, expiry."""

from __future__ import annotations

import httpx
from playwright.async_api import Page

from support.browser import no_horizontal_scroll, screenshot
from support.server import RunningServer
from support.web import ACTOR, ADMIN_PASSWORD, WebTenant, base_url, login_page_as, web_tenant
from web.admin.console_server import (
    ON_CONSOLE,
    clock_of,
    console,
    console_client,
    console_database_url,
    http_client,
)
from yunmail.auth import code_at
from yunmail.clock import FakeClock
from yunmail.web.deps import csrf_token_for

__all__ = ["console", "console_database_url"]  # the module's server fixtures

ENGLISH = {"accept-language": "en"}


def client(server: RunningServer) -> httpx.AsyncClient:
    return http_client(server, headers=ENGLISH)


async def post_login(server: RunningServer, **fields: str) -> httpx.Response:
    async with client(server) as http:
        return await http.post("/admin/login", data=fields)


async def with_totp(server: RunningServer) -> tuple[WebTenant, str]:
    """A tenant whose administrator turned TOTP on; the secret of its authenticator app."""
    tenant = await web_tenant(server)
    totp, clock = server.services.auth.totp, clock_of(server)
    enrollment = await totp.begin(tenant.admin)
    await totp.confirm(tenant.admin, enrollment.secret, code_at(enrollment.secret, clock.now()))
    clock.advance(seconds=90)  # the confirming code is used up: the next login needs a fresh one
    return tenant, enrollment.secret


def error_code_of(response: httpx.Response) -> str | None:
    marker = 'data-testid="login-error" data-code="'
    if marker not in response.text:
        return None
    return response.text.split(marker, 1)[1].split('"', 1)[0]


# --- fast: HTTP only ----------------------------------------------------------------------------


@ON_CONSOLE
async def test_correct_password_sets_a_strict_session_cookie_and_goes_to_next(console: RunningServer) -> None:
    tenant = await web_tenant(console)

    response = await post_login(
        console, login=tenant.admin.login, password=ADMIN_PASSWORD, next="/admin/members?q=x"
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/admin/members?q=x"
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("ym_admin=")
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie  # plain http here


@ON_CONSOLE
async def test_login_over_https_marks_the_cookie_secure(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    host, port = console.address("https")
    async with httpx.AsyncClient(
        base_url=f"https://{host}:{port}", verify=console.client_tls(), timeout=60.0
    ) as http:
        response = await http.post(
            "/admin/login",
            data={"login": tenant.admin.login, "password": ADMIN_PASSWORD},
            headers={"host": console.settings.hostname},
        )

    assert response.status_code == 303
    assert "secure" in response.headers["set-cookie"].lower()


@ON_CONSOLE
async def test_next_pointing_off_site_lands_on_the_dashboard(console: RunningServer) -> None:
    tenant = await web_tenant(console)

    response = await post_login(
        console, login=tenant.admin.login, password=ADMIN_PASSWORD, next="//evil.test/x"
    )

    assert response.headers["location"] == "/admin/"


@ON_CONSOLE
async def test_wrong_password_is_refused_with_the_invalid_login_message(console: RunningServer) -> None:
    tenant = await web_tenant(console)

    response = await post_login(console, login=tenant.admin.login, password="Wrong-Pass-2026")

    assert response.status_code == 401
    assert error_code_of(response) == "LOGIN_INVALID"
    assert "set-cookie" not in response.headers
    assert tenant.admin.login in response.text  # the login is kept in the form


@ON_CONSOLE
async def test_disabled_administrator_gets_its_own_message(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    services = console.services
    issued = await services.directory.invitations.invite(
        tenant.enterprise.id, "Second", None, "second@example.test", ACTOR
    )
    second = await services.directory.invitations.accept(issued.token, ADMIN_PASSWORD)
    await services.directory.administrators.disable(tenant.enterprise.id, second.id, ACTOR)

    response = await post_login(console, login=second.login, password=ADMIN_PASSWORD)

    assert error_code_of(response) == "LOGIN_ACCOUNT_DISABLED"


@ON_CONSOLE
async def test_too_many_failures_lock_the_login_with_its_own_message(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    for _ in range(console.services.auth.limits.login_failures):
        await post_login(console, login=tenant.admin.login, password="Wrong-Pass-2026")

    response = await post_login(console, login=tenant.admin.login, password=ADMIN_PASSWORD)

    assert error_code_of(response) == "LOGIN_LOCKED"
    assert "Too many failed attempts" in response.text


@ON_CONSOLE
async def test_an_administrator_with_totp_is_asked_for_the_code(console: RunningServer) -> None:
    tenant, _ = await with_totp(console)

    response = await post_login(console, login=tenant.admin.login, password=ADMIN_PASSWORD)

    assert response.status_code == 200
    assert 'data-testid="totp-form"' in response.text
    assert "set-cookie" not in response.headers
    assert response.headers["cache-control"] == "no-store"


@ON_CONSOLE
async def test_a_wrong_totp_code_is_refused_on_the_code_step(console: RunningServer) -> None:
    tenant, _ = await with_totp(console)

    response = await post_login(
        console, login=tenant.admin.login, password=ADMIN_PASSWORD, totp_code="000000"
    )

    assert error_code_of(response) == "TOTP_INVALID"
    assert 'data-testid="totp-form"' in response.text


@ON_CONSOLE
async def test_the_right_totp_code_completes_the_login(console: RunningServer) -> None:
    tenant, secret = await with_totp(console)
    code = code_at(secret, clock_of(console).now())

    response = await post_login(console, login=tenant.admin.login, password=ADMIN_PASSWORD, totp_code=code)

    assert response.status_code == 303
    assert response.headers["set-cookie"].startswith("ym_admin=")


@ON_CONSOLE
async def test_a_page_without_a_session_redirects_to_login_with_next(console: RunningServer) -> None:
    async with client(console) as http:
        response = await http.get("/admin/members?status=active")

    assert response.status_code == 303
    assert response.headers["location"] == "/admin/login?next=%2Fadmin%2Fmembers%3Fstatus%3Dactive"


@ON_CONSOLE
async def test_logout_ends_the_session(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    async with console_client(console, tenant) as http:
        logout = await http.post("/admin/logout", data={"csrf_token": csrf_token_for(tenant.admin_token)})
        after = await http.get("/admin/")

    assert logout.status_code == 303
    assert after.status_code == 303
    assert after.headers["location"].startswith("/admin/login")


@ON_CONSOLE
async def test_logout_without_csrf_token_is_refused(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    async with http_client(console, cookies={"ym_admin": tenant.admin_token}) as http:
        response = await http.post("/admin/logout", data={})
        still = await http.get("/admin/")

    assert response.status_code == 403
    assert "CSRF_TOKEN_INVALID" in response.text
    assert still.status_code == 200


# --- browser ------------------------------------------------------------------------------------


async def test_admin_logs_in_through_the_form(server: RunningServer, page: Page) -> None:
    tenant = await web_tenant(server)

    await page.goto(f"{base_url(server)}/admin/members")
    assert "/admin/login?next=" in page.url
    await screenshot(page, "admin-login")
    await page.get_by_test_id("login-name").fill(tenant.admin.login)
    await page.get_by_test_id("login-password").fill(ADMIN_PASSWORD)
    await page.get_by_test_id("login-submit").click()

    await page.wait_for_url("**/admin/members")
    assert await page.get_by_test_id("admin-login").inner_text() == tenant.admin.login


async def test_wrong_password_shows_its_message_in_the_browser(server: RunningServer, page: Page) -> None:
    tenant = await web_tenant(server)

    await page.goto(f"{base_url(server)}/admin/login")
    await page.get_by_test_id("login-name").fill(tenant.admin.login)
    await page.get_by_test_id("login-password").fill("Wrong-Pass-2026")
    await page.get_by_test_id("login-submit").click()

    error = page.get_by_test_id("login-error")
    await error.wait_for()
    assert await error.get_attribute("data-code") == "LOGIN_INVALID"
    assert "password" in (await error.inner_text()).lower()
    await screenshot(page, "admin-login-wrong-password")


async def test_session_expires_after_30_idle_minutes(
    server: RunningServer, page: Page, clock: FakeClock
) -> None:
    tenant = await web_tenant(server)
    await login_page_as(page, server, "admin", tenant.admin_token)
    await page.goto(f"{base_url(server)}/admin/")
    assert await page.get_by_test_id("admin-login").count() == 1

    clock.advance(minutes=31)
    await page.goto(f"{base_url(server)}/admin/members")

    assert "/admin/login" in page.url and "expired=1" in page.url
    notice = await page.get_by_test_id("login-notice").inner_text()
    assert "30 minutes" in notice
    await screenshot(page, "admin-session-expired")


async def test_login_page_fits_a_phone(server: RunningServer, phone_page: Page) -> None:
    await phone_page.goto(f"{base_url(server)}/admin/login")

    assert await phone_page.get_by_test_id("login-form").count() == 1
    assert await no_horizontal_scroll(phone_page)
