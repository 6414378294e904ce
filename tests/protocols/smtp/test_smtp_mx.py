"""Port 25: hosted recipients only, each refusal with its own code, durable before 250."""

from __future__ import annotations

import asyncio
import smtplib
from pathlib import Path

import aiosmtplib
from sqlalchemy import func, select

from support.factories import ACTOR
from support.smtp import (
    SmtpEnv,
    SmtpUser,
    command,
    connect,
    message,
    start_smtp_env,
    status,
    stop_smtp_env,
)
from yunmail.clock import FakeClock
from yunmail.events import InProcessBus
from yunmail.protocols.smtp import SmtpSettings
from yunmail.storage import Database, FileBlobStore
from yunmail.storage.sql.schema import blobs as blob_rows

SENDER = "bob@sender.example"


async def mx_transaction(
    smtp: SmtpEnv, recipients: list[str], data: bytes, sender: str = SENDER
) -> tuple[int, str]:
    """MAIL, every RCPT (each must pass), DATA over aiosmtplib; the DATA reply."""
    client = await connect(smtp.mx)
    try:
        assert await command(client, "MAIL", f"FROM:<{sender}>") == (250, "2.1.0")
        for rcpt in recipients:
            assert await command(client, "RCPT", f"TO:<{rcpt}>") == (250, "2.1.5")
        response = await client.data(data)
        return status(response.code, response.message)
    finally:
        await client.quit()


async def rcpt_reply(smtp: SmtpEnv, recipient: str) -> tuple[int, str]:
    client = await connect(smtp.mx)
    try:
        await command(client, "MAIL", f"FROM:<{SENDER}>")
        return await command(client, "RCPT", f"TO:<{recipient}>")
    finally:
        await client.quit()


async def test_mx_message_is_in_the_mailbox_when_smtplib_gets_250(smtp: SmtpEnv, alice: SmtpUser) -> None:
    data = message(SENDER, alice.address)

    def send() -> dict[str, tuple[int, bytes]]:
        with smtplib.SMTP(*smtp.mx, local_hostname="client.example") as client:
            return client.sendmail(SENDER, [alice.address], data)

    assert await asyncio.to_thread(send) == {}
    stored = await smtp.messages(alice.mailbox)
    assert [m.endswith(data) for m in stored] == [True]


async def test_received_field_names_client_trace_id_and_single_recipient(
    smtp: SmtpEnv, alice: SmtpUser
) -> None:
    code, _ = await mx_transaction(smtp, [alice.address], message(SENDER, alice.address))
    (stored,) = await smtp.messages(alice.mailbox)
    received = stored.split(b"\r\n")[:3]
    assert code == 250
    assert received[0] == b"Received: from client.example ([127.0.0.1])"
    assert received[1].startswith(b"\tby mx.yunmail.test (Yunmail) with ESMTP id ")
    assert received[2].startswith(f"\tfor <{alice.address}>; ".encode())


async def test_one_blob_serves_every_recipient_of_a_message(smtp: SmtpEnv, alice: SmtpUser) -> None:
    carol = await smtp.user(alice.tenant, "carol")
    data = message(SENDER, f"{alice.address}, {carol.address}")
    assert await mx_transaction(smtp, [alice.address, carol.address], data) == (250, "2.0.0")
    async with smtp.db.read() as conn:
        blob_count = (await conn.execute(select(func.count()).select_from(blob_rows))).scalar_one()
    copies = [*await smtp.messages(alice.mailbox), *await smtp.messages(carol.mailbox)]
    assert blob_count == 1
    assert [c.endswith(data) and b"\tfor <" not in c for c in copies] == [True, True]


async def test_mail_to_an_alias_lands_in_its_mailbox(smtp: SmtpEnv, alice: SmtpUser) -> None:
    tenant = alice.tenant
    alias = await smtp.directory.aliases.add(
        tenant.enterprise.id, alice.mailbox.id, tenant.domain.id, "sales", ACTOR
    )
    assert (await mx_transaction(smtp, [alias.address], message(SENDER, alias.address)))[0] == 250
    assert len(await smtp.messages(alice.mailbox)) == 1


async def test_mail_to_a_group_reaches_every_member_once(smtp: SmtpEnv, alice: SmtpUser) -> None:
    tenant = alice.tenant
    carol = await smtp.user(tenant, "carol")
    group = await smtp.directory.groups.create(
        tenant.enterprise.id,
        tenant.domain.id,
        "team",
        "Team",
        ACTOR,
        member_ids=[alice.member.id, carol.member.id],
    )
    # Alice is also addressed directly: she still gets one copy.
    code, _ = await mx_transaction(smtp, [group.address, alice.address], message(SENDER, group.address))
    assert code == 250
    assert [len(await smtp.messages(u.mailbox)) for u in (alice, carol)] == [1, 1]


async def test_group_outside_addresses_are_queued_with_the_original_sender(
    smtp: SmtpEnv, alice: SmtpUser
) -> None:
    tenant = alice.tenant
    group = await smtp.directory.groups.create(
        tenant.enterprise.id,
        tenant.domain.id,
        "partners",
        "Partners",
        ACTOR,
        member_ids=[alice.member.id],
        addresses=["partner@elsewhere.example"],
    )
    assert (await mx_transaction(smtp, [group.address], message(SENDER, group.address)))[0] == 250
    queued = await smtp.queued(tenant)
    assert [(q.sender, q.recipient, q.status) for q in queued] == [
        (SENDER, "partner@elsewhere.example", "queued")
    ]


async def test_mail_to_a_shared_mailbox_is_stored_there(smtp: SmtpEnv, alice: SmtpUser) -> None:
    tenant = alice.tenant
    shared = await smtp.directory.shared_mailboxes.create(
        tenant.enterprise.id, tenant.domain.id, "hr", "HR", ACTOR, member_ids=[alice.member.id]
    )
    address = shared.mailbox.address
    assert (await mx_transaction(smtp, [address], message(SENDER, address)))[0] == 250
    assert len(await smtp.messages(shared.mailbox.id)) == 1


async def test_unknown_recipient_on_a_hosted_domain_is_550_5_1_1(smtp: SmtpEnv, alice: SmtpUser) -> None:
    assert await rcpt_reply(smtp, f"nobody@{alice.tenant.domain.name}") == (550, "5.1.1")


async def test_recipient_in_the_recycle_bin_is_550_5_2_1(smtp: SmtpEnv, alice: SmtpUser) -> None:
    await smtp.directory.mailboxes.close(alice.tenant.enterprise.id, alice.mailbox.id, ACTOR)
    assert await rcpt_reply(smtp, alice.address) == (550, "5.2.1")


async def test_recipient_on_a_foreign_domain_is_relay_denied(smtp: SmtpEnv, alice: SmtpUser) -> None:
    assert await rcpt_reply(smtp, "victim@elsewhere.example") == (550, "5.7.1")


async def test_source_route_through_a_hosted_domain_does_not_relay(smtp: SmtpEnv, alice: SmtpUser) -> None:
    route = f"@{alice.tenant.domain.name}:victim@elsewhere.example"
    assert await rcpt_reply(smtp, route) == (550, "5.7.1")


async def test_percent_hack_address_is_unknown_not_relayed(smtp: SmtpEnv, alice: SmtpUser) -> None:
    assert await rcpt_reply(smtp, f"victim%elsewhere.example@{alice.tenant.domain.name}") == (550, "5.1.1")


async def test_ownership_only_domain_refuses_internet_mail(smtp: SmtpEnv) -> None:
    tenant = await smtp.tenant(mode="ownership")
    user = await smtp.user(tenant, "dora")
    client = await connect(smtp.mx)
    await command(client, "MAIL", f"FROM:<{SENDER}>")
    response = await client.execute_command(f"RCPT TO:<{user.address}>".encode())
    await client.quit()
    assert status(response.code, response.message) == (550, "5.7.1")
    assert "not verified for receiving" in response.message


async def test_unverified_domain_refuses_internet_mail(smtp: SmtpEnv) -> None:
    tenant = await smtp.tenant(trust=False)
    user = await smtp.user(tenant, "erin")
    assert await rcpt_reply(smtp, user.address) == (550, "5.7.1")


async def test_null_reverse_path_is_accepted_for_bounces(smtp: SmtpEnv, alice: SmtpUser) -> None:
    code, _ = await mx_transaction(
        smtp, [alice.address], message("mailer-daemon@sender.example", alice.address), sender=""
    )
    assert code == 250
    assert len(await smtp.messages(alice.mailbox)) == 1


async def test_retry_of_the_same_message_is_stored_once(smtp: SmtpEnv, alice: SmtpUser) -> None:
    data = message(SENDER, alice.address)
    first = await mx_transaction(smtp, [alice.address], data)
    second = await mx_transaction(smtp, [alice.address], data)
    assert (first, second) == ((250, "2.0.0"), (250, "2.0.0"))
    assert len(await smtp.messages(alice.mailbox)) == 1


async def test_message_without_message_id_is_never_deduplicated(smtp: SmtpEnv, alice: SmtpUser) -> None:
    data = b"From: bob@sender.example\r\nSubject: ping\r\n\r\nping\r\n"
    await mx_transaction(smtp, [alice.address], data)
    await mx_transaction(smtp, [alice.address], data)
    assert len(await smtp.messages(alice.mailbox)) == 2


async def test_ehlo_on_port_25_lists_the_extensions_without_auth(smtp: SmtpEnv) -> None:
    client = aiosmtplib.SMTP(
        hostname=smtp.mx[0], port=smtp.mx[1], start_tls=False, local_hostname="c.example"
    )
    await client.connect()
    response = await client.ehlo()
    await client.quit()
    assert response.message.splitlines() == [
        "mx.yunmail.test",
        "PIPELINING",
        "SIZE 104857600",
        "8BITMIME",
        "SMTPUTF8",
        "ENHANCEDSTATUSCODES",
        "DSN",
        "STARTTLS",
        "HELP",
    ]


async def test_auth_on_port_25_is_not_offered_even_under_tls(smtp: SmtpEnv) -> None:
    client = await connect(smtp.mx, tls=smtp.client_tls())
    offered = "auth" in client.esmtp_extensions
    reply = await command(client, "AUTH", "PLAIN", "AGFsaWNlAHNlY3JldA==")
    await client.quit()
    assert (offered, reply) == (False, (503, "5.5.1"))


async def test_dsn_parameters_are_accepted_on_mail_and_rcpt(smtp: SmtpEnv, alice: SmtpUser) -> None:
    client = await connect(smtp.mx)
    mail = await command(client, "MAIL", f"FROM:<{SENDER}>", "RET=HDRS", "ENVID=QQ314159")
    rcpt = await command(
        client, "RCPT", f"TO:<{alice.address}>", "NOTIFY=SUCCESS,FAILURE", f"ORCPT=rfc822;{alice.address}"
    )
    await client.quit()
    assert (mail, rcpt) == ((250, "2.1.0"), (250, "2.1.5"))


async def test_unknown_mail_parameter_is_555_5_5_4(smtp: SmtpEnv) -> None:
    client = await connect(smtp.mx)
    reply = await command(client, "MAIL", f"FROM:<{SENDER}>", "XFORWARD=1")
    await client.quit()
    assert reply == (555, "5.5.4")


async def test_malformed_notify_is_501_5_5_4(smtp: SmtpEnv, alice: SmtpUser) -> None:
    client = await connect(smtp.mx)
    await command(client, "MAIL", f"FROM:<{SENDER}>")
    reply = await command(client, "RCPT", f"TO:<{alice.address}>", "NOTIFY=NEVER,SUCCESS")
    await client.quit()
    assert reply == (501, "5.5.4")


async def test_announced_size_over_the_limit_is_552_5_3_4(smtp: SmtpEnv) -> None:
    client = await connect(smtp.mx)
    reply = await command(client, "MAIL", f"FROM:<{SENDER}>", f"SIZE={100 * 1024 * 1024 + 1}")
    await client.quit()
    assert reply == (552, "5.3.4")


async def test_commands_out_of_sequence_are_503_5_5_1(smtp: SmtpEnv, alice: SmtpUser) -> None:
    client = await connect(smtp.mx)
    rcpt_first = await command(client, "RCPT", f"TO:<{alice.address}>")
    data_first = await command(client, "DATA")
    await command(client, "MAIL", f"FROM:<{SENDER}>")
    nested = await command(client, "MAIL", f"FROM:<{SENDER}>")
    await client.quit()
    assert (rcpt_first, data_first, nested) == ((503, "5.5.1"), (503, "5.5.1"), (503, "5.5.1"))


async def test_vrfy_never_confirms_an_address(smtp: SmtpEnv, alice: SmtpUser) -> None:
    client = await connect(smtp.mx)
    reply = await command(client, "VRFY", alice.address)
    await client.quit()
    assert reply == (252, "2.5.0")


async def test_reply_to_data_names_the_trace_id_of_the_received_field(smtp: SmtpEnv, alice: SmtpUser) -> None:
    client = await connect(smtp.mx)
    await command(client, "MAIL", f"FROM:<{SENDER}>")
    await command(client, "RCPT", f"TO:<{alice.address}>")
    response = await client.data(message(SENDER, alice.address))
    await client.quit()
    trace = response.message.rsplit(" ", 1)[1]
    (stored,) = await smtp.messages(alice.mailbox)
    assert f"id {trace}".encode() in stored.split(b"\r\n")[1]


async def test_recipients_past_the_mx_cap_get_452_and_the_rest_is_delivered(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> None:
    env = await start_smtp_env(
        tmp_path,
        db,
        blobs,
        bus,
        clock,
        settings=SmtpSettings(hostname="mx.yunmail.test", mx_max_recipients=2),
    )
    try:
        tenant = await env.tenant()
        users = [await env.user(tenant, name) for name in ("ann", "ben", "cat")]
        client = await connect(env.mx)
        await command(client, "MAIL", f"FROM:<{SENDER}>")
        replies = [await command(client, "RCPT", f"TO:<{u.address}>") for u in users]
        data = await client.data(message(SENDER, "undisclosed-recipients:;"))
        await client.quit()
        assert replies == [(250, "2.1.5"), (250, "2.1.5"), (452, "4.5.3")]
        assert data.code == 250
        assert [len(await env.messages(u.mailbox)) for u in users] == [1, 1, 0]
    finally:
        await stop_smtp_env(env)


async def test_message_larger_than_the_limit_is_552_5_3_4_and_not_stored(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> None:
    env = await start_smtp_env(
        tmp_path,
        db,
        blobs,
        bus,
        clock,
        settings=SmtpSettings(hostname="mx.yunmail.test", message_size_bytes=2000),
    )
    try:
        user = await env.user(await env.tenant(), "ann")
        client = await connect(env.mx)
        await command(client, "MAIL", f"FROM:<{SENDER}>")
        await command(client, "RCPT", f"TO:<{user.address}>")
        try:
            await client.data(message(SENDER, user.address, body="x" * 80 + "\r\n") * 40)
        except aiosmtplib.SMTPDataError as exc:
            refused = status(exc.code, exc.message)
        await client.quit()
        assert refused == (552, "5.3.4")
        assert await env.messages(user.mailbox) == []
    finally:
        await stop_smtp_env(env)
