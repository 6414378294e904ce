"""Enterprise settings (limits within the platform's ceiling, client passwords) and the audit log."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Page

from support.browser import no_horizontal_scroll, screenshot
from support.server import RunningServer
from support.web import ACTOR, WebTenant, admin_client, base_url, login_page_as, web_member, web_tenant
from yunmail.web.deps import csrf_token_for

ENGLISH = {"accept-language": "en"}


def form(tenant: WebTenant, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf_token_for(tenant.admin_token), **fields}


def error_code(response: httpx.Response) -> str:
    return response.text.split('data-testid="form-error" data-code="', 1)[1].split('"', 1)[0]


async def settings_of(server: RunningServer, tenant: WebTenant) -> dict[str, object]:
    return dict(await server.services.directory.enterprises.settings(tenant.enterprise.id))


# --- settings ----------------------------------------------------------------------------------------


async def test_settings_page_shows_the_platform_ceilings(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    async with admin_client(server, tenant) as http:
        response = await http.get("/admin/settings", headers=ENGLISH)

    assert "platform limit 1000 · in force: 1000" in response.text  # messages per member per day
    assert "platform limit 400 · in force: 400" in response.text  # recipients per message


async def test_lowering_limits_and_requiring_client_passwords_is_saved(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    async with admin_client(server, tenant) as http:
        response = await http.post(
            "/admin/settings",
            data=form(tenant, daily_send_limit="300", max_recipients="50", require_client_passwords="1"),
        )
        page = await http.get(response.headers["location"], headers=ENGLISH)

    assert response.headers["location"] == "/admin/settings?done=saved"
    assert await settings_of(server, tenant) == {
        "daily_send_limit": 300,
        "max_recipients": 50,
        "require_client_passwords": True,
    }
    assert "in force: 300" in page.text and "Settings saved." in page.text


async def test_an_empty_field_returns_to_the_platform_default(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    await server.services.directory.enterprises.update_settings(
        tenant.enterprise.id, {"daily_send_limit": 200, "require_client_passwords": True}, ACTOR
    )
    async with admin_client(server, tenant) as http:
        await http.post("/admin/settings", data=form(tenant, daily_send_limit=""))

    assert await settings_of(server, tenant) == {}


async def test_a_limit_above_the_platform_ceiling_is_refused(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    async with admin_client(server, tenant) as http:
        response = await http.post(
            "/admin/settings", data=form(tenant, daily_send_limit="5000"), headers=ENGLISH
        )

    assert response.status_code == 400
    assert error_code(response) == "ENTERPRISE_SETTING_ABOVE_CEILING"
    assert "may be at most 1000" in response.text
    assert 'value="5000"' in response.text  # the input is kept
    assert await settings_of(server, tenant) == {}


async def test_a_limit_that_is_not_a_positive_number_is_refused(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    async with admin_client(server, tenant) as http:
        response = await http.post("/admin/settings", data=form(tenant, burst_send_limit="0"))

    assert error_code(response) == "ENTERPRISE_SETTING_INVALID"
    assert await settings_of(server, tenant) == {}


async def test_saving_settings_without_the_csrf_token_is_refused(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    async with admin_client(server, tenant) as http:
        http.headers.pop("x-csrf-token")
        response = await http.post("/admin/settings", data={"daily_send_limit": "10"})

    assert response.status_code == 403
    assert await settings_of(server, tenant) == {}


# --- audit log ---------------------------------------------------------------------------------------


async def test_audit_log_says_who_did_what_from_where_newest_first(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, mailbox, _ = await web_member(server, tenant)
    async with admin_client(server, tenant) as http:
        await http.post(f"/admin/mailboxes/{mailbox.id}/close", data=form(tenant))
        response = await http.get("/admin/audit", headers=ENGLISH)

    first = response.text.split('data-testid="audit-row"', 2)[1]
    assert 'data-action="mailbox.close"' in first
    assert f"admin:{tenant.admin.login}" in first
    assert "127.0.0.1" in first
    assert "Closed a mailbox" in first and mailbox.address in first


async def test_audit_log_is_paginated(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, mailbox, _ = await web_member(server, tenant)
    mailboxes = server.services.directory.mailboxes
    for size in range(1, 56):
        await mailboxes.set_quota(
            tenant.enterprise.id, mailbox.id, size * 2**20, f"admin:bulk{size}@10.0.0.1"
        )
    total = len(await server.services.directory.audit_log(tenant.enterprise.id, limit=1000))
    async with admin_client(server, tenant) as http:
        first = await http.get("/admin/audit")
        second = await http.get("/admin/audit", params={"page": "2"})

    assert first.text.count('data-testid="audit-row"') == 50
    assert 'href="/admin/audit?page=2"' in first.text
    assert "admin:bulk55" in first.text and "admin:bulk5<" not in first.text
    assert second.text.count('data-testid="audit-row"') == total - 50
    assert 'href="/admin/audit?page=1"' in second.text and "?page=3" not in second.text
    assert re.search(r"admin:bulk1</td>\s*<td[^>]*>10\.0\.0\.1", second.text)


# --- in the browser ----------------------------------------------------------------------------------


async def test_settings_and_audit_pages_fit_a_phone(server: RunningServer, phone_page: Page) -> None:
    tenant = await web_tenant(server)
    await web_member(server, tenant)
    await login_page_as(phone_page, server, "admin", tenant.admin_token)

    fits = {}
    for path, shot in (("/admin/settings", "admin-settings"), ("/admin/audit", "admin-audit")):
        await phone_page.goto(f"{base_url(server)}{path}")
        await screenshot(phone_page, shot)
        fits[path] = await no_horizontal_scroll(phone_page)

    assert all(fits.values()), fits
