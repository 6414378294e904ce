"""Batch opening of mailboxes: selected members, a domain, each pinyin address confirmed or edited."""

from __future__ import annotations

import httpx
from playwright.async_api import Page

from support.browser import no_horizontal_scroll, screenshot
from support.server import RunningServer
from support.web import ACTOR, WebTenant, base_url, login_page_as, web_tenant
from web.admin.console_server import ON_CONSOLE, console, console_client, console_database_url
from yunmail.directory import Member, NewMember
from yunmail.web.deps import csrf_token_for

__all__ = ["console", "console_database_url"]  # the module's server fixtures

ENGLISH = {"accept-language": "en"}


async def add(server: RunningServer, tenant: WebTenant, name: str, account: str) -> Member:
    return await server.services.directory.members.add(
        tenant.enterprise.id,
        NewMember(name=name, account=account, contact_email=f"{account}@contact.test"),
        ACTOR,
    )


def proposed(response: httpx.Response) -> dict[str, str]:
    """member id -> proposed local part on the confirmation page."""
    found = {}
    for part in response.text.split('name="local_')[1:]:
        member_id, rest = part.split('"', 1)
        found[member_id] = rest.split('value="', 1)[1].split('"', 1)[0]
    return found


async def mailbox_of(server: RunningServer, tenant: WebTenant, member: Member) -> str:
    return (await server.services.directory.mailboxes.for_member(tenant.enterprise.id, member.id)).address


# --- fast: HTTP only ----------------------------------------------------------------------------


@ON_CONSOLE
async def test_confirmation_proposes_each_members_name_in_pinyin(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    wei, na = await add(console, tenant, "张伟", "zw"), await add(console, tenant, "李娜", "ln")
    async with console_client(console, tenant) as http:
        response = await http.get(
            "/admin/members/batch-open",
            params=[("member", str(wei.id)), ("member", str(na.id)), ("domain", str(tenant.domain.id))],
        )

    assert proposed(response) == {str(wei.id): "zhangwei", str(na.id): "lina"}
    assert f"@{tenant.domain.name}" in response.text
    assert await console.services.directory.mailboxes.list_mailboxes(tenant.enterprise.id) == ()


@ON_CONSOLE
async def test_a_taken_pinyin_address_is_proposed_with_a_number(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    first, second = await add(console, tenant, "王芳", "wf1"), await add(console, tenant, "王芳", "wf2")
    await console.services.directory.mailboxes.open(tenant.enterprise.id, first.id, tenant.domain.id, ACTOR)
    async with console_client(console, tenant) as http:
        response = await http.get(
            "/admin/members/batch-open",
            params=[("member", str(first.id)), ("member", str(second.id)), ("domain", str(tenant.domain.id))],
            headers=ENGLISH,
        )

    assert proposed(response) == {str(second.id): "wangfang2"}
    assert f"Already has wangfang@{tenant.domain.name}" in response.text


@ON_CONSOLE
async def test_opening_uses_the_edited_addresses_and_reports_each_member(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    wei, na = await add(console, tenant, "张伟", "zw"), await add(console, tenant, "李娜", "ln")
    async with console_client(console, tenant) as http:
        response = await http.post(
            "/admin/members/batch-open",
            data={
                "csrf_token": csrf_token_for(tenant.admin_token),
                "domain_id": str(tenant.domain.id),
                "member": [str(wei.id), str(na.id)],
                f"local_{wei.id}": "wei.zhang",
                f"local_{na.id}": "lina",
            },
        )

    assert response.text.count('data-ok="yes"') == 2
    assert await mailbox_of(console, tenant, wei) == f"wei.zhang@{tenant.domain.name}"
    assert await mailbox_of(console, tenant, na) == f"lina@{tenant.domain.name}"


@ON_CONSOLE
async def test_an_occupied_address_is_refused_for_that_member_only(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    wei, na = await add(console, tenant, "张伟", "zw"), await add(console, tenant, "李娜", "ln")
    async with console_client(console, tenant) as http:
        response = await http.post(
            "/admin/members/batch-open",
            data={
                "csrf_token": csrf_token_for(tenant.admin_token),
                "domain_id": str(tenant.domain.id),
                "member": [str(wei.id), str(na.id)],
                f"local_{wei.id}": "same",
                f"local_{na.id}": "same",
            },
            headers=ENGLISH,
        )

    refused = response.text.split(f'data-member-id="{na.id}" data-ok="no"', 1)[1].split("</tr>", 1)[0]
    assert "is already in use" in refused
    assert f'data-member-id="{wei.id}" data-ok="yes"' in response.text


@ON_CONSOLE
async def test_another_enterprises_domain_is_not_found(console: RunningServer) -> None:
    tenant, other = await web_tenant(console), await web_tenant(console)
    wei = await add(console, tenant, "张伟", "zw")
    async with console_client(console, tenant) as http:
        response = await http.post(
            "/admin/members/batch-open",
            data={
                "csrf_token": csrf_token_for(tenant.admin_token),
                "domain_id": str(other.domain.id),
                "member": [str(wei.id)],
                f"local_{wei.id}": "zhangwei",
            },
        )

    assert response.status_code == 404
    assert await console.services.directory.mailboxes.list_mailboxes(tenant.enterprise.id) == ()


# --- browser ------------------------------------------------------------------------------------


async def test_admin_batch_opens_mailboxes_from_the_member_list(server: RunningServer, page: Page) -> None:
    tenant = await web_tenant(server)
    second = await server.services.domains.add(tenant.enterprise.id, "second.test", ACTOR, trust=True)
    members = [
        await add(server, tenant, "张伟", "zw"),
        await add(server, tenant, "李娜", "ln"),
        await add(server, tenant, "欧阳修", "oyx"),
    ]
    await add(server, tenant, "不选", "skip")
    await login_page_as(page, server, "admin", tenant.admin_token)
    await page.goto(f"{base_url(server)}/admin/members")
    for member in members:
        await page.get_by_test_id(f"select-{member.account}").check()
    await page.get_by_test_id("bulk-action").select_option("open")
    await page.get_by_test_id("bulk-apply").click()
    await page.wait_for_url("**/admin/members/batch-open?**")

    await page.get_by_test_id("batch-domain").select_option(label="second.test")
    await page.get_by_test_id("batch-choose").click()
    await page.get_by_test_id("batch-open-form").wait_for()
    locals_shown = [await field.input_value() for field in await page.get_by_test_id("batch-local").all()]
    assert locals_shown == ["zhangwei", "lina", "ouyangxiu"]
    await screenshot(page, "admin-batch-open")
    await page.get_by_test_id("batch-local").nth(1).fill("na.li")
    await page.get_by_test_id("batch-open-submit").click()
    await page.get_by_test_id("batch-outcomes").wait_for()

    addresses = await page.get_by_test_id("batch-address").all_inner_texts()
    assert addresses == ["zhangwei@second.test", "na.li@second.test", "ouyangxiu@second.test"]
    assert await page.locator('[data-testid="batch-outcome"][data-ok="yes"]').count() == 3
    opened = await server.services.directory.mailboxes.list_mailboxes(tenant.enterprise.id, status="open")
    assert sorted(m.address for m in opened) == sorted(addresses)
    assert {m.domain_id for m in opened} == {second.id}
    await screenshot(page, "admin-batch-open-result")


async def test_batch_open_pages_fit_a_phone(server: RunningServer, phone_page: Page) -> None:
    tenant = await web_tenant(server)
    member = await add(server, tenant, "欧阳娜娜", "oynn")
    await login_page_as(phone_page, server, "admin", tenant.admin_token)

    await phone_page.goto(
        f"{base_url(server)}/admin/members/batch-open?member={member.id}&domain={tenant.domain.id}"
    )
    confirm_fits = await no_horizontal_scroll(phone_page)
    await phone_page.get_by_test_id("batch-open-submit").click()
    await phone_page.get_by_test_id("batch-outcomes").wait_for()

    assert confirm_fits and await no_horizontal_scroll(phone_page)
    await screenshot(phone_page, "admin-batch-open-phone")
