"""REST API v1 shared mailboxes: create with members, seats, members add/remove, delete to the recycle bin."""

from __future__ import annotations

import pytest

from support.server import RunningServer
from support.web import ACTOR, admin_client, web_tenant
from web.api.mail_tenant import add_member, error_of, open_mailbox

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_a_shared_mailbox_is_created_with_its_members(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        response = await client.post(
            "/api/v1/shared-mailboxes",
            json={
                "domain_id": tenant.domain.id,
                "local_part": "HR",
                "name": "人事部",
                "member_ids": [member.id],
            },
        )
        listed = (await client.get("/api/v1/shared-mailboxes")).json()
        as_mailboxes = (await client.get("/api/v1/mailboxes", params={"kind": "shared"})).json()

    assert response.status_code == 201
    body = response.json()
    mailbox = body["mailbox"]
    assert (mailbox["address"], mailbox["kind"], mailbox["display_name"], mailbox["member_id"]) == (
        f"hr@{tenant.domain.name}",
        "shared",
        "人事部",
        None,
    )
    assert body["member_ids"] == [member.id]
    assert [s["mailbox"]["id"] for s in listed["items"]] == [mailbox["id"]]
    assert [m["id"] for m in as_mailboxes["items"]] == [mailbox["id"]]


async def test_a_shared_mailbox_takes_a_seat(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    await org_server.services.directory.enterprises.set_seats(tenant.enterprise.id, 1, ACTOR)
    async with admin_client(org_server, tenant) as client:
        await open_mailbox(client, member, tenant.domain.id)
        response = await client.post(
            "/api/v1/shared-mailboxes", json={"domain_id": tenant.domain.id, "local_part": "hr", "name": "HR"}
        )

    assert error_of(response) == (409, "SEATS_EXHAUSTED")


async def test_a_shared_mailbox_cannot_take_an_address_in_use(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        await open_mailbox(client, member, tenant.domain.id, "support")
        response = await client.post(
            "/api/v1/shared-mailboxes",
            json={"domain_id": tenant.domain.id, "local_part": "support", "name": "S"},
        )

    assert error_of(response) == (409, "ADDRESS_OCCUPIED")


async def test_members_are_added_and_removed(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    first, second = await add_member(org_server, tenant), await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        shared = (
            await client.post(
                "/api/v1/shared-mailboxes",
                json={
                    "domain_id": tenant.domain.id,
                    "local_part": "hr",
                    "name": "HR",
                    "member_ids": [first.id],
                },
            )
        ).json()
        url = f"/api/v1/shared-mailboxes/{shared['mailbox']['id']}"
        added = await client.post(f"{url}/members", json={"member_id": second.id})
        removed = await client.delete(f"{url}/members/{first.id}")
        shown = (await client.get(url)).json()

    assert sorted(added.json()["member_ids"]) == sorted([first.id, second.id])
    assert removed.json()["member_ids"] == [second.id]
    assert shown["member_ids"] == [second.id]


async def test_deleting_a_shared_mailbox_puts_it_in_the_recycle_bin(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        shared = (
            await client.post(
                "/api/v1/shared-mailboxes",
                json={"domain_id": tenant.domain.id, "local_part": "hr", "name": "HR"},
            )
        ).json()
        mailbox_id = shared["mailbox"]["id"]
        deleted = await client.delete(f"/api/v1/shared-mailboxes/{mailbox_id}")
        in_bin = (await client.get("/api/v1/recycle-bin")).json()
        restored = await client.post(f"/api/v1/recycle-bin/{mailbox_id}/restore")

    assert (deleted.status_code, deleted.json()["status"]) == (200, "recycled")
    assert [item["mailbox"]["id"] for item in in_bin["items"]] == [mailbox_id]
    assert (restored.json()["status"], restored.json()["kind"]) == ("open", "shared")


async def test_a_personal_mailbox_is_not_a_shared_one(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        personal = await open_mailbox(client, member, tenant.domain.id)
        response = await client.get(f"/api/v1/shared-mailboxes/{personal['id']}")
        delete = await client.delete(f"/api/v1/shared-mailboxes/{personal['id']}")

    assert error_of(response) == (404, "SHARED_MAILBOX_NOT_FOUND")
    assert error_of(delete) == (404, "SHARED_MAILBOX_NOT_FOUND")


async def test_a_name_with_control_characters_is_refused(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.post(
            "/api/v1/shared-mailboxes",
            json={"domain_id": tenant.domain.id, "local_part": "hr", "name": "H\x00R"},
        )

    assert error_of(response) == (400, "INVALID_INPUT")
