"""Administrator pages: list, disable/enable/remove (last-admin rule), invitations, API tokens, TOTP."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Page

from support.browser import no_horizontal_scroll, screenshot
from support.server import RunningServer
from support.web import (
    ADMIN_PASSWORD,
    WebTenant,
    admin_client,
    base_url,
    login_page_as,
    portal_client,
    web_tenant,
)
from yunmail.auth import Principal, code_at
from yunmail.clock import FakeClock
from yunmail.directory import Administrator
from yunmail.errors import LoginAccountDisabled, SessionInvalid
from yunmail.web.deps import csrf_token_for

ENGLISH = {"accept-language": "en"}
LINK = re.compile(r"https?://\S+/admin/invite/[A-Za-z0-9_-]+")


def form(tenant: WebTenant, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf_token_for(tenant.admin_token), **fields}


def error_code(response: httpx.Response) -> str:
    return response.text.split('data-testid="form-error" data-code="', 1)[1].split('"', 1)[0]


async def second_admin(server: RunningServer, tenant: WebTenant, login: str = "second") -> Administrator:
    return await server.services.directory.administrators.create_first(
        tenant.enterprise.id, "Second", None, f"{login}@example.net", login, ADMIN_PASSWORD, actor="test"
    )


async def links_sent_to(server: RunningServer, recipient: str) -> list[str]:
    messages = await server.services.auth.outbox.messages(recipient=recipient)
    return list(dict.fromkeys(match for m in messages for match in LINK.findall(m.body)))  # zh + en: once


# --- administrators ----------------------------------------------------------------------------------


async def test_list_shows_administrators_with_their_status(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    other = await second_admin(server, tenant)
    await server.services.directory.administrators.disable(tenant.enterprise.id, other.id, "test")
    async with admin_client(server, tenant) as http:
        response = await http.get("/admin/administrators", headers=ENGLISH)

    assert f'data-login="{tenant.admin.login}" data-status="active"' in response.text
    assert 'data-login="second" data-status="disabled"' in response.text


async def test_disabling_the_last_active_administrator_is_refused(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    assert tenant.admin.admin_id is not None
    async with admin_client(server, tenant) as http:
        response = await http.post(
            f"/admin/administrators/{tenant.admin.admin_id}/disable", data=form(tenant)
        )

    assert response.status_code == 409
    assert error_code(response) == "LAST_ADMINISTRATOR"
    admin = await server.services.directory.administrators.get(tenant.enterprise.id, tenant.admin.admin_id)
    assert admin.status == "active"


async def test_removing_the_last_active_administrator_is_refused_on_the_confirmation_page(
    server: RunningServer,
) -> None:
    tenant = await web_tenant(server)
    assert tenant.admin.admin_id is not None
    async with admin_client(server, tenant) as http:
        response = await http.post(
            f"/admin/administrators/{tenant.admin.admin_id}/remove", data=form(tenant), headers=ENGLISH
        )

    assert response.status_code == 409
    assert error_code(response) == "LAST_ADMINISTRATOR"
    assert "last active administrator" in response.text


async def test_disabling_an_administrator_ends_its_console_sessions(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    other = await second_admin(server, tenant)
    their_session = await server.services.auth.sessions.create(
        Principal(kind="admin", login=other.login, enterprise_id=tenant.enterprise.id, admin_id=other.id)
    )
    async with admin_client(server, tenant) as http:
        response = await http.post(f"/admin/administrators/{other.id}/disable", data=form(tenant))

    assert response.headers["location"] == "/admin/administrators?done=disabled"
    try:
        await server.services.auth.sessions.validate(their_session)
    except (SessionInvalid, LoginAccountDisabled):
        pass
    else:
        raise AssertionError("the disabled administrator's session still works")


async def test_removing_another_administrator(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    other = await second_admin(server, tenant)
    async with admin_client(server, tenant) as http:
        response = await http.post(f"/admin/administrators/{other.id}/remove", data=form(tenant))

    entries = await server.services.directory.administrators.list(tenant.enterprise.id)
    assert response.headers["location"] == "/admin/administrators?done=removed"
    assert [e.administrator.login for e in entries if e.administrator] == [tenant.admin.login]


async def test_another_enterprise_administrator_is_not_found(server: RunningServer) -> None:
    owner = await web_tenant(server)
    other = await web_tenant(server)
    async with admin_client(server, other) as http:
        response = await http.post(f"/admin/administrators/{owner.admin.admin_id}/disable", data=form(other))

    assert response.status_code == 404


# --- invitations -------------------------------------------------------------------------------------


async def test_invite_sends_the_link_by_email_and_sms(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    async with admin_client(server, tenant) as http:
        response = await http.post(
            "/admin/administrators/invite",
            data=form(
                tenant, name="Liu Yang", phone="13800138000", email="liu@example.net", validity_days="3"
            ),
        )
        page = await http.get(response.headers["location"], headers=ENGLISH)

    assert response.headers["location"] == "/admin/administrators?done=invited"
    [link] = await links_sent_to(server, "liu@example.net")
    assert link.startswith(base_url(server) + "/admin/invite/")
    assert await links_sent_to(server, "13800138000") == [link]
    assert 'data-email="liu@example.net" data-status="pending"' in page.text
    assert link not in page.text  # the inviter never sees the secret link


async def test_an_invitation_validity_out_of_range_is_refused_with_the_input_kept(
    server: RunningServer,
) -> None:
    tenant = await web_tenant(server)
    async with admin_client(server, tenant) as http:
        response = await http.post(
            "/admin/administrators/invite",
            data=form(tenant, name="Liu Yang", email="liu@example.net", validity_days="45"),
        )

    assert response.status_code == 400
    assert error_code(response) == "INVITATION_VALIDITY_INVALID"
    assert 'value="liu@example.net"' in response.text
    assert await server.services.directory.invitations.list(tenant.enterprise.id) == ()


async def test_invitations_are_listed_with_every_status(server: RunningServer, clock: FakeClock) -> None:
    tenant = await web_tenant(server)
    invitations = server.services.directory.invitations
    scope = tenant.enterprise.id
    await invitations.invite(scope, "Old", None, "old@example.net", "test", validity_days=1)
    clock.advance(days=2)
    revoked = await invitations.invite(scope, "Gone", None, "gone@example.net", "test")
    await invitations.revoke(scope, revoked.invitation.id, "test")
    accepted = await invitations.invite(scope, "Yes", None, "yes@example.net", "test")
    await invitations.accept(accepted.token, "Accept-2026")
    await invitations.invite(scope, "Wait", None, "wait@example.net", "test")
    token = await server.services.auth.sessions.create(tenant.admin)  # the first one idled out
    async with portal_client(server, "admin", token) as http:
        response = await http.get("/admin/administrators", headers=ENGLISH)

    statuses = dict(
        re.findall(r'data-testid="invitation-row" data-email="([^"]+)" data-status="(\w+)"', response.text)
    )
    assert statuses == {
        "old@example.net": "expired",
        "gone@example.net": "revoked",
        "yes@example.net": "accepted",
        "wait@example.net": "pending",
    }


async def test_reinvite_sends_a_new_link_and_the_old_one_stops_working(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    issued = await server.services.directory.invitations.invite(
        tenant.enterprise.id, "Liu", None, "liu@example.net", "test"
    )
    async with admin_client(server, tenant) as http:
        response = await http.post(
            f"/admin/administrators/invitations/{issued.invitation.id}/reinvite", data=form(tenant)
        )
        old = await http.get(issued.link_path)

    [link] = await links_sent_to(server, "liu@example.net")
    assert response.headers["location"] == "/admin/administrators?done=reinvited"
    assert issued.token not in link
    assert old.status_code == 404


async def test_revoking_an_invitation(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    issued = await server.services.directory.invitations.invite(
        tenant.enterprise.id, "Liu", None, "liu@example.net", "test"
    )
    async with admin_client(server, tenant) as http:
        response = await http.post(
            f"/admin/administrators/invitations/{issued.invitation.id}/revoke", data=form(tenant)
        )

    invitation = await server.services.directory.invitations.get(tenant.enterprise.id, issued.invitation.id)
    assert response.headers["location"] == "/admin/administrators?done=revoked"
    assert invitation.status == "revoked"


# --- my API tokens and TOTP ----------------------------------------------------------------------------


async def test_api_token_secret_is_shown_once_and_works_as_bearer(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    async with admin_client(server, tenant) as http:
        created = await http.post("/admin/administrators/me/tokens", data=form(tenant, label="backup script"))
        later = await http.get("/admin/administrators/me")
    secret = created.text.split('data-testid="token-secret">', 1)[1].split("<", 1)[0]
    async with httpx.AsyncClient(base_url=base_url(server)) as script:
        used = await script.get("/admin/domains", headers={"authorization": f"Bearer {secret}"})

    assert created.status_code == 200
    assert created.headers["cache-control"] == "no-store"
    assert secret.startswith("ymt_")
    assert secret not in later.text
    assert "backup script" in later.text
    assert used.status_code == 200


async def test_a_revoked_api_token_no_longer_works(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    assert tenant.admin.admin_id is not None
    token, secret = await server.services.auth.api_tokens.create(
        tenant.enterprise.id, tenant.admin.admin_id, "ci"
    )
    async with admin_client(server, tenant) as http:
        response = await http.post(f"/admin/administrators/me/tokens/{token.id}/revoke", data=form(tenant))
    async with httpx.AsyncClient(base_url=base_url(server)) as script:
        used = await script.get(
            "/admin/domains", headers={"authorization": f"Bearer {secret}", "accept": "application/json"}
        )

    assert response.headers["location"] == "/admin/administrators/me?done=token-revoked"
    assert used.status_code == 401


async def test_totp_is_turned_on_with_a_code_from_the_new_secret(
    server: RunningServer, clock: FakeClock
) -> None:
    tenant = await web_tenant(server)
    async with admin_client(server, tenant) as http:
        begun = await http.post("/admin/administrators/me/totp/begin", data=form(tenant))
        secret = begun.text.split('data-testid="totp-secret">', 1)[1].split("<", 1)[0]
        wrong = await http.post(
            "/admin/administrators/me/totp/confirm", data=form(tenant, secret=secret, code="000000")
        )
        right = await http.post(
            "/admin/administrators/me/totp/confirm",
            data=form(tenant, secret=secret, code=code_at(secret, clock.now())),
        )

    assert error_code(wrong) == "TOTP_INVALID"
    assert secret in wrong.text  # the enrolment can be retried on the same page
    assert right.headers["location"] == "/admin/administrators/me?done=totp-on"
    assert await server.services.auth.totp.enabled(tenant.admin)


# --- in the browser ----------------------------------------------------------------------------------


async def test_administrator_pages_fit_a_phone(server: RunningServer, phone_page: Page) -> None:
    tenant = await web_tenant(server)
    other = await second_admin(server, tenant, "someone.with.a.long.login")
    await server.services.directory.invitations.invite(
        tenant.enterprise.id, "Invited Person", "13800138000", "invited.person@example.net", "test"
    )
    assert tenant.admin.admin_id is not None
    await server.services.auth.api_tokens.create(
        tenant.enterprise.id, tenant.admin.admin_id, "nightly export"
    )
    await login_page_as(phone_page, server, "admin", tenant.admin_token)

    fits = {}
    for path, shot in (
        ("/admin/administrators", "admin-administrators"),
        (f"/admin/administrators/{other.id}/remove", "admin-administrator-remove"),
        ("/admin/administrators/me", "admin-tokens"),
    ):
        await phone_page.goto(f"{base_url(server)}{path}")
        await screenshot(phone_page, shot)
        fits[path] = await no_horizontal_scroll(phone_page)
    await phone_page.click('[data-testid="totp-begin"]')
    await screenshot(phone_page, "admin-totp-enrol")
    fits["totp"] = await no_horizontal_scroll(phone_page)

    assert all(fits.values()), fits
