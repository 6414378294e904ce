"""Mailbox automation at delivery: rules, forwarding (with and without a copy), auto-reply once per
sender per day, loop guards. Mail arrives over real SMTP on the MX; results are read from the store."""

from __future__ import annotations

import asyncio
import datetime as dt
import smtplib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from support.smtp import SmtpEnv, SmtpUser, message, start_smtp_env, stop_smtp_env
from yunmail.clock import FakeClock
from yunmail.delivery import AutoReply, Forwarding, MailboxAutomation, MailRule
from yunmail.errors import AutomationInvalid, ForwardAddressInvalid, MailboxNotFound
from yunmail.events import InProcessBus
from yunmail.mailstore import SpecialUse
from yunmail.storage import Database, FileBlobStore

ACTOR = "test:automation"
OUTSIDER = "friend@outside.example"


@pytest.fixture
async def env(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> AsyncIterator[SmtpEnv]:
    environment = await start_smtp_env(tmp_path, db, blobs, bus, clock)
    try:
        yield environment
    finally:
        await stop_smtp_env(environment)


@pytest.fixture
async def amy(env: SmtpEnv) -> SmtpUser:
    return await env.user(await env.tenant(), "amy")


async def _mx_send(env: SmtpEnv, sender: str, to: str, data: bytes) -> None:
    def send() -> None:
        with smtplib.SMTP(*env.mx) as client:
            client.sendmail(sender, [to], data)

    await asyncio.to_thread(send)


async def _configure(env: SmtpEnv, user: SmtpUser, automation: MailboxAutomation) -> MailboxAutomation:
    return await env.flow.automation.update(user.tenant.enterprise.id, user.mailbox.id, automation, ACTOR)


async def test_a_move_rule_files_matching_mail_into_its_folder(env: SmtpEnv, amy: SmtpUser) -> None:
    await env.mailstore.create_folder(amy.mailbox.id, "Invoices")
    await _configure(env, amy, MailboxAutomation(rules=(MailRule("subject", "invoice", "move", "Invoices"),)))

    await _mx_send(env, OUTSIDER, amy.address, message(OUTSIDER, amy.address, subject="Your INVOICE 42"))
    await _mx_send(env, OUTSIDER, amy.address, message(OUTSIDER, amy.address, subject="Lunch?"))

    assert len(await env.messages(amy.mailbox, "Invoices")) == 1
    assert len(await env.messages(amy.mailbox)) == 1


async def test_a_move_rule_to_a_deleted_folder_delivers_to_the_inbox(env: SmtpEnv, amy: SmtpUser) -> None:
    await env.mailstore.create_folder(amy.mailbox.id, "Old")
    await _configure(env, amy, MailboxAutomation(rules=(MailRule("from", "friend", "move", "Old"),)))
    await env.mailstore.delete_folder(amy.mailbox.id, "Old")

    await _mx_send(env, OUTSIDER, amy.address, message(OUTSIDER, amy.address))

    assert len(await env.messages(amy.mailbox)) == 1


async def test_mark_read_rule_stores_the_message_as_seen(env: SmtpEnv, amy: SmtpUser) -> None:
    await _configure(env, amy, MailboxAutomation(rules=(MailRule("from", "outside.example", "mark_read"),)))

    await _mx_send(env, OUTSIDER, amy.address, message(OUTSIDER, amy.address))

    listed = await env.mailstore.list_messages(amy.mailbox.id, SpecialUse.INBOX)
    assert [("\\Seen" in m.flags) for m in listed] == [True]


async def test_reject_rule_drops_the_copy_and_tells_the_sender(env: SmtpEnv, amy: SmtpUser) -> None:
    await _configure(env, amy, MailboxAutomation(rules=(MailRule("subject", "casino", "reject"),)))

    await _mx_send(env, OUTSIDER, amy.address, message(OUTSIDER, amy.address, subject="Casino bonus"))

    queued = await env.queued(amy.tenant)
    assert await env.messages(amy.mailbox) == []
    assert [q.recipient for q in queued] == [OUTSIDER]
    notice = await env.queue.read_message(queued[0])
    assert b"Auto-Submitted: auto-generated" in notice and b"Refused: Casino bonus" in notice


async def test_forwarding_with_a_copy_keeps_one_and_sends_one(env: SmtpEnv, amy: SmtpUser) -> None:
    bob = await env.user(amy.tenant, "bob")
    await _configure(env, amy, MailboxAutomation(forwarding=Forwarding(True, (bob.address,), keep_copy=True)))

    await _mx_send(env, OUTSIDER, amy.address, message(OUTSIDER, amy.address, subject="Hi both"))

    kept, forwarded = await env.messages(amy.mailbox), await env.messages(bob.mailbox)
    assert (len(kept), len(forwarded)) == (1, 1)
    assert f"X-Yunmail-Loop: {amy.address}".encode() in forwarded[0]


async def test_forwarding_without_a_copy_leaves_nothing_behind(env: SmtpEnv, amy: SmtpUser) -> None:
    await _configure(env, amy, MailboxAutomation(forwarding=Forwarding(True, (OUTSIDER,), keep_copy=False)))

    await _mx_send(env, "boss@else.example", amy.address, message("boss@else.example", amy.address))

    queued = await env.queued(amy.tenant)
    assert await env.messages(amy.mailbox) == []
    assert [(q.recipient, q.sender) for q in queued] == [(OUTSIDER, amy.address)]


async def test_two_mailboxes_forwarding_to_each_other_do_not_loop(env: SmtpEnv, amy: SmtpUser) -> None:
    bob = await env.user(amy.tenant, "bob")
    await _configure(env, amy, MailboxAutomation(forwarding=Forwarding(True, (bob.address,), keep_copy=True)))
    await _configure(env, bob, MailboxAutomation(forwarding=Forwarding(True, (amy.address,), keep_copy=True)))

    await _mx_send(env, OUTSIDER, amy.address, message(OUTSIDER, amy.address))

    assert (len(await env.messages(amy.mailbox)), len(await env.messages(bob.mailbox))) == (2, 1)


async def test_auto_reply_answers_once_per_sender_per_day(
    env: SmtpEnv, amy: SmtpUser, clock: FakeClock
) -> None:
    today = clock.now().date()
    reply = AutoReply(True, today, today + dt.timedelta(days=7), "Away", "I am on leave until Monday.")
    await _configure(env, amy, MailboxAutomation(auto_reply=reply))

    for _ in range(3):
        await _mx_send(env, OUTSIDER, amy.address, message(OUTSIDER, amy.address))
    first_day = await env.queued(amy.tenant)
    clock.advance(days=1)
    await _mx_send(env, OUTSIDER, amy.address, message(OUTSIDER, amy.address))
    second_day = await env.queued(amy.tenant)

    assert [q.recipient for q in first_day] == [OUTSIDER]
    assert len(second_day) == 2
    answer = await env.queue.read_message(first_day[0])
    assert b"Auto-Submitted: auto-replied" in answer and b"I am on leave until Monday." in answer


async def test_auto_reply_stays_quiet_outside_its_dates(
    env: SmtpEnv, amy: SmtpUser, clock: FakeClock
) -> None:
    tomorrow = clock.now().date() + dt.timedelta(days=1)
    await _configure(env, amy, MailboxAutomation(auto_reply=AutoReply(True, tomorrow, None, "", "Away")))

    await _mx_send(env, OUTSIDER, amy.address, message(OUTSIDER, amy.address))

    assert await env.queued(amy.tenant) == []


async def test_auto_reply_never_answers_list_or_automatic_mail(env: SmtpEnv, amy: SmtpUser) -> None:
    await _configure(env, amy, MailboxAutomation(auto_reply=AutoReply(True, None, None, "", "Away")))
    listed = b"List-Id: <news.outside.example>\r\n" + message(OUTSIDER, amy.address)
    automatic = b"Auto-Submitted: auto-replied\r\n" + message("bot@outside.example", amy.address)

    await _mx_send(env, OUTSIDER, amy.address, listed)
    await _mx_send(env, "bot@outside.example", amy.address, automatic)
    await _mx_send(env, "mailer-daemon@outside.example", amy.address, message(OUTSIDER, amy.address))

    assert await env.queued(amy.tenant) == []
    assert len(await env.messages(amy.mailbox)) == 3


async def test_settings_are_validated_before_they_are_stored(env: SmtpEnv, amy: SmtpUser) -> None:
    with pytest.raises(ForwardAddressInvalid):
        await _configure(env, amy, MailboxAutomation(forwarding=Forwarding(True, ("not an address",))))
    with pytest.raises(ForwardAddressInvalid):
        await _configure(env, amy, MailboxAutomation(forwarding=Forwarding(True, (amy.address.upper(),))))
    with pytest.raises(AutomationInvalid):
        await _configure(env, amy, MailboxAutomation(auto_reply=AutoReply(True, None, None, "", "  ")))
    with pytest.raises(AutomationInvalid):
        await _configure(env, amy, MailboxAutomation(rules=(MailRule("subject", "x", "move", ""),)))

    assert await env.flow.automation.get(amy.tenant.enterprise.id, amy.mailbox.id) == MailboxAutomation()


async def test_another_enterprises_mailbox_is_not_found(env: SmtpEnv, amy: SmtpUser) -> None:
    other = await env.user(await env.tenant(), "zed")

    with pytest.raises(MailboxNotFound):
        await env.flow.automation.get(amy.tenant.enterprise.id, other.mailbox.id)
    with pytest.raises(MailboxNotFound):
        await env.flow.automation.update(
            amy.tenant.enterprise.id, other.mailbox.id, MailboxAutomation(signature="x"), ACTOR
        )


async def test_saved_settings_read_back_the_same(env: SmtpEnv, amy: SmtpUser) -> None:
    settings = MailboxAutomation(
        signature="Amy\nSales",
        auto_reply=AutoReply(True, dt.date(2026, 12, 1), dt.date(2026, 12, 9), "Away", "Back soon"),
        forwarding=Forwarding(True, ("Friend@Outside.example",), keep_copy=False),
        rules=(MailRule("to", "sales@", "mark_read"), MailRule("from", "x", "forward", OUTSIDER)),
    )

    saved = await _configure(env, amy, settings)

    assert await env.flow.automation.get(amy.tenant.enterprise.id, amy.mailbox.id) == saved
    assert saved.forwarding.addresses == ("friend@outside.example",)
