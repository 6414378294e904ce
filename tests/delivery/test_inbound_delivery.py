"""MX delivery service: recipient rules, sender authentication into Authentication-Results, DMARC outcomes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from support.factories import ACTOR
from support.fake_resolver import FakeResolver
from support.smtp import SmtpEnv, SmtpUser, message, start_smtp_env, stop_smtp_env
from yunmail.clock import FakeClock
from yunmail.delivery import ClientInfo, InboundMessage, InboundRecipient
from yunmail.delivery.inbound import neutralise_forged_results
from yunmail.errors import (
    DeliveryIncomplete,
    DmarcRejected,
    DomainNotReceiving,
    MailboxRecycled,
    QuotaExceeded,
    RecipientUnknown,
    RelayDenied,
)
from yunmail.events import InProcessBus
from yunmail.mailstore import SpecialUse
from yunmail.storage import Database, FileBlobStore

CLIENT = ClientInfo(ip="192.0.2.25", helo="mta.sender.example")


def resolver() -> FakeResolver:
    return FakeResolver(
        TXT={
            "sender.example": ["v=spf1 ip4:192.0.2.25 -all"],
            "_dmarc.sender.example": ["v=DMARC1; p=reject"],
            "_dmarc.bank.example": ["v=DMARC1; p=reject"],
            "_dmarc.shop.example": ["v=DMARC1; p=quarantine"],
        }
    )


@pytest.fixture
async def env(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> AsyncIterator[SmtpEnv]:
    environment = await start_smtp_env(tmp_path, db, blobs, bus, clock, resolver=resolver())
    try:
        yield environment
    finally:
        await stop_smtp_env(environment)


@pytest.fixture
async def ann(env: SmtpEnv) -> SmtpUser:
    return await env.user(await env.tenant(), "ann")


async def deliver(
    env: SmtpEnv, user: SmtpUser, author: str, *, mail_from: str = "bob@sender.example"
) -> None:
    recipient = await env.flow.inbound.check_recipient(user.address)
    await env.flow.inbound.deliver(
        InboundMessage(
            data=message(author, user.address),
            mail_from=mail_from,
            recipients=(recipient,),
            client=CLIENT,
            trace_id="T9",
        )
    )


def header(stored: bytes, name: bytes) -> bytes:
    head = stored.split(b"\r\n\r\n")[0].replace(b"\r\n\t", b" ").replace(b"\r\n ", b" ")
    return next(line for line in head.split(b"\r\n") if line.lower().startswith(name.lower() + b":"))


async def test_recipient_rules_in_order(env: SmtpEnv, ann: SmtpUser) -> None:
    inbound = env.flow.inbound
    ownership = await env.tenant(mode="ownership")
    with pytest.raises(RelayDenied):
        await inbound.check_recipient("x@elsewhere.example")
    with pytest.raises(DomainNotReceiving):
        await inbound.check_recipient(f"x@{ownership.domain.name}")
    with pytest.raises(RecipientUnknown):
        await inbound.check_recipient(f"x@{ann.tenant.domain.name}")


async def test_recycled_mailbox_is_refused(env: SmtpEnv, ann: SmtpUser) -> None:
    await env.directory.mailboxes.close(ann.tenant.enterprise.id, ann.mailbox.id, ACTOR)
    with pytest.raises(MailboxRecycled):
        await env.flow.inbound.check_recipient(ann.address)


async def test_recipient_resolves_to_its_mailbox(env: SmtpEnv, ann: SmtpUser) -> None:
    recipient = await env.flow.inbound.check_recipient(ann.address.upper())
    assert recipient == InboundRecipient(ann.address, ann.tenant.enterprise.id, (ann.mailbox.id,))


async def test_aligned_spf_pass_is_recorded_as_dmarc_pass(env: SmtpEnv, ann: SmtpUser) -> None:
    await deliver(env, ann, "Bob <bob@sender.example>")
    (stored,) = await env.messages(ann.mailbox)
    assert header(stored, b"Authentication-Results") == (
        b"Authentication-Results: mx.yunmail.test; spf=pass smtp.mailfrom=bob@sender.example; "
        b"dkim=none; dmarc=pass header.from=sender.example"
    )


async def test_dmarc_reject_policy_refuses_a_spoofed_author(env: SmtpEnv, ann: SmtpUser) -> None:
    with pytest.raises(DmarcRejected) as refused:
        await deliver(env, ann, "CEO <ceo@bank.example>")
    assert refused.value.params == {"domain": "bank.example"}
    assert await env.messages(ann.mailbox) == []


async def test_dmarc_quarantine_policy_files_into_junk(env: SmtpEnv, ann: SmtpUser) -> None:
    await deliver(env, ann, "Shop <deals@shop.example>")
    (stored,) = await env.messages(ann.mailbox, SpecialUse.JUNK)
    assert b"dmarc=fail" in header(stored, b"Authentication-Results")


async def test_spf_fail_alone_does_not_refuse(env: SmtpEnv, ann: SmtpUser) -> None:
    await deliver(env, ann, "Eve <eve@unknown.example>", mail_from="eve@sender.example")
    recipient_mail = await env.messages(ann.mailbox)
    assert len(recipient_mail) == 1


async def test_partial_failure_asks_for_a_retry_that_stores_nothing_twice(
    env: SmtpEnv, ann: SmtpUser
) -> None:
    ben = await env.user(ann.tenant, "ben")
    await env.directory.mailboxes.set_quota(ann.tenant.enterprise.id, ben.mailbox.id, 10, ACTOR)
    recipients = tuple([await env.flow.inbound.check_recipient(u.address) for u in (ann, ben)])
    data = message("bob@sender.example", "list:;")
    inbound = InboundMessage(
        data=data, mail_from="bob@sender.example", recipients=recipients, client=CLIENT, trace_id="T"
    )
    with pytest.raises(DeliveryIncomplete):
        await env.flow.inbound.deliver(inbound)
    with pytest.raises(DeliveryIncomplete):
        await env.flow.inbound.deliver(inbound)
    assert len(await env.messages(ann.mailbox)) == 1


async def test_every_recipient_failing_reports_the_cause(env: SmtpEnv, ann: SmtpUser) -> None:
    await env.directory.mailboxes.set_quota(ann.tenant.enterprise.id, ann.mailbox.id, 10, ACTOR)
    with pytest.raises(QuotaExceeded):
        await deliver(env, ann, "bob@sender.example")


@pytest.mark.parametrize(
    ("client", "word"),
    [
        (ClientInfo("192.0.2.1", "h"), "ESMTP"),
        (ClientInfo("192.0.2.1", "h", tls="TLSv1.3 X"), "ESMTPS"),
        (ClientInfo("192.0.2.1", "h", tls="TLSv1.3 X", login="a@o"), "ESMTPSA"),
        (ClientInfo("192.0.2.1", "h", tls="TLSv1.3 X", smtputf8=True), "UTF8SMTPS"),
    ],
)
def test_received_protocol_keyword(client: ClientInfo, word: str) -> None:
    assert client.protocol == word


async def test_rcpt_answer_is_reused_for_two_seconds(env: SmtpEnv, ann: SmtpUser) -> None:
    first = await env.flow.inbound.check_recipient(ann.address)
    await env.directory.mailboxes.close(ann.tenant.enterprise.id, ann.mailbox.id, ACTOR)
    reused = await env.flow.inbound.check_recipient(ann.address)
    env.clock.advance(seconds=2)
    with pytest.raises(MailboxRecycled):
        await env.flow.inbound.check_recipient(ann.address)
    assert reused == first


async def test_refusal_is_reused_until_it_expires(env: SmtpEnv, ann: SmtpUser) -> None:
    address = f"later@{ann.tenant.domain.name}"
    with pytest.raises(RecipientUnknown):
        await env.flow.inbound.check_recipient(address)
    user = await env.user(ann.tenant, "later")
    with pytest.raises(RecipientUnknown):
        await env.flow.inbound.check_recipient(address)
    env.clock.advance(seconds=2)
    assert (await env.flow.inbound.check_recipient(address)).mailbox_ids == (user.mailbox.id,)


def test_authentication_results_claiming_our_name_are_renamed() -> None:
    data = (
        b"Authentication-Results: mx.yunmail.test; dkim=pass header.d=bank.example\r\n"
        b"Authentication-Results: mx.elsewhere.example; spf=fail\r\n"
        b"Subject: hi\r\n\r\nbody mentions Authentication-Results: mx.yunmail.test\r\n"
    )
    assert neutralise_forged_results(data, "MX.yunmail.test") == b"X-Forged-" + data


def test_message_without_forged_results_is_returned_unchanged() -> None:
    data = b"Authentication-Results: other.example; spf=pass\r\nSubject: hi\r\n\r\nx\r\n"
    assert neutralise_forged_results(data, "mx.yunmail.test") is data


async def test_forged_results_field_is_renamed_in_the_stored_message(env: SmtpEnv, ann: SmtpUser) -> None:
    recipient = await env.flow.inbound.check_recipient(ann.address)
    forged = b"Authentication-Results: mx.yunmail.test; dmarc=pass\r\n" + message(
        "bob@sender.example", ann.address
    )
    await env.flow.inbound.deliver(
        InboundMessage(
            data=forged, mail_from="bob@sender.example", recipients=(recipient,), client=CLIENT, trace_id="F"
        )
    )
    (stored,) = await env.messages(ann.mailbox)
    assert b"\r\nX-Forged-Authentication-Results: mx.yunmail.test; dmarc=pass\r\n" in stored
