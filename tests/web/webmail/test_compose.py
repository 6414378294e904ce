"""Composing over HTTP: sending through submission, header injection, limits, replies, forwards, drafts."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect

from support.browser import no_horizontal_scroll, screenshot
from support.server import RunningServer
from support.web import base_url, login_page_as
from yunmail.mailstore import ANSWERED, DRAFT, SpecialUse
from yunmail.mime import parse_message
from yunmail.web.deps import csrf_token_for
from yunmail.web.webmail import compose_pages, sending

from .mail_helpers import MailUser, deliver, mail_user, simple_message


@pytest.fixture
def backend() -> str:
    """SQLite only: these pages call the same services on either backend (the mail store's own tests
    cover PostgreSQL); tests that depend on the database parametrize ``backend`` themselves."""
    return "sqlite"


ACTOR = "test:webmail"


def client(server: RunningServer, user: MailUser) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url(server),
        timeout=30,
        cookies={"ym_mail": user.token},
        headers={"x-csrf-token": csrf_token_for(user.token), "accept-language": "en"},
    )


async def messages_in(server: RunningServer, user: MailUser, folder: str = "INBOX") -> list[bytes]:
    store = server.services.mailstore
    uids = [m.uid for m in await store.list_messages(user.mailbox.id, folder)]
    found = await store.read_messages(user.mailbox.id, folder, uids)
    return [found[uid] for uid in uids]


async def send(http: httpx.AsyncClient, **fields: object) -> httpx.Response:
    data: dict[str, object] = {"action": "send", "subject": "", "body": "", **fields}
    return await http.post("/compose", data=data)


# --- sending ---------------------------------------------------------------------------------------


async def test_message_to_another_member_arrives_and_a_copy_is_in_sent(server: RunningServer) -> None:
    alice = await mail_user(server, name="爱丽丝")
    bob = await mail_user(server, alice.tenant, "鲍勃")
    async with client(server, alice) as http:
        response = await send(http, to=bob.address, subject="你好", body="第一封信")

    assert (response.status_code, response.headers["location"]) == (303, "/mail/?done=sent")
    [received] = await messages_in(server, bob)
    parsed = parse_message(received)
    assert (parsed.subject, parsed.from_[0].addr_spec, parsed.from_[0].name) == (
        "你好",
        alice.address,
        "爱丽丝",
    )
    assert "第一封信" in parsed.search_text
    assert len(await messages_in(server, alice, "Sent")) == 1


async def test_bcc_recipient_gets_the_message_but_no_one_sees_the_bcc(server: RunningServer) -> None:
    alice = await mail_user(server)
    bob = await mail_user(server, alice.tenant, "鲍勃")
    carol = await mail_user(server, alice.tenant, "卡罗尔")
    async with client(server, alice) as http:
        await send(http, to=bob.address, bcc=carol.address, subject="s", body="b")

    [to_bob] = await messages_in(server, bob)
    [to_carol] = await messages_in(server, carol)
    [sent] = await messages_in(server, alice, "Sent")
    assert carol.address.encode() not in to_bob and carol.address.encode() not in to_carol
    assert [a.addr_spec for a in parse_message(sent).bcc] == [carol.address]


@pytest.mark.parametrize("field", ["subject", "to"])
async def test_line_breaks_in_a_header_field_add_no_header_and_no_recipient(
    server: RunningServer, field: str
) -> None:
    alice = await mail_user(server)
    bob = await mail_user(server, alice.tenant, "鲍勃")
    carol = await mail_user(server, alice.tenant, "卡罗尔")
    fields = {"to": bob.address, "subject": "hello", "body": "x"}
    fields[field] = f"{fields[field]}\r\nBcc: {carol.address}"
    async with client(server, alice) as http:
        response = await send(http, **fields)

    assert response.status_code == 400
    assert "Line breaks are not allowed" in response.text
    assert await messages_in(server, bob) == [] and await messages_in(server, carol) == []


async def test_line_break_alone_in_the_to_field_does_not_add_a_recipient(server: RunningServer) -> None:
    alice = await mail_user(server)
    bob = await mail_user(server, alice.tenant, "鲍勃")
    carol = await mail_user(server, alice.tenant, "卡罗尔")
    async with client(server, alice) as http:
        response = await send(http, to=f"{bob.address}\n{carol.address}", subject="s", body="b")

    assert response.status_code == 400
    assert await messages_in(server, carol) == []


async def test_the_form_keeps_what_was_typed_after_an_error(server: RunningServer) -> None:
    alice = await mail_user(server)
    async with client(server, alice) as http:
        response = await send(http, to="not-an-address", subject="保留主题", body="保留正文")

    assert response.status_code == 400
    assert 'value="保留主题"' in response.text and "保留正文</textarea>" in response.text
    assert 'data-testid="compose-error"' in response.text


async def test_unknown_local_recipient_stops_the_whole_message(server: RunningServer) -> None:
    alice = await mail_user(server)
    bob = await mail_user(server, alice.tenant, "鲍勃")
    nobody = f"nobody@{alice.tenant.domain.name}"
    async with client(server, alice) as http:
        response = await send(http, to=f"{bob.address}, {nobody}", subject="s", body="b")

    assert response.status_code == 404
    assert nobody in response.text
    assert await messages_in(server, bob) == []


async def test_message_without_recipients_is_refused(server: RunningServer) -> None:
    alice = await mail_user(server)
    async with client(server, alice) as http:
        response = await send(http, subject="s", body="b")

    assert response.status_code == 400 and "at least one recipient" in response.text


async def test_recipient_cap_counts_to_cc_and_bcc_together(server: RunningServer) -> None:
    alice = await mail_user(server)
    await server.services.directory.enterprises.update_settings(
        alice.tenant.enterprise.id, {"max_recipients": 2}, ACTOR
    )
    async with client(server, alice) as http:
        response = await send(
            http, to="a@partner.test", cc="b@partner.test", bcc="c@partner.test", subject="s"
        )

    assert response.status_code == 429
    assert "RECIPIENT_LIMIT_EXCEEDED" not in response.text and "2" in response.text
    assert await server.services.mailflow.queue.list_queued(alice.tenant.enterprise.id) == []


async def test_sending_rate_limit_applies_to_webmail(server: RunningServer) -> None:
    alice = await mail_user(server)
    bob = await mail_user(server, alice.tenant, "鲍勃")
    await server.services.directory.enterprises.update_settings(
        alice.tenant.enterprise.id, {"burst_send_limit": 1}, ACTOR
    )
    async with client(server, alice) as http:
        first = await send(http, to=bob.address, subject="one")
        second = await send(http, to=bob.address, subject="two")

    assert (first.status_code, second.status_code) == (303, 429)
    assert len(await messages_in(server, bob)) == 1


async def test_from_must_be_one_of_the_members_addresses(server: RunningServer) -> None:
    alice = await mail_user(server)
    bob = await mail_user(server, alice.tenant, "鲍勃")
    async with client(server, alice) as http:
        response = await send(http, to=bob.address, subject="s", **{"from": bob.address})

    assert response.status_code == 403
    assert await messages_in(server, bob) == []


async def test_send_separately_gives_each_recipient_their_own_message(server: RunningServer) -> None:
    alice = await mail_user(server)
    bob = await mail_user(server, alice.tenant, "鲍勃")
    carol = await mail_user(server, alice.tenant, "卡罗尔")
    async with client(server, alice) as http:
        response = await send(http, to=f"{bob.address}, {carol.address}", subject="邀请", separately="1")

    [to_bob] = await messages_in(server, bob)
    [to_carol] = await messages_in(server, carol)
    assert response.headers["location"] == "/mail/?done=sent_separately"
    assert [a.addr_spec for a in parse_message(to_bob).to] == [bob.address]
    assert [a.addr_spec for a in parse_message(to_carol).to] == [carol.address]


async def test_send_separately_checks_the_rate_for_the_whole_list_first(server: RunningServer) -> None:
    alice = await mail_user(server)
    bob = await mail_user(server, alice.tenant, "鲍勃")
    carol = await mail_user(server, alice.tenant, "卡罗尔")
    await server.services.directory.enterprises.update_settings(
        alice.tenant.enterprise.id, {"burst_send_limit": 1}, ACTOR
    )
    async with client(server, alice) as http:
        response = await send(http, to=f"{bob.address}, {carol.address}", subject="s", separately="1")

    assert response.status_code == 429
    assert await messages_in(server, bob) == [] and await messages_in(server, carol) == []


async def test_mail_to_a_group_reaches_its_members(server: RunningServer) -> None:
    alice = await mail_user(server)
    bob = await mail_user(server, alice.tenant, "鲍勃")
    carol = await mail_user(server, alice.tenant, "卡罗尔")
    group = await server.services.directory.groups.create(
        alice.tenant.enterprise.id,
        alice.tenant.domain.id,
        "team",
        "项目组",
        ACTOR,
        member_ids=[bob.member.id, carol.member.id],
    )
    async with client(server, alice) as http:
        await send(http, to=group.address, subject="组邮件")

    assert len(await messages_in(server, bob)) == 1 and len(await messages_in(server, carol)) == 1


async def test_attachments_over_the_limit_are_refused(
    server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await mail_user(server)
    bob = await mail_user(server, alice.tenant, "鲍勃")
    monkeypatch.setattr(sending, "MAX_ATTACHMENT_BYTES", 1024)
    async with client(server, alice) as http:
        response = await http.post(
            "/compose",
            data={"action": "send", "to": bob.address, "subject": "big"},
            files=[("attachments", ("big.bin", b"x" * 2048, "application/octet-stream"))],
        )

    assert response.status_code == 413
    assert await messages_in(server, bob) == []


async def test_compose_post_without_csrf_token_is_refused(server: RunningServer) -> None:
    alice = await mail_user(server)
    bob = await mail_user(server, alice.tenant, "鲍勃")
    async with httpx.AsyncClient(
        base_url=base_url(server), timeout=30, cookies={"ym_mail": alice.token}
    ) as http:
        response = await http.post("/compose", data={"action": "send", "to": bob.address, "subject": "s"})

    assert response.status_code == 403
    assert await messages_in(server, bob) == []


# --- replies and forwards ------------------------------------------------------------------------------


async def test_reply_form_quotes_the_message_and_threads_it(server: RunningServer) -> None:
    alice = await mail_user(server)
    item = await deliver(server, alice, simple_message("周报", "本周完成了三项任务。"))
    async with client(server, alice) as http:
        html = (await http.get(f"/compose?reply={item.uid}&folder=INBOX")).text

    assert 'value="Re: 周报"' in html
    assert 'value="李雷 &lt;lilei@partner.test&gt;"' in html
    assert "&gt; 本周完成了三项任务。" in html
    assert re.search(r'name="in_reply_to" value="&lt;\d+@partner.test&gt;"', html)


async def test_sending_a_reply_marks_the_original_answered_and_threads(server: RunningServer) -> None:
    alice = await mail_user(server)
    bob = await mail_user(server, alice.tenant, "鲍勃")
    original = simple_message("问题", "在吗？", sender=bob.address, to=alice.address)
    item = await deliver(server, alice, original)
    parent_id = parse_message(original).message_id
    async with client(server, alice) as http:
        form = (await http.get(f"/compose?reply={item.uid}&folder=INBOX")).text
        reply_source = re.search(r'name="reply_source" value="([^"]+)"', form)
        assert reply_source is not None
        await send(
            http,
            to=bob.address,
            subject="Re: 问题",
            body="在。",
            in_reply_to=f"<{parent_id}>",
            references=f"<{parent_id}>",
            reply_source=reply_source.group(1),
        )

    [answer] = await messages_in(server, bob)
    assert parse_message(answer).in_reply_to == parent_id
    [summary] = await server.services.mailstore.list_messages(alice.mailbox.id, "INBOX")
    assert ANSWERED in summary.flags


async def test_reply_all_copies_the_other_recipients(server: RunningServer) -> None:
    alice = await mail_user(server)
    mail = simple_message("会议", sender="lilei@partner.test", to=f"{alice.address}, wang@partner.test")
    item = await deliver(server, alice, mail)
    async with client(server, alice) as http:
        html = (await http.get(f"/compose?reply_all={item.uid}&folder=INBOX")).text

    assert 'name="cc" value="wang@partner.test"' in html
    assert alice.address not in re.search(r'name="cc" value="([^"]*)"', html).group(1)  # type: ignore[union-attr]


async def test_forward_carries_the_attachments(server: RunningServer) -> None:
    alice = await mail_user(server)
    bob = await mail_user(server, alice.tenant, "鲍勃")
    data = (
        b"From: a@partner.test\r\nSubject: plan\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee plan\r\n"
        b'--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="plan.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQ=\r\n--b--\r\n"
    )
    item = await deliver(server, alice, data)
    async with client(server, alice) as http:
        form = (await http.get(f"/compose?forward={item.uid}&folder=INBOX")).text
        keep = re.findall(r'name="keep" value="([^"]+)"', form)
        await send(http, to=bob.address, subject="Fwd: plan", body="fyi", keep=keep)

    assert 'value="Fwd: plan"' in form and len(keep) == 1
    [forwarded] = await messages_in(server, bob)
    parsed = parse_message(forwarded)
    assert [a.filename for a in parsed.attachments] == ["plan.pdf"]
    section = parsed.attachments[0].section
    part = parsed.find_part(section)
    assert part is not None and b"JVBERi0xLjQ=" in forwarded[part.header_end : part.body_end]


async def test_attachment_reference_into_another_mailbox_is_refused(server: RunningServer) -> None:
    alice = await mail_user(server)
    bob = await mail_user(server, alice.tenant, "鲍勃")
    data = (
        b"From: a@partner.test\r\nSubject: secret\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n"
        b'--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename="s.txt"\r\n\r\n'
        b"bob's secret\r\n--b--\r\n"
    )
    stored = await deliver(server, bob, data)
    async with client(server, alice) as http:
        response = await send(http, to=alice.address, subject="s", keep=f"{stored.folder_id}:{stored.uid}:2")

    assert response.status_code == 404
    assert await messages_in(server, alice) == []


# --- drafts ---------------------------------------------------------------------------------------------


async def test_saving_a_draft_stores_it_and_reopens_the_form(server: RunningServer) -> None:
    alice = await mail_user(server)
    async with client(server, alice) as http:
        response = await http.post(
            "/compose",
            data={
                "action": "save",
                "to": "li@partner.test, zha",
                "bcc": "boss@partner.test",
                "subject": "草稿",
            },
        )
        reopened = (await http.get(response.headers["location"])).text

    [draft] = await server.services.mailstore.list_messages(alice.mailbox.id, SpecialUse.DRAFTS)
    assert response.headers["location"] == f"/compose?draft={draft.uid}&done=saved"
    assert DRAFT in draft.flags
    assert 'value="li@partner.test, zha"' in reopened  # half-typed text survives
    assert 'value="boss@partner.test"' in reopened and 'value="草稿"' in reopened


async def test_saving_again_replaces_the_previous_draft(server: RunningServer) -> None:
    alice = await mail_user(server)
    async with client(server, alice) as http:
        first = await http.post("/compose/draft", data={"subject": "v1", "body": "one"})
        second = await http.post(
            "/compose/draft", data={"subject": "v2", "body": "two", "draft": str(first.json()["draft"])}
        )

    drafts = await messages_in(server, alice, "Drafts")
    assert second.json()["draft"] != first.json()["draft"]
    assert [parse_message(d).subject for d in drafts] == ["v2"]


async def test_autosave_keeps_uploaded_files_in_the_draft(server: RunningServer) -> None:
    alice = await mail_user(server)
    async with client(server, alice) as http:
        response = await http.post(
            "/compose/draft",
            data={"subject": "with file"},
            files=[("attachments", ("说明.txt", "内容".encode(), "text/plain"))],
        )

    body = response.json()
    assert [a["name"] for a in body["attachments"]] == ["说明.txt"]
    assert body["attachments"][0]["key"].endswith(f":{body['draft']}:2")


async def test_autosave_without_csrf_token_is_refused(server: RunningServer) -> None:
    alice = await mail_user(server)
    async with httpx.AsyncClient(
        base_url=base_url(server), timeout=30, cookies={"ym_mail": alice.token}
    ) as http:
        response = await http.post(
            "/compose/draft", data={"subject": "x"}, headers={"accept": "application/json"}
        )

    assert response.status_code == 403
    assert await messages_in(server, alice, "Drafts") == []


async def test_sending_a_draft_removes_it(server: RunningServer) -> None:
    alice = await mail_user(server)
    bob = await mail_user(server, alice.tenant, "鲍勃")
    async with client(server, alice) as http:
        saved = await http.post("/compose/draft", data={"to": bob.address, "subject": "later"})
        await send(http, to=bob.address, subject="later", draft=str(saved.json()["draft"]))

    assert await messages_in(server, alice, "Drafts") == []
    assert len(await messages_in(server, bob)) == 1


# --- address book -------------------------------------------------------------------------------------


async def test_contacts_suggest_members_and_groups_of_the_enterprise_only(server: RunningServer) -> None:
    alice = await mail_user(server)
    bob = await mail_user(server, alice.tenant, "王小波")
    stranger = await mail_user(server, name="王大锤")  # another enterprise
    await server.services.directory.groups.create(
        alice.tenant.enterprise.id,
        alice.tenant.domain.id,
        "wangteam",
        "王组",
        ACTOR,
        member_ids=[bob.member.id],
    )
    async with client(server, alice) as http:
        found = (await http.get("/compose/contacts", params={"q": "王"})).json()["contacts"]

    addresses = {c["address"] for c in found}
    assert bob.address in addresses and f"wangteam@{alice.tenant.domain.name}" in addresses
    assert stranger.address not in addresses
    assert f"王小波 <{bob.address}>" in {c["label"] for c in found}


# --- in the browser ------------------------------------------------------------------------------------


async def test_reply_with_an_attachment_in_the_browser(
    server: RunningServer, page: Page, tmp_path: Path
) -> None:
    alice = await mail_user(server, name="爱丽丝")
    bob = await mail_user(server, alice.tenant, "鲍勃")
    original = simple_message("需要文件", "请发我报价单。", sender=f"鲍勃 <{bob.address}>", to=alice.address)
    item = await deliver(server, alice, original)
    sheet = tmp_path / "报价单.csv"
    sheet.write_text("item,price\nA,10\n", encoding="utf-8")
    await login_page_as(page, server, "webmail", alice.token)

    await page.goto(f"{base_url(server)}/mail/INBOX/{item.uid}")
    await page.get_by_test_id("reply").click()
    await expect(page.get_by_test_id("compose-subject")).to_have_value("Re: 需要文件")
    await page.get_by_test_id("compose-body").press("Control+Home")
    await page.get_by_test_id("compose-body").type("附件是报价单。")
    await page.get_by_test_id("compose-files").set_input_files(str(sheet))
    await screenshot(page, "webmail-compose-reply")
    await page.get_by_test_id("compose-send").click()
    await page.wait_for_url("**/mail/?done=sent")

    [answer] = await messages_in(server, bob)
    parsed = parse_message(answer)
    assert [a.filename for a in parsed.attachments] == ["报价单.csv"]
    assert parsed.in_reply_to == parse_message(original).message_id
    assert "附件是报价单。" in parsed.search_text and "> 请发我报价单。" in parsed.search_text


async def test_autosaved_draft_survives_a_page_reload(
    server: RunningServer, page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compose_pages, "AUTOSAVE_SECONDS", 1)  # the page's timer (15 s by default)
    alice = await mail_user(server)
    await login_page_as(page, server, "webmail", alice.token)
    await page.goto(f"{base_url(server)}/compose")
    await expect(page.get_by_test_id("compose-form")).to_have_attribute("data-autosave-seconds", "1")

    # A save may start between two fills on a slow machine: wait for the one that carries the body.
    async with page.expect_response(
        lambda response: (
            response.url.endswith("/compose/draft") and "还没写完的内容" in (response.request.post_data or "")
        )
    ):
        await page.get_by_test_id("compose-to").fill("li@partner.test")
        await page.get_by_test_id("compose-subject").fill("写到一半")
        await page.get_by_test_id("compose-body").fill("还没写完的内容")
    await expect(page.get_by_test_id("autosave-status")).not_to_be_empty(timeout=20_000)
    await expect(page).to_have_url(re.compile(r"/compose\?draft=\d+$"))
    await page.reload()

    await expect(page.get_by_test_id("compose-subject")).to_have_value("写到一半")
    await expect(page.get_by_test_id("compose-to")).to_have_value("li@partner.test")
    await expect(page.get_by_test_id("compose-body")).to_have_value("还没写完的内容")
    assert len(await messages_in(server, alice, "Drafts")) == 1


async def test_address_suggestions_fill_in_a_colleague(server: RunningServer, page: Page) -> None:
    alice = await mail_user(server)
    bob = await mail_user(server, alice.tenant, "王小波")
    await login_page_as(page, server, "webmail", alice.token)
    await page.goto(f"{base_url(server)}/compose")

    await page.get_by_test_id("compose-to").type("王小")
    suggestion = page.get_by_test_id("suggestions-to").get_by_role("option").first
    await expect(suggestion).to_contain_text(bob.address)
    await suggestion.click()

    await expect(page.get_by_test_id("compose-to")).to_have_value(f"王小波 <{bob.address}>, ")


async def test_compose_page_fits_a_phone_screen(server: RunningServer, phone_page: Page) -> None:
    alice = await mail_user(server)
    await login_page_as(phone_page, server, "webmail", alice.token)

    await phone_page.goto(f"{base_url(server)}/compose")

    assert await no_horizontal_scroll(phone_page)
    await screenshot(phone_page, "webmail-compose-phone")
