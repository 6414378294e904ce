"""Reading mail over HTTP: headers, read flag, sandboxed body, remote images, attachments, source, bounces."""

from __future__ import annotations

import re
from urllib.parse import unquote

import httpx
import pytest
from playwright.async_api import Page, expect

from support.browser import no_horizontal_scroll, requests_of, screenshot
from support.server import RunningServer
from support.web import base_url, login_page_as
from yunmail.delivery import BounceCauseId
from yunmail.mailstore import SEEN, SpecialUse
from yunmail.web.deps import csrf_token_for

from .mail_helpers import MailUser, deliver, mail_user, simple_message


@pytest.fixture
def backend() -> str:
    """SQLite only: these pages call the same services on either backend (the mail store's own tests
    cover PostgreSQL); tests that depend on the database parametrize ``backend`` themselves."""
    return "sqlite"


HTML_MAIL = (
    b"From: =?UTF-8?B?5p2O6Zu3?= <lilei@partner.test>\r\n"
    b"To: me@example.test\r\nCc: wang@partner.test\r\n"
    b"Subject: =?UTF-8?B?5rS75Yqo6YCa55+l?=\r\n"
    b"Date: Thu, 01 Jan 2026 08:00:00 +0000\r\nMessage-ID: <html1@partner.test>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="alt"\r\n\r\n'
    b"--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain version\r\n"
    b"--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    b'<p>Hello <b>there</b> <a href="https://example.org/x">link</a></p>'
    b'<img src="https://tracker.example.net/pixel.gif" alt="px">'
    b"<script>parent.__pwned=1</script>\r\n"
    b"--alt--\r\n"
)

WITH_FILES = (
    b"From: a@partner.test\r\nTo: me@example.test\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="mix"\r\n\r\n'
    b'--mix\r\nContent-Type: multipart/related; boundary="rel"\r\n\r\n'
    b'--rel\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>logo: <img src="cid:logo@x"></p>\r\n'
    b"--rel\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    b"iVBORw0KGgo=\r\n--rel--\r\n"
    b"--mix\r\nContent-Type: text/html; charset=utf-8\r\n"
    b"Content-Disposition: attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.html\r\n\r\n"
    b"<script>alert(1)</script>\r\n"
    b'--mix\r\nContent-Type: image/svg+xml\r\nContent-Disposition: inline; filename="x.svg"\r\n'
    b"Content-ID: <svg@x>\r\n\r\n"
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\r\n'
    b"--mix--\r\n"
)


def client(server: RunningServer, user: MailUser) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url(server),
        timeout=30,
        cookies={"ym_mail": user.token},
        headers={"x-csrf-token": csrf_token_for(user.token), "accept-language": "zh-CN"},
    )


# --- the read page -----------------------------------------------------------------------------------


async def test_read_page_shows_decoded_headers(server: RunningServer) -> None:
    user = await mail_user(server)
    item = await deliver(server, user, HTML_MAIL)
    async with client(server, user) as http:
        html = (await http.get(f"/mail/INBOX/{item.uid}")).text

    assert re.search(r'data-testid="subject">活动通知<', html)
    assert "李雷 &lt;lilei@partner.test&gt;" in html
    assert 'data-testid="cc">wang@partner.test<' in html


async def test_opening_a_message_marks_it_read(server: RunningServer) -> None:
    user = await mail_user(server)
    item = await deliver(server, user, simple_message())
    async with client(server, user) as http:
        await http.get(f"/mail/INBOX/{item.uid}")

    [summary] = await server.services.mailstore.list_messages(user.mailbox.id, "INBOX")
    assert SEEN in summary.flags


async def test_message_html_never_appears_in_the_page_itself(server: RunningServer) -> None:
    user = await mail_user(server)
    item = await deliver(server, user, HTML_MAIL)
    async with client(server, user) as http:
        html = (await http.get(f"/mail/INBOX/{item.uid}")).text

    assert "__pwned" not in html and "tracker.example.net" not in html
    frame = re.search(r"<iframe[^>]*>", html)
    assert frame is not None
    assert 'sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"' in frame.group(0)
    assert f'src="/mail/INBOX/{item.uid}/body"' in frame.group(0)


async def test_unknown_message_is_not_found(server: RunningServer) -> None:
    user = await mail_user(server)
    async with client(server, user) as http:
        response = await http.get("/mail/INBOX/999")

    assert response.status_code == 404


async def test_a_member_cannot_read_another_members_message(server: RunningServer) -> None:
    owner = await mail_user(server)
    other = await mail_user(server, owner.tenant, "王五")
    item = await deliver(server, owner, simple_message("secret"))
    async with client(server, other) as http:
        page = await http.get(f"/mail/INBOX/{item.uid}")
        raw = await http.get(f"/mail/INBOX/{item.uid}/raw")

    assert (page.status_code, raw.status_code) == (404, 404)


# --- the body document --------------------------------------------------------------------------------


async def test_body_is_sanitised_and_served_with_a_strict_policy(server: RunningServer) -> None:
    user = await mail_user(server)
    item = await deliver(server, user, HTML_MAIL)
    async with client(server, user) as http:
        response = await http.get(f"/mail/INBOX/{item.uid}/body")

    policy = response.headers["content-security-policy"]
    assert policy.startswith("default-src 'none'")
    assert "script-src" not in policy and "sandbox" in policy
    assert "<b>there</b>" in response.text
    assert "<script" not in response.text and "__pwned" not in response.text


async def test_links_open_in_a_new_tab_without_referrer(server: RunningServer) -> None:
    user = await mail_user(server)
    item = await deliver(server, user, HTML_MAIL)
    async with client(server, user) as http:
        body = (await http.get(f"/mail/INBOX/{item.uid}/body")).text

    link = re.search(r'<a [^>]*href="https://example.org/x"[^>]*>', body)
    assert link is not None
    assert 'target="_blank"' in link.group(0) and 'rel="noopener noreferrer"' in link.group(0)


async def test_remote_images_are_blocked_until_shown_for_that_message(server: RunningServer) -> None:
    user = await mail_user(server)
    item = await deliver(server, user, HTML_MAIL)
    async with client(server, user) as http:
        page = (await http.get(f"/mail/INBOX/{item.uid}")).text
        blocked = await http.get(f"/mail/INBOX/{item.uid}/body")
        shown_page = (await http.get(f"/mail/INBOX/{item.uid}?images=1")).text
        shown = await http.get(f"/mail/INBOX/{item.uid}/body?images=1")

    assert 'data-testid="show-images"' in page
    assert "tracker.example.net" not in blocked.text
    assert "https:" not in blocked.headers["content-security-policy"]
    assert 'data-testid="show-images"' not in shown_page
    assert f'src="/mail/INBOX/{item.uid}/body?images=1"' in shown_page
    assert "https://tracker.example.net/pixel.gif" in shown.text
    assert "img-src data: 'self' https:" in shown.headers["content-security-policy"]


async def test_plain_text_mail_is_escaped(server: RunningServer) -> None:
    user = await mail_user(server)
    item = await deliver(server, user, simple_message("text", "<script>alert(1)</script> & 你好"))
    async with client(server, user) as http:
        body = (await http.get(f"/mail/INBOX/{item.uid}/body")).text

    assert '<pre class="plain">&lt;script&gt;alert(1)&lt;/script&gt; &amp; 你好' in body


async def test_cid_images_point_at_the_messages_own_part(server: RunningServer) -> None:
    user = await mail_user(server)
    item = await deliver(server, user, WITH_FILES)
    async with client(server, user) as http:
        body = (await http.get(f"/mail/INBOX/{item.uid}/body")).text
        src = re.search(r'<img src="([^"]+)"', body)
        assert src is not None
        image = await http.get(src.group(1).replace("&amp;", "&"))

    assert src.group(1).startswith(f"/mail/INBOX/{item.uid}/part/")
    assert image.headers["content-type"] == "image/png"
    assert image.headers["content-disposition"].startswith("inline;")


# --- attachments and source ---------------------------------------------------------------------------


async def test_attachments_are_listed_with_download_links(server: RunningServer) -> None:
    user = await mail_user(server)
    item = await deliver(server, user, WITH_FILES)
    async with client(server, user) as http:
        html = (await http.get(f"/mail/INBOX/{item.uid}")).text

    names = re.findall(r'data-testid="attachment-link">([^<]+)<', html)
    assert names == ["报告.html", "x.svg"]  # the inline PNG shows in the body instead


async def test_html_attachment_downloads_and_is_never_rendered(server: RunningServer) -> None:
    user = await mail_user(server)
    item = await deliver(server, user, WITH_FILES)
    async with client(server, user) as http:
        response = await http.get(f"/mail/INBOX/{item.uid}/part/2")

    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "报告.html"
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]
    assert response.content == b"<script>alert(1)</script>"


async def test_svg_is_never_served_inline_even_when_asked(server: RunningServer) -> None:
    user = await mail_user(server)
    item = await deliver(server, user, WITH_FILES)
    async with client(server, user) as http:
        response = await http.get(f"/mail/INBOX/{item.uid}/part/3?inline=1")

    assert response.headers["content-disposition"].startswith("attachment;")


async def test_file_name_with_quotes_and_line_breaks_is_made_safe(server: RunningServer) -> None:
    user = await mail_user(server)
    data = (
        b"From: a@partner.test\r\nSubject: odd\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n"
        b"--b\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; "
        b"filename*=UTF-8''..%2F..%2Fevil%22%0D%0AX-Injected%3A%201.exe\r\n\r\n"
        b"data\r\n--b--\r\n"
    )
    item = await deliver(server, user, data)
    async with client(server, user) as http:
        response = await http.get(f"/mail/INBOX/{item.uid}/part/2")

    disposition = response.headers["content-disposition"]
    assert "x-injected" not in {name.lower() for name in response.headers}
    assert "\r" not in disposition and "\n" not in disposition
    fallback = disposition.split('filename="')[1].split('"')[0]
    assert "/" not in fallback and not fallback.startswith(".")


async def test_unknown_attachment_section_is_not_found(server: RunningServer) -> None:
    user = await mail_user(server)
    item = await deliver(server, user, WITH_FILES)
    async with client(server, user) as http:
        missing = await http.get(f"/mail/INBOX/{item.uid}/part/7")
        junk = await http.get(f"/mail/INBOX/{item.uid}/part/1.x")

    assert (missing.status_code, junk.status_code) == (404, 404)


async def test_raw_source_is_the_exact_message_as_plain_text(server: RunningServer) -> None:
    user = await mail_user(server)
    item = await deliver(server, user, HTML_MAIL)
    async with client(server, user) as http:
        response = await http.get(f"/mail/INBOX/{item.uid}/raw")

    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content == HTML_MAIL


# --- bounces and quarantine ----------------------------------------------------------------------------


async def test_yunmail_bounce_shows_its_cause_and_advice(server: RunningServer) -> None:
    user = await mail_user(server)
    meta = {
        "bounce": {
            "kind": "failure",
            "cause": BounceCauseId.MAILBOX_FULL.value,
            "permanent": False,
            "reply_code": 552,
            "enhanced": "5.2.2",
            "basis": "enhanced:5.2.2",
            "reply": "552 5.2.2 Mailbox full",
            "recipient": "zhao@partner.test",
        }
    }
    bounce = simple_message("Undelivered Mail", "see below", sender="MAILER-DAEMON@mail.yunmail.test")
    item = await deliver(server, user, bounce, meta=meta)
    async with client(server, user) as http:
        html = (await http.get(f"/mail/INBOX/{item.uid}")).text

    assert 'data-testid="bounce"' in html
    assert "zhao@partner.test" in html and "552 5.2.2 Mailbox full" in html
    assert re.search(r'data-testid="bounce-advice">[^<]+<', html)


async def test_remote_delivery_report_is_classified_on_the_read_page(server: RunningServer) -> None:
    user = await mail_user(server)
    report = (
        b"From: MAILER-DAEMON@mx.partner.test\r\nTo: me@example.test\r\nSubject: failure notice\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
        b"--r\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        b"--r\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.partner.test\r\n\r\n"
        b"Final-Recipient: rfc822; nobody@partner.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
        b"--r--\r\n"
    )
    item = await deliver(server, user, report)
    async with client(server, user) as http:
        html = (await http.get(f"/mail/INBOX/{item.uid}", headers={"accept-language": "en"})).text

    assert 'data-testid="bounce"' in html
    assert "nobody@partner.test" in html and "550 5.1.1 User unknown" in html


async def test_junk_message_offers_not_spam(server: RunningServer) -> None:
    user = await mail_user(server)
    item = await deliver(server, user, simple_message("cheap"), folder=SpecialUse.JUNK)
    async with client(server, user) as http:
        html = (await http.get(f"/mail/Junk/{item.uid}")).text
        moved = await http.post(
            "/mail/Junk/bulk", data={"action": "not_spam", "uid": str(item.uid), "next": "/mail/Junk"}
        )

    assert 'data-testid="not-spam"' in html and 'data-testid="junk-note"' in html
    assert moved.status_code == 303
    assert len(await server.services.mailstore.list_messages(user.mailbox.id, "INBOX")) == 1


async def test_virus_quarantine_warns_and_offers_not_spam(server: RunningServer) -> None:
    user = await mail_user(server)
    item = await deliver(server, user, simple_message("invoice"), folder=SpecialUse.VIRUS)
    async with client(server, user) as http:
        html = (await http.get(f"/mail/Virus/{item.uid}")).text

    assert 'data-testid="virus-note"' in html and 'data-testid="not-spam"' in html


# --- in the browser ------------------------------------------------------------------------------------


async def test_read_page_in_the_browser_shows_body_and_loads_remote_images_only_when_asked(
    server: RunningServer, page: Page
) -> None:
    user = await mail_user(server)
    item = await deliver(server, user, HTML_MAIL)
    await login_page_as(page, server, "webmail", user.token)

    await page.goto(f"{base_url(server)}/mail/INBOX/{item.uid}", wait_until="load")
    body = page.frame_locator('[data-testid="body-frame"]')
    await expect(body.locator("b")).to_have_text("there")
    blocked_requests = list(requests_of(page))
    await screenshot(page, "webmail-message")
    await page.get_by_test_id("show-images").click()
    await page.wait_for_url(f"**/mail/INBOX/{item.uid}?images=1")
    await expect(page.get_by_test_id("images-blocked")).to_have_count(0)

    assert not [url for url in blocked_requests if "tracker.example.net" in url]
    assert await page.evaluate("() => window.__pwned") is None


async def test_read_page_fits_a_phone_screen(server: RunningServer, phone_page: Page) -> None:
    user = await mail_user(server)
    wide = (
        b"From: a@partner.test\r\nTo: me@example.test\r\nSubject: wide\r\nContent-Type: text/html\r\n\r\n"
        b'<table width="1200"><tr><td>' + b"x" * 400 + b"</td></tr></table>\r\n"
    )
    item = await deliver(server, user, wide)
    files = await deliver(server, user, WITH_FILES)
    await login_page_as(phone_page, server, "webmail", user.token)

    for uid in (item.uid, files.uid):
        await phone_page.goto(f"{base_url(server)}/mail/INBOX/{uid}", wait_until="load")
        assert await no_horizontal_scroll(phone_page)
    await screenshot(phone_page, "webmail-message-phone")
