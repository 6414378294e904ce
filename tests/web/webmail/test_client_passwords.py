"""Issue 8 acceptance: a client password made in webmail settings opens IMAP, POP3 and SMTP submission.

Real clients (``imaplib``, ``poplib``, ``smtplib``, blocking: run in a thread) talk TLS to the running
server; the settings page shows the last use, and revoking on the page refuses all three at once.
"""

from __future__ import annotations

import asyncio
import html
import imaplib
import poplib
import re
import smtplib

import httpx
from playwright.async_api import Page

from support.browser import no_horizontal_scroll, screenshot
from support.server import RunningServer
from support.web import ACTOR, PASSWORD, base_url, login_page_as, portal_client, web_member, web_tenant

Outcome = str  # "ok", or the server's refusal text


def _imap(server: RunningServer, user: str, secret: str) -> Outcome:
    host, port = server.address("imaps")
    with imaplib.IMAP4_SSL(host, port, ssl_context=server.client_tls()) as client:
        try:
            client.login(user, secret)
        except imaplib.IMAP4.error as exc:
            return str(exc)
        client.select("INBOX", readonly=True)
        return "ok"


def _pop3(server: RunningServer, user: str, secret: str) -> Outcome:
    host, port = server.address("pop3s")
    client = poplib.POP3_SSL(host, port, context=server.client_tls())
    try:
        client.user(user)
        client.pass_(secret)
        client.stat()
        return "ok"
    except poplib.error_proto as exc:
        return str(exc)
    finally:
        client.quit()


def _smtp(server: RunningServer, user: str, secret: str) -> Outcome:
    host, port = server.address("smtps")
    with smtplib.SMTP_SSL(host, port, context=server.client_tls()) as client:
        try:
            client.login(user, secret)
        except smtplib.SMTPAuthenticationError as exc:
            detail = exc.smtp_error
            return detail.decode("utf-8", "replace") if isinstance(detail, bytes) else detail
        return "ok"


def _all_three(server: RunningServer, user: str, secret: str) -> dict[str, Outcome]:
    """IMAP, then POP3, then SMTP (in this order: the last use recorded is SMTP's)."""
    return {
        "imap": _imap(server, user, secret),
        "pop3": _pop3(server, user, secret),
        "smtp": _smtp(server, user, secret),
    }


def _new_secret(page_html: str) -> str:
    found = re.search(r'data-testid="new-client-password">([^<]+)<', page_html)
    assert found is not None, "no new client password on the page"
    return html.unescape(found.group(1)).strip()


def _revoke_path(page_html: str) -> str:
    found = re.search(r'action="(/settings/client-passwords/\d+/revoke)"', page_html)
    assert found is not None
    return found.group(1)


async def test_client_password_from_settings_opens_imap_pop3_and_smtp_and_shows_its_last_use(
    server: RunningServer, page: Page
) -> None:
    tenant = await web_tenant(server)
    _, mailbox, token = await web_member(server, tenant, account="lina")
    await login_page_as(page, server, "webmail", token)

    await page.goto(f"{base_url(server)}/settings")
    await page.fill("[data-testid=client-password-form] input[name=label]", "Thunderbird on my laptop")
    await page.click("[data-testid=client-password-form] button")
    secret = (await page.locator("[data-testid=new-client-password]").inner_text()).strip()
    await screenshot(page, "webmail-settings")
    outcomes = await asyncio.to_thread(_all_three, server, mailbox.address, secret)
    await page.goto(f"{base_url(server)}/settings")
    last_used = page.locator("[data-testid=client-password-row] [data-testid=last-used]")
    await screenshot(page, "webmail-settings-client-password-used")

    assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", secret)
    assert outcomes == {"imap": "ok", "pop3": "ok", "smtp": "ok"}
    assert await last_used.get_attribute("data-protocol") == "smtp"
    assert "(SMTP)" in await last_used.inner_text()
    assert secret not in await page.content()  # shown once only
    assert await no_horizontal_scroll(page)


async def test_revoking_on_the_settings_page_refuses_imap_pop3_and_smtp_at_once(
    server: RunningServer,
) -> None:
    tenant = await web_tenant(server)
    _, mailbox, token = await web_member(server, tenant, account="lina")

    async with portal_client(server, "webmail", token) as client:
        created = await client.post("/settings/client-passwords", data={"label": "Phone mail"})
        secret = _new_secret(created.text)
        before = await asyncio.to_thread(_imap, server, mailbox.address, secret)
        revoked = await client.post(_revoke_path(created.text))
        after_page = await client.get("/settings")
    outcomes = await asyncio.to_thread(_all_three, server, mailbox.address, secret)

    assert before == "ok"
    assert revoked.headers["location"] == "/settings?done=revoked#client-passwords"
    assert 'data-testid="client-password-row"' not in after_page.text
    assert all(outcome != "ok" for outcome in outcomes.values()), outcomes
    assert all("Invalid user name or password" in outcome for outcome in outcomes.values()), outcomes


async def test_account_password_is_refused_over_imap_when_the_enterprise_requires_client_passwords(
    server: RunningServer,
) -> None:
    tenant = await web_tenant(server)
    _, mailbox, _ = await web_member(server, tenant, account="lina")
    await server.services.directory.enterprises.update_settings(
        tenant.enterprise.id, {"require_client_passwords": True}, ACTOR
    )

    imap = await asyncio.to_thread(_imap, server, mailbox.address, PASSWORD)
    async with httpx.AsyncClient(base_url=base_url(server)) as client:
        web = await client.post("/login", data={"login": mailbox.address, "password": PASSWORD})

    assert "requires a client-specific password" in imap
    assert web.status_code == 303 and web.headers["location"] == "/mail/"


async def test_web_login_refuses_a_client_password(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    member, mailbox, _ = await web_member(server, tenant, account="lina")
    _, secret = await server.services.auth.client_passwords.create(tenant.enterprise.id, member.id, "Outlook")

    async with httpx.AsyncClient(base_url=base_url(server)) as client:
        response = await client.post("/login", data={"login": mailbox.address, "password": secret})

    assert response.status_code == 401
    assert 'data-code="LOGIN_INVALID"' in response.text
    assert "set-cookie" not in response.headers


async def test_blank_client_password_name_is_refused_with_its_message(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, _, token = await web_member(server, tenant, account="lina")

    async with portal_client(server, "webmail", token) as client:
        response = await client.post(
            "/settings/client-passwords", data={"label": "   "}, headers={"accept-language": "en"}
        )

    assert response.status_code == 400
    assert 'data-testid="settings-error" data-code="CLIENT_PASSWORD_LABEL_INVALID"' in response.text
    assert "name must be 1-64 characters" in response.text
