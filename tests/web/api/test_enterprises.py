"""REST API: the administrator's enterprise (show, settings, immutable identity, dissolving) and the
operator's enterprise list (search, create with a first administrator invitation, show)."""

from __future__ import annotations

import re

import pytest

from support.server import RunningServer
from support.web import ACTOR, ADMIN_PASSWORD, WebTenant, admin_client, base_url, portal_client, web_tenant
from web.api.org_tenant import add_member, clock_of, error_of, fresh_admin_client, operator_client
from yunmail.auth import Principal
from yunmail.errors import EnterpriseNotFound

pytestmark = pytest.mark.asyncio(loop_scope="module")

CODE = re.compile(r"Confirmation code: ([A-Za-z0-9_-]+)")


def admin_email(tenant: WebTenant) -> str:
    return f"admin@{tenant.enterprise.org_id}.test"  # what ``web_tenant`` gives its administrator


# --- the administrator's enterprise -------------------------------------------------------------------


async def test_enterprise_shows_identity_trial_seats_and_limits(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    await org_server.services.directory.enterprises.set_seats(tenant.enterprise.id, 10, ACTOR)
    async with admin_client(org_server, tenant) as client:
        response = await client.get("/api/v1/enterprise")

    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["org_id"]) == (tenant.enterprise.name, tenant.enterprise.org_id)
    trial_days = org_server.settings.limits.trial_days
    assert body["subscription"] == {
        "trial": True,
        "trial_ends_at": body["subscription"]["trial_ends_at"],
        "trial_days_left": trial_days,
        "seats": 10,
        "seats_used": 0,
    }
    defaults = org_server.services.mailflow.policy.defaults
    assert body["settings"]["sending_limits"]["daily_send_limit"] == defaults.daily_limit
    assert body["settings"]["ceilings"]["max_recipients"] == defaults.max_recipients
    assert body["settings"]["require_client_passwords"] is False


async def test_lowered_sending_limits_are_in_force(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.patch(
            "/api/v1/enterprise/settings",
            json={"daily_send_limit": 300, "max_recipients": 50, "require_client_passwords": True},
        )
    settings = await org_server.services.directory.enterprises.settings(tenant.enterprise.id)

    assert response.status_code == 200
    limits = response.json()["settings"]["sending_limits"]
    assert (limits["daily_send_limit"], limits["max_recipients"]) == (300, 50)
    assert response.json()["settings"]["require_client_passwords"] is True
    assert dict(settings) == {"daily_send_limit": 300, "max_recipients": 50, "require_client_passwords": True}


async def test_null_returns_a_limit_to_the_platform_default(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        await client.patch("/api/v1/enterprise/settings", json={"burst_send_limit": 10})
        response = await client.patch("/api/v1/enterprise/settings", json={"burst_send_limit": None})

    default = org_server.services.mailflow.policy.defaults.burst_limit
    assert response.json()["settings"]["sending_limits"]["burst_send_limit"] == default
    assert response.json()["settings"]["overrides"] == {}


async def test_a_limit_above_the_platform_ceiling_is_refused(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    ceiling = org_server.services.mailflow.policy.defaults.daily_limit
    async with admin_client(org_server, tenant) as client:
        response = await client.patch("/api/v1/enterprise/settings", json={"daily_send_limit": ceiling + 1})

    assert error_of(response) == (400, "ENTERPRISE_SETTING_ABOVE_CEILING")
    assert str(ceiling) in response.json()["message"]
    assert dict(await org_server.services.directory.enterprises.settings(tenant.enterprise.id)) == {}


async def test_a_limit_of_zero_is_an_invalid_setting(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.patch("/api/v1/enterprise/settings", json={"max_recipients": 0})

    assert error_of(response) == (400, "ENTERPRISE_SETTING_INVALID")


@pytest.mark.parametrize(
    "body", [{"outbound_daily_ceiling": 10}, {"daily_send_limit": "100"}, {"require_client_passwords": 1}]
)
async def test_settings_an_administrator_may_not_set_are_invalid_input(
    org_server: RunningServer, body: dict[str, object]
) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.patch("/api/v1/enterprise/settings", json=body)

    assert error_of(response) == (400, "INVALID_INPUT")


@pytest.mark.parametrize("field", ["name", "org_id"])
async def test_name_and_organisation_identifier_are_immutable(org_server: RunningServer, field: str) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        changed = await client.patch("/api/v1/enterprise", json={field: "othername"})
        restated = await client.patch("/api/v1/enterprise", json={field: getattr(tenant.enterprise, field)})

    assert error_of(changed) == (409, "ENTERPRISE_IMMUTABLE")
    assert restated.status_code == 200


# --- dissolving ---------------------------------------------------------------------------------------


async def _code_sent(server: RunningServer, recipient: str) -> str:
    """The newest dissolve confirmation code sent to ``recipient`` (e-mail address or phone)."""
    for message in await server.services.auth.outbox.messages(recipient=recipient):
        found = CODE.search(message.body)
        if found:
            return found.group(1)
    raise AssertionError(f"no confirmation code was sent to {recipient}")


async def test_dissolving_needs_an_empty_enterprise(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        response = await client.post("/api/v1/enterprise/dissolve-request")

    assert error_of(response) == (409, "ENTERPRISE_NOT_EMPTY")
    assert await org_server.services.auth.outbox.messages(recipient=admin_email(tenant)) == ()


async def test_the_dissolve_code_is_sent_to_the_administrator_not_returned(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        requested = await client.post("/api/v1/enterprise/dissolve-request")

    assert requested.status_code == 200
    assert requested.json()["channels"] == ["email"]
    [message] = await org_server.services.auth.outbox.messages(recipient=admin_email(tenant))
    assert tenant.enterprise.name in message.subject
    assert "确认码" in message.body and "Confirmation code" in message.body
    code = await _code_sent(org_server, admin_email(tenant))
    assert code not in requested.text


async def test_the_dissolve_code_goes_by_sms_to_an_administrator_with_a_mobile_number(
    org_server: RunningServer,
) -> None:
    tenant = await web_tenant(org_server)
    admin = await org_server.services.directory.administrators.create_first(
        tenant.enterprise.id,
        "手机管理员",
        "13712340002",
        None,
        f"mobile-{tenant.enterprise.org_id}",
        ADMIN_PASSWORD,
    )
    principal = Principal(
        kind="admin", login=admin.login, enterprise_id=tenant.enterprise.id, admin_id=admin.id
    )
    token = await org_server.services.auth.sessions.create(principal)
    async with portal_client(org_server, "admin", token) as client:
        requested = await client.post("/api/v1/enterprise/dissolve-request")
        dissolved = await client.post(
            "/api/v1/enterprise/dissolve", json={"code": await _code_sent(org_server, "13712340002")}
        )

    assert requested.json()["channels"] == ["sms"]
    assert dissolved.status_code == 204
    assert await org_server.services.auth.outbox.messages(recipient=admin_email(tenant)) == ()


async def test_dissolving_with_the_code_deletes_the_enterprise(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        await client.post("/api/v1/enterprise/dissolve-request")
        code = await _code_sent(org_server, admin_email(tenant))
        dissolved = await client.post("/api/v1/enterprise/dissolve", json={"code": code})
        afterwards = await client.get("/api/v1/enterprise")

    assert dissolved.status_code == 204
    assert error_of(afterwards) == (401, "SESSION_INVALID")
    with pytest.raises(EnterpriseNotFound):
        await org_server.services.directory.enterprises.get(tenant.enterprise.id)


async def test_an_administrator_without_email_or_mobile_cannot_ask_for_a_code(
    org_server: RunningServer,
) -> None:
    tenant = await web_tenant(org_server)
    admin = await org_server.services.directory.administrators.create_first(
        tenant.enterprise.id,
        "No Contact",
        "+14155550100",
        None,
        f"nocontact-{tenant.enterprise.org_id}",
        ADMIN_PASSWORD,
    )
    principal = Principal(
        kind="admin", login=admin.login, enterprise_id=tenant.enterprise.id, admin_id=admin.id
    )
    token = await org_server.services.auth.sessions.create(principal)
    async with portal_client(org_server, "admin", token) as client:
        response = await client.post("/api/v1/enterprise/dissolve-request")
        dissolved = await client.post("/api/v1/enterprise/dissolve", json={"code": "guess"})

    assert error_of(response) == (409, "DISSOLVE_CONFIRMATION_UNDELIVERABLE")
    assert error_of(dissolved) == (400, "DISSOLVE_CONFIRMATION_INVALID")  # no code was issued


async def test_dissolving_without_the_code_is_refused(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        await client.post("/api/v1/enterprise/dissolve-request")
        response = await client.post("/api/v1/enterprise/dissolve", json={})

    assert error_of(response) == (409, "DISSOLVE_CONFIRMATION_REQUIRED")
    assert (await org_server.services.directory.enterprises.get(tenant.enterprise.id)).status == "active"


async def test_dissolving_with_a_wrong_code_is_refused(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        await client.post("/api/v1/enterprise/dissolve-request")
        response = await client.post("/api/v1/enterprise/dissolve", json={"code": "not-the-code"})

    assert error_of(response) == (400, "DISSOLVE_CONFIRMATION_INVALID")


async def test_an_expired_dissolve_code_is_refused(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        await client.post("/api/v1/enterprise/dissolve-request")
    code = await _code_sent(org_server, admin_email(tenant))
    clock_of(org_server).advance(minutes=11)
    async with fresh_admin_client(org_server, tenant) as client:
        response = await client.post("/api/v1/enterprise/dissolve", json={"code": code})

    assert error_of(response) == (400, "DISSOLVE_CONFIRMATION_INVALID")


# --- the operator -------------------------------------------------------------------------------------


async def test_operator_creates_an_enterprise_with_a_first_administrator_invitation(
    org_server: RunningServer,
) -> None:
    async with operator_client(org_server) as client:
        response = await client.post(
            "/api/v1/enterprises",
            json={
                "name": "Kunming Mail",
                "org_id": "KMail",
                "administrator": {"name": "王经理", "email": "wang@kmail.example", "valid_days": 3},
            },
        )

    assert response.status_code == 201
    body = response.json()
    assert (body["enterprise"]["name"], body["enterprise"]["org_id"]) == ("Kunming Mail", "kmail")
    invitation = body["invitation"]["invitation"]
    assert (invitation["status"], invitation["email"], body["invitation"]["sent"]) == (
        "pending",
        "wang@kmail.example",
        True,
    )
    [message] = await org_server.services.auth.outbox.messages(recipient="wang@kmail.example")
    link = f"{base_url(org_server)}/admin/invite/"
    token = message.body.split(link, 1)[1].split()[0]
    assert token not in response.text
    found = await org_server.services.directory.invitations.find_by_token(token)
    assert found.enterprise_id == body["enterprise"]["id"]


async def test_a_refused_invitation_creates_no_enterprise(org_server: RunningServer) -> None:
    async with operator_client(org_server) as client:
        response = await client.post(
            "/api/v1/enterprises",
            json={"name": "Half Made", "org_id": "halfmade", "administrator": {"name": "No Mail"}},
        )
        listed = await client.get("/api/v1/enterprises", params={"q": "halfmade"})

    assert error_of(response) == (400, "INVITATION_EMAIL_REQUIRED")
    assert listed.json()["total"] == 0


async def test_a_used_organisation_identifier_is_taken(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with operator_client(org_server) as client:
        response = await client.post(
            "/api/v1/enterprises", json={"name": "Copy", "org_id": tenant.enterprise.org_id.upper()}
        )

    assert error_of(response) == (409, "ORG_ID_TAKEN")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "Bad Id", "org_id": "9lives"}, "ORG_ID_INVALID"),
        ({"name": "Bad Id", "org_id": "has space"}, "ORG_ID_INVALID"),
        ({"name": "  ", "org_id": "blankname"}, "ENTERPRISE_NAME_INVALID"),
    ],
)
async def test_invalid_enterprise_input_has_its_own_code(
    org_server: RunningServer, body: dict[str, str], code: str
) -> None:
    async with operator_client(org_server) as client:
        response = await client.post("/api/v1/enterprises", json=body)

    assert error_of(response) == (400, code)


async def test_operator_searches_enterprises_with_pages(org_server: RunningServer) -> None:
    for n in range(3):
        await org_server.services.directory.enterprises.create(f"Searchable {n}", f"searchable{n}", ACTOR)
    async with operator_client(org_server) as client:
        page = await client.get("/api/v1/enterprises", params={"q": "searchable", "limit": 2})
        rest = await client.get("/api/v1/enterprises", params={"q": "searchable", "limit": 2, "offset": 2})

    assert (page.json()["total"], len(page.json()["items"]), len(rest.json()["items"])) == (3, 2, 1)


async def test_operator_sees_any_enterprise_and_unknown_ids_are_not_found(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with operator_client(org_server) as client:
        shown = await client.get(f"/api/v1/enterprises/{tenant.enterprise.id}")
        missing = await client.get("/api/v1/enterprises/999999")
        renamed = await client.patch(f"/api/v1/enterprises/{tenant.enterprise.id}", json={"name": "New Name"})

    assert shown.json()["org_id"] == tenant.enterprise.org_id
    assert error_of(missing) == (404, "ENTERPRISE_NOT_FOUND")
    assert error_of(renamed) == (409, "ENTERPRISE_IMMUTABLE")


async def test_operator_routes_refuse_administrators(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        as_admin = await client.get("/api/v1/enterprises")
    async with portal_client(org_server, "operator", tenant.admin_token) as client:
        admin_token_as_operator = await client.get("/api/v1/enterprises")

    assert error_of(as_admin) == (401, "SESSION_INVALID")
    assert error_of(admin_token_as_operator) == (403, "PORTAL_FORBIDDEN")


async def test_administrator_routes_refuse_the_operator(org_server: RunningServer) -> None:
    async with operator_client(org_server) as client:
        response = await client.get("/api/v1/enterprise")

    assert error_of(response) == (401, "SESSION_INVALID")
