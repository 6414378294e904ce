"""Operator console sign-in over real HTTP: login, cookie, wrong password, other portals' sessions, logout."""

from __future__ import annotations

import httpx

from support.server import RunningServer
from support.web import base_url, portal_client, web_tenant
from web.operator.accounts import OperatorAccount
from yunmail.auth import code_at
from yunmail.clock import FakeClock


async def test_a_console_page_without_a_session_redirects_to_the_login(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.get("/operator/outbox?recipient=a")

    assert response.status_code == 303
    assert response.headers["location"] == "/operator/login?next=%2Foperator%2Foutbox%3Frecipient%3Da"


async def test_login_sets_an_http_only_lax_session_cookie_and_follows_next(
    anonymous: httpx.AsyncClient, operator: OperatorAccount
) -> None:
    response = await anonymous.post(
        "/operator/login",
        data={"login": operator.login.upper(), "password": operator.password, "next": "/operator/settings"},
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/operator/settings"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("ym_operator=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    settings = await anonymous.get("/operator/settings")
    assert settings.status_code == 200
    assert operator.login in settings.text


async def test_login_over_https_marks_the_cookie_secure(
    server: RunningServer, operator: OperatorAccount
) -> None:
    host, port = server.address("https")
    async with httpx.AsyncClient(base_url=f"https://{host}:{port}", verify=server.client_tls()) as client:
        response = await client.post(
            "/operator/login",
            data={"login": operator.login, "password": operator.password},
            headers={"host": server.settings.hostname},
        )

    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


async def test_wrong_password_is_refused_with_the_login_kept_and_no_cookie(
    anonymous: httpx.AsyncClient, operator: OperatorAccount
) -> None:
    response = await anonymous.post(
        "/operator/login", data={"login": operator.login, "password": "Wrong-Pass-2026"}
    )

    assert response.status_code == 401
    assert 'data-code="LOGIN_INVALID"' in response.text
    assert f'value="{operator.login}"' in response.text
    assert "set-cookie" not in response.headers


async def test_login_never_redirects_off_the_console(
    anonymous: httpx.AsyncClient, operator: OperatorAccount
) -> None:
    response = await anonymous.post(
        "/operator/login",
        data={"login": operator.login, "password": operator.password, "next": "//evil.test/operator/"},
    )

    assert response.headers["location"] == "/operator/"


async def test_an_administrator_session_cookie_does_not_open_the_operator_console(
    server: RunningServer,
) -> None:
    tenant = await web_tenant(server)

    async with portal_client(server, "admin", tenant.admin_token) as client:
        page = await client.get("/operator/")
    # The administrator's token handed over as an operator cookie: a valid session, the wrong kind.
    async with portal_client(server, "operator", tenant.admin_token) as client:
        swapped = await client.get("/operator/")
        created = await client.post("/operator/enterprises", data={"name": "Evil", "org_id": "evilcorp"})

    assert page.status_code == 303 and page.headers["location"].startswith("/operator/login")
    assert (swapped.status_code, created.status_code) == (403, 403)
    assert 'data-code="PORTAL_FORBIDDEN"' in swapped.text
    assert (await server.services.directory.enterprises.search("evilcorp")).total == 0


async def test_an_operator_session_does_not_open_the_admin_console(
    server: RunningServer, operator: OperatorAccount
) -> None:
    async with portal_client(server, "admin", operator.token) as client:
        response = await client.get("/api/v1/members")

    assert response.status_code == 403


async def test_logout_ends_the_session(server: RunningServer, operator: OperatorAccount) -> None:
    async with portal_client(server, "operator", operator.token) as client:
        response = await client.post("/operator/logout")
        after = await client.get("/operator/")

    assert response.status_code == 303
    assert response.headers["location"] == "/operator/login?done=logged-out"
    assert after.status_code == 303 and after.headers["location"].startswith("/operator/login")


async def test_logout_without_the_csrf_token_is_refused(
    server: RunningServer, operator: OperatorAccount
) -> None:
    async with httpx.AsyncClient(
        base_url=base_url(server), cookies={"ym_operator": operator.token}
    ) as client:
        response = await client.post("/operator/logout")
        still = await client.get("/operator/")

    assert response.status_code == 403
    assert 'data-code="CSRF_TOKEN_INVALID"' in response.text
    assert still.status_code == 200


async def test_the_login_page_of_a_logged_in_operator_goes_to_the_console(
    operator_client: httpx.AsyncClient,
) -> None:
    response = await operator_client.get("/operator/login?next=/operator/outbox")

    assert response.status_code == 303
    assert response.headers["location"] == "/operator/outbox"


async def _with_totp(server: RunningServer, clock: FakeClock, operator: OperatorAccount) -> str:
    totp = server.services.auth.totp
    enrollment = await totp.begin(operator.principal)
    await totp.confirm(operator.principal, enrollment.secret, code_at(enrollment.secret, clock.now()))
    clock.advance(seconds=90)  # the confirming code is used up: move to a fresh one
    return enrollment.secret


async def test_an_operator_with_totp_is_asked_for_the_code_and_a_wrong_one_is_refused(
    server: RunningServer, clock: FakeClock, anonymous: httpx.AsyncClient, operator: OperatorAccount
) -> None:
    await _with_totp(server, clock, operator)
    fields = {"login": operator.login, "password": operator.password}

    asked = await anonymous.post("/operator/login", data=fields)
    wrong = await anonymous.post("/operator/login", data={**fields, "totp_code": "000000"})

    assert asked.status_code == 200 and 'data-testid="totp-form"' in asked.text
    assert asked.headers["cache-control"] == "no-store" and "set-cookie" not in asked.headers
    assert wrong.status_code == 401 and 'data-code="TOTP_INVALID"' in wrong.text
    assert 'data-testid="totp-form"' in wrong.text and "set-cookie" not in wrong.headers


async def test_the_right_totp_code_completes_the_operator_login(
    server: RunningServer, clock: FakeClock, anonymous: httpx.AsyncClient, operator: OperatorAccount
) -> None:
    secret = await _with_totp(server, clock, operator)

    response = await anonymous.post(
        "/operator/login",
        data={
            "login": operator.login,
            "password": operator.password,
            "totp_code": code_at(secret, clock.now()),
        },
    )

    assert response.status_code == 303
    assert response.headers["set-cookie"].startswith("ym_operator=")
