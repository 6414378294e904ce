"""Journey: a member created through the services reads mail over IMAP and POP3 of the real runtime."""

from __future__ import annotations

import asyncio
import imaplib
import poplib
import smtplib

from support.server import RunningServer
from yunmail.directory import NewMember

ACTOR = "test:e2e"
PASSWORD = "Secret-pass-1"
MESSAGE = (
    b"From: Ann <ann@corp.test>\r\nTo: bob@corp.test\r\nSubject: =?UTF-8?B?5L2g5aW9?=\r\n"
    b"Message-ID: <e2e-1@corp.test>\r\n\r\nHello Bob\r\n"
)


async def _member_with_mail(server: RunningServer) -> str:
    services = server.services
    enterprise = await services.directory.enterprises.create("Corp", "corp", ACTOR)
    domain = await services.domains.add(enterprise.id, "corp.test", ACTOR, trust=True)
    member = await services.directory.members.add(
        enterprise.id, NewMember(name="Bob", account="bob", phone="13900000001", password=PASSWORD), ACTOR
    )
    mailbox = await services.directory.mailboxes.open(enterprise.id, member.id, domain.id, ACTOR)
    await services.mailstore.ingest(mailbox.id, MESSAGE)
    return mailbox.address


def _imap_fetch_subject(server: RunningServer, login: str) -> list[bytes]:
    host, port = server.address("imaps")
    with imaplib.IMAP4_SSL(host, port, ssl_context=server.client_tls()) as client:
        client.login(login, PASSWORD)
        client.select("INBOX")
        _, data = client.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        first = data[0]
        assert isinstance(first, tuple)
        return [first[1].strip()]


def _pop3_messages(server: RunningServer, login: str) -> list[bytes]:
    host, port = server.address("pop3s")
    client = poplib.POP3_SSL(host, port, context=server.client_tls())
    try:
        client.user(login)
        client.pass_(PASSWORD)
        _, lines, _ = client.retr(1)
        return lines
    finally:
        client.quit()


async def test_member_reads_delivered_mail_over_imaps_with_account_login(server: RunningServer) -> None:
    await _member_with_mail(server)

    subject = await asyncio.to_thread(_imap_fetch_subject, server, "bob@corp")

    assert subject == [b"Subject: =?UTF-8?B?5L2g5aW9?="]


async def test_member_downloads_mail_over_pop3s_with_mailbox_address(server: RunningServer) -> None:
    address = await _member_with_mail(server)

    lines = await asyncio.to_thread(_pop3_messages, server, address)

    assert b"Hello Bob" in lines


def _send_over_mx(server: RunningServer, recipient: str) -> None:
    host, port = server.address("smtp")
    with smtplib.SMTP(host, port) as client:
        client.sendmail("carol@outside.test", [recipient], MESSAGE.replace(b"e2e-1", b"e2e-mx"))


def _imap_message_ids(server: RunningServer, login: str) -> list[bytes]:
    host, port = server.address("imaps")
    with imaplib.IMAP4_SSL(host, port, ssl_context=server.client_tls()) as client:
        client.login(login, PASSWORD)
        client.select("INBOX", readonly=True)
        _, data = client.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        return [item[1].strip() for item in data if isinstance(item, tuple)]


async def test_mail_accepted_on_port_25_is_readable_over_imap(server: RunningServer) -> None:
    address = await _member_with_mail(server)

    await asyncio.to_thread(_send_over_mx, server, address)
    message_ids = await asyncio.to_thread(_imap_message_ids, server, "bob@corp")

    assert message_ids == [b"Message-ID: <e2e-1@corp.test>", b"Message-ID: <e2e-mx@corp.test>"]
