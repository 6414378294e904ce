"""REST API: administrators (list, disable, enable, remove; the last active one stays), invitations
(invite and send the link, list by status, expiry, revoke, re-invite) and accepting an invitation."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from support.server import RunningServer
from support.web import ADMIN_PASSWORD, WebTenant, admin_client, base_url, portal_client, web_tenant
from web.api.org_tenant import bearer_client, clock_of, error_of, fresh_admin_client
from yunmail.auth import Principal
from yunmail.directory import Administrator
from yunmail.errors import InvitationExpired, InvitationNotFound

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _second_admin(server: RunningServer, tenant: WebTenant) -> Administrator:
    org = tenant.enterprise.org_id
    return await server.services.directory.administrators.create_first(
        tenant.enterprise.id, "Second", None, f"second@{org}.test", None, ADMIN_PASSWORD
    )


LINK = re.compile(r"(https?://\S+/admin/invite/)([A-Za-z0-9_-]+)")
INVITEE_PASSWORD = "Invitee-Pass-2026"


def _invitee(tenant: WebTenant) -> str:
    """The invitee's e-mail address, unique to the tenant: the outbox is shared by the module."""
    return f"zhou@{tenant.enterprise.org_id}.example"


async def _invite(client: httpx.AsyncClient, tenant: WebTenant, **fields: Any) -> httpx.Response:
    body = {"name": "周经理", "phone": "13900000000", "email": _invitee(tenant), **fields}
    return await client.post("/api/v1/invitations", json=body)


async def _links_sent(server: RunningServer, recipient: str) -> list[tuple[str, str]]:
    """(link prefix, token) of each invitation link sent to ``recipient``, newest first, each once."""
    messages = await server.services.auth.outbox.messages(recipient=recipient)
    return list(dict.fromkeys(match for m in messages for match in LINK.findall(m.body)))


async def _token(server: RunningServer, tenant: WebTenant) -> str:
    """The token of the newest link e-mailed to the tenant's invitee."""
    return (await _links_sent(server, _invitee(tenant)))[0][1]


async def _accept(server: RunningServer, **body: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url(server)) as anonymous:  # no session, no CSRF
        return await anonymous.post("/api/v1/invitations/accept", json=body)


class _BrokenGateway:
    """An e-mail sender whose gateway is down."""

    async def send_email(self, address: str, subject: str, body: str) -> None:
        raise ConnectionError("the mail gateway is down")


# --- administrators ---------------------------------------------------------------------------------


async def test_list_shows_administrators_and_pending_invitations(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        await _invite(client, tenant)
        response = await client.get("/api/v1/administrators")

    assert response.status_code == 200
    entries = response.json()["items"]
    assert [(e["status"], e["name"]) for e in entries] == [("active", "Admin"), ("pending", "周经理")]
    assert entries[0]["administrator"]["id"] == tenant.admin.admin_id
    assert entries[1]["invitation"]["email"] == _invitee(tenant)


async def test_the_last_active_administrator_cannot_be_disabled_or_removed(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        disabled = await client.post(f"/api/v1/administrators/{tenant.admin.admin_id}/disable")
        removed = await client.delete(f"/api/v1/administrators/{tenant.admin.admin_id}")

    assert error_of(disabled) == error_of(removed) == (409, "LAST_ADMINISTRATOR")


async def test_another_administrator_is_disabled_enabled_and_removed(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    second = await _second_admin(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        disabled = await client.post(f"/api/v1/administrators/{second.id}/disable")
        enabled = await client.post(f"/api/v1/administrators/{second.id}/enable")
        removed = await client.delete(f"/api/v1/administrators/{second.id}")
        listed = await client.get("/api/v1/administrators")

    assert (disabled.json()["status"], enabled.json()["status"]) == ("disabled", "active")
    assert removed.status_code == 204
    assert [e["administrator"]["id"] for e in listed.json()["items"]] == [tenant.admin.admin_id]


async def test_a_disabled_administrator_loses_its_console_session(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    second = await _second_admin(org_server, tenant)
    principal = Principal(
        kind="admin", login=second.login, enterprise_id=tenant.enterprise.id, admin_id=second.id
    )
    second_token = await org_server.services.auth.sessions.create(principal)
    async with admin_client(org_server, tenant) as client:
        await client.post(f"/api/v1/administrators/{second.id}/disable")
    async with portal_client(org_server, "admin", second_token) as client:
        response = await client.get("/api/v1/members")

    assert error_of(response) == (401, "LOGIN_ACCOUNT_DISABLED")


async def test_another_enterprises_administrator_is_not_found(org_server: RunningServer) -> None:
    ours, theirs = await web_tenant(org_server), await web_tenant(org_server)
    await _second_admin(org_server, theirs)  # so that "last administrator" cannot be the answer
    async with admin_client(org_server, ours) as client:
        disabled = await client.post(f"/api/v1/administrators/{theirs.admin.admin_id}/disable")
        removed = await client.delete(f"/api/v1/administrators/{theirs.admin.admin_id}")

    assert error_of(disabled) == error_of(removed) == (404, "ADMINISTRATOR_NOT_FOUND")
    assert theirs.admin.admin_id is not None
    kept = await org_server.services.directory.administrators.get(theirs.enterprise.id, theirs.admin.admin_id)
    assert kept.status == "active"


# --- invitations --------------------------------------------------------------------------------------


async def test_invitation_sends_the_link_by_email_and_sms_and_never_returns_it(
    org_server: RunningServer,
) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await _invite(client, tenant, phone="13912340001", valid_days=3)
        listed = await client.get("/api/v1/invitations")

    assert response.status_code == 201
    body = response.json()
    assert (body["invitation"]["status"], body["invitation"]["phone"], body["sent"]) == (
        "pending",
        "13912340001",
        True,
    )
    [(prefix, token)] = await _links_sent(org_server, _invitee(tenant))
    assert prefix == base_url(org_server) + "/admin/invite/"
    assert await _links_sent(org_server, "13912340001") == [(prefix, token)]
    assert token not in response.text and token not in listed.text
    found = await org_server.services.directory.invitations.find_by_token(token)
    assert found.id == body["invitation"]["id"]


async def test_invitation_email_is_bilingual_and_names_the_enterprise(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        await _invite(client, tenant)

    [message] = await org_server.services.auth.outbox.messages(recipient=_invitee(tenant))
    assert tenant.enterprise.name in message.subject
    assert "您受邀成为" in message.body and "You are invited" in message.body


async def test_a_failing_sender_keeps_the_invitation_and_says_it_was_not_sent(
    org_server: RunningServer,
) -> None:
    tenant = await web_tenant(org_server)
    auth = org_server.services.auth
    working = auth.email
    auth.email = _BrokenGateway()
    try:
        async with admin_client(org_server, tenant) as client:
            response = await _invite(client, tenant)
    finally:
        auth.email = working

    assert (response.status_code, response.json()["sent"]) == (201, False)
    assert response.json()["invitation"]["status"] == "pending"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"email": None}, "INVITATION_EMAIL_REQUIRED"),
        ({"email": "nobody"}, "CONTACT_EMAIL_INVALID"),
        ({"phone": "555"}, "PHONE_INVALID"),
        ({"name": " "}, "ADMINISTRATOR_NAME_INVALID"),
        ({"valid_days": 0}, "INVITATION_VALIDITY_INVALID"),
        ({"valid_days": 31}, "INVITATION_VALIDITY_INVALID"),
    ],
)
async def test_invitation_rule_violations_have_their_own_codes(
    org_server: RunningServer, fields: dict[str, Any], code: str
) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await _invite(client, tenant, **fields)

    assert error_of(response) == (400, code)
    assert await org_server.services.auth.outbox.messages(recipient=_invitee(tenant)) == ()


async def test_an_expired_invitation_is_listed_as_expired_and_its_link_refused(
    org_server: RunningServer,
) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        issued = await _invite(client, tenant, valid_days=1)
    clock_of(org_server).advance(days=1, minutes=1)
    async with fresh_admin_client(org_server, tenant) as client:
        expired = await client.get("/api/v1/invitations", params={"status": "expired"})
        pending = await client.get("/api/v1/invitations", params={"status": "pending"})

    assert [i["id"] for i in expired.json()["items"]] == [issued.json()["invitation"]["id"]]
    assert pending.json()["items"] == []
    with pytest.raises(InvitationExpired):
        await org_server.services.directory.invitations.find_by_token(await _token(org_server, tenant))


async def test_reinviting_an_expired_invitation_sends_a_new_link(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        issued = await _invite(client, tenant, valid_days=1)
    old_token = await _token(org_server, tenant)
    clock_of(org_server).advance(days=2)
    async with fresh_admin_client(org_server, tenant) as client:
        reissued = await client.post(
            f"/api/v1/invitations/{issued.json()['invitation']['id']}/reinvite", json={"valid_days": 5}
        )
    new_token = await _token(org_server, tenant)

    assert reissued.status_code == 200
    assert (reissued.json()["invitation"]["status"], reissued.json()["sent"]) == ("pending", True)
    assert new_token != old_token and new_token not in reissued.text
    invitations = org_server.services.directory.invitations
    assert (await invitations.find_by_token(new_token)).id == issued.json()["invitation"]["id"]
    with pytest.raises(InvitationNotFound):
        await invitations.find_by_token(old_token)


async def test_revoked_invitation_is_listed_as_revoked(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        issued = await _invite(client, tenant)
        revoked = await client.post(f"/api/v1/invitations/{issued.json()['invitation']['id']}/revoke")
        listed = await client.get("/api/v1/invitations", params={"status": "revoked"})

    assert revoked.json()["status"] == "revoked"
    assert [i["id"] for i in listed.json()["items"]] == [revoked.json()["id"]]


async def test_an_accepted_invitation_cannot_be_revoked_or_reissued(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        issued = await _invite(client, tenant)
        await _accept(org_server, token=await _token(org_server, tenant), password=INVITEE_PASSWORD)
        invitation_id = issued.json()["invitation"]["id"]
        revoked = await client.post(f"/api/v1/invitations/{invitation_id}/revoke")
        reissued = await client.post(f"/api/v1/invitations/{invitation_id}/reinvite")
        administrators = await client.get("/api/v1/administrators")

    assert error_of(revoked) == error_of(reissued) == (409, "INVITATION_ALREADY_ACCEPTED")
    assert [e["status"] for e in administrators.json()["items"]] == ["active", "active"]


async def test_another_enterprises_invitation_is_not_found(org_server: RunningServer) -> None:
    ours, theirs = await web_tenant(org_server), await web_tenant(org_server)
    async with admin_client(org_server, theirs) as client:
        issued = await _invite(client, theirs)
    invitation_id = issued.json()["invitation"]["id"]
    async with admin_client(org_server, ours) as client:
        revoked = await client.post(f"/api/v1/invitations/{invitation_id}/revoke")
        reissued = await client.post(f"/api/v1/invitations/{invitation_id}/reinvite")
        listed = await client.get("/api/v1/invitations")

    assert error_of(revoked) == error_of(reissued) == (404, "INVITATION_NOT_FOUND")
    assert listed.json()["items"] == []
    token = await _token(org_server, theirs)
    assert (await org_server.services.directory.invitations.find_by_token(token)).status == "pending"
    assert await _links_sent(org_server, _invitee(theirs)) == [
        (base_url(org_server) + "/admin/invite/", token)
    ]


async def test_unknown_invitation_status_filter_is_invalid_input(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with bearer_client(org_server, tenant) as client:
        response = await client.get("/api/v1/invitations", params={"status": "lost"})

    assert error_of(response) == (400, "INVALID_INPUT")


# --- accepting ----------------------------------------------------------------------------------------


async def test_accepting_makes_the_invitee_an_administrator_with_the_email_as_login(
    org_server: RunningServer,
) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        issued = await _invite(client, tenant)
    response = await _accept(org_server, token=await _token(org_server, tenant), password=INVITEE_PASSWORD)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "name", "phone", "email", "login", "status", "created_at"}
    assert (body["name"], body["login"], body["status"]) == ("周经理", _invitee(tenant), "active")
    invitation = await org_server.services.directory.invitations.get(
        tenant.enterprise.id, issued.json()["invitation"]["id"]
    )
    assert (invitation.status, invitation.administrator_id) == ("accepted", body["id"])
    principal = await org_server.services.auth.admin_login.authenticate(
        _invitee(tenant), INVITEE_PASSWORD, remote_ip="127.0.0.1"
    )
    assert principal.enterprise_id == tenant.enterprise.id


async def test_accepting_with_a_chosen_login(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        await _invite(client, tenant)
    chosen = f"zhou.{tenant.enterprise.org_id}"
    response = await _accept(
        org_server, token=await _token(org_server, tenant), password=INVITEE_PASSWORD, login=chosen
    )

    assert (response.status_code, response.json()["login"]) == (201, chosen)


async def test_an_expired_invitation_cannot_be_accepted(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        await _invite(client, tenant, valid_days=1)
    clock_of(org_server).advance(days=1, minutes=1)
    response = await _accept(org_server, token=await _token(org_server, tenant), password=INVITEE_PASSWORD)

    assert error_of(response) == (410, "INVITATION_EXPIRED")


async def test_a_revoked_invitation_cannot_be_accepted(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        issued = await _invite(client, tenant)
        await client.post(f"/api/v1/invitations/{issued.json()['invitation']['id']}/revoke")
    response = await _accept(org_server, token=await _token(org_server, tenant), password=INVITEE_PASSWORD)

    assert error_of(response) == (410, "INVITATION_REVOKED")


async def test_an_unknown_token_is_not_found(org_server: RunningServer) -> None:
    response = await _accept(org_server, token="x" * 43, password=INVITEE_PASSWORD)

    assert error_of(response) == (404, "INVITATION_NOT_FOUND")


async def test_a_link_works_once(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        await _invite(client, tenant)
    token = await _token(org_server, tenant)
    first = await _accept(org_server, token=token, password=INVITEE_PASSWORD)
    second = await _accept(org_server, token=token, password=INVITEE_PASSWORD, login="someone.else")

    assert first.status_code == 201
    assert error_of(second) == (409, "INVITATION_ALREADY_ACCEPTED")


async def test_a_weak_password_is_refused_and_the_invitation_stays_pending(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        await _invite(client, tenant)
    token = await _token(org_server, tenant)
    response = await _accept(org_server, token=token, password="short")

    assert error_of(response) == (400, "PASSWORD_TOO_SHORT")
    assert (await org_server.services.directory.invitations.find_by_token(token)).status == "pending"


async def test_a_login_in_use_is_refused(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        await _invite(client, tenant)
    response = await _accept(
        org_server,
        token=await _token(org_server, tenant),
        password=INVITEE_PASSWORD,
        login=tenant.admin.login,
    )

    assert error_of(response) == (409, "ADMINISTRATOR_LOGIN_TAKEN")


async def test_a_malformed_acceptance_is_invalid_input_not_422(org_server: RunningServer) -> None:
    response = await _accept(org_server, password=INVITEE_PASSWORD)  # no token

    assert error_of(response) == (400, "INVALID_INPUT")
    assert "token" in response.json()["message"]
