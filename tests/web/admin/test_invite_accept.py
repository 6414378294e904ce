"""The public invitation page: set a login and password, become an administrator; dead links say why."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Browser, Page

from support.browser import new_page, no_horizontal_scroll, screenshot
from support.server import RunningServer
from support.web import WebTenant, base_url, login_page_as, web_tenant
from yunmail.clock import FakeClock
from yunmail.directory import IssuedInvitation

ENGLISH = {"accept-language": "en"}
PASSWORD = "Invitee-2026"
LINK = re.compile(r"https?://\S+/admin/invite/[A-Za-z0-9_-]+")


async def invite(
    server: RunningServer, tenant: WebTenant, email: str = "newadmin@example.net"
) -> IssuedInvitation:
    return await server.services.directory.invitations.invite(
        tenant.enterprise.id, "New Admin", None, email, "test"
    )


def code_of(response: httpx.Response) -> str:
    return response.text.split('data-code="', 1)[1].split('"', 1)[0]


async def visit(server: RunningServer, method: str, path: str, **fields: str) -> httpx.Response:
    """As the invitee: no session cookie, no CSRF header."""
    async with httpx.AsyncClient(base_url=base_url(server)) as anonymous:
        return await anonymous.request(method, path, data=fields or None, headers=ENGLISH)


async def test_the_link_shows_the_form_with_the_email_as_login(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    issued = await invite(server, tenant)

    response = await visit(server, "GET", issued.link_path)

    assert response.status_code == 200
    assert f"Become an administrator of {tenant.enterprise.name}" in response.text
    assert 'value="newadmin@example.net"' in response.text
    assert response.headers["cache-control"] == "no-store"


async def test_accepting_makes_an_administrator_and_goes_to_the_login_page(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    issued = await invite(server, tenant)

    response = await visit(
        server, "POST", issued.link_path, login="chosen.login", password=PASSWORD, password_confirm=PASSWORD
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/admin/login?done=invitation-accepted"
    admin = await server.services.directory.administrators.verify_admin_password("chosen.login", PASSWORD)
    assert (admin.enterprise_id, admin.email) == (tenant.enterprise.id, "newadmin@example.net")


async def test_the_short_invite_path_works_too(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    issued = await invite(server, tenant)

    response = await visit(
        server, "POST", f"/invite/{issued.token}", login="", password=PASSWORD, password_confirm=PASSWORD
    )

    assert response.status_code == 303
    assert await server.services.directory.administrators.verify_admin_password(
        "newadmin@example.net", PASSWORD
    )


async def test_an_expired_link_shows_its_own_message(server: RunningServer, clock: FakeClock) -> None:
    tenant = await web_tenant(server)
    issued = await invite(server, tenant)
    clock.advance(days=8)

    shown = await visit(server, "GET", issued.link_path)
    posted = await visit(server, "POST", issued.link_path, password=PASSWORD, password_confirm=PASSWORD)

    assert (shown.status_code, code_of(shown)) == (410, "INVITATION_EXPIRED")
    assert "has expired; ask an administrator to invite you again" in shown.text
    assert (posted.status_code, code_of(posted)) == (410, "INVITATION_EXPIRED")


async def test_a_revoked_link_shows_its_own_message(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    issued = await invite(server, tenant)
    await server.services.directory.invitations.revoke(tenant.enterprise.id, issued.invitation.id, "test")

    response = await visit(server, "GET", issued.link_path)

    assert (response.status_code, code_of(response)) == (410, "INVITATION_REVOKED")
    assert "withdrawn" in response.text


async def test_an_unknown_link_is_not_found(server: RunningServer) -> None:
    response = await visit(server, "GET", "/admin/invite/not-a-real-token")

    assert (response.status_code, code_of(response)) == (404, "INVITATION_NOT_FOUND")


async def test_a_link_works_only_once(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    issued = await invite(server, tenant)
    await server.services.directory.invitations.accept(issued.token, PASSWORD)

    response = await visit(server, "POST", issued.link_path, password=PASSWORD, password_confirm=PASSWORD)

    assert (response.status_code, code_of(response)) == (409, "INVITATION_ALREADY_ACCEPTED")


async def test_different_passwords_are_refused_with_the_login_kept(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    issued = await invite(server, tenant)

    response = await visit(
        server, "POST", issued.link_path, login="kept.login", password=PASSWORD, password_confirm="Other-2026"
    )

    assert (response.status_code, code_of(response)) == (400, "PASSWORD_MISMATCH")
    assert 'value="kept.login"' in response.text
    assert (
        await server.services.directory.invitations.get(tenant.enterprise.id, issued.invitation.id)
    ).status == ("pending")


async def test_a_weak_password_is_refused_on_the_form(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    issued = await invite(server, tenant)

    response = await visit(server, "POST", issued.link_path, password="short", password_confirm="short")

    assert (response.status_code, code_of(response)) == (400, "PASSWORD_TOO_SHORT")
    assert 'data-testid="accept-form"' in response.text


# --- in the browser ----------------------------------------------------------------------------------


async def test_invite_accept_in_the_browser_then_log_in(
    server: RunningServer, browser: Browser, page: Page
) -> None:
    tenant = await web_tenant(server)
    await login_page_as(page, server, "admin", tenant.admin_token)
    await page.goto(f"{base_url(server)}/admin/administrators")
    await page.fill('[data-testid="invite-form"] input[name="name"]', "Zhou Qi")
    await page.fill('[data-testid="invite-form"] input[name="email"]', "zhouqi@example.net")
    await page.click('[data-testid="invite-form"] button[type="submit"]')
    await page.wait_for_url("**/admin/administrators?done=invited")
    await screenshot(page, "admin-administrators-invited")
    [message] = await server.services.auth.outbox.messages(recipient="zhouqi@example.net")
    link = LINK.findall(message.body)[0]

    browser_page = await new_page(browser)  # the invitee's own browser: no admin cookie
    try:
        await browser_page.goto(link)
        await screenshot(browser_page, "admin-invite-accept")
        await browser_page.fill('[data-testid="accept-password"]', PASSWORD)
        await browser_page.fill('[data-testid="accept-password-confirm"]', PASSWORD)
        await browser_page.click('[data-testid="accept-submit"]')
        await browser_page.wait_for_url("**/admin/login?done=invitation-accepted")
        assert "You are now an administrator" in await browser_page.locator(".flash").inner_text()
        await browser_page.fill('[data-testid="login-name"]', "zhouqi@example.net")
        await browser_page.fill('[data-testid="login-password"]', PASSWORD)
        await browser_page.click('[data-testid="login-submit"]')
        await browser_page.wait_for_url(f"{base_url(server)}/admin/")
        assert await browser_page.locator('[data-testid="admin-login"]').inner_text() == "zhouqi@example.net"
    finally:
        await browser_page.context.close()


async def test_invitation_page_fits_a_phone(server: RunningServer, phone_page: Page) -> None:
    tenant = await web_tenant(server)
    issued = await invite(server, tenant, "someone.with.a.rather.long.address@example.net")
    expired = await invite(server, tenant, "late@example.net")
    await server.services.directory.invitations.revoke(tenant.enterprise.id, expired.invitation.id, "test")

    fits = {}
    for path, shot in (
        (issued.link_path, "admin-invite-accept-phone"),
        (expired.link_path, "admin-invite-revoked"),
    ):
        await phone_page.goto(f"{base_url(server)}{path}")
        await screenshot(phone_page, shot)
        fits[path] = await no_horizontal_scroll(phone_page)

    assert all(fits.values()), fits
