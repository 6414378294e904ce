"""SMTP smuggling (RFC 5321 §2.3.8) and STARTTLS command injection (RFC 3207 §4.2 / CVE-2011-0411 class).

Every end-of-data look-alike is sent inside DATA followed by a complete smuggled transaction; the
server must answer the DATA with one refusal, execute no smuggled command, store nothing, and stay
in step (the next NOOP gets its own reply). Postfix 3.7 as shipped in Debian 12 ends the message at
three of these variants.
"""

from __future__ import annotations

import pytest

from support.smtp import RawSmtp, SmtpEnv, SmtpUser

VARIANTS = [b"\n.\n", b"\r.\r", b"\r\n.\n", b"\n.\r\n", b"\r.\r\n", b"\r\n.\r"]


def smuggling_payload(variant: bytes, recipient: str) -> bytes:
    smuggled = (
        b"MAIL FROM:<admin@bank.example>\r\n"
        + f"RCPT TO:<{recipient}>\r\n".encode()
        + b"DATA\r\nFrom: admin@bank.example\r\nSubject: smuggled\r\n\r\nsend money\r\n"
    )
    return b"From: bob@sender.example\r\nSubject: innocent\r\n\r\nhello" + variant + smuggled + b".\r\n"


async def open_transaction(smtp: SmtpEnv, user: SmtpUser) -> RawSmtp:
    client = await RawSmtp.connect(smtp.mx)
    await client.command("EHLO client.example")
    assert (await client.command("MAIL FROM:<bob@sender.example>"))[0] == 250
    assert (await client.command(f"RCPT TO:<{user.address}>"))[0] == 250
    assert (await client.command("DATA"))[0] == 354
    return client


@pytest.mark.parametrize("variant", VARIANTS, ids=[repr(v) for v in VARIANTS])
async def test_end_of_data_look_alike_neither_ends_the_message_nor_starts_another(
    smtp: SmtpEnv, alice: SmtpUser, variant: bytes
) -> None:
    client = await open_transaction(smtp, alice)
    await client.send(smuggling_payload(variant, alice.address))
    code, lines = await client.reply()
    noop = await client.command("NOOP")
    await client.close()
    assert (code, lines[0].split()[1]) == (554, "5.5.2")
    assert noop == (250, ["250 2.0.0 OK"])
    assert await smtp.messages(alice.mailbox) == []


async def test_dot_stuffed_lines_are_restored_and_stored(smtp: SmtpEnv, alice: SmtpUser) -> None:
    client = await open_transaction(smtp, alice)
    await client.send(b"Message-ID: <d@x>\r\nSubject: dots\r\n\r\n..leading dot\r\n.\r\n")
    code, _ = await client.reply()
    await client.close()
    (stored,) = await smtp.messages(alice.mailbox)
    assert code == 250
    assert stored.endswith(b"\r\n\r\n.leading dot\r\n")


async def test_nul_in_the_message_is_554_5_6_0(smtp: SmtpEnv, alice: SmtpUser) -> None:
    client = await open_transaction(smtp, alice)
    await client.send(b"Subject: nul\r\n\r\nbad\x00byte\r\n.\r\n")
    code, lines = await client.reply()
    await client.close()
    assert (code, lines[0].split()[1]) == (554, "5.6.0")
    assert await smtp.messages(alice.mailbox) == []


@pytest.mark.parametrize(
    "path", [b"<a\x00b@sender.example>", b"<a\rb@sender.example>", b"<a@send\ter.example>"]
)
async def test_control_character_in_an_address_is_553_5_1_3(smtp: SmtpEnv, path: bytes) -> None:
    client = await RawSmtp.connect(smtp.mx)
    await client.command("EHLO client.example")
    code, lines = await client.command(b"MAIL FROM:" + path)
    await client.close()
    assert (code, lines[0].split()[1]) == (553, "5.1.3")


async def test_bare_cr_inside_a_recipient_is_refused(smtp: SmtpEnv, alice: SmtpUser) -> None:
    client = await RawSmtp.connect(smtp.mx)
    await client.command("EHLO client.example")
    await client.command("MAIL FROM:<bob@sender.example>")
    code, lines = await client.command(f"RCPT TO:<{alice.address}\r>".encode())
    await client.close()
    assert (code, lines[0].split()[1]) == (553, "5.1.3")


@pytest.mark.parametrize("listener", ["smtp", "submission"])
async def test_commands_pipelined_behind_starttls_are_discarded(
    smtp: SmtpEnv, alice: SmtpUser, listener: str
) -> None:
    client = await RawSmtp.connect(smtp.listeners.address(listener))
    await client.command("EHLO client.example")
    await client.send(b"STARTTLS\r\nMAIL FROM:<evil@sender.example>\r\n")
    assert await client.reply() == (220, ["220 2.0.0 Ready to start TLS"])
    await client.starttls(smtp.client_tls())
    ehlo = await client.command("EHLO client.example")
    rcpt = await client.command(f"RCPT TO:<{alice.address}>")
    await client.close()
    assert ehlo[1][0] == "250-mx.yunmail.test"
    # No MAIL FROM from before TLS is in effect: RCPT is out of sequence (MX) or needs AUTH (587).
    assert rcpt[0] in (503, 530)


async def test_helo_name_from_before_starttls_is_forgotten(smtp: SmtpEnv) -> None:
    client = await RawSmtp.connect(smtp.mx)
    await client.command("EHLO client.example")
    await client.command("STARTTLS")
    await client.starttls(smtp.client_tls())
    reply = await client.command("MAIL FROM:<bob@sender.example>")
    await client.close()
    assert reply == (503, ["503 5.5.1 Bad sequence of commands: send HELO first"])
