"""Mail settings in the browser: a rule the member adds files matching mail; the auto-reply the member
switches on answers each sender once a day. Mail arrives over SMTP on the server's MX listener."""

from __future__ import annotations

import asyncio
import email
import email.policy
import html
import smtplib
from email.message import EmailMessage

from playwright.async_api import Page

from support.browser import no_horizontal_scroll, screenshot
from support.server import RunningServer
from support.smtp import message
from support.web import base_url, login_page_as, portal_client, web_member, web_tenant

OUTSIDER = "partner@outside.example"


async def _mx_send(server: RunningServer, sender: str, to: str, data: bytes) -> None:
    def send() -> None:
        with smtplib.SMTP(*server.address("smtp")) as client:
            client.sendmail(sender, [to], data)

    await asyncio.to_thread(send)


async def test_a_rule_added_in_the_browser_moves_matching_mail(server: RunningServer, page: Page) -> None:
    tenant = await web_tenant(server)
    _, mailbox, token = await web_member(server, tenant, account="lina")
    await server.services.mailstore.create_folder(mailbox.id, "Invoices")
    await login_page_as(page, server, "webmail", token)

    await page.goto(f"{base_url(server)}/settings/mail")
    form = page.locator("[data-testid=rule-form]")
    await form.locator("select[name=field]").select_option("subject")
    await form.locator("input[name=contains]").fill("发票")
    await form.locator("select[name=action]").select_option("move")
    await form.locator("input[name=target]").fill("Invoices")
    await form.locator("button").click()
    await page.wait_for_selector("[data-testid=rules-saved]")
    await screenshot(page, "webmail-mail-settings")
    await _mx_send(
        server, OUTSIDER, mailbox.address, message(OUTSIDER, mailbox.address, subject="十一月发票")
    )
    await _mx_send(server, OUTSIDER, mailbox.address, message(OUTSIDER, mailbox.address, subject="Hello"))

    store = server.services.mailstore
    assert len(await store.list_messages(mailbox.id, "Invoices")) == 1
    assert len(await store.list_messages(mailbox.id, "INBOX")) == 1


async def test_auto_reply_switched_on_in_the_browser_answers_once_per_sender_per_day(
    server: RunningServer, page: Page
) -> None:
    tenant = await web_tenant(server)
    _, mailbox, token = await web_member(server, tenant, account="lina")
    await login_page_as(page, server, "webmail", token)

    await page.goto(f"{base_url(server)}/settings/mail")
    form = page.locator("[data-testid=auto-reply-form]")
    await form.locator("input[name=enabled]").check()
    await form.locator("textarea[name=body]").fill("I am away until Monday. 我周一回来。")
    await form.locator("button").click()
    await page.wait_for_selector("[data-testid=rules-saved]")
    for _ in range(2):
        await _mx_send(server, OUTSIDER, mailbox.address, message(OUTSIDER, mailbox.address))
    queue = server.services.mailflow.queue
    same_day = await queue.list_queued(tenant.enterprise.id)
    server.services.clock.advance(days=1)  # type: ignore[attr-defined]
    await _mx_send(server, OUTSIDER, mailbox.address, message(OUTSIDER, mailbox.address))
    next_day = await queue.list_queued(tenant.enterprise.id)

    assert [q.recipient for q in same_day] == [OUTSIDER]
    assert len(next_day) == 2
    answer = email.message_from_bytes(await queue.read_message(same_day[0]), policy=email.policy.default)
    assert isinstance(answer, EmailMessage)
    assert "我周一回来" in answer.get_content()


async def test_an_invalid_forwarding_address_is_refused_with_its_reason(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, mailbox, token = await web_member(server, tenant, account="lina")

    async with portal_client(server, "webmail", token) as client:
        response = await client.post(
            "/settings/mail/forwarding", data={"enabled": "1", "addresses": mailbox.address, "keep_copy": "1"}
        )

    assert response.status_code == 400
    assert 'data-code="FORWARD_ADDRESS_INVALID"' in response.text


async def test_mail_settings_fit_a_phone(server: RunningServer, phone_page: Page) -> None:
    tenant = await web_tenant(server)
    _, _, token = await web_member(server, tenant, account="lina")
    await login_page_as(phone_page, server, "webmail", token)

    await phone_page.goto(f"{base_url(server)}/settings/mail")

    assert await no_horizontal_scroll(phone_page)


async def test_the_signature_appears_in_a_new_message(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    _, _, token = await web_member(server, tenant, account="lina")

    async with portal_client(server, "webmail", token) as client:
        saved = await client.post("/settings/mail/signature", data={"signature": "李娜 | 销售部"})
        compose = await client.get("/compose")

    assert saved.status_code == 303
    assert "-- \n李娜 | 销售部" in html.unescape(compose.text)
