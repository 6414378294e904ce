"""Webmail sign-in: each refusal of PRODUCT §6 with its own message, SMS codes, forced password change."""

from __future__ import annotations

import datetime as dt
import re

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
    portal_client,
    web_member,
    web_tenant,
)
from yunmail.auth import code_at
from yunmail.directory import NewMember

NEW_PASSWORD = "Fresh-Pass-2027"


async def _post_login(server: RunningServer, login: str, password: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url(server)) as client:
        return await client.post("/login", data={"login": login, "password": password, "next": "/mail/"})


def _error_code(response: httpx.Response) -> str | None:
    found = re.search(r'data-testid="(?:login|reset|password)-error" data-code="([A-Z_]+)"', response.text)
    return found.group(1) if found else None


async def _member_without_mailbox(server: RunningServer, tenant: WebTenant, account: str) -> None:
    await server.services.directory.members.add(
        tenant.enterprise.id,
        NewMember(name="No Mailbox", account=account, password=PASSWORD, contact_email="nobox@contact.test"),
        ACTOR,
        require_password_change=False,
    )


async def test_correct_password_starts_a_session_and_opens_the_mailbox(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    await web_member(server, tenant, account="lina")

    response = await _post_login(server, f"lina@{tenant.enterprise.org_id}", PASSWORD)

    assert response.status_code == 303
    assert response.headers["location"] == "/mail/"
    cookie = response.headers["set-cookie"]
    assert "ym_mail=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


async def test_mailbox_address_works_as_login_too(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, mailbox, _ = await web_member(server, tenant, account="lina")

    response = await _post_login(server, mailbox.address, PASSWORD)

    assert response.status_code == 303


async def test_wrong_password_is_invalid_user_or_password(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    await web_member(server, tenant, account="lina")

    response = await _post_login(server, f"lina@{tenant.enterprise.org_id}", "Wrong-Pass-1")

    assert (response.status_code, _error_code(response)) == (401, "LOGIN_INVALID")
    assert "set-cookie" not in response.headers


async def test_unknown_organisation_says_so(server: RunningServer) -> None:
    response = await _post_login(server, "lina@nosuchorg", PASSWORD)

    assert _error_code(response) == "LOGIN_ENTERPRISE_UNKNOWN"


async def test_member_without_a_mailbox_is_not_authorised(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    await _member_without_mailbox(server, tenant, "nobox")

    response = await _post_login(server, f"nobox@{tenant.enterprise.org_id}", PASSWORD)

    assert _error_code(response) == "MAILBOX_NOT_OPENED"


async def test_disabled_account_is_refused_with_its_own_message(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    member, _, _ = await web_member(server, tenant, account="gone")
    await server.services.directory.members.disable(tenant.enterprise.id, member.id, ACTOR)

    response = await _post_login(server, f"gone@{tenant.enterprise.org_id}", PASSWORD)

    assert _error_code(response) == "LOGIN_ACCOUNT_DISABLED"


async def test_repeated_failures_lock_the_account_temporarily(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    await web_member(server, tenant, account="lina")
    login = f"lina@{tenant.enterprise.org_id}"
    codes = [_error_code(await _post_login(server, login, f"Wrong-Pass-{n}")) for n in range(12)]

    after = await _post_login(server, login, PASSWORD)

    assert codes[0] == "LOGIN_INVALID"
    assert "LOGIN_LOCKED" in codes
    assert _error_code(after) == "LOGIN_LOCKED"


async def test_sms_code_request_for_an_unregistered_phone_says_so(server: RunningServer) -> None:
    async with httpx.AsyncClient(base_url=base_url(server)) as client:
        response = await client.post("/login/sms/request", data={"phone": "13900001111"})

    assert _error_code(response) == "LOGIN_PHONE_NOT_REGISTERED"


async def test_logout_ends_the_session(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, _, token = await web_member(server, tenant, account="lina")

    async with portal_client(server, "webmail", token) as client:
        response = await client.post("/logout")
    async with portal_client(server, "webmail", token) as client:
        after = await client.get("/settings")

    assert response.status_code == 303
    assert after.status_code == 303 and after.headers["location"].startswith("/login")


async def test_logout_without_the_csrf_token_is_refused(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, _, token = await web_member(server, tenant, account="lina")
    async with httpx.AsyncClient(base_url=base_url(server), cookies={"ym_mail": token}) as client:
        response = await client.post("/logout", headers={"accept": "application/json"})

    assert response.status_code == 403
    assert response.json()["code"] == "CSRF_TOKEN_INVALID"


async def test_next_parameter_never_leaves_the_site(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    await web_member(server, tenant, account="lina")
    async with httpx.AsyncClient(base_url=base_url(server)) as client:
        response = await client.post(
            "/login",
            data={"login": f"lina@{tenant.enterprise.org_id}", "password": PASSWORD, "next": "//evil.test/x"},
        )

    assert response.headers["location"] == "/mail/"


# --- in the browser ---------------------------------------------------------------------------------


async def test_each_refusal_shows_its_own_message_in_the_browser(server: RunningServer, page: Page) -> None:
    tenant = await web_tenant(server)
    member, _, _ = await web_member(server, tenant, account="off")
    await server.services.directory.members.disable(tenant.enterprise.id, member.id, ACTOR)
    await _member_without_mailbox(server, tenant, "nobox")
    await web_member(server, tenant, account="lina")
    org = tenant.enterprise.org_id
    cases = [
        (f"lina@{org}", "Wrong-Pass-1", "LOGIN_INVALID"),
        ("lina@nosuchorg", PASSWORD, "LOGIN_ENTERPRISE_UNKNOWN"),
        (f"nobox@{org}", PASSWORD, "MAILBOX_NOT_OPENED"),
        (f"off@{org}", PASSWORD, "LOGIN_ACCOUNT_DISABLED"),
    ]
    messages = {}
    for login, password, code in cases:
        await page.goto(f"{base_url(server)}/login")
        await page.fill("input[name=login]", login)
        await page.fill("input[name=password]", password)
        await page.click("[data-testid=login-submit]")
        error = page.locator("[data-testid=login-error]")
        assert await error.get_attribute("data-code") == code
        messages[code] = await error.inner_text()
    await screenshot(page, "webmail-login-error")

    assert len(set(messages.values())) == len(cases)  # four distinct messages
    assert "could not find the enterprise" in messages["LOGIN_ENTERPRISE_UNKNOWN"].lower()


async def test_sms_code_login_with_the_code_from_the_dev_outbox(server: RunningServer, page: Page) -> None:
    tenant = await web_tenant(server)
    await web_member(server, tenant, account="lina", phone="13800138000")

    await page.goto(f"{base_url(server)}/login")
    await page.click("[data-testid=sms-login-link]")
    await page.fill("input[name=phone]", "13800138000")
    await page.click("[data-testid=sms-request-form] button")
    await page.wait_for_selector("[data-testid=code-sent]")
    sms = (await server.services.auth.outbox.messages(recipient="13800138000"))[0]
    code = re.search(r"\b(\d{6})\b", sms.body)
    assert code is not None
    await page.fill("input[name=code]", code.group(1))
    await page.click("[data-testid=sms-login-form] button")
    await page.wait_for_url(re.compile(r".*/mail/.*"))

    cookies = {c["name"] for c in await page.context.cookies()}
    assert "ym_mail" in cookies


async def test_a_password_set_by_the_admin_must_be_changed_first(server: RunningServer, page: Page) -> None:
    tenant = await web_tenant(server)
    services = server.services
    member = await services.directory.members.add(
        tenant.enterprise.id,
        NewMember(name="New Hire", account="hire", password=PASSWORD, phone="13700137000"),
        ACTOR,
    )
    domain_id = tenant.domain.id
    await services.directory.mailboxes.open(
        tenant.enterprise.id, member.id, domain_id, ACTOR, local_part="hire"
    )

    await page.goto(f"{base_url(server)}/login")
    await page.fill("input[name=login]", f"hire@{tenant.enterprise.org_id}")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("[data-testid=login-submit]")
    await page.wait_for_selector("[data-testid=forced-change]")
    await screenshot(page, "webmail-forced-password-change")
    await page.goto(f"{base_url(server)}/settings")  # any other page sends the member back
    await page.wait_for_selector("[data-testid=forced-change]")
    await page.fill("input[name=current]", PASSWORD)
    await page.fill("input[name=new]", NEW_PASSWORD)
    await page.fill("input[name=repeat]", NEW_PASSWORD)
    await page.click("[data-testid=password-change-form] button")
    await page.wait_for_url(re.compile(r".*/settings.*"))

    refreshed = await services.directory.members.get(tenant.enterprise.id, member.id)
    assert refreshed.must_change_password is False
    assert await page.locator("[data-testid=settings-notice]").count() == 1


async def test_login_page_fits_a_phone(server: RunningServer, phone_page: Page) -> None:
    await phone_page.goto(f"{base_url(server)}/login")

    assert await no_horizontal_scroll(phone_page)
    await screenshot(phone_page, "webmail-login-phone")


async def test_session_expiry_sends_the_member_back_to_login(server: RunningServer, page: Page) -> None:
    tenant = await web_tenant(server)
    _, _, token = await web_member(server, tenant, account="lina")
    await login_page_as(page, server, "webmail", token)
    server.services.clock.advance(minutes=31)  # type: ignore[attr-defined]

    await page.goto(f"{base_url(server)}/settings")

    assert "/login" in page.url
    assert await page.locator("[data-testid=login-notice]").count() == 1


# --- two-step verification ---------------------------------------------------------------------------


async def test_sign_in_asks_for_the_authenticator_code_once_two_step_verification_is_on(
    server: RunningServer, page: Page
) -> None:
    tenant = await web_tenant(server)
    _, _, token = await web_member(server, tenant, account="lina")
    clock = server.services.clock
    await login_page_as(page, server, "webmail", token)
    await page.goto(f"{base_url(server)}/settings")
    await page.click("[data-testid=totp-begin-form] button")
    secret = await page.locator("[data-testid=totp-confirm-form] input[name=secret]").input_value()
    await page.fill("[data-testid=totp-confirm-form] input[name=code]", code_at(secret, clock.now()))
    await page.click("[data-testid=totp-confirm-form] button")
    await page.wait_for_selector("[data-testid=totp-state][data-on=yes]")
    await page.click("form[action='/logout'] button")
    await page.wait_for_selector("[data-testid=login-notice]")
    clock.advance(seconds=30)  # type: ignore[attr-defined]  # the code that turned it on is used up

    await page.fill("input[name=login]", f"lina@{tenant.enterprise.org_id}")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("[data-testid=login-submit]")
    asked = await page.locator("[data-testid=login-error]").get_attribute("data-code")
    await screenshot(page, "webmail-login-totp")
    await page.fill("input[name=totp_code]", _wrong_totp(secret, clock.now()))
    await page.click("[data-testid=login-submit]")
    refused = await page.locator("[data-testid=login-error]").get_attribute("data-code")
    await page.fill("input[name=totp_code]", code_at(secret, clock.now()))
    await page.click("[data-testid=login-submit]")
    await page.wait_for_url(re.compile(r".*/mail/.*"))

    assert (asked, refused) == ("TOTP_REQUIRED", "TOTP_INVALID")
    assert "ym_mail" in {c["name"] for c in await page.context.cookies()}


def _wrong_totp(secret: str, now: dt.datetime) -> str:
    accepted = {code_at(secret, now + dt.timedelta(seconds=s)) for s in (-30, 0, 30)}
    return next(c for c in (f"{n:06d}" for n in range(1000)) if c not in accepted)


# --- forgot password ---------------------------------------------------------------------------------


async def _code_sent_to(server: RunningServer, recipient: str) -> str:
    newest = (await server.services.auth.outbox.messages(recipient=recipient))[0]
    found = re.search(r"\b(\d{6})\b", newest.body)
    assert found is not None
    return found.group(1)


async def _reset(client: httpx.AsyncClient, login: str, code: str, new: str, repeat: str) -> httpx.Response:
    return await client.post(
        "/password/forgot",
        data={"login": login, "channel": "sms", "code": code, "new": new, "repeat": repeat},
    )


async def test_password_reset_by_sms_code_ends_old_sessions_and_the_new_password_works(
    server: RunningServer,
) -> None:
    tenant = await web_tenant(server)
    _, _, old_session = await web_member(server, tenant, account="lina", phone="13800138000")
    login = f"lina@{tenant.enterprise.org_id}"

    async with httpx.AsyncClient(base_url=base_url(server)) as client:
        asked = await client.post("/password/forgot/request", data={"login": login, "channel": "sms"})
        code = await _code_sent_to(server, "13800138000")
        reset = await _reset(client, login, code, NEW_PASSWORD, NEW_PASSWORD)
    async with portal_client(server, "webmail", old_session) as client:
        after = await client.get("/settings")
    signed_in = await _post_login(server, login, NEW_PASSWORD)

    assert "138****8000" in asked.text
    assert (reset.status_code, reset.headers["location"]) == (303, "/login?done=reset")
    assert after.status_code == 303 and after.headers["location"].startswith("/login")
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/mail/"


async def test_each_reset_refusal_shows_its_own_message_and_keeps_the_code_usable(
    server: RunningServer,
) -> None:
    tenant = await web_tenant(server)
    await web_member(server, tenant, account="lina", phone="13800138000")
    login = f"lina@{tenant.enterprise.org_id}"

    async with httpx.AsyncClient(base_url=base_url(server), headers={"accept-language": "en"}) as client:
        await client.post("/password/forgot/request", data={"login": login, "channel": "sms"})
        code = await _code_sent_to(server, "13800138000")
        wrong = "000000" if code != "000000" else "111111"
        mismatch = await _reset(client, login, code, NEW_PASSWORD, NEW_PASSWORD + "x")
        weak = await _reset(client, login, code, "abcdefghij", "abcdefghij")
        bad_code = await _reset(client, login, wrong, NEW_PASSWORD, NEW_PASSWORD)
        done = await _reset(client, login, code, NEW_PASSWORD, NEW_PASSWORD)

    assert [_error_code(r) for r in (mismatch, weak, bad_code)] == [
        "PASSWORD_MISMATCH",
        "PASSWORD_TOO_WEAK",
        "CODE_INVALID",
    ]
    assert "two new passwords are not the same" in mismatch.text
    assert "at least two of: digits, upper-case letters" in weak.text
    assert "verification code is wrong" in bad_code.text
    assert f'name="code" value="{code}"' in weak.text  # kept: the code was not used
    assert done.status_code == 303


async def test_password_reset_by_contact_email_code_in_the_browser(server: RunningServer, page: Page) -> None:
    tenant = await web_tenant(server)
    await web_member(server, tenant, account="lina")
    login = f"lina@{tenant.enterprise.org_id}"

    await page.goto(f"{base_url(server)}/login")
    await page.click("[data-testid=forgot-link]")
    await page.fill("input[name=login]", login)
    await page.check("[data-testid=channel-email]")
    await page.click("[data-testid=reset-request-form] button")
    sent_to = await page.locator("[data-testid=code-sent]").inner_text()
    await page.fill("input[name=code]", await _code_sent_to(server, "lina@contact.test"))
    await page.fill("input[name=new]", NEW_PASSWORD)
    await page.fill("input[name=repeat]", NEW_PASSWORD)
    await screenshot(page, "webmail-password-reset")
    await page.click("[data-testid=reset-form] button")
    await page.wait_for_selector("[data-testid=login-notice]")
    await page.fill("input[name=login]", login)
    await page.fill("input[name=password]", NEW_PASSWORD)
    await page.click("[data-testid=login-submit]")
    await page.wait_for_url(re.compile(r".*/mail/.*"))

    assert "l***@contact.test" in sent_to


async def test_sms_code_step_survives_a_wrong_code_and_an_early_resend(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    await web_member(server, tenant, account="lina", phone="13800138000")

    async with httpx.AsyncClient(base_url=base_url(server)) as client:
        await client.post("/login/sms/request", data={"phone": "13800138000"})
        sent_to = "138****8000"
        wrong = await client.post(
            "/login/sms", data={"phone": "13800138000", "code": "x", "sent_to": sent_to}
        )
        again = await client.post(
            "/login/sms/request", data={"phone": "13800138000", "sent_to": sent_to, "next": "/mail/"}
        )

    assert _error_code(wrong) == "CODE_INVALID"
    assert _error_code(again) == "CODE_RESEND_TOO_SOON"
    for response in (wrong, again):  # still on the code step, still saying where the code went
        assert 'data-testid="sms-login-form"' in response.text and sent_to in response.text


async def test_next_parameter_with_a_tab_cannot_become_another_site(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    await web_member(server, tenant, account="lina")
    async with httpx.AsyncClient(base_url=base_url(server)) as client:
        response = await client.post(
            "/login",
            data={
                "login": f"lina@{tenant.enterprise.org_id}",
                "password": PASSWORD,
                "next": "/\t/evil.test/x",
            },
        )

    assert response.headers["location"] == "/mail/"  # browsers drop the tab: "//evil.test/x"
