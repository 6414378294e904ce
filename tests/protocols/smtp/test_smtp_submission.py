"""Ports 587/465: AUTH only under TLS, who may send as whom, routing to mailboxes or the queue."""

from __future__ import annotations

import asyncio
import base64
import smtplib

import aiosmtplib

from support.factories import ACTOR, PASSWORD
from support.smtp import SmtpEnv, SmtpUser, command, connect, message, status

REMOTE = "friend@elsewhere.example"


async def signed_in(smtp: SmtpEnv, user: SmtpUser, *, implicit: bool = False) -> aiosmtplib.SMTP:
    address = smtp.smtps if implicit else smtp.submission
    client = await connect(address, tls=smtp.client_tls(), implicit=implicit)
    await client.login(user.login, user.password)
    return client


async def send(
    smtp: SmtpEnv,
    user: SmtpUser,
    recipients: list[str],
    data: bytes | None = None,
    *,
    sender: str | None = None,
) -> tuple[int, str]:
    """One signed-in transaction; the first refusal or the DATA reply as (code, enhanced)."""
    client = await signed_in(smtp, user)
    try:
        mail_from = user.address if sender is None else sender
        reply = await command(client, "MAIL", f"FROM:<{mail_from}>")
        if reply[0] != 250:
            return reply
        for rcpt in recipients:
            reply = await command(client, "RCPT", f"TO:<{rcpt}>")
            if reply[0] != 250:
                return reply
        try:
            response = await client.data(data or message(user.address, ", ".join(recipients)))
        except aiosmtplib.SMTPDataError as exc:
            return status(exc.code, exc.message)
        return status(response.code, response.message)
    finally:
        await client.quit()


async def test_submission_refuses_mail_before_starttls(smtp: SmtpEnv) -> None:
    client = await connect(smtp.submission)
    reply = await command(client, "MAIL", "FROM:<a@b.example>")
    await client.quit()
    assert reply == (530, "5.7.0")


async def test_auth_is_not_offered_before_starttls(smtp: SmtpEnv) -> None:
    client = await connect(smtp.submission)
    offered = "auth" in client.esmtp_extensions
    reply = await command(client, "AUTH", "PLAIN", "AGEAYg==")
    await client.quit()
    assert (offered, reply) == (False, (530, "5.7.0"))


async def test_auth_is_offered_after_starttls(smtp: SmtpEnv) -> None:
    client = await connect(smtp.submission, tls=smtp.client_tls())
    mechanisms = client.esmtp_extensions.get("auth")
    starttls = "starttls" in client.esmtp_extensions
    await client.quit()
    assert (mechanisms, starttls) == ("PLAIN LOGIN", False)


async def test_mail_before_auth_is_530_5_7_0(smtp: SmtpEnv) -> None:
    client = await connect(smtp.submission, tls=smtp.client_tls())
    reply = await command(client, "MAIL", "FROM:<a@b.example>")
    await client.quit()
    assert reply == (530, "5.7.0")


async def test_auth_plain_with_the_account_password_succeeds(smtp: SmtpEnv, alice: SmtpUser) -> None:
    client = await connect(smtp.submission, tls=smtp.client_tls())
    blob = base64.b64encode(f"\0{alice.login}\0{alice.password}".encode()).decode()
    reply = await command(client, "AUTH", "PLAIN", blob)
    await client.quit()
    assert reply == (235, "2.7.0")


async def test_auth_login_with_smtplib_succeeds(smtp: SmtpEnv, alice: SmtpUser) -> None:
    context = smtp.client_tls()

    def login() -> tuple[int, bytes]:
        with smtplib.SMTP(*smtp.submission, local_hostname="client.example") as client:
            client.starttls(context=context)
            client.ehlo("client.example")
            client.user, client.password = alice.login, alice.password
            return client.auth("LOGIN", client.auth_login)

    assert status(*await asyncio.to_thread(login)) == (235, "2.7.0")


async def test_implicit_tls_port_offers_auth_and_no_starttls(smtp: SmtpEnv, alice: SmtpUser) -> None:
    client = await connect(smtp.smtps, tls=smtp.client_tls(), implicit=True)
    extensions = (client.esmtp_extensions.get("auth"), "starttls" in client.esmtp_extensions)
    await client.login(alice.login, alice.password)
    reply = await command(client, "MAIL", f"FROM:<{alice.address}>")
    await client.quit()
    assert (extensions, reply) == (("PLAIN LOGIN", False), (250, "2.1.0"))


async def test_wrong_password_is_535_5_7_8(smtp: SmtpEnv, alice: SmtpUser) -> None:
    client = await connect(smtp.submission, tls=smtp.client_tls())
    blob = base64.b64encode(f"\0{alice.login}\0wrong-Password1".encode()).decode()
    reply = await command(client, "AUTH", "PLAIN", blob)
    await client.quit()
    assert reply == (535, "5.7.8")


async def test_repeated_failures_lock_the_login_with_454_4_7_0(smtp: SmtpEnv, alice: SmtpUser) -> None:
    blob = base64.b64encode(f"\0{alice.login}\0wrong-Password1".encode()).decode()
    replies = []
    for _ in range(2):  # two connections: each allows 5 AUTH commands
        client = await connect(smtp.submission, tls=smtp.client_tls())
        replies += [await command(client, "AUTH", "PLAIN", blob) for _ in range(4)]
        await client.quit()
    right = base64.b64encode(f"\0{alice.login}\0{PASSWORD}".encode()).decode()
    client = await connect(smtp.submission, tls=smtp.client_tls())
    locked = await command(client, "AUTH", "PLAIN", right)
    await client.quit()
    assert replies[:5] == [(535, "5.7.8")] * 5
    assert locked == (454, "4.7.0")


async def test_authzid_of_another_user_is_refused(smtp: SmtpEnv, alice: SmtpUser) -> None:
    client = await connect(smtp.submission, tls=smtp.client_tls())
    blob = base64.b64encode(f"boss@org1\0{alice.login}\0{alice.password}".encode()).decode()
    reply = await command(client, "AUTH", "PLAIN", blob)
    await client.quit()
    assert reply == (535, "5.7.8")


async def test_mail_from_another_members_address_is_550_5_7_1(smtp: SmtpEnv, alice: SmtpUser) -> None:
    carol = await smtp.user(alice.tenant, "carol")
    assert await send(smtp, alice, [REMOTE], sender=carol.address) == (550, "5.7.1")


async def test_null_reverse_path_is_refused_on_submission(smtp: SmtpEnv, alice: SmtpUser) -> None:
    assert await send(smtp, alice, [REMOTE], sender="") == (550, "5.7.1")


async def test_spoofed_from_header_is_550_5_7_1_and_nothing_is_sent(smtp: SmtpEnv, alice: SmtpUser) -> None:
    carol = await smtp.user(alice.tenant, "carol")
    spoofed = message(f"Carol <{carol.address}>", carol.address)
    assert await send(smtp, alice, [carol.address], spoofed) == (550, "5.7.1")
    assert await smtp.messages(carol.mailbox) == []


async def test_from_header_listing_an_allowed_and_a_foreign_author_is_refused(
    smtp: SmtpEnv, alice: SmtpUser
) -> None:
    data = message(f"{alice.address}, ceo@elsewhere.example", REMOTE)
    assert await send(smtp, alice, [REMOTE], data) == (550, "5.7.1")
    assert await smtp.queued(alice.tenant) == []


async def test_message_without_from_header_is_refused(smtp: SmtpEnv, alice: SmtpUser) -> None:
    assert await send(smtp, alice, [REMOTE], b"Subject: hi\r\n\r\nno author\r\n") == (554, "5.6.0")


async def test_member_may_send_as_its_alias(smtp: SmtpEnv, alice: SmtpUser) -> None:
    tenant = alice.tenant
    alias = await smtp.directory.aliases.add(
        tenant.enterprise.id, alice.mailbox.id, tenant.domain.id, "sales", ACTOR
    )
    data = message(f"Sales <{alias.address.upper()}>", REMOTE)
    assert await send(smtp, alice, [REMOTE], data, sender=alias.address) == (250, "2.0.0")


async def test_member_may_send_as_a_shared_mailbox_it_belongs_to(smtp: SmtpEnv, alice: SmtpUser) -> None:
    tenant = alice.tenant
    shared = await smtp.directory.shared_mailboxes.create(
        tenant.enterprise.id, tenant.domain.id, "hr", "HR", ACTOR, member_ids=[alice.member.id]
    )
    address = shared.mailbox.address
    assert await send(smtp, alice, [REMOTE], message(address, REMOTE), sender=address) == (250, "2.0.0")


async def test_member_may_not_send_as_a_shared_mailbox_of_others(smtp: SmtpEnv, alice: SmtpUser) -> None:
    tenant = alice.tenant
    shared = await smtp.directory.shared_mailboxes.create(
        tenant.enterprise.id, tenant.domain.id, "hr", "HR", ACTOR
    )
    address = shared.mailbox.address
    assert await send(smtp, alice, [REMOTE], message(address, REMOTE), sender=address) == (550, "5.7.1")


async def test_local_recipient_gets_the_message_with_trace_fields(smtp: SmtpEnv, alice: SmtpUser) -> None:
    carol = await smtp.user(alice.tenant, "carol")
    assert await send(smtp, alice, [carol.address]) == (250, "2.0.0")
    (stored,) = await smtp.messages(carol.mailbox)
    head = stored.split(b"\r\n\r\n")[0]
    assert b"with ESMTPSA id " in head
    assert f"auth=pass smtp.auth={alice.login}".encode() in head


async def test_remote_recipient_is_queued_with_its_dsn_parameters(smtp: SmtpEnv, alice: SmtpUser) -> None:
    client = await signed_in(smtp, alice)
    await command(client, "MAIL", f"FROM:<{alice.address}>", "RET=HDRS", "ENVID=ID42")
    await command(client, "RCPT", f"TO:<{REMOTE}>", "NOTIFY=FAILURE,DELAY", f"ORCPT=rfc822;{REMOTE}")
    response = await client.data(message(alice.address, REMOTE))
    await client.quit()
    (row,) = await smtp.queued(alice.tenant)
    assert response.code == 250
    assert (row.sender, row.recipient, row.status, row.member_id) == (
        alice.address,
        REMOTE,
        "queued",
        alice.member.id,
    )
    assert (row.dsn_ret, row.dsn_envid, row.dsn_notify, row.dsn_orcpt) == (
        "HDRS",
        "ID42",
        "FAILURE,DELAY",
        f"rfc822;{REMOTE}",
    )
    stored = await smtp.queue.read_message(row)
    assert stored.startswith(b"Received: from client.example")


async def test_unknown_local_recipient_is_refused_at_rcpt(smtp: SmtpEnv, alice: SmtpUser) -> None:
    assert await send(smtp, alice, [f"nobody@{alice.tenant.domain.name}"]) == (550, "5.1.1")


async def test_own_ownership_only_domain_is_delivered_locally(smtp: SmtpEnv) -> None:
    tenant = await smtp.tenant(mode="ownership")
    sender, receiver = await smtp.user(tenant, "amy"), await smtp.user(tenant, "bea")
    assert await send(smtp, sender, [receiver.address]) == (250, "2.0.0")
    assert (len(await smtp.messages(receiver.mailbox)), await smtp.queued(tenant)) == (1, [])


async def test_other_tenants_ownership_only_domain_goes_to_the_queue(smtp: SmtpEnv, alice: SmtpUser) -> None:
    other = await smtp.tenant(mode="ownership")
    receiver = await smtp.user(other, "bea")
    assert await send(smtp, alice, [receiver.address]) == (250, "2.0.0")
    queued = [q.recipient for q in await smtp.queued(alice.tenant)]
    assert (queued, await smtp.messages(receiver.mailbox)) == ([receiver.address], [])


async def test_other_tenants_verified_domain_is_delivered_locally(smtp: SmtpEnv, alice: SmtpUser) -> None:
    receiver = await smtp.user(await smtp.tenant(), "bea")
    assert await send(smtp, alice, [receiver.address]) == (250, "2.0.0")
    assert len(await smtp.messages(receiver.mailbox)) == 1


async def test_recipient_401_is_452_and_the_message_is_not_sent_to_anyone(
    smtp: SmtpEnv, alice: SmtpUser
) -> None:
    client = await signed_in(smtp, alice)
    await command(client, "MAIL", f"FROM:<{alice.address}>")
    replies = [await command(client, "RCPT", f"TO:<r{i}@elsewhere.example>") for i in range(401)]
    try:
        await client.data(message(alice.address, "undisclosed-recipients:;"))
    except aiosmtplib.SMTPDataError as exc:
        data = status(exc.code, exc.message)
    await client.quit()
    assert replies[399:] == [(250, "2.1.5"), (452, "4.5.3")]
    assert data == (554, "5.5.3")
    assert await smtp.queued(alice.tenant) == []
