"""REST API: the department tree (create, nest, rename, move, delete-if-empty) and who may call it."""

from __future__ import annotations

import httpx
import pytest

from support.server import RunningServer
from support.web import ACTOR, admin_client, base_url, portal_client, web_member, web_tenant
from web.api.org_tenant import add_member, bearer_client, error_of

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _create(client: httpx.AsyncClient, name: str, parent_id: int | None = None) -> int:
    response = await client.post("/api/v1/departments", json={"name": name, "parent_id": parent_id})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def test_created_departments_appear_nested_in_the_tree(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        rd = await _create(client, "R&D")
        team = await _create(client, "Team 1", rd)
        await _create(client, "Sales")
        response = await client.get("/api/v1/departments")

    assert response.status_code == 200
    tree = response.json()["items"]
    assert [(d["name"], d["parent_id"]) for d in tree] == [("R&D", None), ("Sales", None)]
    assert [(c["id"], c["name"], c["children"]) for c in tree[0]["children"]] == [(team, "Team 1", [])]


async def test_sibling_name_clash_is_refused_case_insensitively(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        await _create(client, "R&D")
        response = await client.post("/api/v1/departments", json={"name": "r&d"})

    assert error_of(response) == (409, "DEPARTMENT_NAME_TAKEN")


async def test_same_name_under_another_parent_is_allowed(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        parent = await _create(client, "Sales")
        await _create(client, "Team")
        response = await client.post("/api/v1/departments", json={"name": "Team", "parent_id": parent})

    assert response.status_code == 201
    assert response.json()["parent_id"] == parent


async def test_department_name_with_a_slash_is_invalid(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.post("/api/v1/departments", json={"name": "R&D/Team"})

    assert error_of(response) == (400, "DEPARTMENT_NAME_INVALID")


async def test_creating_under_an_unknown_parent_is_not_found(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.post("/api/v1/departments", json={"name": "Team", "parent_id": 999999})

    assert error_of(response) == (404, "DEPARTMENT_NOT_FOUND")


async def test_rename_changes_the_name(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        department = await _create(client, "R&D")
        response = await client.patch(f"/api/v1/departments/{department}", json={"name": "Research"})
        shown = await client.get(f"/api/v1/departments/{department}")

    assert response.status_code == 200
    assert shown.json()["name"] == "Research"


async def test_rename_onto_a_sibling_name_is_refused(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        await _create(client, "Sales")
        department = await _create(client, "R&D")
        response = await client.patch(f"/api/v1/departments/{department}", json={"name": "SALES"})

    assert error_of(response) == (409, "DEPARTMENT_NAME_TAKEN")


async def test_move_under_another_department_and_back_to_the_root(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        sales = await _create(client, "Sales")
        team = await _create(client, "Team")
        moved = await client.patch(f"/api/v1/departments/{team}", json={"parent_id": sales})
        back = await client.patch(f"/api/v1/departments/{team}", json={"parent_id": None})

    assert moved.json()["parent_id"] == sales
    assert back.json()["parent_id"] is None


async def test_move_under_its_own_descendant_is_a_cycle(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        top = await _create(client, "Top")
        middle = await _create(client, "Middle", top)
        bottom = await _create(client, "Bottom", middle)
        response = await client.patch(f"/api/v1/departments/{top}", json={"parent_id": bottom})

    assert error_of(response) == (409, "DEPARTMENT_MOVE_CYCLE")


async def test_move_next_to_a_sibling_of_the_same_name_is_refused(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        sales = await _create(client, "Sales")
        await _create(client, "Team", sales)
        team = await _create(client, "Team")
        response = await client.patch(f"/api/v1/departments/{team}", json={"parent_id": sales})

    assert error_of(response) == (409, "DEPARTMENT_NAME_TAKEN")


async def test_patch_with_an_unknown_field_is_invalid_input(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        department = await _create(client, "Sales")
        response = await client.patch(f"/api/v1/departments/{department}", json={"title": "x"})

    assert error_of(response) == (400, "INVALID_INPUT")


async def test_an_empty_department_is_deleted(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        department = await _create(client, "Sales")
        deleted = await client.delete(f"/api/v1/departments/{department}")
        shown = await client.get(f"/api/v1/departments/{department}")

    assert deleted.status_code == 204
    assert error_of(shown) == (404, "DEPARTMENT_NOT_FOUND")


async def test_department_with_a_sub_department_cannot_be_deleted(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        department = await _create(client, "Sales")
        await _create(client, "Team", department)
        response = await client.delete(f"/api/v1/departments/{department}")

    assert error_of(response) == (409, "DEPARTMENT_NOT_EMPTY")


async def test_department_with_a_member_cannot_be_deleted(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        department = await _create(client, "Sales")
        await add_member(org_server, tenant, department_id=department)
        response = await client.delete(f"/api/v1/departments/{department}")

    assert error_of(response) == (409, "DEPARTMENT_NOT_EMPTY")


async def test_another_enterprises_department_is_not_found(org_server: RunningServer) -> None:
    ours = await web_tenant(org_server)
    theirs = await web_tenant(org_server)
    foreign = await org_server.services.directory.departments.create(theirs.enterprise.id, "Secret", ACTOR)
    async with admin_client(org_server, ours) as client:
        shown = await client.get(f"/api/v1/departments/{foreign.id}")
        renamed = await client.patch(f"/api/v1/departments/{foreign.id}", json={"name": "Mine"})
        deleted = await client.delete(f"/api/v1/departments/{foreign.id}")
        tree = await client.get("/api/v1/departments")

    assert error_of(shown) == error_of(renamed) == error_of(deleted) == (404, "DEPARTMENT_NOT_FOUND")
    assert tree.json()["items"] == []
    assert (
        await org_server.services.directory.departments.get(theirs.enterprise.id, foreign.id)
    ).name == "Secret"


async def test_api_token_can_create_departments_without_csrf(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with bearer_client(org_server, tenant) as client:
        created = await client.post("/api/v1/departments", json={"name": "Ops"})
        tree = await client.get("/api/v1/departments")

    assert created.status_code == 201
    assert [d["name"] for d in tree.json()["items"]] == ["Ops"]


async def test_cookie_write_without_csrf_header_is_refused(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with httpx.AsyncClient(
        base_url=base_url(org_server), cookies={"ym_admin": tenant.admin_token}
    ) as client:
        response = await client.post("/api/v1/departments", json={"name": "Ops"})

    assert error_of(response) == (403, "CSRF_TOKEN_INVALID")


async def test_webmail_session_cannot_use_the_admin_api(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    _, _, member_token = await web_member(org_server, tenant)
    async with portal_client(org_server, "webmail", member_token) as client:
        as_webmail = await client.get("/api/v1/departments")
    async with portal_client(org_server, "admin", member_token) as client:
        as_admin_cookie = await client.get("/api/v1/departments")

    assert error_of(as_webmail) == (401, "SESSION_INVALID")
    assert error_of(as_admin_cookie) == (403, "PORTAL_FORBIDDEN")
