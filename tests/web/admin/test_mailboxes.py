"""Mailbox pages: usage and quota, quota edit, close (confirmed), shared mailboxes, groups, aliases."""

from __future__ import annotations

import httpx
from playwright.async_api import Page

from support.browser import no_horizontal_scroll, screenshot
from support.server import RunningServer
from support.web import ACTOR, WebTenant, admin_client, base_url, login_page_as, web_member, web_tenant
from yunmail.web.deps import csrf_token_for

ENGLISH = {"accept-language": "en"}
MESSAGE = b"From: a@example.net\r\nTo: b@example.org\r\nSubject: hello\r\n\r\nHello there.\r\n"


def form(tenant: WebTenant, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf_token_for(tenant.admin_token), **fields}


def error_code(response: httpx.Response) -> str:
    return response.text.split('data-testid="form-error" data-code="', 1)[1].split('"', 1)[0]


def row_of(response: httpx.Response, address: str) -> str:
    return response.text.split(f'data-address="{address}"', 1)[1].split("</tr>", 1)[0]


# --- mailboxes ---------------------------------------------------------------------------------------


async def test_mailbox_list_shows_member_usage_and_quota(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, mailbox, _ = await web_member(server, tenant, "王小红", account="xiaohong")
    await server.services.mailstore.ingest(mailbox.id, MESSAGE)
    async with admin_client(server, tenant) as http:
        response = await http.get("/admin/mailboxes", headers=ENGLISH)

    row = row_of(response, mailbox.address)
    assert "王小红" in row
    assert "1 messages" in row
    assert "/ unlimited" in row
    assert f'action="/admin/mailboxes/{mailbox.id}/quota"' in row


async def test_search_narrows_the_mailbox_list(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, kept, _ = await web_member(server, tenant, account="findme")
    _, other, _ = await web_member(server, tenant, account="another")
    async with admin_client(server, tenant) as http:
        response = await http.get("/admin/mailboxes", params={"q": "findme"})

    assert f'data-address="{kept.address}"' in response.text
    assert f'data-address="{other.address}"' not in response.text


async def test_quota_is_set_in_megabytes(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, mailbox, _ = await web_member(server, tenant)
    async with admin_client(server, tenant) as http:
        response = await http.post(f"/admin/mailboxes/{mailbox.id}/quota", data=form(tenant, quota_mb="500"))
        listing = await http.get(response.headers["location"], headers=ENGLISH)

    assert response.status_code == 303
    assert (
        await server.services.directory.mailboxes.get(tenant.enterprise.id, mailbox.id)
    ).quota_bytes == 500 * 2**20
    assert "/ 500.0 MB" in row_of(listing, mailbox.address)
    assert "Quota saved." in listing.text


async def test_a_quota_that_is_not_a_number_is_refused(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, mailbox, _ = await web_member(server, tenant)
    async with admin_client(server, tenant) as http:
        response = await http.post(f"/admin/mailboxes/{mailbox.id}/quota", data=form(tenant, quota_mb="-5"))

    assert response.status_code == 400
    assert error_code(response) == "QUOTA_INVALID"
    assert (
        await server.services.directory.mailboxes.get(tenant.enterprise.id, mailbox.id)
    ).quota_bytes is None


async def test_closing_asks_for_confirmation_then_moves_the_mailbox_to_the_recycle_bin(
    server: RunningServer,
) -> None:
    tenant = await web_tenant(server)
    _, mailbox, _ = await web_member(server, tenant)
    async with admin_client(server, tenant) as http:
        confirm = await http.get(f"/admin/mailboxes/{mailbox.id}/close", headers=ENGLISH)
        still_open = (await server.services.directory.mailboxes.get(tenant.enterprise.id, mailbox.id)).status
        response = await http.post(f"/admin/mailboxes/{mailbox.id}/close", data=form(tenant))

    assert "recycle bin for 30 days" in confirm.text
    assert still_open == "open"
    assert response.headers["location"] == "/admin/recycle-bin?done=closed"
    assert (
        await server.services.directory.mailboxes.get(tenant.enterprise.id, mailbox.id)
    ).status == "recycled"


async def test_closing_another_enterprise_mailbox_is_not_found(server: RunningServer) -> None:
    owner = await web_tenant(server)
    _, mailbox, _ = await web_member(server, owner)
    other = await web_tenant(server)
    async with admin_client(server, other) as http:
        response = await http.post(f"/admin/mailboxes/{mailbox.id}/close", data=form(other))

    assert response.status_code == 404
    assert (await server.services.directory.mailboxes.get(owner.enterprise.id, mailbox.id)).status == "open"


async def test_closing_without_the_csrf_token_is_refused(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, mailbox, _ = await web_member(server, tenant)
    async with admin_client(server, tenant) as http:
        http.headers.pop("x-csrf-token")
        response = await http.post(f"/admin/mailboxes/{mailbox.id}/close", data={"csrf_token": ""})

    assert response.status_code == 403
    assert (await server.services.directory.mailboxes.get(tenant.enterprise.id, mailbox.id)).status == "open"


# --- shared mailboxes, groups, aliases -----------------------------------------------------------------


async def test_shared_mailbox_is_created_and_given_a_member_by_account(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    member, _, _ = await web_member(server, tenant, "李雷", account="lilei")
    domain_id = str(tenant.domain.id)
    async with admin_client(server, tenant) as http:
        created = await http.post(
            "/admin/mailboxes/shared",
            data=form(tenant, name="Support", local_part="support", domain_id=domain_id),
        )
        shared = (await server.services.directory.shared_mailboxes.list_shared(tenant.enterprise.id))[0]
        added = await http.post(
            f"/admin/mailboxes/shared/{shared.mailbox.id}/members", data=form(tenant, account="lilei")
        )
        page = await http.get("/admin/mailboxes/shared")

    assert (created.status_code, added.status_code) == (303, 303)
    assert shared.mailbox.address == f"support@{tenant.domain.name}"
    assert (
        await server.services.directory.shared_mailboxes.get(tenant.enterprise.id, shared.mailbox.id)
    ).member_ids == (member.id,)
    assert "李雷" in page.text and "(lilei)" in page.text


async def test_adding_an_unknown_account_to_a_shared_mailbox_says_so_on_the_page(
    server: RunningServer,
) -> None:
    tenant = await web_tenant(server)
    shared = await server.services.directory.shared_mailboxes.create(
        tenant.enterprise.id, tenant.domain.id, "hr", "HR", ACTOR
    )
    async with admin_client(server, tenant) as http:
        response = await http.post(
            f"/admin/mailboxes/shared/{shared.mailbox.id}/members", data=form(tenant, account="nobody")
        )

    assert response.status_code == 404
    assert error_code(response) == "MEMBER_NOT_FOUND"
    assert 'data-testid="create-shared"' in response.text  # the page, not a bare error page


async def test_group_gets_members_and_outside_addresses(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    await web_member(server, tenant, "韩梅梅", account="meimei")
    async with admin_client(server, tenant) as http:
        await http.post(
            "/admin/mailboxes/groups",
            data=form(tenant, name="Sales", local_part="sales", domain_id=str(tenant.domain.id)),
        )
        group = (await server.services.directory.groups.list_groups(tenant.enterprise.id))[0]
        await http.post(f"/admin/mailboxes/groups/{group.id}/members", data=form(tenant, account="meimei"))
        await http.post(
            f"/admin/mailboxes/groups/{group.id}/addresses",
            data=form(tenant, address="Agent@Partner.example"),
        )
        page = await http.get("/admin/mailboxes/groups")

    group = await server.services.directory.groups.get(tenant.enterprise.id, group.id)
    assert len(group.member_ids) == 1
    assert group.addresses == ("agent@partner.example",)
    assert "韩梅梅" in page.text and "agent@partner.example" in page.text


async def test_a_group_address_already_in_use_is_occupied(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    await web_member(server, tenant, account="taken")
    async with admin_client(server, tenant) as http:
        response = await http.post(
            "/admin/mailboxes/groups",
            data=form(tenant, name="Clash", local_part="taken", domain_id=str(tenant.domain.id)),
        )

    assert response.status_code == 409
    assert error_code(response) == "ADDRESS_OCCUPIED"
    assert 'value="Clash"' in response.text  # the input is kept


async def test_alias_delivers_to_the_named_mailbox(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, mailbox, _ = await web_member(server, tenant, account="boss")
    async with admin_client(server, tenant) as http:
        response = await http.post(
            "/admin/mailboxes/aliases",
            data=form(tenant, local_part="ceo", domain_id=str(tenant.domain.id), mailbox=mailbox.address),
        )
        page = await http.get("/admin/mailboxes/aliases")

    aliases = await server.services.directory.aliases.list_aliases(tenant.enterprise.id)
    assert response.status_code == 303
    assert [(a.address, a.mailbox_id) for a in aliases] == [(f"ceo@{tenant.domain.name}", mailbox.id)]
    assert f"ceo@{tenant.domain.name}" in page.text


# --- in the browser ----------------------------------------------------------------------------------


async def test_mailbox_pages_fit_a_phone(server: RunningServer, phone_page: Page) -> None:
    tenant = await web_tenant(server)
    _, mailbox, _ = await web_member(server, tenant, "张小明", account="xiaoming")
    directory = server.services.directory
    await directory.shared_mailboxes.create(
        tenant.enterprise.id, tenant.domain.id, "support", "Support", ACTOR
    )
    group = await directory.groups.create(tenant.enterprise.id, tenant.domain.id, "all", "Everybody", ACTOR)
    await directory.groups.add_address(
        tenant.enterprise.id, group.id, "someone.with.a.long.name@partner.example", ACTOR
    )
    await directory.aliases.add(tenant.enterprise.id, mailbox.id, tenant.domain.id, "ming", ACTOR)
    await login_page_as(phone_page, server, "admin", tenant.admin_token)

    fits = {}
    for path, shot in (
        ("/admin/mailboxes", "admin-mailboxes"),
        ("/admin/mailboxes/shared", "admin-shared"),
        ("/admin/mailboxes/groups", "admin-groups"),
        ("/admin/mailboxes/aliases", "admin-aliases"),
        (f"/admin/mailboxes/{mailbox.id}/close", "admin-mailbox-close"),
    ):
        await phone_page.goto(f"{base_url(server)}{path}")
        await screenshot(phone_page, shot)
        fits[path] = await no_horizontal_scroll(phone_page)

    assert all(fits.values()), fits
