"""REST API: the enterprise's audit log: newest first, with who and from where, scoped to the enterprise."""

from __future__ import annotations

import pytest

from support.server import RunningServer
from support.web import admin_client, web_tenant
from web.api.org_tenant import error_of

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_changes_through_the_api_are_logged_newest_first_with_the_actor(
    org_server: RunningServer,
) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        await client.post("/api/v1/departments", json={"name": "Sales"})
        await client.post("/api/v1/departments", json={"name": "Ops"})
        response = await client.get("/api/v1/audit")

    assert response.status_code == 200
    entries = response.json()["items"]
    assert [(e["action"], e["detail"].get("name")) for e in entries[:2]] == [
        ("department.create", "Ops"),
        ("department.create", "Sales"),
    ]
    assert entries[0]["actor"] == f"admin:{tenant.admin.login}@127.0.0.1"


async def test_limit_returns_only_the_newest_entries(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        for name in ("A", "B", "C"):
            await client.post("/api/v1/departments", json={"name": name})
        response = await client.get("/api/v1/audit", params={"limit": 2})

    assert response.json()["limit"] == 2
    assert [e["detail"]["name"] for e in response.json()["items"]] == ["C", "B"]


async def test_another_enterprises_entries_are_not_shown(org_server: RunningServer) -> None:
    ours, theirs = await web_tenant(org_server), await web_tenant(org_server)
    async with admin_client(org_server, theirs) as client:
        await client.post("/api/v1/departments", json={"name": "Their secret"})
    async with admin_client(org_server, ours) as client:
        response = await client.get("/api/v1/audit")

    targets = {e["target"] for e in response.json()["items"]}
    assert all(e["detail"].get("name") != "Their secret" for e in response.json()["items"])
    assert f"admin:{theirs.admin.login}" not in targets


@pytest.mark.parametrize("limit", [0, 1001])
async def test_out_of_range_limit_is_invalid_input(org_server: RunningServer, limit: int) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.get("/api/v1/audit", params={"limit": limit})

    assert error_of(response) == (400, "INVALID_INPUT")
