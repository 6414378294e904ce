"""Contacts pages: colleagues in the company address book, personal contacts, vCard import and export."""

from __future__ import annotations

from playwright.async_api import Page

from support.browser import no_horizontal_scroll, screenshot
from support.server import RunningServer
from support.web import base_url, login_page_as, portal_client, web_member, web_tenant
from yunmail.directory import ContactDraft

VCARD = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Wang Fang\r\nEMAIL:wang@partner.example\r\nEND:VCARD\r\n"


async def test_colleagues_with_mailboxes_are_listed_with_their_address(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, _, token = await web_member(server, tenant, "李雷", account="lilei")
    _, colleague, _ = await web_member(server, tenant, "韩梅梅", account="hanmeimei")

    async with portal_client(server, "webmail", token) as client:
        response = await client.get("/contacts", params={"q": "韩"})

    listed = response.text.split('data-testid="colleagues"')[1].split("</table>")[0]
    assert response.status_code == 200
    assert colleague.address in listed
    assert "lilei@" not in listed


async def test_imported_vcard_contacts_come_back_in_the_export(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, _, token = await web_member(server, tenant, account="lina")

    async with portal_client(server, "webmail", token) as client:
        imported = await client.post("/contacts/import", files={"file": ("phone.vcf", VCARD, "text/vcard")})
        exported = await client.get("/contacts/export.vcf")

    assert imported.status_code == 200 and 'data-testid="contacts-imported"' in imported.text
    assert exported.headers["content-disposition"] == 'attachment; filename="contacts.vcf"'
    assert b"wang@partner.example" in exported.content and b"FN:Wang Fang" in exported.content


async def test_another_members_contact_cannot_be_deleted(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    owner, _, _ = await web_member(server, tenant, account="owner")
    _, _, token = await web_member(server, tenant, account="other")
    contacts = server.services.directory.contacts
    await contacts.add(tenant.enterprise.id, owner.id, ContactDraft("Private", "p@x.example"))
    private = (await contacts.list(tenant.enterprise.id, owner.id))[0]

    async with portal_client(server, "webmail", token) as client:
        response = await client.post(
            f"/contacts/personal/{private.id}/delete", headers={"accept": "application/json"}
        )

    assert response.status_code == 404
    assert len(await contacts.list(tenant.enterprise.id, owner.id)) == 1


async def test_contacts_page_fits_a_phone(server: RunningServer, phone_page: Page) -> None:
    tenant = await web_tenant(server)
    _, _, token = await web_member(server, tenant, account="lina")
    await web_member(server, tenant, "欧阳修远", account="ouyang")
    await login_page_as(phone_page, server, "webmail", token)

    await phone_page.goto(f"{base_url(server)}/contacts")

    assert await no_horizontal_scroll(phone_page)
    await screenshot(phone_page, "webmail-contacts-phone")
