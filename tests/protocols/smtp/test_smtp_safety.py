"""Hostile input: long lines, 8-bit and non-UTF-8 bytes, bogus commands, connection caps, timeouts, errors."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from support.smtp import RawSmtp, SmtpEnv, SmtpUser, command, connect, start_smtp_env, stop_smtp_env
from yunmail.clock import FakeClock
from yunmail.delivery import FilterVerdict, LocalMessage
from yunmail.events import InProcessBus
from yunmail.net import NetLimits
from yunmail.storage import Database, FileBlobStore


def first(reply: tuple[int, list[str]]) -> tuple[int, str]:
    code, lines = reply
    words = lines[0].split()
    return code, words[1] if len(words) > 1 else ""


async def ehlo(smtp: SmtpEnv) -> RawSmtp:
    client = await RawSmtp.connect(smtp.mx)
    await client.command("EHLO client.example")
    return client


async def test_command_line_longer_than_512_is_500_5_5_2(smtp: SmtpEnv) -> None:
    client = await ehlo(smtp)
    reply = await client.command("NOOP " + "x" * 600)
    await client.close()
    assert first(reply) == (500, "5.5.2")


async def test_line_longer_than_the_reader_limit_is_500_5_5_2(smtp: SmtpEnv) -> None:
    client = await ehlo(smtp)
    reply = await client.command("MAIL FROM:<" + "a" * 3000 + "@sender.example>")
    after = await client.command("NOOP")
    await client.close()
    assert (first(reply), first(after)) == ((500, "5.5.2"), (250, "2.0.0"))


async def test_message_line_longer_than_1000_octets_is_554_5_6_0(smtp: SmtpEnv, alice: SmtpUser) -> None:
    client = await ehlo(smtp)
    await client.command("MAIL FROM:<bob@sender.example>")
    await client.command(f"RCPT TO:<{alice.address}>")
    await client.command("DATA")
    await client.send(b"Subject: long\r\n\r\n" + b"y" * 1500 + b"\r\n.\r\n")
    reply = await client.reply()
    await client.close()
    assert first(reply) == (554, "5.6.0")
    assert await smtp.messages(alice.mailbox) == []


async def test_non_ascii_command_verb_is_500_5_5_2(smtp: SmtpEnv) -> None:
    client = await ehlo(smtp)
    reply = await client.command("NÖOP".encode())
    await client.close()
    assert first(reply) == (500, "5.5.2")


async def test_unknown_command_is_refused_without_echoing_it(smtp: SmtpEnv) -> None:
    client = await ehlo(smtp)
    code, lines = await client.command(b"X\x01<script>")
    await client.close()
    assert (code, lines) == (500, ["500 5.5.1 Command not recognised"])


async def test_bdat_is_not_offered_and_refused(smtp: SmtpEnv) -> None:
    client = await ehlo(smtp)
    reply = await client.command("BDAT 10 LAST")
    await client.close()
    assert first(reply) == (500, "5.5.1")


async def test_too_many_unknown_commands_end_the_connection(smtp: SmtpEnv) -> None:
    client = await ehlo(smtp)
    replies = [first(await client.command(f"JUNK{i}")) for i in range(5)]
    closed = await asyncio.wait_for(client.reader.read(), 5)
    await client.close()
    assert replies == [(500, "5.5.1")] * 4 + [(502, "5.5.1")]
    assert closed == b""


async def test_non_ascii_address_without_smtputf8_is_553_5_6_7(smtp: SmtpEnv) -> None:
    client = await ehlo(smtp)
    reply = await client.command("MAIL FROM:<张三@sender.example>".encode())
    await client.close()
    assert first(reply) == (553, "5.6.7")


async def test_address_that_is_not_utf8_is_553_5_6_7(smtp: SmtpEnv) -> None:
    client = await ehlo(smtp)
    reply = await client.command(b"MAIL FROM:<\xff\xfe@sender.example> SMTPUTF8")
    await client.close()
    assert first(reply) == (553, "5.6.7")


async def test_ehlo_with_a_control_character_is_501_5_5_4(smtp: SmtpEnv) -> None:
    client = await RawSmtp.connect(smtp.mx)
    reply = await client.command(b"EHLO bad\x01name")
    await client.close()
    assert first(reply) == (501, "5.5.4")


async def test_malformed_address_is_553_5_1_3(smtp: SmtpEnv) -> None:
    client = await ehlo(smtp)
    reply = await client.command("MAIL FROM:<not an address>")
    await client.close()
    assert first(reply) == (553, "5.1.3")


async def test_pipelined_commands_are_answered_in_order(smtp: SmtpEnv, alice: SmtpUser) -> None:
    client = await ehlo(smtp)
    await client.send(
        f"MAIL FROM:<bob@sender.example>\r\nRCPT TO:<nobody@{alice.tenant.domain.name}>\r\n"
        f"RCPT TO:<{alice.address}>\r\nDATA\r\n".encode()
    )
    replies = [first(await client.reply()) for _ in range(4)]
    await client.send(b"Message-ID: <p@x>\r\nSubject: pipelined\r\n\r\nhi\r\n.\r\n")
    data = first(await client.reply())
    await client.close()
    assert replies == [(250, "2.1.0"), (550, "5.1.1"), (250, "2.1.5"), (354, "End")]
    assert data == (250, "2.0.0")


async def test_sixth_auth_on_one_connection_closes_it(smtp: SmtpEnv) -> None:
    client = await connect(smtp.submission, tls=smtp.client_tls())
    replies = [await command(client, "AUTH", "PLAIN", "AGEAYg==") for _ in range(6)]
    assert replies[:5] == [(535, "5.7.8")] * 5
    assert replies[5] == (421, "4.7.0")
    client.close()


async def test_connections_past_the_per_ip_cap_get_421(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> None:
    env = await start_smtp_env(tmp_path, db, blobs, bus, clock, net_limits=NetLimits(connections_per_ip=2))
    try:
        held = [await RawSmtp.connect(env.mx) for _ in range(2)]
        reader, writer = await asyncio.open_connection(*env.mx)
        refusal = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        for client in held:
            await client.close()
        assert refusal == b"421 4.7.0 Too many connections from your address; try again later\r\n"
    finally:
        await stop_smtp_env(env)


async def test_idle_connection_is_closed_after_the_timeout(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> None:
    env = await start_smtp_env(tmp_path, db, blobs, bus, clock, idle_seconds=0.2)
    try:
        client = await RawSmtp.connect(env.mx)
        closed = await asyncio.wait_for(client.reader.read(), 10)
        await client.close()
        assert closed == b""
    finally:
        await stop_smtp_env(env)


class ExplodingFilter:
    name = "exploding"

    async def check(self, message: LocalMessage) -> FilterVerdict:
        raise RuntimeError("secret internal detail")


async def test_unexpected_error_is_451_4_3_0_without_internals(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> None:
    env = await start_smtp_env(tmp_path, db, blobs, bus, clock, filters=[ExplodingFilter()])
    try:
        user = await env.user(await env.tenant(), "ann")
        client = await RawSmtp.connect(env.mx)
        await client.command("EHLO client.example")
        await client.command("MAIL FROM:<bob@sender.example>")
        await client.command(f"RCPT TO:<{user.address}>")
        await client.command("DATA")
        code, lines = await client.command(b"Subject: x\r\n\r\nx\r\n.")
        await client.close()
        assert (code, lines[0].split()[1]) == (451, "4.3.0")
        assert "secret" not in lines[0] and "RuntimeError" not in lines[0]
        assert "(trace " in lines[0]
        assert env.ctx.stats.unhandled == 1
    finally:
        env.ctx.stats.unhandled = 0  # counted on purpose above
        await stop_smtp_env(env)


@pytest.mark.parametrize("verb", ["HELO", "EHLO"])
async def test_helo_without_a_name_is_501_5_5_4(smtp: SmtpEnv, verb: str) -> None:
    client = await RawSmtp.connect(smtp.mx)
    reply = await client.command(verb)
    await client.close()
    assert first(reply) == (501, "5.5.4")
