"""Operator console enterprise pages over real HTTP: list, search, pages, creation, invitations, detail."""

from __future__ import annotations

import re

import httpx

from support.server import RunningServer
from support.web import base_url, web_member, web_tenant

ACTOR = "test:operator"


async def test_the_list_shows_each_enterprise_with_its_trial_and_seats(
    server: RunningServer, operator_client: httpx.AsyncClient
) -> None:
    enterprise = await server.services.directory.enterprises.create("华东制造", "huadong", ACTOR)
    await server.services.directory.enterprises.set_seats(enterprise.id, 25, ACTOR)

    response = await operator_client.get("/operator/", headers={"accept-language": "en"})

    assert response.status_code == 200
    row = _row(response.text, "huadong")
    assert "华东制造" in row and f'href="/operator/enterprises/{enterprise.id}"' in row
    assert "Trial until 2026-01-16" in row  # FakeClock starts 2026-01-01; 15 trial days
    assert '<td data-label="Seats" data-testid="seats">25</td>' in row
    assert "Billing is not built yet" in response.text


async def test_search_matches_name_or_organisation_identifier(
    server: RunningServer, operator_client: httpx.AsyncClient
) -> None:
    for name, org in (("Alpha Trading", "alphat"), ("Beta Foods", "betaf"), ("Gamma", "alphafoods")):
        await server.services.directory.enterprises.create(name, org, ACTOR)

    by_org = await operator_client.get("/operator/", params={"q": "ALPHA"})
    by_name = await operator_client.get("/operator/", params={"q": "foods"})
    nothing = await operator_client.get("/operator/", params={"q": "<zeta>"})

    assert _org_ids(by_org.text) == ["alphat", "alphafoods"]
    assert _org_ids(by_name.text) == ["betaf", "alphafoods"]
    assert 'data-testid="no-match"' in nothing.text and "&lt;zeta&gt;" in nothing.text


async def test_the_list_is_paged_twenty_at_a_time_keeping_the_search(
    server: RunningServer, operator_client: httpx.AsyncClient
) -> None:
    for n in range(23):
        await server.services.directory.enterprises.create(f"Paged {n}", f"paged{n:02d}", ACTOR)

    first = await operator_client.get("/operator/", params={"q": "paged"})
    second = await operator_client.get("/operator/", params={"q": "paged", "page": "2"})

    assert len(_org_ids(first.text)) == 20
    assert _org_ids(second.text) == ["paged20", "paged21", "paged22"]
    assert 'href="/operator/?q=paged&amp;page=2"' in first.text
    assert 'href="/operator/?q=paged&amp;page=1"' in second.text and 'rel="next"' not in second.text


async def test_creating_an_enterprise_with_a_first_administrator_sends_the_invitation(
    server: RunningServer, operator_client: httpx.AsyncClient
) -> None:
    response = await operator_client.post(
        "/operator/enterprises",
        data={
            "name": "Kmail Ltd",
            "org_id": "kmail",
            "admin_name": "李雷",
            "admin_phone": "13912345678",
            "admin_email": "lilei@kmail-home.test",
            "admin_days": "3",
        },
    )

    enterprise = await server.services.directory.enterprises.get_by_org_id("kmail")
    assert response.status_code == 303
    assert response.headers["location"] == f"/operator/enterprises/{enterprise.id}?done=created-invited"
    (invitation,) = await server.services.directory.invitations.list(enterprise.id)
    assert (invitation.name, invitation.email, invitation.status) == (
        "李雷",
        "lilei@kmail-home.test",
        "pending",
    )
    assert (invitation.expires_at - invitation.created_at).days == 3
    sent = {m.channel: m for m in await server.services.auth.outbox.messages()}
    link = f"{base_url(server)}/admin/invite/"
    assert sent["email"].recipient == "lilei@kmail-home.test" and link in sent["email"].body
    assert sent["sms"].recipient == "13912345678" and link in sent["sms"].body
    token = sent["email"].body.split(link, 1)[1].split()[0]
    assert (await server.services.directory.invitations.find_by_token(token)).id == invitation.id


async def test_creating_without_an_invitation_sends_nothing(
    server: RunningServer, operator_client: httpx.AsyncClient
) -> None:
    response = await operator_client.post(
        "/operator/enterprises", data={"name": "Quiet Co", "org_id": "quiet"}
    )
    page = await operator_client.get(response.headers["location"], headers={"accept-language": "en"})

    assert response.status_code == 303 and response.headers["location"].endswith("?done=created")
    assert await server.services.auth.outbox.messages() == ()
    assert "The enterprise was created." in page.text
    assert 'data-testid="no-administrators"' in page.text


async def test_a_taken_organisation_identifier_keeps_the_form(
    server: RunningServer, operator_client: httpx.AsyncClient
) -> None:
    await server.services.directory.enterprises.create("First", "taken", ACTOR)

    response = await operator_client.post(
        "/operator/enterprises",
        data={"name": "Second <Co>", "org_id": "taken", "admin_name": "王五", "admin_email": "w@x.test"},
    )

    assert response.status_code == 409
    assert 'data-code="ORG_ID_TAKEN"' in response.text
    assert 'value="Second &lt;Co&gt;"' in response.text and 'value="王五"' in response.text
    assert (await server.services.directory.enterprises.search("Second")).total == 0


async def test_a_bad_invitation_still_creates_the_enterprise_and_says_the_invitation_was_not_sent(
    server: RunningServer, operator_client: httpx.AsyncClient
) -> None:
    response = await operator_client.post(
        "/operator/enterprises",
        data={"name": "Half Done", "org_id": "halfdone", "admin_name": "赵六", "admin_email": ""},
        headers={"accept-language": "en"},
    )

    enterprise = await server.services.directory.enterprises.get_by_org_id("halfdone")
    assert response.status_code == 400
    assert 'data-code="INVITATION_EMAIL_REQUIRED"' in response.text
    assert "the invitation was not sent" in response.text
    assert f'action="/operator/enterprises/{enterprise.id}/invitations"' in response.text
    assert 'value="赵六"' in response.text
    assert await server.services.auth.outbox.messages() == ()


async def test_creating_an_enterprise_without_the_csrf_token_is_refused(
    server: RunningServer, operator_client: httpx.AsyncClient
) -> None:
    cookies = {"ym_operator": operator_client.cookies["ym_operator"]}
    async with httpx.AsyncClient(base_url=base_url(server), cookies=cookies) as client:
        missing = await client.post("/operator/enterprises", data={"name": "Forged", "org_id": "forged"})
        wrong = await client.post(
            "/operator/enterprises", data={"name": "Forged", "org_id": "forged", "csrf_token": "x" * 32}
        )

    assert (missing.status_code, wrong.status_code) == (403, 403)
    assert (await server.services.directory.enterprises.search("forged")).total == 0


async def test_the_detail_shows_domains_members_administrators_and_invitations(
    server: RunningServer, operator_client: httpx.AsyncClient
) -> None:
    tenant = await web_tenant(server)
    await web_member(server, tenant, "成员一")
    await server.services.domains.add(tenant.enterprise.id, f"pending-{tenant.enterprise.org_id}.test", ACTOR)
    await server.services.directory.invitations.invite(
        tenant.enterprise.id, "Second Admin", None, "second@elsewhere.test", ACTOR
    )

    response = await operator_client.get(
        f"/operator/enterprises/{tenant.enterprise.id}", headers={"accept-language": "en"}
    )

    assert response.status_code == 200
    assert '<div class="stat" data-testid="domain-count">2</div>' in response.text
    assert "2 domain(s), 1 verified" in response.text
    assert '<div class="stat" data-testid="member-count">1</div>' in response.text
    assert '<div class="stat" data-testid="seats-used">1</div>' in response.text  # one open mailbox
    assert '<div class="muted" data-testid="seats-note">no seat limit</div>' in response.text
    assert f"<code>{tenant.admin.login}</code>" in response.text
    (invitation_row,) = re.findall(r'<tr data-testid="invitation-row">.*?</tr>', response.text, re.S)
    assert "Second Admin" in invitation_row and "pending" in invitation_row


async def test_inviting_another_administrator_from_the_detail_page(
    server: RunningServer, operator_client: httpx.AsyncClient
) -> None:
    enterprise = await server.services.directory.enterprises.create("Later Co", "laterco", ACTOR)

    response = await operator_client.post(
        f"/operator/enterprises/{enterprise.id}/invitations",
        data={"name": "Late Admin", "email": "late@laterco-mail.test", "days": "7"},
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/operator/enterprises/{enterprise.id}?done=invited"
    (message,) = await server.services.auth.outbox.messages()
    assert (message.channel, message.recipient) == ("email", "late@laterco-mail.test")


async def test_an_unknown_enterprise_is_not_found(operator_client: httpx.AsyncClient) -> None:
    page = await operator_client.get("/operator/enterprises/987654")
    invite = await operator_client.post(
        "/operator/enterprises/987654/invitations", data={"name": "X", "email": "x@y.test"}
    )

    assert (page.status_code, invite.status_code) == (404, 404)


def _row(html: str, org_id: str) -> str:
    match = re.search(rf'<tr data-testid="enterprise-row" data-org-id="{org_id}">.*?</tr>', html, re.S)
    assert match is not None, f"no row for {org_id}"
    return match.group(0)


def _org_ids(html: str) -> list[str]:
    return re.findall(r'data-testid="enterprise-row" data-org-id="([^"]+)"', html)
