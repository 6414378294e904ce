"""Dashboard: the enterprise's members, mailboxes, seats and domains at a glance."""

from __future__ import annotations

from playwright.async_api import Page

from support.browser import no_horizontal_scroll, screenshot
from support.server import RunningServer
from support.web import ACTOR, base_url, login_page_as, web_member, web_tenant
from web.admin.console_server import ON_CONSOLE, console, console_client, console_database_url
from yunmail.directory import NewMember

__all__ = ["console", "console_database_url"]  # the module's server fixtures


@ON_CONSOLE
async def test_dashboard_counts_members_mailboxes_seats_and_domains(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    services = console.services
    await services.directory.enterprises.set_seats(tenant.enterprise.id, 10, ACTOR)
    await web_member(console, tenant, "张伟")
    await services.directory.members.add(
        tenant.enterprise.id, NewMember(name="Li", account="li", contact_email="li@contact.test"), ACTOR
    )
    await services.domains.add(tenant.enterprise.id, "second.test", ACTOR)  # pending: no DNS yet

    async with console_client(console, tenant) as http:
        response = await http.get("/admin/", headers={"accept-language": "en"})

    html = response.text
    assert response.status_code == 200

    def stat(name: str) -> str:
        return html.split(f'data-testid="stat-{name}">', 1)[1].split("<", 1)[0].strip()

    assert (stat("members"), stat("mailboxes"), stat("seats"), stat("domains")) == ("2", "1", "1 / 10", "2")
    assert "waiting for DNS" in html and "verified" in html


async def test_dashboard_in_the_browser_fits_a_phone(server: RunningServer, phone_page: Page) -> None:
    tenant = await web_tenant(server)
    await web_member(server, tenant)
    await login_page_as(phone_page, server, "admin", tenant.admin_token)

    await phone_page.goto(f"{base_url(server)}/admin/")

    assert await phone_page.get_by_test_id("stat-members").inner_text() == "1"
    assert await no_horizontal_scroll(phone_page)
    await screenshot(phone_page, "admin-dashboard-phone")


async def test_dashboard_screenshot_on_a_desktop(server: RunningServer, page: Page) -> None:
    tenant = await web_tenant(server)
    await login_page_as(page, server, "admin", tenant.admin_token)

    await page.goto(f"{base_url(server)}/admin/")

    assert await page.get_by_test_id("stat-domains").inner_text() == "1"
    await screenshot(page, "admin-dashboard")
