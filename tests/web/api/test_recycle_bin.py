"""REST API v1 recycle bin: days left, restore with all mail, purge frees the address, lifecycle errors."""

from __future__ import annotations

import pytest

from support.server import RunningServer
from support.web import ACTOR, admin_client, portal_client, web_tenant
from web.api.mail_tenant import add_member, error_of, open_mailbox
from web.api.org_tenant import clock_of
from yunmail.errors import MailboxNotFound

pytestmark = pytest.mark.asyncio(loop_scope="module")


MESSAGE = b"From: a@example.org\r\nSubject: keep me\r\n\r\nHello\r\n"


async def test_a_closed_mailbox_shows_the_days_left_before_the_purge(
    org_server: RunningServer,
) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant, "王五")
    async with admin_client(org_server, tenant) as client:
        opened = await open_mailbox(client, member, tenant.domain.id)
        await client.post(f"/api/v1/mailboxes/{opened['id']}/close")
        fresh = (await client.get("/api/v1/recycle-bin")).json()
    clock_of(org_server).advance(days=10)
    token = await org_server.services.auth.sessions.create(tenant.admin)  # the first one expired meanwhile
    async with portal_client(org_server, "admin", token) as client:
        later = (await client.get("/api/v1/recycle-bin")).json()

    (item,) = fresh["items"]
    assert (item["mailbox"]["id"], item["member_name"], item["days_left"]) == (opened["id"], "王五", 30)
    assert later["items"][0]["days_left"] == 20


async def test_restore_brings_the_mailbox_back_with_its_mail(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        opened = await open_mailbox(client, member, tenant.domain.id)
        await org_server.services.mailstore.ingest(opened["id"], MESSAGE)
        await client.post(f"/api/v1/mailboxes/{opened['id']}/close")
        restored = await client.post(f"/api/v1/recycle-bin/{opened['id']}/restore")
        detail = (await client.get(f"/api/v1/mailboxes/{opened['id']}")).json()
        bin_page = (await client.get("/api/v1/recycle-bin")).json()

    assert (restored.status_code, restored.json()["status"]) == (200, "open")
    assert (detail["status"], detail["message_count"], detail["member_id"]) == ("open", 1, member.id)
    assert bin_page["total"] == 0


async def test_restoring_an_open_mailbox_is_refused(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        opened = await open_mailbox(client, member, tenant.domain.id)
        response = await client.post(f"/api/v1/recycle-bin/{opened['id']}/restore")

    assert error_of(response) == (409, "MAILBOX_NOT_IN_RECYCLE_BIN")


async def test_restoring_without_a_free_seat_is_refused(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    first, second = await add_member(org_server, tenant), await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        closed = await open_mailbox(client, first, tenant.domain.id, "first")
        await client.post(f"/api/v1/mailboxes/{closed['id']}/close")
        await open_mailbox(client, second, tenant.domain.id, "second")
        await org_server.services.directory.enterprises.set_seats(tenant.enterprise.id, 1, ACTOR)
        response = await client.post(f"/api/v1/recycle-bin/{closed['id']}/restore")

    assert error_of(response) == (409, "SEATS_EXHAUSTED")


async def test_a_deleted_members_mailbox_can_be_given_to_another_member(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    leaver, successor = await add_member(org_server, tenant), await add_member(org_server, tenant)
    members = org_server.services.directory.members
    async with admin_client(org_server, tenant) as client:
        opened = await open_mailbox(client, leaver, tenant.domain.id, "sales")
        await members.disable(tenant.enterprise.id, leaver.id, ACTOR)
        await members.delete(tenant.enterprise.id, leaver.id, ACTOR)
        orphan = (await client.get("/api/v1/recycle-bin")).json()["items"][0]
        restored = await client.post(
            f"/api/v1/recycle-bin/{opened['id']}/restore", json={"member_id": successor.id}
        )

    assert (orphan["mailbox"]["id"], orphan["member_name"]) == (opened["id"], None)
    assert (restored.status_code, restored.json()["member_id"]) == (200, successor.id)


async def test_purge_deletes_the_mail_and_frees_the_address(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    first, second = await add_member(org_server, tenant), await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        opened = await open_mailbox(client, first, tenant.domain.id, "sales")
        await org_server.services.mailstore.ingest(opened["id"], MESSAGE)
        await client.post(f"/api/v1/mailboxes/{opened['id']}/close")
        purged = await client.delete(f"/api/v1/recycle-bin/{opened['id']}")
        gone = await client.get(f"/api/v1/mailboxes/{opened['id']}")
        reused = await open_mailbox(client, second, tenant.domain.id, "sales")

    assert purged.status_code == 204
    assert error_of(gone) == (404, "MAILBOX_NOT_FOUND")
    assert reused["address"] == f"sales@{tenant.domain.name}"
    with pytest.raises(MailboxNotFound):
        await org_server.services.mailstore.usage(opened["id"])


async def test_purging_an_open_mailbox_is_refused(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        opened = await open_mailbox(client, member, tenant.domain.id)
        response = await client.delete(f"/api/v1/recycle-bin/{opened['id']}")
        still = await client.get(f"/api/v1/mailboxes/{opened['id']}")

    assert error_of(response) == (409, "MAILBOX_NOT_IN_RECYCLE_BIN")
    assert still.json()["status"] == "open"


async def test_after_purging_the_member_can_get_a_new_mailbox(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        opened = await open_mailbox(client, member, tenant.domain.id, "old")
        await client.post(f"/api/v1/mailboxes/{opened['id']}/close")
        blocked = await client.post(
            "/api/v1/mailboxes",
            json={"member_id": member.id, "domain_id": tenant.domain.id, "local_part": "new"},
        )
        await client.delete(f"/api/v1/recycle-bin/{opened['id']}")
        reopened = await open_mailbox(client, member, tenant.domain.id, "new")

    assert error_of(blocked) == (409, "ADDRESS_IN_RECYCLE_BIN")
    assert reopened["address"] == f"new@{tenant.domain.name}"


async def test_an_unknown_mailbox_cannot_be_restored_or_purged(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        restore = await client.post("/api/v1/recycle-bin/424242/restore")
        purge = await client.delete("/api/v1/recycle-bin/424242")

    assert (error_of(restore), error_of(purge)) == ((404, "MAILBOX_NOT_FOUND"), (404, "MAILBOX_NOT_FOUND"))
