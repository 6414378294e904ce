"""Webmail mail list over HTTP: folders, day groups, paging, bulk actions, search, CSRF, live updates."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from support.browser import new_page, no_horizontal_scroll, screenshot
from support.server import RunningServer
from support.web import base_url, login_page_as
from yunmail.mailstore import FLAGGED, SEEN, SpecialUse
from yunmail.web.deps import csrf_token_for

from .mail_helpers import MailUser, deliver, mail_user, simple_message


@pytest.fixture
def backend() -> str:
    """SQLite only: these pages call the same services on either backend (the mail store's own tests
    cover PostgreSQL); tests that depend on the database parametrize ``backend`` themselves."""
    return "sqlite"


# The test clock starts at 2026-01-01 09:00 UTC: 17:00 on Thursday 1 January in Shanghai.
NOW = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)


def rows(html: str) -> list[str]:
    """Subjects of the listed messages, in page order."""
    return re.findall(r'data-testid="row-subject">([^<]*)<', html)


async def client_for(server: RunningServer, user: MailUser) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url(server),
        timeout=30,  # the first request of a fresh server compiles templates; the machine is shared
        cookies={"ym_mail": user.token},
        headers={"x-csrf-token": csrf_token_for(user.token), "accept-language": "zh-CN"},
    )


# --- entry and access --------------------------------------------------------------------------------


async def test_root_sends_a_visitor_without_session_to_the_login_page(server: RunningServer) -> None:
    async with httpx.AsyncClient(base_url=base_url(server), timeout=30) as client:
        response = await client.get("/")

    assert (response.status_code, response.headers["location"]) == (303, "/login")


async def test_root_sends_a_signed_in_member_to_the_inbox(server: RunningServer) -> None:
    user = await mail_user(server)
    async with await client_for(server, user) as client:
        response = await client.get("/")

    assert (response.status_code, response.headers["location"]) == (303, "/mail/")


async def test_mail_page_without_session_redirects_to_login_with_next(server: RunningServer) -> None:
    async with httpx.AsyncClient(base_url=base_url(server), timeout=30) as client:
        response = await client.get("/mail/Sent")

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=%2Fmail%2FSent")


async def test_unknown_folder_is_not_found(server: RunningServer) -> None:
    user = await mail_user(server)
    async with await client_for(server, user) as client:
        response = await client.get("/mail/NoSuchFolder")

    assert response.status_code == 404


# --- the list ------------------------------------------------------------------------------------------


async def test_inbox_lists_sender_subject_preview_and_unread_mark(server: RunningServer) -> None:
    user = await mail_user(server)
    await deliver(server, user, simple_message("季度总结", "请在周五前提交季度总结。"))
    async with await client_for(server, user) as client:
        response = await client.get("/mail/")

    html = response.text
    assert response.status_code == 200
    assert rows(html) == ["季度总结"]
    assert "李雷" in html and "请在周五前提交季度总结。" in html
    assert 'class="message unread"' in html and 'data-testid="unread-mark"' in html


async def test_folders_show_translated_names_and_unread_counts(server: RunningServer) -> None:
    user = await mail_user(server)
    await deliver(server, user, simple_message("一"))
    await deliver(server, user, simple_message("二"))
    await deliver(server, user, simple_message("三"), flags=(SEEN,))
    async with await client_for(server, user) as client:
        html = (await client.get("/mail/")).text

    for name in ("收件箱", "草稿箱", "已发送", "垃圾邮件", "已删除", "病毒邮件"):
        assert name in html
    assert re.search(r'data-testid="unseen-INBOX"\s*>2<', html)


async def test_english_interface_names_the_folders_in_english(server: RunningServer) -> None:
    user = await mail_user(server)
    async with await client_for(server, user) as client:
        html = (await client.get("/mail/", headers={"accept-language": "en"})).text

    assert all(name in html for name in ("Inbox", "Drafts", "Sent", "Junk", "Trash", "Virus"))


async def test_messages_are_grouped_by_day_in_shanghai_time(server: RunningServer) -> None:
    user = await mail_user(server)
    # 16:30 UTC on 31 Dec is 00:30 on 1 Jan in Shanghai: "today" there, not "yesterday".
    moments = {
        "today-late-utc": dt.datetime(2025, 12, 31, 16, 30, tzinfo=dt.UTC),
        "yesterday": dt.datetime(2025, 12, 31, 2, 0, tzinfo=dt.UTC),
        "monday": dt.datetime(2025, 12, 29, 2, 0, tzinfo=dt.UTC),
        "last-sunday": dt.datetime(2025, 12, 28, 2, 0, tzinfo=dt.UTC),
    }
    for subject, when in moments.items():
        await deliver(server, user, simple_message(subject), when=when)
    async with await client_for(server, user) as client:
        html = (await client.get("/mail/")).text

    groups = re.findall(r'data-testid="group-(\w+)">(.*?)</ul>', html, re.DOTALL)
    found = {name: rows(block) for name, block in groups}
    assert found == {
        "today": ["today-late-utc"],
        "yesterday": ["yesterday"],
        "week": ["monday"],
        "earlier": ["last-sunday"],
    }


async def test_list_pages_fifty_messages_newest_first(server: RunningServer) -> None:
    user = await mail_user(server)
    for n in range(55):
        await deliver(server, user, simple_message(f"m{n:02d}"), when=NOW - dt.timedelta(minutes=60 - n))
    async with await client_for(server, user) as client:
        first = (await client.get("/mail/")).text
        second = (await client.get("/mail/?page=2")).text

    assert rows(first) == [f"m{n:02d}" for n in range(54, 4, -1)]
    assert rows(second) == ["m04", "m03", "m02", "m01", "m00"]
    assert 'data-testid="page-next"' in first and 'data-testid="page-prev"' in second


async def test_attachment_and_flag_marks_show_in_the_list(server: RunningServer) -> None:
    user = await mail_user(server)
    data = (
        b"From: a@partner.test\r\nSubject: with file\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee file\r\n"
        b'--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="a.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERg==\r\n--b--\r\n"
    )
    await deliver(server, user, data, flags=(FLAGGED,))
    async with await client_for(server, user) as client:
        html = (await client.get("/mail/")).text

    assert 'data-testid="attachment-mark"' in html and 'data-testid="flag-mark"' in html


async def test_sent_folder_lists_recipients_instead_of_sender(server: RunningServer) -> None:
    user = await mail_user(server)
    await deliver(
        server,
        user,
        simple_message("报告", sender=user.address, to="王五 <wangwu@partner.test>"),
        folder="Sent",
    )
    async with await client_for(server, user) as client:
        html = (await client.get("/mail/Sent")).text

    assert re.search(r'class="who"[^>]*>王五<', html)


# --- bulk actions ----------------------------------------------------------------------------------------


async def _bulk(
    client: httpx.AsyncClient, folder: str, action: str, uids: list[int], **extra: str
) -> httpx.Response:
    data: dict[str, object] = {"action": action, "uid": [str(u) for u in uids], **extra}
    return await client.post(f"/mail/{folder}/bulk", data=data)


async def test_delete_moves_selected_messages_to_trash(server: RunningServer) -> None:
    user = await mail_user(server)
    keep = await deliver(server, user, simple_message("keep"))
    drop = await deliver(server, user, simple_message("drop"))
    async with await client_for(server, user) as client:
        response = await _bulk(client, "INBOX", "delete", [drop.uid])
        inbox = (await client.get("/mail/")).text
        trash = (await client.get("/mail/Trash")).text

    assert response.status_code == 303 and "done=deleted" in response.headers["location"]
    assert (rows(inbox), rows(trash)) == (["keep"], ["drop"])
    del keep


async def test_delete_in_trash_removes_the_message_for_good(server: RunningServer) -> None:
    user = await mail_user(server)
    gone = await deliver(server, user, simple_message("old"), folder=SpecialUse.TRASH)
    async with await client_for(server, user) as client:
        response = await _bulk(client, "Trash", "delete", [gone.uid])

    status = await server.services.mailstore.status(user.mailbox.id, SpecialUse.TRASH)
    assert "done=expunged" in response.headers["location"]
    assert status.messages == 0


async def test_mark_read_unread_and_flag_change_the_flags(server: RunningServer) -> None:
    user = await mail_user(server)
    one = await deliver(server, user, simple_message("one"))
    two = await deliver(server, user, simple_message("two"), flags=(SEEN,))
    async with await client_for(server, user) as client:
        await _bulk(client, "INBOX", "read", [one.uid])
        await _bulk(client, "INBOX", "unread", [two.uid])
        await _bulk(client, "INBOX", "flag", [one.uid, two.uid])

    listed = {m.uid: m.flags for m in await server.services.mailstore.list_messages(user.mailbox.id, "INBOX")}
    assert listed[one.uid] == {SEEN, FLAGGED}
    assert listed[two.uid] == {FLAGGED}


async def test_move_to_another_folder(server: RunningServer) -> None:
    user = await mail_user(server)
    item = await deliver(server, user, simple_message("file me"))
    async with await client_for(server, user) as client:
        await _bulk(client, "INBOX", "move", [item.uid], target="Sent")
        sent = (await client.get("/mail/Sent")).text

    assert rows(sent) == ["file me"]


async def test_not_spam_moves_a_junk_message_to_the_inbox(server: RunningServer) -> None:
    user = await mail_user(server)
    item = await deliver(server, user, simple_message("real mail"), folder=SpecialUse.JUNK)
    async with await client_for(server, user) as client:
        junk_page = (await client.get("/mail/Junk")).text
        response = await _bulk(client, "Junk", "not_spam", [item.uid])
        inbox = (await client.get("/mail/")).text

    assert 'data-testid="bulk-not-spam"' in junk_page
    assert "done=not_spam" in response.headers["location"]
    assert rows(inbox) == ["real mail"]


async def test_bulk_action_without_a_selection_says_so(server: RunningServer) -> None:
    user = await mail_user(server)
    async with await client_for(server, user) as client:
        response = await _bulk(client, "INBOX", "delete", [])
        page = (await client.get(response.headers["location"])).text

    assert "请先选择邮件" in page


async def test_bulk_action_without_csrf_token_is_refused(server: RunningServer) -> None:
    user = await mail_user(server)
    item = await deliver(server, user, simple_message("stay"))
    async with httpx.AsyncClient(
        base_url=base_url(server), timeout=30, cookies={"ym_mail": user.token}
    ) as client:
        response = await client.post("/mail/INBOX/bulk", data={"action": "delete", "uid": str(item.uid)})

    assert response.status_code == 403
    assert len(await server.services.mailstore.list_messages(user.mailbox.id, "INBOX")) == 1


async def test_bulk_action_cannot_touch_another_members_mailbox(server: RunningServer) -> None:
    owner = await mail_user(server)
    intruder = await mail_user(server, owner.tenant, "王五")
    item = await deliver(server, owner, simple_message("private"))
    async with await client_for(server, intruder) as client:
        await _bulk(client, "INBOX", "delete", [item.uid])

    assert [m.uid for m in await server.services.mailstore.list_messages(owner.mailbox.id, "INBOX")] == [
        item.uid
    ]


# --- search ------------------------------------------------------------------------------------------------


async def _search(server: RunningServer, user: MailUser, **params: str) -> list[str]:
    async with await client_for(server, user) as client:
        response = await client.get("/search", params=params)
    assert response.status_code == 200
    return rows(response.text)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_search_finds_a_chinese_word_in_the_body(server: RunningServer) -> None:
    user = await mail_user(server)
    await deliver(server, user, simple_message("通知", "下周三举行消防演练，请准时参加。"))
    await deliver(server, user, simple_message("其他", "午餐菜单已更新。"))

    assert await _search(server, user, body="消防演练") == ["通知"]


async def test_search_by_subject_from_and_to(server: RunningServer) -> None:
    user = await mail_user(server)
    await deliver(
        server, user, simple_message("预算审批", sender="财务部 <finance@corp.test>", to="boss@corp.test")
    )
    await deliver(server, user, simple_message("团建", sender="hr@corp.test", to="all@corp.test"))

    assert await _search(server, user, subject="预算") == ["预算审批"]
    assert await _search(server, user, **{"from": "hr@corp"}) == ["团建"]
    assert await _search(server, user, to="boss") == ["预算审批"]


async def test_search_words_match_any_field(server: RunningServer) -> None:
    user = await mail_user(server)
    await deliver(server, user, simple_message("合同", "附上采购合同草稿"))

    assert await _search(server, user, q="采购") == ["合同"]


async def test_search_by_date_range_uses_whole_days(server: RunningServer) -> None:
    user = await mail_user(server)
    await deliver(server, user, simple_message("before"), when=dt.datetime(2025, 12, 9, 15, 0, tzinfo=dt.UTC))
    await deliver(server, user, simple_message("inside"), when=dt.datetime(2025, 12, 10, 2, 0, tzinfo=dt.UTC))
    await deliver(
        server, user, simple_message("last day"), when=dt.datetime(2025, 12, 11, 15, 0, tzinfo=dt.UTC)
    )
    await deliver(
        server, user, simple_message("after"), when=dt.datetime(2025, 12, 11, 16, 30, tzinfo=dt.UTC)
    )

    # 15:00 UTC on 9 Dec is 23:00 in Shanghai (outside); 16:30 UTC on 11 Dec is 00:30 on 12 Dec.
    assert await _search(server, user, since="2025-12-10", until="2025-12-11") == ["last day", "inside"]


async def test_search_can_keep_only_messages_with_attachments(server: RunningServer) -> None:
    user = await mail_user(server)
    with_file = (
        b"From: a@partner.test\r\nSubject: report file\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nreport\r\n"
        b'--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="r.pdf"\r\n\r\n'
        b"x\r\n--b--\r\n"
    )
    await deliver(server, user, with_file)
    await deliver(server, user, simple_message("report text", "report"))

    assert await _search(server, user, q="report", attachment="1") == ["report file"]


async def test_search_with_a_bad_date_is_a_clear_error(server: RunningServer) -> None:
    user = await mail_user(server)
    async with await client_for(server, user) as client:
        response = await client.get("/search", params={"since": "yesterday"})

    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.text


# --- new mail while the page is open ---------------------------------------------------------------


async def test_status_reports_new_messages_after_the_uid_the_page_saw(server: RunningServer) -> None:
    user = await mail_user(server)
    first = await deliver(server, user, simple_message("seen already"))
    await deliver(server, user, simple_message("brand new"))
    async with await client_for(server, user) as client:
        response = await client.get("/mail/status", params={"folder": "INBOX", "after": str(first.uid)})

    body = response.json()
    assert body["new_count"] == 1
    assert [item["subject"] for item in body["new"]] == ["brand new"]
    assert {"slug": "INBOX", "unseen": 2} in body["folders"]


async def test_event_stream_announces_a_change_when_mail_arrives(server: RunningServer) -> None:
    user = await mail_user(server)
    async with await client_for(server, user) as client, client.stream("GET", "/mail/events") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.aiter_lines()
        assert await anext(lines) == "retry: 1000"
        await deliver(server, user, simple_message("live"))
        event = await asyncio.wait_for(_next_event(lines), timeout=10)

    assert event["event"] == "changed"
    assert json.loads(event["data"])["modseq"] > 0


async def _next_event(lines: object) -> dict[str, str]:
    fields: dict[str, str] = {}
    async for line in lines:  # type: ignore[attr-defined]
        if not line:
            if "event" in fields:
                return fields
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(": ")
        fields[name] = value
    raise AssertionError("stream ended")


# --- in the browser ------------------------------------------------------------------------------------


async def test_open_inbox_shows_new_mail_without_reloading(
    server: RunningServer, page: Page, browser: Browser
) -> None:
    bob = await mail_user(server, name="鲍勃")
    alice = await mail_user(server, bob.tenant, "爱丽丝")
    await login_page_as(page, server, "webmail", bob.token)
    await page.goto(f"{base_url(server)}/mail/")
    marker = await page.evaluate("() => (window.__stayed = Math.random())")
    sender = await new_page(browser)
    try:
        await login_page_as(sender, server, "webmail", alice.token)
        await sender.goto(f"{base_url(server)}/compose")
        await sender.get_by_test_id("compose-to").fill(bob.address)
        await sender.get_by_test_id("compose-subject").fill("实时到达")
        await sender.get_by_test_id("compose-body").fill("不用刷新就能看到。")
        await sender.get_by_test_id("compose-send").click()
        await sender.wait_for_url("**/mail/?done=sent")
    finally:
        await sender.context.close()

    banner = page.get_by_test_id("new-mail-banner")
    await expect(banner).to_be_visible(timeout=20_000)
    await expect(banner).to_contain_text("实时到达")
    await expect(page.get_by_test_id("unseen-INBOX")).to_have_text("1")
    assert await page.evaluate("() => window.__stayed") == marker  # the same document: no reload
    await screenshot(page, "webmail-new-mail-banner")


async def test_search_page_finds_a_chinese_word_in_a_body(server: RunningServer, page: Page) -> None:
    user = await mail_user(server)
    await deliver(server, user, simple_message("演练通知", "本周五下午进行消防演练。"))
    await deliver(server, user, simple_message("菜单", "今天的午餐是饺子。"))
    await login_page_as(page, server, "webmail", user.token)

    await page.goto(f"{base_url(server)}/search")
    await page.get_by_test_id("search-body").fill("消防演练")
    await page.get_by_test_id("search-submit").click()

    await expect(page.get_by_test_id("row-subject")).to_have_text(["演练通知"])
    await screenshot(page, "webmail-search")


async def test_inbox_fits_a_phone_screen(server: RunningServer, phone_page: Page) -> None:
    user = await mail_user(server)
    for n in range(3):
        await deliver(
            server,
            user,
            simple_message(
                f"很长的主题{n}" * 8, "预览" * 80, sender=f"{'很长的名字' * 6} <a{n}@partner.test>"
            ),
        )
    await login_page_as(phone_page, server, "webmail", user.token)

    await phone_page.goto(f"{base_url(server)}/mail/")

    await expect(phone_page.get_by_test_id("message-row")).to_have_count(3)
    assert await no_horizontal_scroll(phone_page)
    await screenshot(phone_page, "webmail-inbox-phone")


async def test_search_page_fits_a_phone_screen(server: RunningServer, phone_page: Page) -> None:
    user = await mail_user(server)
    await login_page_as(phone_page, server, "webmail", user.token)

    await phone_page.goto(f"{base_url(server)}/search?q=x")

    assert await no_horizontal_scroll(phone_page)
    await screenshot(phone_page, "webmail-search-phone")


async def test_select_all_then_mark_read_in_the_browser(server: RunningServer, page: Page) -> None:
    user = await mail_user(server)
    for n in range(3):
        await deliver(server, user, simple_message(f"m{n}"))
    await login_page_as(page, server, "webmail", user.token)
    await page.goto(f"{base_url(server)}/mail/")

    await page.get_by_test_id("select-all").check()
    await page.get_by_test_id("bulk-read").click()

    await expect(page.get_by_test_id("unread-mark")).to_have_count(0)
    await expect(page.get_by_test_id("unseen-INBOX")).to_be_hidden()
    await screenshot(page, "webmail-inbox")
