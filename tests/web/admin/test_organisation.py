"""Organisation page: department tree created, renamed, moved (a select, no dragging) and deleted."""

from __future__ import annotations

from collections.abc import Iterable

import httpx
from playwright.async_api import Page

from support.browser import no_horizontal_scroll, screenshot
from support.server import RunningServer
from support.web import ACTOR, WebTenant, base_url, login_page_as, web_tenant
from web.admin.console_server import ON_CONSOLE, console, console_client, console_database_url, http_client
from yunmail.directory import DepartmentNode, NewMember
from yunmail.web.deps import csrf_token_for

__all__ = ["console", "console_database_url"]  # the module's server fixtures


def paths(nodes: Iterable[DepartmentNode], prefix: str = "") -> list[str]:
    found: list[str] = []
    for node in nodes:
        path = f"{prefix}/{node.department.name}" if prefix else node.department.name
        found.append(path)
        found.extend(paths(node.children, path))
    return found


async def tree_paths(server: RunningServer, tenant: WebTenant) -> list[str]:
    return paths(await server.services.directory.departments.tree(tenant.enterprise.id))


def form(tenant: WebTenant, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf_token_for(tenant.admin_token), **fields}


def page_error_code(response: httpx.Response) -> str:
    return response.text.split('data-testid="page-error" data-code="', 1)[1].split('"', 1)[0]


# --- fast: HTTP only ----------------------------------------------------------------------------


@ON_CONSOLE
async def test_a_department_is_created_under_its_parent(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    parent = await console.services.directory.departments.create(tenant.enterprise.id, "研发部", ACTOR)
    async with console_client(console, tenant) as http:
        response = await http.post(
            "/admin/organisation/departments", data=form(tenant, name="一组", parent_id=str(parent.id))
        )

    assert response.status_code == 303
    assert response.headers["location"] == "/admin/organisation?done=department-created"
    assert await tree_paths(console, tenant) == ["研发部", "研发部/一组"]


@ON_CONSOLE
async def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    async with http_client(console, cookies={"ym_admin": tenant.admin_token}) as http:
        response = await http.post("/admin/organisation/departments", data={"name": "研发部"})

    assert response.status_code == 403
    assert 'data-code="CSRF_TOKEN_INVALID"' in response.text
    assert await tree_paths(console, tenant) == []


@ON_CONSOLE
async def test_a_taken_name_is_shown_with_its_own_message(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    departments = console.services.directory.departments
    await departments.create(tenant.enterprise.id, "Sales", ACTOR)
    other = await departments.create(tenant.enterprise.id, "Marketing", ACTOR)
    async with console_client(console, tenant) as http:
        response = await http.post(
            f"/admin/organisation/departments/{other.id}/rename", data=form(tenant, name="sales")
        )

    assert response.status_code == 409
    assert page_error_code(response) == "DEPARTMENT_NAME_TAKEN"
    assert await tree_paths(console, tenant) == ["Marketing", "Sales"]


@ON_CONSOLE
async def test_moving_a_department_under_its_own_child_is_refused(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    departments = console.services.directory.departments
    top = await departments.create(tenant.enterprise.id, "Top", ACTOR)
    child = await departments.create(tenant.enterprise.id, "Child", ACTOR, parent_id=top.id)
    async with console_client(console, tenant) as http:
        response = await http.post(
            f"/admin/organisation/departments/{top.id}/move", data=form(tenant, parent_id=str(child.id))
        )

    assert page_error_code(response) == "DEPARTMENT_MOVE_CYCLE"
    assert await tree_paths(console, tenant) == ["Top", "Top/Child"]


@ON_CONSOLE
async def test_deleting_a_department_with_members_shows_why_not(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    services = console.services
    department = await services.directory.departments.create(tenant.enterprise.id, "HR", ACTOR)
    await services.directory.members.add(
        tenant.enterprise.id,
        NewMember(name="Ann", account="ann", contact_email="ann@contact.test", department_id=department.id),
        ACTOR,
    )
    async with console_client(console, tenant) as http:
        response = await http.post(
            f"/admin/organisation/departments/{department.id}/delete", data=form(tenant)
        )

    assert response.status_code == 409
    assert page_error_code(response) == "DEPARTMENT_NOT_EMPTY"
    assert await tree_paths(console, tenant) == ["HR"]


@ON_CONSOLE
async def test_an_empty_department_is_deleted(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    department = await console.services.directory.departments.create(tenant.enterprise.id, "Old", ACTOR)
    async with console_client(console, tenant) as http:
        response = await http.post(
            f"/admin/organisation/departments/{department.id}/delete", data=form(tenant)
        )

    assert response.headers["location"] == "/admin/organisation?done=department-deleted"
    assert await tree_paths(console, tenant) == []


@ON_CONSOLE
async def test_another_enterprises_department_is_not_found(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    other = await web_tenant(console)
    foreign = await console.services.directory.departments.create(other.enterprise.id, "Theirs", ACTOR)
    async with console_client(console, tenant) as http:
        response = await http.post(
            f"/admin/organisation/departments/{foreign.id}/rename", data=form(tenant, name="Mine")
        )

    assert response.status_code == 404
    assert await tree_paths(console, other) == ["Theirs"]


# --- browser ------------------------------------------------------------------------------------


async def test_admin_builds_a_three_level_tree_and_moves_a_department(
    server: RunningServer, page: Page
) -> None:
    tenant = await web_tenant(server)
    await login_page_as(page, server, "admin", tenant.admin_token)
    await page.goto(f"{base_url(server)}/admin/organisation")

    await page.get_by_test_id("department-name").fill("Company R&D")
    await page.get_by_test_id("department-submit").click()
    await page.wait_for_url("**done=department-created")
    for parent, name in (("Company R&D", "Backend"), ("Backend", "Storage"), ("Company R&D", "Frontend")):
        node = page.locator(f'[data-testid="dept"][data-dept-name="{parent}"]').first
        await node.locator("summary").first.click()
        await node.get_by_test_id("child-name").first.fill(name)
        await node.get_by_test_id("child-submit").first.click()
        await page.wait_for_url("**done=department-created")
    assert await tree_paths(server, tenant) == [
        "Company R&D",
        "Company R&D/Backend",
        "Company R&D/Backend/Storage",
        "Company R&D/Frontend",
    ]

    storage = page.locator('[data-testid="dept"][data-dept-name="Storage"]')
    await storage.locator("summary").click()
    await storage.get_by_test_id("move-select").select_option(label="\u2003Frontend")
    await storage.get_by_test_id("move-submit").click()
    await page.wait_for_url("**done=department-moved")

    assert await tree_paths(server, tenant) == [
        "Company R&D",
        "Company R&D/Backend",
        "Company R&D/Frontend",
        "Company R&D/Frontend/Storage",
    ]
    moved = page.locator('[data-dept-name="Frontend"] [data-dept-name="Storage"]')
    assert await moved.count() == 1
    await screenshot(page, "admin-organisation")


async def test_organisation_page_fits_a_phone(server: RunningServer, phone_page: Page) -> None:
    tenant = await web_tenant(server)
    departments = server.services.directory.departments
    top = await departments.create(tenant.enterprise.id, "研发中心（北京）", ACTOR)
    mid = await departments.create(tenant.enterprise.id, "基础架构与平台工程部", ACTOR, parent_id=top.id)
    await departments.create(tenant.enterprise.id, "分布式存储组", ACTOR, parent_id=mid.id)
    await login_page_as(phone_page, server, "admin", tenant.admin_token)

    await phone_page.goto(f"{base_url(server)}/admin/organisation")
    for summary in await phone_page.locator("summary").all():
        await summary.click()

    assert await no_horizontal_scroll(phone_page)
    await screenshot(phone_page, "admin-organisation-phone")
