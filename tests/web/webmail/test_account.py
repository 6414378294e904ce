"""Webmail settings: two-step verification, keep-alive, signing out elsewhere, password change, phone layout.

Time is the server's ``FakeClock``: idle expiry and authenticator codes move only when a test advances it.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import httpx
from playwright.async_api import Page

from support.browser import console_errors_of, no_horizontal_scroll, requests_of, screenshot
from support.server import RunningServer
from support.web import PASSWORD, base_url, login_page_as, portal_client, web_member, web_tenant
from yunmail.auth import Principal, code_at
from yunmail.web.deps import SESSION_COOKIES

NEW_PASSWORD = "Fresh-Pass-2027"


def _hidden(page_html: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page_html)
    assert found is not None, f"no hidden input {name}"
    return html.unescape(found.group(1))


def _settings_error(response: httpx.Response) -> str | None:
    found = re.search(r'data-testid="settings-error" data-code="([A-Z_]+)"', response.text)
    return found.group(1) if found else None


def _wrong_code(secret: str, now: dt.datetime) -> str:
    """A 6-digit code no step the server accepts (the clock's and one either side) produces."""
    accepted = {code_at(secret, now + dt.timedelta(seconds=s)) for s in (-30, 0, 30)}
    return next(c for c in (f"{n:06d}" for n in range(1000)) if c not in accepted)


async def _principal(server: RunningServer, token: str) -> Principal:
    return await server.services.auth.sessions.validate(token)


async def _member_with_totp(server: RunningServer) -> tuple[str, str]:
    """A member with two-step verification on: its session token and its TOTP secret."""
    tenant = await web_tenant(server)
    _, _, token = await web_member(server, tenant, account="lina")
    principal = await _principal(server, token)
    totp = server.services.auth.totp
    enrollment = await totp.begin(principal)
    await totp.confirm(principal, enrollment.secret, code_at(enrollment.secret, server.services.clock.now()))
    server.services.clock.advance(seconds=30)  # type: ignore[attr-defined]  # the setup code is used up
    return token, enrollment.secret


# --- two-step verification ----------------------------------------------------------------------------


async def test_totp_setup_shows_the_key_and_turns_on_only_with_a_correct_code(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, _, token = await web_member(server, tenant, account="lina")
    now = server.services.clock.now()

    async with portal_client(server, "webmail", token) as client:
        begun = await client.post("/settings/totp/begin")
        secret = _hidden(begun.text, "secret")
        uri = _hidden(begun.text, "otpauth_uri")
        refused = await client.post(
            "/settings/totp/confirm",
            data={"secret": secret, "otpauth_uri": uri, "code": _wrong_code(secret, now)},
        )
        confirmed = await client.post(
            "/settings/totp/confirm",
            data={"secret": secret, "otpauth_uri": uri, "code": code_at(secret, now)},
        )

    assert begun.headers["cache-control"] == "no-store"
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri
    assert (_settings_error(refused), _hidden(refused.text, "secret")) == ("TOTP_INVALID", secret)
    assert "动态码错误或已使用" in refused.text  # its own message (pages default to Chinese)
    assert confirmed.status_code == 303 and confirmed.headers["location"] == "/settings?done=totp-on#totp"
    assert await server.services.auth.totp.enabled(await _principal(server, token))


async def test_totp_turns_off_only_with_a_current_code(server: RunningServer) -> None:
    token, secret = await _member_with_totp(server)
    now = server.services.clock.now()

    async with portal_client(server, "webmail", token) as client:
        page = await client.get("/settings")
        refused = await client.post("/settings/totp/disable", data={"code": _wrong_code(secret, now)})
        disabled = await client.post("/settings/totp/disable", data={"code": code_at(secret, now)})

    assert 'data-testid="totp-state" data-on="yes"' in page.text
    assert _settings_error(refused) == "TOTP_INVALID"
    assert disabled.headers["location"] == "/settings?done=totp-off#totp"
    assert not await server.services.auth.totp.enabled(await _principal(server, token))


# --- keep-alive and sessions --------------------------------------------------------------------------


async def test_two_hour_keep_alive_outlasts_ninety_idle_minutes(server: RunningServer, page: Page) -> None:
    tenant = await web_tenant(server)
    _, _, token = await web_member(server, tenant, account="lina")
    await login_page_as(page, server, "webmail", token)

    await page.goto(f"{base_url(server)}/settings")
    await page.select_option("[data-testid=keep-alive]", "120")
    await page.click("[data-testid=keep-alive-form] button")
    await page.wait_for_selector("#keep-alive [data-testid=settings-notice]")
    server.services.clock.advance(minutes=90)  # type: ignore[attr-defined]
    await page.goto(f"{base_url(server)}/settings")

    assert page.url.startswith(f"{base_url(server)}/settings")
    assert await page.locator("[data-testid=keep-alive] option:checked").inner_text() == "2 hours"


async def test_default_keep_alive_ends_the_session_after_ninety_idle_minutes(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, _, token = await web_member(server, tenant, account="lina")
    server.services.clock.advance(minutes=90)  # type: ignore[attr-defined]

    async with portal_client(server, "webmail", token) as client:
        response = await client.get("/settings")

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fsettings&expired=1"


async def test_keep_alive_outside_the_allowed_range_is_refused_with_its_message(
    server: RunningServer,
) -> None:
    tenant = await web_tenant(server)
    _, _, token = await web_member(server, tenant, account="lina")

    async with portal_client(server, "webmail", token) as client:
        response = await client.post("/settings/keep-alive", data={"minutes": "99999"})

    assert (response.status_code, _settings_error(response)) == (400, "SESSION_KEEP_INVALID")
    assert "会话保持时间须在 5 到 10080 分钟之间" in response.text


async def test_sign_out_everywhere_ends_other_sessions_and_keeps_this_browser(
    server: RunningServer, page: Page
) -> None:
    tenant = await web_tenant(server)
    _, _, token = await web_member(server, tenant, account="lina")
    other = await server.services.auth.sessions.create(await _principal(server, token))
    await login_page_as(page, server, "webmail", token)

    await page.goto(f"{base_url(server)}/settings")
    sessions_before = await page.locator("[data-testid=session-row]").count()
    await page.click("[data-testid=logout-all-form] button")
    notice = await page.locator("#sessions [data-testid=settings-notice]").inner_text()
    await page.goto(f"{base_url(server)}/settings")  # this browser is still signed in
    async with portal_client(server, "webmail", other) as client:
        elsewhere = await client.get("/settings")

    assert sessions_before == 2
    assert "signed out: 1." in notice
    assert page.url.startswith(f"{base_url(server)}/settings")
    assert await page.locator("[data-testid=session-row]").count() == 1
    assert elsewhere.status_code == 303 and elsewhere.headers["location"].startswith("/login")


async def test_changing_the_password_signs_out_the_other_sessions(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, _, token = await web_member(server, tenant, account="lina")
    other = await server.services.auth.sessions.create(await _principal(server, token))

    async with portal_client(server, "webmail", token) as client:
        changed = await client.post(
            "/password/change", data={"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}
        )
        fresh = changed.cookies.get(SESSION_COOKIES["webmail"])
    async with portal_client(server, "webmail", other) as client:
        elsewhere = await client.get("/settings")
    assert fresh is not None and fresh != token
    async with portal_client(server, "webmail", fresh) as client:
        here = await client.get(changed.headers["location"])

    assert changed.headers["location"] == "/settings?done=password-changed#password"
    assert elsewhere.status_code == 303
    assert here.status_code == 200 and "其他设备上的登录已退出" in here.text


# --- layout -------------------------------------------------------------------------------------------


async def test_settings_page_in_chinese_fits_a_phone(server: RunningServer, phone_page: Page) -> None:
    tenant = await web_tenant(server)
    member, _, token = await web_member(server, tenant, account="lina")
    await server.services.auth.client_passwords.create(
        tenant.enterprise.id, member.id, "Foxmail 手机客户端（办公室 iPhone 15 Pro Max）"
    )
    await login_page_as(phone_page, server, "webmail", token)
    host, _ = server.address("http")
    await phone_page.context.add_cookies([{"name": "ym_lang", "value": "zh", "domain": host, "path": "/"}])

    await phone_page.goto(f"{base_url(server)}/settings")
    await screenshot(phone_page, "webmail-settings-phone-zh")
    fits_overview = await no_horizontal_scroll(phone_page)
    await phone_page.click("[data-testid=totp-begin-form] button")
    await phone_page.click("[data-testid=totp-setup] summary")  # unfold the long otpauth link
    await screenshot(phone_page, "webmail-settings-totp-phone-zh")

    assert fits_overview
    assert await no_horizontal_scroll(phone_page)
    assert "客户端专用密码" in await phone_page.locator("#client-passwords h2").inner_text()
    assert await phone_page.locator("[data-testid=totp-uri]").is_visible()
    assert await phone_page.locator("[data-testid=copy-button]").count() == 2  # copy.js ran
    assert [e for e in console_errors_of(phone_page) if "Failed to load resource" not in e] == []
    async with httpx.AsyncClient() as client:  # the one expected 404 is the browser's favicon probe
        statuses = {
            url: (await client.get(url)).status_code for url in requests_of(phone_page) if "/static/" in url
        }
    assert statuses and set(statuses.values()) == {200}
