"""The operator console in Chromium: the whole first-enterprise journey, and every page on a phone."""

from __future__ import annotations

from playwright.async_api import Page

from support.browser import console_errors_of, no_horizontal_scroll, screenshot
from support.server import RunningServer
from support.web import base_url, login_page_as
from web.operator.accounts import make_operator

ACTOR = "test:operator"


async def test_operator_creates_an_enterprise_with_a_first_administrator_and_sees_the_invitation(
    server: RunningServer, page: Page
) -> None:
    operator = await make_operator(server)
    base = base_url(server)

    await page.goto(f"{base}/operator/")
    assert page.url.startswith(f"{base}/operator/login?next=")
    await screenshot(page, "operator-login")
    await page.get_by_test_id("login-name").fill(operator.login)
    await page.get_by_test_id("login-password").fill(operator.password)
    await page.get_by_test_id("login-submit").click()
    await page.wait_for_url(f"{base}/operator/")
    assert await page.get_by_test_id("operator-login").inner_text() == operator.login

    await page.get_by_test_id("new-enterprise").click()
    await page.get_by_test_id("enterprise-name").fill("Kunlun Mail Co")
    await page.get_by_test_id("enterprise-org-id").fill("kunlun")
    await page.get_by_test_id("invite-name").fill("韩梅梅")
    await page.get_by_test_id("invite-phone").fill("13700001111")
    await page.get_by_test_id("invite-email").fill("hanmeimei@kunlun-home.test")
    await screenshot(page, "operator-enterprise-new")
    await page.get_by_test_id("create-enterprise-submit").click()
    await page.wait_for_url("**/operator/enterprises/*?done=created-invited")
    assert await page.get_by_test_id("enterprise-title").inner_text() == "Kunlun Mail Co kunlun"
    assert await page.get_by_test_id("invitation-row").count() == 1
    assert "韩梅梅" in await page.get_by_test_id("invitation-row").inner_text()
    await screenshot(page, "operator-enterprise")

    await page.get_by_test_id("nav-enterprises").click()
    assert await page.locator('[data-testid="enterprise-row"][data-org-id="kunlun"]').count() == 1
    await screenshot(page, "operator-enterprises")

    await page.get_by_test_id("nav-outbox").click()
    email = page.locator('[data-testid="outbox-message"][data-recipient="hanmeimei@kunlun-home.test"]')
    sms = page.locator('[data-testid="outbox-message"][data-recipient="13700001111"]')
    assert (await email.count(), await sms.count()) == (1, 1)
    link = email.get_by_test_id("outbox-link").first
    href = await link.get_attribute("href")
    assert href is not None and href.startswith(f"{base}/admin/invite/")
    assert await link.inner_text() == href
    await screenshot(page, "operator-outbox")

    await page.get_by_test_id("nav-settings").click()
    hostname = page.locator('[data-key="hostname"]')
    assert await hostname.inner_text() == server.settings.hostname
    await screenshot(page, "operator-settings")
    assert console_errors_of(page) == []


async def test_every_operator_page_fits_a_phone(server: RunningServer, phone_page: Page) -> None:
    operator = await make_operator(server)
    services = server.services
    enterprise = await services.directory.enterprises.create(
        "一个名字相当长的企业有限责任公司", "longname", ACTOR
    )
    await services.directory.invitations.invite(
        enterprise.id,
        "欧阳娜娜",
        "13600002222",
        "ouyang.nana.with.a.long.address@example-enterprise.test",
        ACTOR,
    )
    await services.auth.email.send_email(
        "ouyang.nana.with.a.long.address@example-enterprise.test",
        "Invitation",
        f"Open {base_url(server)}/admin/invite/{'x' * 43} to accept.",
    )
    base = base_url(server)

    await phone_page.goto(f"{base}/operator/login")
    await screenshot(phone_page, "operator-phone-login")
    scrolls = {"login": await no_horizontal_scroll(phone_page)}
    await login_page_as(phone_page, server, "operator", operator.token)
    for name, path in (
        ("enterprises", "/operator/"),
        ("enterprise-new", "/operator/enterprises/new"),
        ("enterprise", f"/operator/enterprises/{enterprise.id}"),
        ("outbox", "/operator/outbox"),
        ("settings", "/operator/settings"),
    ):
        response = await phone_page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, path
        await screenshot(phone_page, f"operator-phone-{name}")
        scrolls[name] = await no_horizontal_scroll(phone_page)

    assert scrolls == dict.fromkeys(scrolls, True)
