"""Outbound worker end to end: real DNS server, loopback aiosmtpd sink as remote MX, FakeClock for time."""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP as SmtpServer
from aiosmtpd.smtp import Envelope as ServerEnvelope
from aiosmtpd.smtp import Session

from support.dns_server import DnsTestServer, dns_zone
from support.smtp import HOSTNAME, SmtpEnv, SmtpUser, message, start_smtp_env, stop_smtp_env
from yunmail.clock import FakeClock
from yunmail.delivery.dsn import Notifier
from yunmail.delivery.outbound import OutboundWorker, RunReport, WorkerSettings
from yunmail.delivery.queue import OutboundMessage, OutboundRecipient, RecipientDsn
from yunmail.delivery.signing import DkimSigner, SigningKey, StaticSigningKeys
from yunmail.delivery.transport import SmtpTransport, TransportSettings
from yunmail.events import InProcessBus
from yunmail.mailauth.dkim import DkimAlgorithm, DkimResult, generate_key, verify
from yunmail.mailstore import INBOX, MessageInfo
from yunmail.net import generate_self_signed
from yunmail.storage import Database, FileBlobStore
from yunmail.storage.repos import outbound as outbound_rows

__all__ = ["dns_zone"]

REMOTE = "b.test"


@dataclass
class Captured:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    tls: bool


@dataclass
class Sink:
    """Handler of the loopback remote MX: records deliveries, answers RCPT per address when told to."""

    messages: list[Captured] = field(default_factory=list)
    rcpt_replies: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(
        self, server: SmtpServer, session: Session, envelope: ServerEnvelope, address: str, options: list[str]
    ) -> str:
        reply = self.rcpt_replies.get(address)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SmtpServer, session: Session, envelope: ServerEnvelope) -> str:
        content = envelope.original_content or b""
        tls = session.ssl is not None
        self.messages.append(Captured(str(envelope.mail_from), list(envelope.rcpt_tos), content, tls))
        return "250 2.0.0 Ok: queued"


@dataclass
class RemoteMx:
    sink: Sink
    tls: ssl.SSLContext
    port: int = 0
    server: asyncio.Server | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(
            lambda: SmtpServer(self.sink, hostname="mx.b.test", tls_context=self.tls),
            "127.0.0.1",
            self.port,
            reuse_address=True,
        )
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None


@pytest.fixture
async def remote_mx(tmp_path: Path, dns_zone: DnsTestServer) -> AsyncIterator[RemoteMx]:
    cert, key = tmp_path / "mx-cert.pem", tmp_path / "mx-key.pem"
    generate_self_signed("mx.b.test", cert, key, now=dt.datetime.now(dt.UTC))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    remote = RemoteMx(Sink(), context)
    await remote.start()
    dns_zone.add_zone(REMOTE)
    dns_zone.add(REMOTE, "MX", "10 mx.b.test.")
    dns_zone.add("mx.b.test", "A", "127.0.0.1")
    dns_zone.add_zone("nomail.test")
    dns_zone.add("nomail.test", "MX", "0 .")
    try:
        yield remote
    finally:
        await remote.stop()


@dataclass
class World:
    env: SmtpEnv
    amy: SmtpUser
    worker: OutboundWorker
    clock: FakeClock
    dkim_public: str

    async def send(self, to: str, *, notify: str | None = None, subject: str = "Hello") -> tuple[int, ...]:
        data = message(self.amy.address, to, subject=subject)
        return await self.env.queue.enqueue(
            OutboundMessage(
                enterprise_id=self.amy.tenant.enterprise.id,
                member_id=self.amy.member.id,
                sender=self.amy.address,
                recipients=(OutboundRecipient(to, RecipientDsn(notify=notify)),),
                data=data,
                prefix=b"",
                trace_id="trace-1",
            )
        )

    async def inbox(self) -> list[MessageInfo]:
        summaries = await self.env.mailstore.list_messages(self.amy.mailbox.id, INBOX)
        uids = [s.uid for s in summaries]
        return list(await self.env.mailstore.fetch_messages(self.amy.mailbox.id, INBOX, uids)) if uids else []

    async def inbox_bytes(self) -> list[bytes]:
        return await self.env.messages(self.amy.mailbox)

    async def statuses(self) -> dict[str, int]:
        async with self.env.db.read() as conn:
            return await outbound_rows.pending_counts(conn, [self.amy.tenant.enterprise.id])


@pytest.fixture
async def world(
    tmp_path: Path,
    db: Database,
    blobs: FileBlobStore,
    bus: InProcessBus,
    clock: FakeClock,
    dns_zone: DnsTestServer,
    remote_mx: RemoteMx,
) -> AsyncIterator[World]:
    env = await start_smtp_env(tmp_path, db, blobs, bus, clock)
    tenant = await env.tenant("a.test")
    amy = await env.user(tenant, "amy")
    key = generate_key(DkimAlgorithm.RSA, 1024)
    dns_zone.add_zone("a.test")
    dns_zone.add("s1._domainkey.a.test", "TXT", key.txt_value())
    signer = DkimSigner(StaticSigningKeys({"a.test": [SigningKey("s1", "rsa", key.private_pem)]}), clock)
    transport = SmtpTransport(
        dns_zone.resolver(),
        hostname=HOSTNAME,
        settings=TransportSettings(port=remote_mx.port, connect_timeout=5, command_timeout=10),
    )
    notifier = Notifier(env.directory.recipients, env.mailstore, hostname=HOSTNAME, queue=env.queue)
    worker = OutboundWorker(db, blobs, clock, transport, notifier, signer=signer, settings=WorkerSettings())
    try:
        yield World(env, amy, worker, clock, key.public_key_b64())
    finally:
        await stop_smtp_env(env)


# --- delivery -----------------------------------------------------------------------------------


async def test_message_is_delivered_to_the_mx_with_a_dkim_signature_that_verifies(
    world: World, remote_mx: RemoteMx, dns_zone: DnsTestServer
) -> None:
    await world.send("bob@b.test")
    report = await world.worker.run_once()
    (captured,) = remote_mx.sink.messages
    results = await verify(captured.data, dns_zone.resolver())
    assert (report.delivered, captured.rcpt_tos, captured.mail_from) == (1, ["bob@b.test"], world.amy.address)
    assert [(r.result, r.domain, r.selector) for r in results] == [(DkimResult.PASS, "a.test", "s1")]


async def test_dkim_signature_carries_the_signing_time_from_the_clock(
    world: World, remote_mx: RemoteMx
) -> None:
    await world.send("bob@b.test")
    await world.worker.run_once()
    (captured,) = remote_mx.sink.messages
    header = captured.data.split(b"\r\n\r\n", 1)[0].replace(b"\r\n", b"").replace(b" ", b"")
    tags = dict(
        tag.split(b"=", 1) for tag in header.split(b"DKIM-Signature:", 1)[1].split(b";") if b"=" in tag
    )
    assert int(tags[b"t"]) == int(world.clock.now().timestamp())


async def test_delivered_row_leaves_the_queue(world: World) -> None:
    await world.send("bob@b.test")
    await world.worker.run_once()
    assert await world.statuses() == {}


async def test_delivery_uses_starttls_when_the_mx_offers_it(world: World, remote_mx: RemoteMx) -> None:
    await world.send("bob@b.test")
    await world.worker.run_once()
    assert [m.tls for m in remote_mx.sink.messages] == [True]


async def test_messages_to_one_domain_share_a_connection_batch(world: World, remote_mx: RemoteMx) -> None:
    for n in range(3):
        await world.send(f"user{n}@b.test")
    report = await world.worker.run_once()
    assert (report.claimed, report.delivered) == (3, 3)
    assert sorted(m.rcpt_tos[0] for m in remote_mx.sink.messages) == [
        "user0@b.test",
        "user1@b.test",
        "user2@b.test",
    ]


# --- retries --------------------------------------------------------------------------------------


async def test_remote_down_is_retried_with_backoff_and_delivered_when_it_returns(
    world: World, remote_mx: RemoteMx
) -> None:
    await remote_mx.stop()
    await world.send("bob@b.test")
    first = await world.worker.run_once()
    too_early = await world.worker.run_once()  # nothing is due before the backoff has passed
    world.clock.advance(minutes=5)
    await remote_mx.start()
    second = await world.worker.run_once()
    assert (first.deferred, too_early.claimed, second.delivered) == (1, 0, 1)
    assert len(remote_mx.sink.messages) == 1


async def test_backoff_doubles_between_attempts(world: World, remote_mx: RemoteMx) -> None:
    await remote_mx.stop()
    await world.send("bob@b.test")
    await world.worker.run_once()  # attempt 1, retry after 5 minutes
    world.clock.advance(minutes=5)
    await world.worker.run_once()  # attempt 2, retry after 10 minutes
    world.clock.advance(minutes=9)
    early = await world.worker.run_once()
    world.clock.advance(minutes=1)
    due = await world.worker.run_once()
    assert (early.claimed, due.claimed) == (0, 1)


async def test_mailbox_full_is_retried_then_bounced_as_mailbox_full_when_it_expires(
    world: World, remote_mx: RemoteMx
) -> None:
    remote_mx.sink.rcpt_replies["bob@b.test"] = "452 4.2.2 Mailbox full"
    await world.send("bob@b.test", notify="FAILURE")
    reports = RunReport()
    for _ in range(60):  # attempts over five days; the last lands on the expiry instant
        reports = reports + await world.worker.run_once()
        world.clock.advance(hours=4)
    (bounce,) = await world.inbox()
    assert (reports.bounced, reports.deferred > 5) == (1, True)
    assert (bounce.meta["bounce"]["cause"], bounce.meta["bounce"]["expired"]) == ("mailbox_full", True)
    assert await world.statuses() == {}


# --- bounces --------------------------------------------------------------------------------------


async def test_unknown_recipient_bounces_into_the_senders_inbox_classified(
    world: World, remote_mx: RemoteMx
) -> None:
    remote_mx.sink.rcpt_replies["nobody@b.test"] = "550 5.1.1 <nobody@b.test>: Recipient address rejected"
    await world.send("nobody@b.test")
    report = await world.worker.run_once()
    (bounce,) = await world.inbox()
    assert report.bounced == 1
    assert (bounce.meta["bounce"]["cause"], bounce.meta["bounce"]["reply_code"]) == ("recipient_unknown", 550)


async def test_bounce_explains_in_chinese_and_english_and_quotes_the_remote_reply(
    world: World, remote_mx: RemoteMx
) -> None:
    reply = "550 5.1.1 <nobody@b.test>: Recipient address rejected"
    remote_mx.sink.rcpt_replies["nobody@b.test"] = reply
    await world.send("nobody@b.test", subject="Quarterly report")
    await world.worker.run_once()
    (data,) = await world.inbox_bytes()
    text = _first_part_text(data)
    assert ("原因：" in text, "What went wrong:" in text, reply in text) == (True, True, True)
    assert b"Subject: Quarterly report" in data  # the original headers
    assert b"Status: 5.1.1" in data and b"Action: failed" in data


async def test_null_mx_domain_bounces_immediately(world: World) -> None:
    await world.send("someone@nomail.test")
    report = await world.worker.run_once()
    (bounce,) = await world.inbox()
    assert (report.bounced, bounce.meta["bounce"]["cause"]) == (1, "null_mx")


async def test_notify_never_suppresses_the_bounce(world: World, remote_mx: RemoteMx) -> None:
    remote_mx.sink.rcpt_replies["nobody@b.test"] = "550 5.1.1 no such user"
    await world.send("nobody@b.test", notify="NEVER")
    report = await world.worker.run_once()
    assert (report.bounced, await world.inbox(), await world.statuses()) == (1, [], {})


async def test_delay_notice_is_sent_once_after_four_hours(world: World, remote_mx: RemoteMx) -> None:
    await remote_mx.stop()
    await world.send("bob@b.test")
    await world.worker.run_once()
    notices = 0
    for _ in range(4):
        world.clock.advance(hours=2)
        notices += (await world.worker.run_once()).delay_notices
    (notice,) = await world.inbox()
    assert (notices, notice.meta["bounce"]["kind"]) == (1, "delay")


# --- crash safety ----------------------------------------------------------------------------------


async def test_sending_row_of_a_crashed_worker_is_retried_after_its_lease(
    world: World, remote_mx: RemoteMx
) -> None:
    await world.send("bob@b.test")
    now = world.clock.now()
    async with world.env.db.transaction() as conn:  # a worker claims the row and dies
        claimed = await outbound_rows.claim_due(conn, now, now + dt.timedelta(minutes=15), "crashed")
    during = await world.worker.run_once()
    world.clock.advance(minutes=15)
    after = await world.worker.run_once()
    assert (len(claimed), during.claimed, after.delivered) == (1, 0, 1)
    assert len(remote_mx.sink.messages) == 1


def _first_part_text(data: bytes) -> str:
    import email

    parsed = email.message_from_bytes(data)
    first = next(part for part in parsed.walk() if part.get_content_type() == "text/plain")
    payload = first.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(first.get_content_charset() or "utf-8")
