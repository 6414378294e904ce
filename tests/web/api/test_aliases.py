"""REST API v1 aliases: further addresses of a mailbox, occupancy rules, removal frees the address."""

from __future__ import annotations

import pytest

from support.server import RunningServer
from support.web import admin_client, web_tenant
from web.api.mail_tenant import add_domain, add_member, error_of, open_mailbox

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_an_alias_on_another_domain_reaches_the_mailbox(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    second = await add_domain(org_server, tenant, f"second{tenant.enterprise.id}.test")
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        mailbox = await open_mailbox(client, member, tenant.domain.id, "wang")
        response = await client.post(
            "/api/v1/aliases",
            json={"mailbox_id": mailbox["id"], "domain_id": second.id, "local_part": "Boss"},
        )
    recipient = await org_server.services.directory.recipients.resolve(f"boss@{second.name}")

    assert response.status_code == 201
    body = response.json()
    assert (body["address"], body["mailbox_id"], body["domain_id"]) == (
        f"boss@{second.name}",
        mailbox["id"],
        second.id,
    )
    assert recipient is not None
    assert (recipient.kind, recipient.mailbox_ids) == ("alias", (mailbox["id"],))


async def test_aliases_are_listed_per_mailbox(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    first, second = await add_member(org_server, tenant), await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        one = await open_mailbox(client, first, tenant.domain.id, "one")
        two = await open_mailbox(client, second, tenant.domain.id, "two")
        for mailbox, local in ((one, "a1"), (two, "b1"), (two, "b2")):
            await client.post(
                "/api/v1/aliases",
                json={"mailbox_id": mailbox["id"], "domain_id": tenant.domain.id, "local_part": local},
            )
        everything = (await client.get("/api/v1/aliases")).json()
        of_two = (await client.get("/api/v1/aliases", params={"mailbox_id": two["id"]})).json()

    assert everything["total"] == 3
    assert sorted(a["address"].split("@")[0] for a in of_two["items"]) == ["b1", "b2"]


async def test_an_alias_cannot_take_an_address_in_use(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    first, second = await add_member(org_server, tenant), await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        await open_mailbox(client, first, tenant.domain.id, "taken")
        mailbox = await open_mailbox(client, second, tenant.domain.id, "mine")
        response = await client.post(
            "/api/v1/aliases",
            json={"mailbox_id": mailbox["id"], "domain_id": tenant.domain.id, "local_part": "taken"},
        )

    assert error_of(response) == (409, "ADDRESS_OCCUPIED")


async def test_an_alias_cannot_take_the_address_of_a_recycled_mailbox(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    first, second = await add_member(org_server, tenant), await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        closed = await open_mailbox(client, first, tenant.domain.id, "left")
        await client.post(f"/api/v1/mailboxes/{closed['id']}/close")
        mailbox = await open_mailbox(client, second, tenant.domain.id, "mine")
        response = await client.post(
            "/api/v1/aliases",
            json={"mailbox_id": mailbox["id"], "domain_id": tenant.domain.id, "local_part": "left"},
        )

    assert error_of(response) == (409, "ADDRESS_IN_RECYCLE_BIN")


async def test_a_recycled_mailbox_takes_no_new_alias(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        mailbox = await open_mailbox(client, member, tenant.domain.id, "closed")
        await client.post(f"/api/v1/mailboxes/{mailbox['id']}/close")
        response = await client.post(
            "/api/v1/aliases",
            json={"mailbox_id": mailbox["id"], "domain_id": tenant.domain.id, "local_part": "x"},
        )

    assert error_of(response) == (409, "MAILBOX_RECYCLED")


async def test_removing_an_alias_frees_its_address(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    first, second = await add_member(org_server, tenant), await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        mailbox = await open_mailbox(client, first, tenant.domain.id, "main")
        alias = (
            await client.post(
                "/api/v1/aliases",
                json={"mailbox_id": mailbox["id"], "domain_id": tenant.domain.id, "local_part": "extra"},
            )
        ).json()
        shown = await client.get(f"/api/v1/aliases/{alias['id']}")
        removed = await client.delete(f"/api/v1/aliases/{alias['id']}")
        gone = await client.get(f"/api/v1/aliases/{alias['id']}")
        reused = await open_mailbox(client, second, tenant.domain.id, "extra")

    assert (shown.status_code, shown.json()["address"]) == (200, f"extra@{tenant.domain.name}")
    assert removed.status_code == 204
    assert error_of(gone) == (404, "ALIAS_NOT_FOUND")
    assert reused["address"] == f"extra@{tenant.domain.name}"


async def test_an_alias_for_an_unknown_mailbox_is_not_found(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.post(
            "/api/v1/aliases", json={"mailbox_id": 5555, "domain_id": tenant.domain.id, "local_part": "x"}
        )

    assert error_of(response) == (404, "MAILBOX_NOT_FOUND")
