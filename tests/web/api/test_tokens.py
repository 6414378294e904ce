"""REST API: an administrator's API tokens (create with a one-time secret, list, revoke) and Bearer access."""

from __future__ import annotations

import httpx
import pytest

from support.server import RunningServer
from support.web import admin_client, base_url, web_tenant
from web.api.org_tenant import add_member, bearer_client, error_of

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _bearer(server: RunningServer, secret: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url(server), headers={"authorization": f"Bearer {secret}"})


async def test_created_token_secret_is_shown_once_and_works_as_bearer(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        created = await client.post("/api/v1/tokens", json={"label": "HR sync"})
        listed = await client.get("/api/v1/tokens")
    secret = created.json()["secret"]
    async with _bearer(org_server, secret) as api:
        enterprise = await api.get("/api/v1/enterprise")

    assert created.status_code == 201
    assert created.json()["token"]["label"] == "HR sync"
    assert [t["label"] for t in listed.json()["items"]] == ["HR sync"]
    assert secret not in listed.text
    assert enterprise.json()["id"] == tenant.enterprise.id


async def test_bearer_token_writes_without_csrf_and_is_audited_as_its_administrator(
    org_server: RunningServer,
) -> None:
    tenant = await web_tenant(org_server)
    async with bearer_client(org_server, tenant) as client:
        created = await client.post("/api/v1/departments", json={"name": "Scripted"})
        audit = await client.get("/api/v1/audit", params={"limit": 1})

    assert created.status_code == 201
    assert audit.json()["items"][0]["actor"].startswith(f"admin:{tenant.admin.login}@")


async def test_revoked_token_stops_working(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        created = (await client.post("/api/v1/tokens", json={"label": "temp"})).json()
        revoked = await client.delete(f"/api/v1/tokens/{created['token']['id']}")
        listed = await client.get("/api/v1/tokens")
    async with _bearer(org_server, created["secret"]) as api:
        refused = await api.get("/api/v1/departments")

    assert revoked.status_code == 204
    assert listed.json()["items"][0]["revoked_at"] is not None
    assert error_of(refused) == (401, "API_TOKEN_INVALID")


async def test_unknown_bearer_token_is_refused(org_server: RunningServer) -> None:
    async with _bearer(org_server, "ymt_not-a-real-token") as api:
        response = await api.get("/api/v1/members")

    assert error_of(response) == (401, "API_TOKEN_INVALID")


async def test_another_administrators_token_cannot_be_revoked(org_server: RunningServer) -> None:
    ours, theirs = await web_tenant(org_server), await web_tenant(org_server)
    async with admin_client(org_server, theirs) as client:
        created = (await client.post("/api/v1/tokens", json={"label": "theirs"})).json()
    async with admin_client(org_server, ours) as client:
        response = await client.delete(f"/api/v1/tokens/{created['token']['id']}")
        listed = await client.get("/api/v1/tokens")
    async with _bearer(org_server, created["secret"]) as api:
        still_works = await api.get("/api/v1/departments")

    assert error_of(response) == (404, "API_TOKEN_NOT_FOUND")
    assert listed.json()["items"] == []
    assert still_works.status_code == 200


@pytest.mark.parametrize("label", ["", "x" * 65])
async def test_token_label_must_be_one_to_sixty_four_characters(
    org_server: RunningServer, label: str
) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.post("/api/v1/tokens", json={"label": label})

    assert error_of(response) == (400, "API_TOKEN_LABEL_INVALID")


async def test_a_token_acts_in_its_own_enterprise_only(org_server: RunningServer) -> None:
    ours, theirs = await web_tenant(org_server), await web_tenant(org_server)
    member = await add_member(org_server, theirs)
    async with bearer_client(org_server, ours) as client:
        response = await client.get(f"/api/v1/members/{member.id}")

    assert error_of(response) == (404, "MEMBER_NOT_FOUND")
