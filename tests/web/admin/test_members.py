"""Member pages: list (search, filters, pages, bulk actions), add, edit, disable/delete, reset, unlock."""

from __future__ import annotations

import contextlib

import httpx
from playwright.async_api import Page

from support.browser import no_horizontal_scroll, screenshot
from support.server import RunningServer
from support.web import (
    ACTOR,
    PASSWORD,
    WebTenant,
    base_url,
    login_page_as,
    web_member,
    web_tenant,
)
from web.admin.console_server import ON_CONSOLE, console, console_client, console_database_url
from yunmail.directory import Member, NewMember
from yunmail.errors import YunmailError
from yunmail.web.deps import csrf_token_for

__all__ = ["console", "console_database_url"]  # the module's server fixtures

ENGLISH = {"accept-language": "en"}


async def add(
    server: RunningServer,
    tenant: WebTenant,
    account: str,
    *,
    name: str | None = None,
    department: int | None = None,
) -> Member:
    return await server.services.directory.members.add(
        tenant.enterprise.id,
        NewMember(
            name=name or account.title(),
            account=account,
            contact_email=f"{account}@contact.test",
            department_id=department,
        ),
        ACTOR,
    )


def form(tenant: WebTenant, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf_token_for(tenant.admin_token), **fields}


def listed_accounts(response: httpx.Response) -> list[str]:
    parts = response.text.split('data-testid="member-row" data-account="')[1:]
    return [part.split('"', 1)[0] for part in parts]


def page_error_code(response: httpx.Response) -> str:
    return response.text.split('data-testid="page-error" data-code="', 1)[1].split('"', 1)[0]


# --- list ---------------------------------------------------------------------------------------


@ON_CONSOLE
async def test_search_finds_members_by_name_or_account(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    await add(console, tenant, "alice")
    await add(console, tenant, "bob", name="Robert")
    async with console_client(console, tenant) as http:
        response = await http.get("/admin/members", params={"q": "rob"})

    assert listed_accounts(response) == ["bob"]


@ON_CONSOLE
async def test_department_filter_includes_sub_departments(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    departments = console.services.directory.departments
    rnd = await departments.create(tenant.enterprise.id, "R&D", ACTOR)
    team = await departments.create(tenant.enterprise.id, "Team", ACTOR, parent_id=rnd.id)
    sales = await departments.create(tenant.enterprise.id, "Sales", ACTOR)
    await add(console, tenant, "lead", department=rnd.id)
    await add(console, tenant, "dev", department=team.id)
    await add(console, tenant, "seller", department=sales.id)
    async with console_client(console, tenant) as http:
        response = await http.get("/admin/members", params={"department": str(rnd.id)})

    assert listed_accounts(response) == ["lead", "dev"]
    assert "R&amp;D/Team" in response.text  # the department path column


@ON_CONSOLE
async def test_status_and_mailbox_filters_combine(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    with_box, _, _ = await web_member(console, tenant, account="boxed")
    await add(console, tenant, "plain")
    off = await add(console, tenant, "off")
    await console.services.directory.members.disable(tenant.enterprise.id, off.id, ACTOR)
    async with console_client(console, tenant) as http:
        no_box_active = await http.get("/admin/members", params={"mailbox": "no", "status": "active"})
        has_box = await http.get("/admin/members", params={"mailbox": "yes"})

    assert listed_accounts(no_box_active) == ["plain"]
    assert listed_accounts(has_box) == [with_box.account]


@ON_CONSOLE
async def test_the_list_is_paged_fifty_at_a_time(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    for n in range(53):
        await add(console, tenant, f"u{n:02d}")
    async with console_client(console, tenant) as http:
        first = await http.get("/admin/members", headers=ENGLISH)
        second = await http.get("/admin/members", params={"page": "2"}, headers=ENGLISH)

    assert (len(listed_accounts(first)), listed_accounts(second)) == (50, ["u50", "u51", "u52"])
    assert "1–50 of 53" in first.text and 'rel="next"' in first.text
    assert "51–53 of 53" in second.text and 'rel="next"' not in second.text


@ON_CONSOLE
async def test_bulk_disable_reports_each_member(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    one, two = await add(console, tenant, "one"), await add(console, tenant, "two")
    async with console_client(console, tenant) as http:
        response = await http.post(
            "/admin/members/bulk",
            data={**form(tenant, action="disable"), "member_id": [str(one.id), str(two.id)]},
        )

    assert response.status_code == 200
    assert response.text.count('data-ok="yes"') == 2
    members = console.services.directory.members
    statuses = {(await members.get(tenant.enterprise.id, m.id)).status for m in (one, two)}
    assert statuses == {"disabled"}


@ON_CONSOLE
async def test_bulk_delete_refuses_active_members_with_the_disable_first_message(
    console: RunningServer,
) -> None:
    tenant = await web_tenant(console)
    active, disabled = await add(console, tenant, "active"), await add(console, tenant, "gone")
    await console.services.directory.members.disable(tenant.enterprise.id, disabled.id, ACTOR)
    async with console_client(console, tenant) as http:
        response = await http.post(
            "/admin/members/bulk",
            data={**form(tenant, action="delete"), "member_id": [str(active.id), str(disabled.id)]},
            headers=ENGLISH,
        )

    refused = response.text.split(f'data-member-id="{active.id}" data-ok="no"', 1)[1].split("</tr>", 1)[0]
    assert "Disable the member before deleting it" in refused
    assert f'data-member-id="{disabled.id}" data-ok="yes"' in response.text
    remaining = await console.services.directory.members.search(tenant.enterprise.id)
    assert [m.account for m in remaining.items] == ["active"]


@ON_CONSOLE
async def test_bulk_open_goes_to_the_batch_open_page_with_the_selection(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    one, two = await add(console, tenant, "one"), await add(console, tenant, "two")
    async with console_client(console, tenant) as http:
        response = await http.post(
            "/admin/members/bulk",
            data={**form(tenant, action="open"), "member_id": [str(one.id), str(two.id)]},
        )

    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/members/batch-open?member={one.id}&member={two.id}"


# --- add and edit -------------------------------------------------------------------------------


@ON_CONSOLE
async def test_adding_a_member_stores_every_field(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    department = await console.services.directory.departments.create(tenant.enterprise.id, "HR", ACTOR)
    async with console_client(console, tenant) as http:
        response = await http.post(
            "/admin/members/new",
            data=form(
                tenant,
                name="韩梅梅",
                account="hanmm",
                password="Welcome-2026",
                phone="138 0013 8000",
                contact_email="han@contact.test",
                department_id=str(department.id),
                role="administrator",
                staff_type="intern",
                hire_date="2025-07-01",
            ),
        )

    member = await console.services.directory.members.get_by_account(tenant.enterprise.id, "hanmm")
    assert response.headers["location"] == f"/admin/members/{member.id}?done=member-added"
    assert (member.name, member.phone, member.department_id, member.role, member.staff_type) == (
        "韩梅梅",
        "13800138000",
        department.id,
        "administrator",
        "intern",
    )
    assert str(member.hire_date) == "2025-07-01" and member.must_change_password


@ON_CONSOLE
async def test_a_bad_phone_is_shown_next_to_the_field_and_the_input_is_kept(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    async with console_client(console, tenant) as http:
        response = await http.post(
            "/admin/members/new",
            data=form(tenant, name="Ann", account="ann", password="Welcome-2026", phone="12345"),
            headers=ENGLISH,
        )

    assert response.status_code == 400
    assert page_error_code(response) == "PHONE_INVALID"
    assert 'data-testid="field-error-phone"' in response.text
    assert 'value="ann"' in response.text and "Welcome-2026" not in response.text
    assert (await console.services.directory.members.search(tenant.enterprise.id)).total == 0


@ON_CONSOLE
async def test_editing_a_member_saves_the_changes(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    member = await add(console, tenant, "ann")
    async with console_client(console, tenant) as http:
        response = await http.post(
            f"/admin/members/{member.id}",
            data=form(
                tenant,
                name="Ann Lee",
                phone="13900001111",
                contact_email="",
                role="member",
                staff_type="regular",
                hire_date="2024/03/15",
                department_id="",
            ),
        )

    changed = await console.services.directory.members.get(tenant.enterprise.id, member.id)
    assert response.headers["location"] == f"/admin/members/{member.id}?done=member-saved"
    assert (changed.name, changed.phone, changed.contact_email, str(changed.hire_date)) == (
        "Ann Lee",
        "13900001111",
        None,
        "2024-03-15",
    )


@ON_CONSOLE
async def test_another_enterprises_member_is_not_found(console: RunningServer) -> None:
    tenant, other = await web_tenant(console), await web_tenant(console)
    foreign = await add(console, other, "theirs")
    async with console_client(console, tenant) as http:
        page = await http.get(f"/admin/members/{foreign.id}")
        disable = await http.post(f"/admin/members/{foreign.id}/disable", data=form(tenant))

    assert (page.status_code, disable.status_code) == (404, 404)
    assert (await console.services.directory.members.get(other.enterprise.id, foreign.id)).status == "active"


# --- status, password, lock ---------------------------------------------------------------------


@ON_CONSOLE
async def test_deleting_an_active_member_asks_to_disable_it_first(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    member = await add(console, tenant, "ann")
    async with console_client(console, tenant) as http:
        response = await http.post(f"/admin/members/{member.id}/delete", data=form(tenant), headers=ENGLISH)

    assert response.status_code == 409
    assert page_error_code(response) == "MEMBER_NOT_DISABLED"
    assert "Disable the member before deleting it" in response.text


@ON_CONSOLE
async def test_a_disabled_member_is_deleted_and_its_mailbox_recycled(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    member, mailbox, _ = await web_member(console, tenant)
    async with console_client(console, tenant) as http:
        disabled = await http.post(f"/admin/members/{member.id}/disable", data=form(tenant))
        deleted = await http.post(f"/admin/members/{member.id}/delete", data=form(tenant))

    assert disabled.headers["location"] == f"/admin/members/{member.id}?done=member-disabled"
    assert deleted.headers["location"] == "/admin/members?done=member-deleted"
    recycled = await console.services.directory.mailboxes.get(tenant.enterprise.id, mailbox.id)
    assert recycled.status == "recycled"


@ON_CONSOLE
async def test_a_typed_password_reset_forces_a_change_and_ends_sessions(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    member, _, token = await web_member(console, tenant)
    async with console_client(console, tenant) as http:
        response = await http.post(
            f"/admin/members/{member.id}/password", data=form(tenant, password="Changed-2026")
        )

    services = console.services
    assert response.headers["location"] == f"/admin/members/{member.id}?done=password-reset"
    assert (await services.directory.members.get(tenant.enterprise.id, member.id)).must_change_password
    principal = await services.auth.login.authenticate(
        f"{member.account}@{tenant.enterprise.org_id}", "Changed-2026", channel="web", remote_ip="127.0.0.1"
    )
    assert principal.member_id == member.id
    assert await services.auth.sessions.list_for_member(tenant.enterprise.id, member.id) == ()
    del token


@ON_CONSOLE
async def test_a_generated_password_is_shown_once_and_works(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    member, _, _ = await web_member(console, tenant)
    async with console_client(console, tenant) as http:
        response = await http.post(
            f"/admin/members/{member.id}/password", data=form(tenant, password="", generate="1")
        )
        later = await http.get(f"/admin/members/{member.id}")

    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    generated = response.text.split('data-testid="generated-value">', 1)[1].split("<", 1)[0]
    assert len(generated) >= 12 and generated not in later.text
    principal = await console.services.auth.login.authenticate(
        f"{member.account}@{tenant.enterprise.org_id}", generated, channel="web", remote_ip="127.0.0.1"
    )
    assert principal.member_id == member.id


@ON_CONSOLE
async def test_a_weak_reset_password_is_refused_with_its_reason(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    member, _, _ = await web_member(console, tenant)
    async with console_client(console, tenant) as http:
        response = await http.post(
            f"/admin/members/{member.id}/password", data=form(tenant, password="abcdefgh")
        )

    assert response.status_code == 400
    assert page_error_code(response) == "PASSWORD_TOO_WEAK"


@ON_CONSOLE
async def test_a_locked_member_is_unlocked_from_its_page(console: RunningServer) -> None:
    tenant = await web_tenant(console)
    member, _, _ = await web_member(console, tenant)
    auth = console.services.auth
    login = f"{member.account}@{tenant.enterprise.org_id}"
    for _ in range(auth.limits.login_failures):
        with contextlib.suppress(YunmailError):  # every attempt is refused: that is the point
            await auth.login.authenticate(login, "Wrong-Pass-1", channel="web", remote_ip="127.0.0.9")
    async with console_client(console, tenant) as http:
        before = await http.get(f"/admin/members/{member.id}")
        response = await http.post(f"/admin/members/{member.id}/unlock", data=form(tenant))

    assert 'data-locked="yes"' in before.text
    assert response.headers["location"] == f"/admin/members/{member.id}?done=unlocked"
    assert not (await auth.login.lock_status(tenant.enterprise.id, member.id)).locked
    assert (await auth.login.authenticate(login, PASSWORD, channel="web", remote_ip="127.0.0.9")).member_id


# --- browser ------------------------------------------------------------------------------------


async def test_admin_adds_a_member_through_the_form(server: RunningServer, page: Page) -> None:
    tenant = await web_tenant(server)
    await server.services.directory.departments.create(tenant.enterprise.id, "Sales", ACTOR)
    await login_page_as(page, server, "admin", tenant.admin_token)
    await page.goto(f"{base_url(server)}/admin/members")
    await page.get_by_test_id("add-member").click()

    await page.get_by_test_id("member-account").fill("lilei")
    await page.get_by_test_id("member-password").fill("Welcome-2026")
    await page.get_by_test_id("member-name").fill("李雷")
    await page.get_by_test_id("member-department").select_option(label="Sales")
    await page.get_by_test_id("member-phone").fill("13800000001")
    await page.get_by_test_id("member-staff-type").select_option("intern")
    await page.get_by_test_id("member-hire-date").fill("2025-07-01")
    await screenshot(page, "admin-member-form")
    await page.get_by_test_id("member-submit").click()

    await page.wait_for_url("**done=member-added")
    assert await page.get_by_test_id("member-login").inner_text() == f"lilei@{tenant.enterprise.org_id}"
    assert await page.get_by_test_id("must-change").count() == 1
    await screenshot(page, "admin-member-detail")
    await page.goto(f"{base_url(server)}/admin/members")
    row = page.locator('[data-testid="member-row"][data-account="lilei"]')
    assert "Sales" in await row.inner_text()
    await screenshot(page, "admin-members")


async def test_member_pages_fit_a_phone(server: RunningServer, phone_page: Page) -> None:
    tenant = await web_tenant(server)
    member, _, _ = await web_member(server, tenant, "欧阳娜娜", account="ouyang.nana-2025")
    await add(server, tenant, "second")
    await login_page_as(phone_page, server, "admin", tenant.admin_token)

    widths = {}
    for path in ("/admin/members", "/admin/members/new", f"/admin/members/{member.id}"):
        await phone_page.goto(f"{base_url(server)}{path}")
        widths[path] = await no_horizontal_scroll(phone_page)
    await screenshot(phone_page, "admin-member-detail-phone")

    assert all(widths.values()), widths
