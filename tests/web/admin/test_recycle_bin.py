"""Recycle bin page: closed mailboxes with the days left, restore (with all mail) and purge (confirmed)."""

from __future__ import annotations

import httpx
from playwright.async_api import Page

from support.browser import no_horizontal_scroll, screenshot
from support.server import RunningServer
from support.web import (
    ACTOR,
    WebTenant,
    admin_client,
    base_url,
    login_page_as,
    portal_client,
    web_member,
    web_tenant,
)
from yunmail.clock import FakeClock
from yunmail.errors import MailboxNotFound
from yunmail.web.deps import csrf_token_for

ENGLISH = {"accept-language": "en"}
MESSAGE = b"From: a@example.net\r\nTo: b@example.org\r\nSubject: keep me\r\n\r\nStill here after restore.\r\n"


def form(tenant: WebTenant, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf_token_for(tenant.admin_token), **fields}


def error_code(response: httpx.Response) -> str:
    return response.text.split('data-testid="form-error" data-code="', 1)[1].split('"', 1)[0]


async def test_recycled_mailbox_is_listed_with_the_days_left(server: RunningServer, clock: FakeClock) -> None:
    tenant = await web_tenant(server)
    _, mailbox, _ = await web_member(server, tenant, "王五", account="wangwu")
    await server.services.directory.mailboxes.close(tenant.enterprise.id, mailbox.id, ACTOR)
    clock.advance(days=10)
    token = await server.services.auth.sessions.create(tenant.admin)  # the first one idled out
    async with portal_client(server, "admin", token) as http:
        response = await http.get("/admin/recycle-bin", headers=ENGLISH)

    row = response.text.split(f'data-address="{mailbox.address}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-days="20"' in row
    assert "王五" in row


async def test_restore_reopens_the_mailbox(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, mailbox, _ = await web_member(server, tenant)
    await server.services.directory.mailboxes.close(tenant.enterprise.id, mailbox.id, ACTOR)
    async with admin_client(server, tenant) as http:
        response = await http.post(f"/admin/recycle-bin/{mailbox.id}/restore", data=form(tenant))

    assert response.headers["location"] == "/admin/recycle-bin?done=restored"
    assert (await server.services.directory.mailboxes.get(tenant.enterprise.id, mailbox.id)).status == "open"


async def test_restore_without_a_free_seat_is_refused_on_the_page(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, closed, _ = await web_member(server, tenant, account="closed")
    await server.services.directory.mailboxes.close(tenant.enterprise.id, closed.id, ACTOR)
    await web_member(server, tenant, account="seated")
    await server.services.directory.enterprises.set_seats(tenant.enterprise.id, 1, ACTOR)
    async with admin_client(server, tenant) as http:
        response = await http.post(f"/admin/recycle-bin/{closed.id}/restore", data=form(tenant))

    assert error_code(response) == "SEATS_EXHAUSTED"
    assert (
        await server.services.directory.mailboxes.get(tenant.enterprise.id, closed.id)
    ).status == "recycled"


async def test_purge_needs_the_confirmation_step_then_deletes_the_mailbox(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, mailbox, _ = await web_member(server, tenant)
    await server.services.directory.mailboxes.close(tenant.enterprise.id, mailbox.id, ACTOR)
    async with admin_client(server, tenant) as http:
        confirm = await http.get(f"/admin/recycle-bin/{mailbox.id}/purge", headers=ENGLISH)
        kept = await server.services.directory.mailboxes.get(tenant.enterprise.id, mailbox.id)
        response = await http.post(f"/admin/recycle-bin/{mailbox.id}/purge", data=form(tenant))

    assert "cannot be recovered" in confirm.text
    assert kept.status == "recycled"
    assert response.headers["location"] == "/admin/recycle-bin?done=purged"
    try:
        await server.services.directory.mailboxes.get(tenant.enterprise.id, mailbox.id)
    except MailboxNotFound:
        pass
    else:
        raise AssertionError("the purged mailbox still exists")


async def test_purging_an_open_mailbox_is_refused(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, mailbox, _ = await web_member(server, tenant)
    async with admin_client(server, tenant) as http:
        response = await http.post(f"/admin/recycle-bin/{mailbox.id}/purge", data=form(tenant))

    assert response.status_code == 409
    assert error_code(response) == "MAILBOX_NOT_IN_RECYCLE_BIN"
    assert (await server.services.mailstore.usage(mailbox.id)).message_count == 0


# --- in the browser ----------------------------------------------------------------------------------


async def test_close_then_restore_keeps_the_mail(server: RunningServer, page: Page) -> None:
    tenant = await web_tenant(server)
    _, mailbox, _ = await web_member(server, tenant, "赵六", account="zhaoliu")
    await server.services.mailstore.ingest(mailbox.id, MESSAGE)
    await login_page_as(page, server, "admin", tenant.admin_token)

    await page.goto(f"{base_url(server)}/admin/mailboxes")
    await page.locator(
        f'[data-testid="mailbox-row"][data-address="{mailbox.address}"] [data-testid="close-mailbox"]'
    ).click()
    await page.click('[data-testid="confirm"]')
    await page.wait_for_url("**/admin/recycle-bin?done=closed")
    await screenshot(page, "admin-recycle-bin")
    row = page.locator(f'[data-testid="recycled-row"][data-address="{mailbox.address}"]')
    assert await row.locator('[data-testid="days-left"]').get_attribute("data-days") == "30"

    await row.locator('[data-testid="restore"]').click()
    await page.wait_for_url("**/admin/recycle-bin?done=restored")
    await page.goto(f"{base_url(server)}/admin/mailboxes")

    usage = page.locator(
        f'[data-testid="mailbox-row"][data-address="{mailbox.address}"] [data-testid="mailbox-usage"]'
    )
    assert "1 messages" in await usage.inner_text()
    assert (await server.services.mailstore.usage(mailbox.id)).message_count == 1


async def test_recycle_bin_pages_fit_a_phone(server: RunningServer, phone_page: Page) -> None:
    tenant = await web_tenant(server)
    _, mailbox, _ = await web_member(server, tenant, account="phoneuser")
    await server.services.directory.mailboxes.close(tenant.enterprise.id, mailbox.id, ACTOR)
    await login_page_as(phone_page, server, "admin", tenant.admin_token)

    fits = {}
    for path, shot in (
        ("/admin/recycle-bin", "admin-recycle-bin-phone"),
        (f"/admin/recycle-bin/{mailbox.id}/purge", "admin-recycle-bin-purge-phone"),
    ):
        await phone_page.goto(f"{base_url(server)}{path}")
        await screenshot(phone_page, shot)
        fits[path] = await no_horizontal_scroll(phone_page)

    assert all(fits.values()), fits
