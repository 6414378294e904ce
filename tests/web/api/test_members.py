"""REST API: members (search, add, edit, disable, delete, password reset, unlock, bulk) and their rules."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from support.server import RunningServer
from support.web import ACTOR, PASSWORD, admin_client, portal_client, web_member, web_tenant
from web.api.org_tenant import add_member, bearer_client, error_of
from yunmail.errors import LoginAccountDisabled, LoginInvalid, LoginLocked, SessionInvalid

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _add(client: httpx.AsyncClient, **fields: Any) -> httpx.Response:
    body = {"name": "韩梅梅", "account": "meimei", "contact_email": "meimei@contact.test", **fields}
    return await client.post("/api/v1/members", json=body)


# --- adding: every rule with its own code -------------------------------------------------------------


async def test_added_member_has_its_login_and_must_change_the_admin_set_password(
    org_server: RunningServer,
) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await _add(
            client, password="Welcome-2026", phone="+86 138-0013-8000", hire_date="2025/07/01"
        )

    assert response.status_code == 201
    body = response.json()
    assert body["login"] == f"meimei@{tenant.enterprise.org_id}"
    assert (body["phone"], body["hire_date"], body["status"]) == ("13800138000", "2025-07-01", "active")
    assert (body["has_password"], body["must_change_password"], body["mailbox"]) == (True, True, None)


async def test_duplicate_account_is_refused_whatever_its_case(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    await add_member(org_server, tenant, account="MeiMei")
    async with admin_client(org_server, tenant) as client:
        response = await _add(client, account="meimei")

    assert error_of(response) == (409, "ACCOUNT_TAKEN")


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"account": "has space"}, "ACCOUNT_INVALID"),
        ({"account": "a" * 21}, "ACCOUNT_INVALID"),
        ({"phone": "12345"}, "PHONE_INVALID"),
        ({"contact_email": "not-an-address"}, "CONTACT_EMAIL_INVALID"),
        ({"contact_email": None}, "CONTACT_REQUIRED"),
        ({"name": "   "}, "MEMBER_NAME_INVALID"),
        ({"role": "boss"}, "ROLE_INVALID"),
        ({"staff_type": "volunteer"}, "STAFF_TYPE_INVALID"),
        ({"hire_date": "01.07.2025"}, "HIRE_DATE_INVALID"),
        ({"password": "Short-1"}, "PASSWORD_TOO_SHORT"),
        ({"password": "alllowercaseletters"}, "PASSWORD_TOO_WEAK"),
        ({"password": "Aa1-" * 9}, "PASSWORD_TOO_LONG"),
    ],
)
async def test_member_rule_violations_have_their_own_codes(
    org_server: RunningServer, fields: dict[str, Any], code: str
) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await _add(client, **fields)

    assert error_of(response) == (400, code)


async def test_phone_used_by_another_member_is_taken(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    await add_member(org_server, tenant, phone="13800138001")
    async with admin_client(org_server, tenant) as client:
        response = await _add(client, phone="138 0013 8001")

    assert error_of(response) == (409, "PHONE_TAKEN")


async def test_adding_into_another_enterprises_department_is_not_found(org_server: RunningServer) -> None:
    ours, theirs = await web_tenant(org_server), await web_tenant(org_server)
    foreign = await org_server.services.directory.departments.create(theirs.enterprise.id, "X", ACTOR)
    async with admin_client(org_server, ours) as client:
        response = await _add(client, department_id=foreign.id)

    assert error_of(response) == (404, "DEPARTMENT_NOT_FOUND")


# --- editing ----------------------------------------------------------------------------------------


async def test_account_cannot_change_but_restating_it_is_accepted(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant, account="lilei")
    async with admin_client(org_server, tenant) as client:
        changed = await client.patch(f"/api/v1/members/{member.id}", json={"account": "hanmeimei"})
        restated = await client.patch(
            f"/api/v1/members/{member.id}", json={"account": "lilei", "name": "李雷雷"}
        )

    assert error_of(changed) == (409, "ACCOUNT_IMMUTABLE")
    assert restated.status_code == 200
    assert (restated.json()["account"], restated.json()["name"]) == ("lilei", "李雷雷")


async def test_patch_changes_only_the_fields_sent_and_null_clears(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant, phone="13800138002")
    async with admin_client(org_server, tenant) as client:
        response = await client.patch(
            f"/api/v1/members/{member.id}", json={"phone": None, "staff_type": "intern"}
        )

    body = response.json()
    assert (body["phone"], body["staff_type"], body["name"]) == (None, "intern", member.name)
    assert body["contact_email"] == member.contact_email


async def test_clearing_the_last_contact_is_refused(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        response = await client.patch(f"/api/v1/members/{member.id}", json={"contact_email": None})

    assert error_of(response) == (400, "CONTACT_REQUIRED")


async def test_patching_a_required_field_to_null_is_invalid_input(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        response = await client.patch(f"/api/v1/members/{member.id}", json={"name": None})

    assert error_of(response) == (400, "INVALID_INPUT")


# --- searching ----------------------------------------------------------------------------------------


async def test_search_by_department_includes_sub_departments(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    departments = org_server.services.directory.departments
    rd = await departments.create(tenant.enterprise.id, "R&D", ACTOR)
    team = await departments.create(tenant.enterprise.id, "Team", ACTOR, parent_id=rd.id)
    in_rd = await add_member(org_server, tenant, department_id=rd.id)
    in_team = await add_member(org_server, tenant, department_id=team.id)
    await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        with_subs = await client.get("/api/v1/members", params={"department_id": rd.id})
        only_rd = await client.get(
            "/api/v1/members", params={"department_id": rd.id, "include_sub_departments": "false"}
        )

    assert sorted(m["id"] for m in with_subs.json()["items"]) == [in_rd.id, in_team.id]
    assert [m["id"] for m in only_rd.json()["items"]] == [in_rd.id]


async def test_search_by_text_status_and_mailbox(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    with_mailbox, mailbox, _ = await web_member(org_server, tenant, "王小红")
    disabled = await add_member(org_server, tenant, "王大力")
    await org_server.services.directory.members.disable(tenant.enterprise.id, disabled.id, ACTOR)
    await add_member(org_server, tenant, "赵六")
    async with admin_client(org_server, tenant) as client:
        by_name = await client.get("/api/v1/members", params={"q": "王"})
        by_status = await client.get("/api/v1/members", params={"q": "王", "status": "disabled"})
        by_mailbox = await client.get("/api/v1/members", params={"has_mailbox": "true"})

    assert sorted(m["id"] for m in by_name.json()["items"]) == sorted([with_mailbox.id, disabled.id])
    assert [m["id"] for m in by_status.json()["items"]] == [disabled.id]
    assert [(m["id"], m["mailbox"]) for m in by_mailbox.json()["items"]] == [
        (with_mailbox.id, mailbox.display_address)
    ]


async def test_search_pages_carry_the_total(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    for _ in range(5):
        await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        first = await client.get("/api/v1/members", params={"limit": 2})
        last = await client.get("/api/v1/members", params={"limit": 2, "offset": 4})

    assert {k: first.json()[k] for k in ("total", "offset", "limit")} == {"total": 5, "offset": 0, "limit": 2}
    assert len(first.json()["items"]) == 2
    assert len(last.json()["items"]) == 1


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"status": "gone"}])
async def test_out_of_range_search_parameters_are_invalid_input(
    org_server: RunningServer, params: dict[str, Any]
) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.get("/api/v1/members", params=params)

    assert error_of(response) == (400, "INVALID_INPUT")


# --- lifecycle ----------------------------------------------------------------------------------------


async def test_an_active_member_must_be_disabled_before_deletion(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        response = await client.delete(f"/api/v1/members/{member.id}")
        still_there = await client.get(f"/api/v1/members/{member.id}")

    assert error_of(response) == (409, "MEMBER_NOT_DISABLED")
    assert still_there.status_code == 200


async def test_deleting_a_disabled_member_moves_its_mailbox_to_the_recycle_bin(
    org_server: RunningServer,
) -> None:
    tenant = await web_tenant(org_server)
    member, mailbox, _ = await web_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        disabled = await client.post(f"/api/v1/members/{member.id}/disable")
        deleted = await client.delete(f"/api/v1/members/{member.id}")
        gone = await client.get(f"/api/v1/members/{member.id}")
    recycled = await org_server.services.directory.mailboxes.recycle_bin(tenant.enterprise.id)

    assert disabled.json()["status"] == "disabled"
    assert deleted.status_code == 204
    assert error_of(gone) == (404, "MEMBER_NOT_FOUND")
    assert [r.mailbox.id for r in recycled] == [mailbox.id]


async def test_disabling_ends_the_members_sessions_and_enabling_restores_login(
    org_server: RunningServer,
) -> None:
    tenant = await web_tenant(org_server)
    member, _, member_token = await web_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        disabled = await client.post(f"/api/v1/members/{member.id}/disable")
        with pytest.raises(LoginAccountDisabled):
            await org_server.services.auth.sessions.validate(member_token)
        enabled = await client.post(f"/api/v1/members/{member.id}/enable")
    principal = await org_server.services.auth.login.authenticate(
        f"{member.account}@{tenant.enterprise.org_id}", PASSWORD, channel="web", remote_ip="127.0.0.1"
    )

    assert (disabled.json()["status"], enabled.json()["status"]) == ("disabled", "active")
    assert principal.member_id == member.id


async def test_password_reset_must_be_changed_and_logs_the_member_out(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member, _, member_token = await web_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        response = await client.post(
            f"/api/v1/members/{member.id}/reset-password", json={"password": "Reset-2026"}
        )
    sessions = await org_server.services.auth.sessions.list_for_member(tenant.enterprise.id, member.id)

    assert response.status_code == 200
    assert response.json()["must_change_password"] is True
    assert sessions == ()
    with pytest.raises(SessionInvalid):
        await org_server.services.auth.sessions.validate(member_token)


async def test_password_reset_follows_the_password_policy(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        response = await client.post(f"/api/v1/members/{member.id}/reset-password", json={"password": "weak"})

    assert error_of(response) == (400, "PASSWORD_TOO_SHORT")


async def test_unlock_lifts_a_login_lockout(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    login = f"{member.account}@{tenant.enterprise.org_id}"
    authenticate = org_server.services.auth.login.authenticate
    for _ in range(org_server.services.auth.limits.login_failures):
        with pytest.raises(LoginInvalid):
            await authenticate(login, "Wrong-Pass-1", channel="web", remote_ip="10.0.0.1")
    with pytest.raises(LoginLocked):
        await authenticate(login, "Wrong-Pass-1", channel="web", remote_ip="10.0.0.1")
    async with admin_client(org_server, tenant) as client:
        locked = await client.get(f"/api/v1/members/{member.id}")
        unlocked = await client.post(f"/api/v1/members/{member.id}/unlock")

    assert locked.json()["lock"]["locked"] is True
    assert unlocked.json() == {"locked": False, "locked_until": None, "failures": 0}
    with pytest.raises(LoginInvalid):  # the password is checked again instead of LOGIN_LOCKED
        await authenticate(login, "Wrong-Pass-1", channel="web", remote_ip="10.0.0.1")


async def test_unlock_is_written_to_the_audit_log_with_who_and_from_where(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    login = f"{member.account}@{tenant.enterprise.org_id}"
    with pytest.raises(LoginInvalid):
        await org_server.services.auth.login.authenticate(
            login, "Wrong-Pass-1", channel="web", remote_ip="10.0.0.2"
        )
    async with admin_client(org_server, tenant) as client:
        await client.post(f"/api/v1/members/{member.id}/unlock")
        audit = await client.get("/api/v1/audit", params={"limit": 1})

    [entry] = audit.json()["items"]
    assert (entry["action"], entry["target"], entry["actor"]) == (
        "member.unlock",
        f"member:{member.id}",
        f"admin:{tenant.admin.login}@127.0.0.1",
    )
    assert entry["detail"] == {"was_locked": False, "failures": 1}


async def test_bulk_action_reports_each_id(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    first, second = await add_member(org_server, tenant), await add_member(org_server, tenant)
    await org_server.services.directory.members.disable(tenant.enterprise.id, first.id, ACTOR)
    async with admin_client(org_server, tenant) as client:
        response = await client.post(
            "/api/v1/members/bulk", json={"action": "delete", "ids": [first.id, second.id, 999_999]}
        )

    body = response.json()
    assert (body["succeeded"], body["failed"]) == (1, 2)
    assert [(r["id"], r["ok"], r["code"]) for r in body["results"]] == [
        (first.id, True, None),
        (second.id, False, "MEMBER_NOT_DISABLED"),
        (999_999, False, "MEMBER_NOT_FOUND"),
    ]


async def test_bulk_disable_then_enable(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    ids = [(await add_member(org_server, tenant)).id for _ in range(3)]
    async with admin_client(org_server, tenant) as client:
        disabled = await client.post("/api/v1/members/bulk", json={"action": "disable", "ids": ids})
        listed = await client.get("/api/v1/members", params={"status": "disabled"})
        enabled = await client.post("/api/v1/members/bulk", json={"action": "enable", "ids": ids})

    assert disabled.json()["succeeded"] == 3
    assert sorted(m["id"] for m in listed.json()["items"]) == sorted(ids)
    assert enabled.json()["succeeded"] == 3


@pytest.mark.parametrize("body", [{"action": "purge", "ids": [1]}, {"action": "disable", "ids": []}])
async def test_bulk_with_an_unknown_action_or_no_ids_is_invalid_input(
    org_server: RunningServer, body: dict[str, Any]
) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.post("/api/v1/members/bulk", json=body)

    assert error_of(response) == (400, "INVALID_INPUT")


# --- tenancy and callers ------------------------------------------------------------------------------


async def test_another_enterprises_member_is_not_found_everywhere(org_server: RunningServer) -> None:
    ours, theirs = await web_tenant(org_server), await web_tenant(org_server)
    foreign = await add_member(org_server, theirs)
    async with admin_client(org_server, ours) as client:
        answers = [
            await client.get(f"/api/v1/members/{foreign.id}"),
            await client.patch(f"/api/v1/members/{foreign.id}", json={"name": "x"}),
            await client.post(f"/api/v1/members/{foreign.id}/disable"),
            await client.post(
                f"/api/v1/members/{foreign.id}/reset-password", json={"password": "Reset-2026"}
            ),
            await client.post(f"/api/v1/members/{foreign.id}/unlock"),
            await client.delete(f"/api/v1/members/{foreign.id}"),
        ]
        listed = await client.get("/api/v1/members")

    assert {error_of(a) for a in answers} == {(404, "MEMBER_NOT_FOUND")}
    assert listed.json()["total"] == 0
    assert (
        await org_server.services.directory.members.get(theirs.enterprise.id, foreign.id)
    ).status == "active"


async def test_api_token_adds_and_lists_members(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with bearer_client(org_server, tenant) as client:
        added = await _add(client)
        listed = await client.get("/api/v1/members")

    assert added.status_code == 201
    assert [m["account"] for m in listed.json()["items"]] == ["meimei"]


async def test_webmail_session_cannot_manage_members(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    member, _, member_token = await web_member(org_server, tenant)
    async with portal_client(org_server, "webmail", member_token) as client:
        response = await client.post(f"/api/v1/members/{member.id}/disable")
    async with portal_client(org_server, "admin", member_token) as client:
        wrong_cookie = await client.post(f"/api/v1/members/{member.id}/disable")

    assert error_of(response) == (401, "SESSION_INVALID")
    assert error_of(wrong_cookie) == (403, "PORTAL_FORBIDDEN")
    assert (
        await org_server.services.directory.members.get(tenant.enterprise.id, member.id)
    ).status == "active"


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/api/v1/members?offset=18446744073709551616", None),
        ("GET", "/api/v1/members?department_id=18446744073709551616", None),
        ("POST", "/api/v1/members", {"name": "Big", "account": "big", "department_id": 2**64}),
        ("POST", "/api/v1/members/bulk", {"action": "disable", "ids": [2**64]}),
    ],
)
async def test_numbers_beyond_64_bits_are_invalid_input(
    org_server: RunningServer, method: str, url: str, body: dict[str, Any] | None
) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.request(method, url, json=body)

    assert error_of(response) == (400, "INVALID_INPUT")
