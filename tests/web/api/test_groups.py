"""REST API v1 groups: create with entries, occupied addresses, entry add/remove, delete frees the address."""

from __future__ import annotations

import pytest

from support.server import RunningServer
from support.web import admin_client, web_tenant
from web.api.mail_tenant import add_member, error_of, open_mailbox

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_a_group_is_created_with_members_and_outside_addresses(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        response = await client.post(
            "/api/v1/groups",
            json={
                "domain_id": tenant.domain.id,
                "local_part": "All-Staff",
                "name": "Everyone",
                "member_ids": [member.id],
                "addresses": ["Partner@Example.ORG"],
            },
        )
        listed = (await client.get("/api/v1/groups")).json()

    assert response.status_code == 201
    body = response.json()
    assert (body["address"], body["name"], body["member_ids"], body["addresses"]) == (
        f"all-staff@{tenant.domain.name}",
        "Everyone",
        [member.id],
        ["partner@example.org"],
    )
    assert [g["id"] for g in listed["items"]] == [body["id"]]


async def test_a_group_cannot_take_a_mailbox_address(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        await open_mailbox(client, member, tenant.domain.id, "team")
        response = await client.post(
            "/api/v1/groups", json={"domain_id": tenant.domain.id, "local_part": "team", "name": "Team"}
        )

    assert error_of(response) == (409, "ADDRESS_OCCUPIED")


async def test_a_group_cannot_take_the_address_of_a_recycled_mailbox(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        opened = await open_mailbox(client, member, tenant.domain.id, "team")
        await client.post(f"/api/v1/mailboxes/{opened['id']}/close")
        response = await client.post(
            "/api/v1/groups", json={"domain_id": tenant.domain.id, "local_part": "team", "name": "Team"}
        )

    assert error_of(response) == (409, "ADDRESS_IN_RECYCLE_BIN")


async def test_an_entry_that_is_not_an_address_is_refused(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.post(
            "/api/v1/groups",
            json={
                "domain_id": tenant.domain.id,
                "local_part": "g",
                "name": "G",
                "addresses": ["not an address"],
            },
        )

    assert error_of(response) == (400, "ADDRESS_INVALID")


async def test_a_blank_group_name_is_refused(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.post(
            "/api/v1/groups", json={"domain_id": tenant.domain.id, "local_part": "g", "name": "   "}
        )

    assert error_of(response) == (400, "GROUP_NAME_INVALID")


async def test_members_are_added_and_removed(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    first, second = await add_member(org_server, tenant), await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        group = (
            await client.post(
                "/api/v1/groups",
                json={
                    "domain_id": tenant.domain.id,
                    "local_part": "g",
                    "name": "G",
                    "member_ids": [first.id],
                },
            )
        ).json()
        added = await client.post(f"/api/v1/groups/{group['id']}/members", json={"member_id": second.id})
        twice = await client.post(f"/api/v1/groups/{group['id']}/members", json={"member_id": second.id})
        removed = await client.delete(f"/api/v1/groups/{group['id']}/members/{first.id}")

    assert sorted(added.json()["member_ids"]) == sorted([first.id, second.id])
    assert sorted(twice.json()["member_ids"]) == sorted([first.id, second.id])
    assert removed.json()["member_ids"] == [second.id]


async def test_an_unknown_member_cannot_be_added(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        group = (
            await client.post(
                "/api/v1/groups", json={"domain_id": tenant.domain.id, "local_part": "g", "name": "G"}
            )
        ).json()
        response = await client.post(f"/api/v1/groups/{group['id']}/members", json={"member_id": 777_777})

    assert error_of(response) == (404, "MEMBER_NOT_FOUND")


async def test_addresses_are_added_and_removed_in_any_spelling(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        group = (
            await client.post(
                "/api/v1/groups", json={"domain_id": tenant.domain.id, "local_part": "g", "name": "G"}
            )
        ).json()
        added = await client.post(
            f"/api/v1/groups/{group['id']}/addresses", json={"address": "Boss@Example.org"}
        )
        removed = await client.delete(f"/api/v1/groups/{group['id']}/addresses/BOSS@example.ORG")

    assert added.json()["addresses"] == ["boss@example.org"]
    assert (removed.status_code, removed.json()["addresses"]) == (200, [])


async def test_deleting_a_group_frees_its_address(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        group = (
            await client.post(
                "/api/v1/groups", json={"domain_id": tenant.domain.id, "local_part": "hr", "name": "HR"}
            )
        ).json()
        deleted = await client.delete(f"/api/v1/groups/{group['id']}")
        gone = await client.get(f"/api/v1/groups/{group['id']}")
        reused = await open_mailbox(client, member, tenant.domain.id, "hr")

    assert deleted.status_code == 204
    assert error_of(gone) == (404, "GROUP_NOT_FOUND")
    assert reused["address"] == f"hr@{tenant.domain.name}"


async def test_removing_an_address_with_a_control_character_is_invalid_input(
    org_server: RunningServer,
) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        group = (
            await client.post(
                "/api/v1/groups", json={"domain_id": tenant.domain.id, "local_part": "g", "name": "G"}
            )
        ).json()
        response = await client.delete(f"/api/v1/groups/{group['id']}/addresses/a%00b@example.org")

    assert error_of(response) == (400, "INVALID_INPUT")
