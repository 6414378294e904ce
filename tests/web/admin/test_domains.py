"""Domain pages: list and add (input corrections), records with diagnosis, check, mode switch, removal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from itertools import count
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page

from support.browser import console_errors_of, no_horizontal_scroll, screenshot
from support.dns_server import DnsTestServer, dns_zone
from support.server import RunningServer, running_server
from support.web import ACTOR, WebTenant, admin_client, base_url, login_page_as, web_member, web_tenant
from yunmail.clock import FakeClock
from yunmail.domains import Domain
from yunmail.web.deps import csrf_token_for

__all__ = ["dns_zone"]  # the fixture, imported for this module

ENGLISH = {"accept-language": "en"}
_names = count(1)


def form(tenant: WebTenant, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf_token_for(tenant.admin_token), **fields}


def error_code(response: httpx.Response) -> str:
    return response.text.split('data-testid="form-error" data-code="', 1)[1].split('"', 1)[0]


def fresh_name() -> str:
    return f"shop{next(_names)}.test"


@pytest.fixture
async def dns_server(
    tmp_path: Path, database_url: str, clock: FakeClock, dns_zone: DnsTestServer
) -> AsyncIterator[RunningServer]:
    """A server whose resolver asks the test DNS server (``dns_zone``) and nobody else."""
    overrides = {"dns.nameservers": [dns_zone.nameserver]}
    async with running_server(
        tmp_path / "server", database_url, clock=clock, settings_overrides=overrides
    ) as run:
        yield run


async def publish(
    server: RunningServer, dns: DnsTestServer, domain: Domain, *, skip: tuple[str, ...] = ()
) -> None:
    """Publish the domain's records as the console lists them, except the purposes in ``skip``."""
    dns.add_zone(domain.name)
    dns.add(server.services.deployment.spf_include, "TXT", "v=spf1 ip4:192.0.2.0/24 -all")
    records = await server.services.domains.records(
        domain.enterprise_id, domain.id, server.services.deployment
    )
    for record in records:
        if record.purpose.value in skip:
            continue
        if record.type == "MX":
            dns.add(record.host, "MX", f"{record.preference} {record.value}.")
        elif record.type == "CNAME":
            dns.add(record.host, "CNAME", f"{record.value}.")
        else:
            dns.add(record.host, "TXT", record.strings())


# --- list and add ----------------------------------------------------------------------------------


async def test_domain_list_shows_each_domain_with_its_state(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    pending = await server.services.domains.add(tenant.enterprise.id, fresh_name(), ACTOR)
    async with admin_client(server, tenant) as http:
        response = await http.get("/admin/domains", headers=ENGLISH)

    assert response.status_code == 200
    assert f'data-domain="{pending.name}"' in response.text
    assert 'data-state="pending">Waiting for DNS' in response.text
    assert 'data-state="verified">Verified' in response.text  # the tenant's trusted domain


async def test_adding_a_domain_opens_its_records_page(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    name = fresh_name()
    async with admin_client(server, tenant) as http:
        response = await http.post("/admin/domains", data=form(tenant, name=name, mode="ownership"))
        page = await http.get(response.headers["location"], headers=ENGLISH)

    domain = await server.services.domains.find(tenant.enterprise.id, name)
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/domains/{domain.id}?done=added"
    assert domain.mode == "ownership"
    assert "_dnsauth" in page.text and domain.ownership_token in page.text
    assert "Domain added." in page.text


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("www.shop-www.test", "DOMAIN_HAS_WWW"),
        ("boss@shop-www.test", "DOMAIN_LOOKS_LIKE_ADDRESS"),
        ("https://shop-www.test/contact", "DOMAIN_LOOKS_LIKE_URL"),
    ],
)
async def test_a_typing_slip_offers_the_corrected_domain_in_one_click(
    server: RunningServer, typed: str, code: str
) -> None:
    tenant = await web_tenant(server)
    async with admin_client(server, tenant) as http:
        response = await http.post(
            "/admin/domains", data=form(tenant, name=typed, mode="full"), headers=ENGLISH
        )

    assert response.status_code == 400
    assert error_code(response) == code
    assert "Use shop-www.test" in response.text
    assert '<input type="hidden" name="name" value="shop-www.test">' in response.text
    assert f'value="{typed}"' in response.text  # the input is kept
    assert await server.services.domains.list_domains(tenant.enterprise.id) == [tenant.domain]


async def test_a_domain_of_another_enterprise_is_occupied(server: RunningServer) -> None:
    owner = await web_tenant(server)
    other = await web_tenant(server)
    async with admin_client(server, other) as http:
        response = await http.post(
            "/admin/domains", data=form(other, name=owner.domain.name), headers=ENGLISH
        )

    assert response.status_code == 409
    assert error_code(response) == "DOMAIN_OCCUPIED"
    assert "already been added by another enterprise" in response.text


async def test_adding_our_own_domain_again_links_to_it(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    async with admin_client(server, tenant) as http:
        response = await http.post("/admin/domains", data=form(tenant, name=tenant.domain.name.upper()))

    assert response.status_code == 409
    assert error_code(response) == "DOMAIN_ALREADY_ADDED"
    assert f'href="/admin/domains/{tenant.domain.id}"' in response.text


async def test_adding_without_the_csrf_token_is_refused(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    async with admin_client(server, tenant) as http:
        http.headers.pop("x-csrf-token")
        response = await http.post("/admin/domains", data={"name": fresh_name(), "csrf_token": "forged"})

    assert response.status_code == 403
    assert 'data-code="CSRF_TOKEN_INVALID"' in response.text
    assert len(await server.services.domains.list_domains(tenant.enterprise.id)) == 1


# --- detail ----------------------------------------------------------------------------------------


async def test_records_page_lists_type_host_value_ttl_and_purpose(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    domain = await server.services.domains.add(tenant.enterprise.id, fresh_name(), ACTOR)
    async with admin_client(server, tenant) as http:
        response = await http.get(f"/admin/domains/{domain.id}", headers=ENGLISH)

    records = await server.services.domains.records(
        tenant.enterprise.id, domain.id, server.services.deployment
    )
    assert response.status_code == 200
    assert response.text.count('data-testid="record-row"') == len(records)
    dkim = next(r for r in records if r.purpose.value == "dkim")
    assert dkim.value in response.text
    assert f'<code class="copyable" data-copy>{dkim.label(domain.name)}</code>' in response.text
    assert "Signing key (DKIM)" in response.text
    assert 'data-state="unchecked"' in response.text


async def test_another_enterprise_domain_page_is_not_found(server: RunningServer) -> None:
    owner = await web_tenant(server)
    other = await web_tenant(server)
    async with admin_client(server, other) as http:
        page = await http.get(f"/admin/domains/{owner.domain.id}")
        check = await http.post(f"/admin/domains/{owner.domain.id}/check")

    assert (page.status_code, check.status_code) == (404, 404)


async def test_check_shows_the_missing_record_with_advice_in_chinese(
    dns_server: RunningServer, dns_zone: DnsTestServer
) -> None:
    tenant = await web_tenant(dns_server)
    domain = await dns_server.services.domains.add(tenant.enterprise.id, fresh_name(), ACTOR)
    await publish(dns_server, dns_zone, domain, skip=("dkim",))
    async with admin_client(dns_server, tenant) as http:
        response = await http.post(f"/admin/domains/{domain.id}/check")
        page = await http.get(f"/admin/domains/{domain.id}", headers={"accept-language": "zh-CN"})

    assert response.status_code == 303
    dkim_row = page.text.split('data-purpose="dkim"', 1)[1].split("</tr>", 1)[0]
    assert 'data-state="missing"' in dkim_row
    assert "未在" in dkim_row and "找到 TXT 记录" in dkim_row  # RECORD_MISSING, in Chinese
    mx_row = page.text.split('data-purpose="mx"', 1)[1].split("</tr>", 1)[0]
    assert 'data-state="ok"' in mx_row


async def test_switching_an_ownership_domain_to_full(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    domain = await server.services.domains.add(tenant.enterprise.id, fresh_name(), ACTOR, mode="ownership")
    async with admin_client(server, tenant) as http:
        response = await http.post(f"/admin/domains/{domain.id}/mode", data=form(tenant, mode="full"))

    assert response.status_code == 303
    assert (await server.services.domains.get(tenant.enterprise.id, domain.id)).mode == "full"


# --- removal -----------------------------------------------------------------------------------------


async def test_removing_a_domain_in_use_is_refused_with_the_reason(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    await web_member(server, tenant, account="user1")
    async with admin_client(server, tenant) as http:
        response = await http.post(
            f"/admin/domains/{tenant.domain.id}/remove", data=form(tenant), headers=ENGLISH
        )

    assert response.status_code == 409
    assert error_code(response) == "DOMAIN_IN_USE"
    assert "1 mailbox(es), 0 alias(es) and 0 group(s)" in response.text
    assert await server.services.domains.get(tenant.enterprise.id, tenant.domain.id)


async def test_removing_an_unused_domain_after_confirmation(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    domain = await server.services.domains.add(tenant.enterprise.id, fresh_name(), ACTOR)
    async with admin_client(server, tenant) as http:
        confirm = await http.get(f"/admin/domains/{domain.id}/remove", headers=ENGLISH)
        response = await http.post(f"/admin/domains/{domain.id}/remove", data=form(tenant))

    assert "Yes, remove the domain" in confirm.text
    assert response.headers["location"] == "/admin/domains?done=removed"
    assert [d.id for d in await server.services.domains.list_domains(tenant.enterprise.id)] == [
        tenant.domain.id
    ]


# --- in the browser ----------------------------------------------------------------------------------


async def test_add_a_domain_and_see_its_records_and_diagnosis(
    dns_server: RunningServer, dns_zone: DnsTestServer, page: Page
) -> None:
    tenant = await web_tenant(dns_server)
    await login_page_as(page, dns_server, "admin", tenant.admin_token)
    name = fresh_name()
    await page.goto(f"{base_url(dns_server)}/admin/domains")
    await screenshot(page, "admin-domains")

    await page.fill('[data-testid="add-domain"] input[name="name"]', name)
    await page.click('[data-testid="add-domain"] button[type="submit"]')
    await page.wait_for_url("**/admin/domains/*?done=added")
    domain = await dns_server.services.domains.find(tenant.enterprise.id, name)
    await publish(dns_server, dns_zone, domain, skip=("dkim",))
    await page.click('[data-testid="check-now"]')
    await page.wait_for_url("**?done=checked*")
    await screenshot(page, "admin-domain-detail")

    dkim = page.locator('[data-testid="record-row"][data-purpose="dkim"]')
    assert await dkim.get_attribute("data-state") == "missing"
    assert "No TXT record was found" in await dkim.locator('[data-testid="record-diagnosis"]').inner_text()
    mx = page.locator('[data-testid="record-row"][data-purpose="mx"]')
    assert await mx.get_attribute("data-state") == "ok"
    assert await page.locator('[data-testid="domain-state"]').get_attribute("data-state") == "pending"
    assert await page.locator('[data-testid="webmail-state"]').get_attribute("data-active") == "no"
    assert await page.locator('[data-testid="copy-button"]').count() > 0  # copy.js ran
    # No script error and no CSP refusal (the browser's own favicon probe may 404: not ours to judge).
    assert [e for e in console_errors_of(page) if not e.startswith("Failed to load resource")] == []


async def test_domain_pages_fit_a_phone(server: RunningServer, phone_page: Page) -> None:
    tenant = await web_tenant(server)
    domain = await server.services.domains.add(tenant.enterprise.id, fresh_name(), ACTOR)
    await login_page_as(phone_page, server, "admin", tenant.admin_token)

    fits = {}
    for path, shot in (
        ("/admin/domains", "admin-domains-phone"),
        (f"/admin/domains/{domain.id}", "admin-domain-detail-phone"),
        (f"/admin/domains/{domain.id}/remove", "admin-domain-remove-phone"),
    ):
        await phone_page.goto(f"{base_url(server)}{path}")
        await screenshot(phone_page, shot)
        fits[path] = await no_horizontal_scroll(phone_page)

    assert all(fits.values()), fits
