"""The same rules through the standard library's ``smtplib`` (run in a worker thread against our loop)."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from support.factories import ACTOR
from support.smtp import SmtpEnv, SmtpUser, message, start_smtp_env, status, stop_smtp_env
from yunmail.clock import FakeClock
from yunmail.events import InProcessBus
from yunmail.policy import SendingLimits
from yunmail.storage import Database, FileBlobStore

T = TypeVar("T")
SENDER = "bob@sender.example"


async def in_thread(work: Callable[[], T]) -> T:
    return await asyncio.to_thread(work)


def refusal(exc: smtplib.SMTPException) -> tuple[int, str]:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        ((code, text),) = exc.recipients.values()
        return status(code, text)
    if isinstance(exc, smtplib.SMTPResponseException):
        return status(exc.smtp_code, exc.smtp_error)
    raise AssertionError(f"unexpected {exc!r}")


def mx_send(
    smtp: SmtpEnv, recipients: list[str], data: bytes, sender: str = SENDER, **options: list[str]
) -> tuple[int, str]:
    try:
        with smtplib.SMTP(*smtp.mx, local_hostname="client.example") as client:
            client.sendmail(sender, recipients, data, **options)
    except smtplib.SMTPException as exc:
        return refusal(exc)
    return (250, "2.0.0")


def submit(
    smtp: SmtpEnv, user: SmtpUser, recipients: list[str], data: bytes, sender: str | None = None
) -> tuple[int, str]:
    context = smtp.client_tls()
    try:
        with smtplib.SMTP(*smtp.submission, local_hostname="client.example") as client:
            client.starttls(context=context)
            client.login(user.login, user.password)
            client.sendmail(sender or user.address, recipients, data)
    except smtplib.SMTPException as exc:
        return refusal(exc)
    return (250, "2.0.0")


async def test_smtplib_unknown_recipient_is_550_5_1_1(smtp: SmtpEnv, alice: SmtpUser) -> None:
    rcpt = f"nobody@{alice.tenant.domain.name}"
    assert await in_thread(lambda: mx_send(smtp, [rcpt], message(SENDER, rcpt))) == (550, "5.1.1")


async def test_smtplib_relay_is_550_5_7_1(smtp: SmtpEnv, alice: SmtpUser) -> None:
    rcpt = "victim@elsewhere.example"
    assert await in_thread(lambda: mx_send(smtp, [rcpt], message(SENDER, rcpt))) == (550, "5.7.1")


async def test_smtplib_recycled_recipient_is_550_5_2_1(smtp: SmtpEnv, alice: SmtpUser) -> None:
    await smtp.directory.mailboxes.close(alice.tenant.enterprise.id, alice.mailbox.id, ACTOR)
    result = await in_thread(lambda: mx_send(smtp, [alice.address], message(SENDER, alice.address)))
    assert result == (550, "5.2.1")


async def test_smtplib_chinese_sender_with_smtputf8_is_delivered(smtp: SmtpEnv, alice: SmtpUser) -> None:
    sender = "张三@发件人.中国"
    data = message(sender, alice.address, subject="你好")
    assert await in_thread(
        lambda: mx_send(smtp, [alice.address], data, sender, mail_options=["SMTPUTF8"])
    ) == (250, "2.0.0")
    assert len(await smtp.messages(alice.mailbox)) == 1


async def test_smtplib_idn_recipient_is_delivered(smtp: SmtpEnv) -> None:
    user = await smtp.user(await smtp.tenant("例子.中国"), "li")
    rcpt = "li@例子.中国"
    assert await in_thread(
        lambda: mx_send(smtp, [rcpt], message(SENDER, rcpt), mail_options=["SMTPUTF8"])
    ) == (250, "2.0.0")
    assert len(await smtp.messages(user.mailbox)) == 1


async def test_smtplib_wrong_password_is_535_5_7_8(smtp: SmtpEnv, alice: SmtpUser) -> None:
    context = smtp.client_tls()

    def login() -> tuple[int, str]:
        with smtplib.SMTP(*smtp.submission) as client:
            client.starttls(context=context)
            try:
                client.login(alice.login, "Wrong-pass1")
            except smtplib.SMTPAuthenticationError as exc:
                return status(exc.smtp_code, exc.smtp_error)
        return (235, "2.7.0")

    assert await in_thread(login) == (535, "5.7.8")


async def test_smtplib_foreign_mail_from_is_550_5_7_1(smtp: SmtpEnv, alice: SmtpUser) -> None:
    data = message(alice.address, "x@elsewhere.example")
    result = await in_thread(
        lambda: submit(smtp, alice, ["x@elsewhere.example"], data, sender="ceo@elsewhere.example")
    )
    assert result == (550, "5.7.1")


async def test_smtplib_spoofed_from_header_is_550_5_7_1(smtp: SmtpEnv, alice: SmtpUser) -> None:
    data = message("CEO <ceo@elsewhere.example>", "x@elsewhere.example")
    assert await in_thread(lambda: submit(smtp, alice, ["x@elsewhere.example"], data)) == (550, "5.7.1")
    assert await smtp.queued(alice.tenant) == []


@pytest.fixture
async def limited(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> AsyncIterator[SmtpEnv]:
    env = await start_smtp_env(
        tmp_path, db, blobs, bus, clock, limits=SendingLimits(max_recipients=2, burst_limit=3)
    )
    try:
        yield env
    finally:
        await stop_smtp_env(env)


async def test_smtplib_recipient_cap_refuses_the_whole_message(limited: SmtpEnv) -> None:
    user = await limited.user(await limited.tenant(), "amy")
    rcpts = ["a@x.example", "b@x.example", "c@x.example"]
    context = limited.client_tls()

    def send() -> tuple[dict[str, tuple[int, bytes]], tuple[int, str]]:
        with smtplib.SMTP(*limited.submission) as client:
            client.starttls(context=context)
            client.login(user.login, user.password)
            client.mail(user.address)
            replies = {r: client.rcpt(r) for r in rcpts}
            return replies, status(*client.data(message(user.address, "list:;")))

    replies, data = await in_thread(send)
    assert [status(*replies[r]) for r in rcpts] == [(250, "2.1.5"), (250, "2.1.5"), (452, "4.5.3")]
    assert data == (554, "5.5.3")
    assert await limited.queued(user.tenant) == []


async def test_smtplib_burst_limit_is_451_4_7_1(limited: SmtpEnv) -> None:
    user = await limited.user(await limited.tenant(), "amy")
    first = await in_thread(
        lambda: submit(limited, user, ["a@x.example", "b@x.example"], message(user.address, "a@x.example"))
    )
    second = await in_thread(
        lambda: submit(limited, user, ["c@x.example", "d@x.example"], message(user.address, "c@x.example"))
    )
    assert (first, second) == ((250, "2.0.0"), (451, "4.7.1"))
