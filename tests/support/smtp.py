"""SMTP test environment: real services on the test's database plus the three SMTP listeners on loopback.

    env = await start_smtp_env(tmp_path, db, blobs, bus, clock)
    tenant = await env.tenant()                   # enterprise + verified full-mode domain
    alice = await env.user(tenant, "alice")       # member with a password and an open mailbox
    with smtplib.SMTP(*env.mx) as client: ...     # port 25 role
    await stop_smtp_env(env)                      # drains; asserts no unhandled error, store consistent

Everything is real (directory, domains, mail store, auth with lockout, local delivery, queue); only
the password hasher is the fast test one. ``RawSmtp`` speaks bytes for smuggling and injection
tests, where a real client library would "fix" the input.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import re
import secrets
import ssl
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import aiosmtplib
from sqlalchemy import select

from support.factories import (
    ACTOR,
    PASSWORD,
    DirectoryFactory,
    FastHasher,
    RecordingMailStorage,
    Tenant,
    cheap_domains,
)
from support.invariants import store_problems
from yunmail.auth import Auth, AuthLimits
from yunmail.clock import FakeClock
from yunmail.config import ListenSettings, Settings
from yunmail.delivery import MailFlow, MessageFilter, OutboundQueue, QueuedRecipient
from yunmail.directory import Directory, Mailbox, Member, NewMember
from yunmail.dns import Resolver
from yunmail.domains import DomainRegistry
from yunmail.events import InProcessBus
from yunmail.mailstore import INBOX, FolderRef, MailStore
from yunmail.net import Listeners, NetLimits, ServerTls, client_context, generate_self_signed
from yunmail.policy import SendingLimits
from yunmail.protocols.smtp import SmtpContext, SmtpListeners, SmtpSettings, start_smtp
from yunmail.storage import Counters, Database, FileBlobStore, MemoryCounters
from yunmail.storage.sql.schema import outbound_queue

HOSTNAME = "mx.yunmail.test"
LOOPBACK = ("127.0.0.1:0",)


@dataclass(frozen=True, slots=True)
class SmtpUser:
    tenant: Tenant
    member: Member
    mailbox: Mailbox
    password: str = PASSWORD

    @property
    def login(self) -> str:
        return f"{self.member.account}@{self.tenant.enterprise.org_id}"

    @property
    def address(self) -> str:
        return self.mailbox.address


@dataclass
class SmtpEnv:
    db: Database
    blobs: FileBlobStore
    clock: FakeClock
    mailstore: MailStore
    directory: Directory
    domains: DomainRegistry
    auth: Auth
    counters: Counters
    flow: MailFlow
    ctx: SmtpContext
    listeners: SmtpListeners
    factory: DirectoryFactory
    cafile: Path
    _serial: int = field(default=0)

    @property
    def mx(self) -> tuple[str, int]:
        return self.listeners.address("smtp")

    @property
    def submission(self) -> tuple[str, int]:
        return self.listeners.address("submission")

    @property
    def smtps(self) -> tuple[str, int]:
        return self.listeners.address("smtps")

    @property
    def queue(self) -> OutboundQueue:
        return self.flow.queue

    def client_tls(self) -> ssl.SSLContext:
        context = client_context(self.cafile)
        context.check_hostname = False  # the certificate names HOSTNAME; tests dial 127.0.0.1
        return context

    async def tenant(self, domain: str | None = None, *, mode: str = "full", trust: bool = True) -> Tenant:
        enterprise = await self.factory.enterprise()
        self._serial += 1
        name = domain or f"t{self._serial}-{enterprise.id}.example"
        added = await self.domains.add(enterprise.id, name, ACTOR, mode=mode, trust=trust)
        return Tenant(enterprise, added)

    async def user(self, tenant: Tenant, local_part: str | None = None) -> SmtpUser:
        n = self.factory.next()
        new = NewMember(
            name=f"User {n}", account=f"user{n}", password=PASSWORD, contact_email=f"u{n}@contact.example"
        )
        member = await self.directory.members.add(
            tenant.enterprise.id, new, ACTOR, require_password_change=False
        )
        mailbox = await self.directory.mailboxes.open(
            tenant.enterprise.id, member.id, tenant.domain.id, ACTOR, local_part=local_part or f"user{n}"
        )
        return SmtpUser(tenant, member, mailbox)

    async def messages(self, mailbox: Mailbox | int, folder: FolderRef = INBOX) -> list[bytes]:
        """Every stored message of a folder (prefix + body), in UID order."""
        mailbox_id = mailbox if isinstance(mailbox, int) else mailbox.id
        summaries = await self.mailstore.list_messages(mailbox_id, folder)
        return [await self.mailstore.read_message(mailbox_id, folder, s.uid) for s in summaries]

    async def queued(self, tenant: Tenant) -> list[QueuedRecipient]:
        return await self.queue.list_queued(tenant.enterprise.id)


async def start_smtp_env(
    tmp_path: Path,
    db: Database,
    blobs: FileBlobStore,
    bus: InProcessBus,
    clock: FakeClock,
    *,
    limits: SendingLimits | None = None,
    net_limits: NetLimits | None = None,
    resolver: Resolver | None = None,
    filters: Sequence[MessageFilter] | None = None,
    settings: SmtpSettings | None = None,
    idle_seconds: float = 300.0,
    auth_limits: AuthLimits | None = None,
) -> SmtpEnv:
    cert, key = tmp_path / "tls" / "cert.pem", tmp_path / "tls" / "key.pem"
    generate_self_signed(HOSTNAME, cert, key, now=dt.datetime.now(dt.UTC))
    tls = ServerTls(cert, key)
    mailstore = MailStore(db, blobs, bus, clock)
    directory = Directory(db, clock, Settings(), mailstore, hasher=FastHasher())
    domains = cheap_domains(db, clock)
    factory = DirectoryFactory(directory=directory, domains=domains, storage=RecordingMailStorage())
    counters = MemoryCounters()
    auth = Auth(db, directory, counters, clock, limits=auth_limits, hasher=FastHasher())
    flow = MailFlow.build(
        db=db,
        blobs=blobs,
        counters=counters,
        clock=clock,
        mailstore=mailstore,
        recipients=directory.recipients,
        enterprises=directory.enterprises,
        hostname=HOSTNAME,
        resolver=resolver,
        limits=limits,
        filters=filters,
    )
    ctx = SmtpContext(
        settings=settings or SmtpSettings(hostname=HOSTNAME),
        inbound=flow.inbound,
        submission=flow.submission,
        authenticator=auth.login,
        idle_seconds=idle_seconds,
    )
    listen = ListenSettings(smtp=LOOPBACK, submission=LOOPBACK, smtps=LOOPBACK)
    net = dataclasses.replace(net_limits or NetLimits(), drain_seconds=5.0)
    listeners = await start_smtp(ctx, listen, tls, listeners=Listeners(net))
    return SmtpEnv(
        db=db,
        blobs=blobs,
        clock=clock,
        mailstore=mailstore,
        directory=directory,
        domains=domains,
        auth=auth,
        counters=counters,
        flow=flow,
        ctx=ctx,
        listeners=listeners,
        factory=factory,
        cafile=cert,
    )


_REFCOUNT = re.compile(r"^blob (\w+): refcount (\d+) != (\d+) references$")


async def queue_aware_store_problems(db: Database, blobs: FileBlobStore) -> list[str]:
    """The store's invariants, counting the outbound queue's blob references as references too."""
    async with db.read() as conn:
        queued = Counter((await conn.execute(select(outbound_queue.c.blob_sha256))).scalars())
    problems = []
    for line in await store_problems(db, blobs):
        match = _REFCOUNT.match(line)
        if match is not None:
            prefix, refcount, messages = match.group(1), int(match.group(2)), int(match.group(3))
            extra = sum(n for key, n in queued.items() if key.startswith(prefix))
            if refcount == messages + extra:
                continue
        problems.append(line)
    stored = set(await blobs.keys())
    problems += [f"queued blob {key[:12]} missing from the blob store" for key in queued if key not in stored]
    return problems


async def stop_smtp_env(env: SmtpEnv) -> None:
    await env.listeners.wait_closed(grace_seconds=5.0)
    assert env.ctx.stats.unhandled == 0, "an SMTP command hit an unhandled exception"
    problems = await queue_aware_store_problems(env.db, env.blobs)
    assert not problems, "store invariants violated:\n" + "\n".join(problems)


# --- a byte-level client ----------------------------------------------------------------------------


@dataclass
class RawSmtp:
    """Speaks raw bytes; ``reply()`` reads one (possibly multi-line) reply as (code, lines)."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    @classmethod
    async def connect(cls, address: tuple[str, int], *, tls: ssl.SSLContext | None = None) -> RawSmtp:
        reader, writer = await asyncio.open_connection(*address, ssl=tls)
        client = cls(reader, writer)
        await client.reply()  # greeting
        return client

    async def reply(self) -> tuple[int, list[str]]:
        lines: list[str] = []
        while True:
            line = (
                (await asyncio.wait_for(self.reader.readline(), 10)).decode("utf-8", "replace").rstrip("\r\n")
            )
            if not line:
                raise ConnectionError("connection closed while waiting for a reply")
            lines.append(line)
            if len(line) < 4 or line[3] != "-":
                return int(line[:3]), lines

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def command(self, line: str | bytes) -> tuple[int, list[str]]:
        await self.send((line.encode() if isinstance(line, str) else line) + b"\r\n")
        return await self.reply()

    async def starttls(self, context: ssl.SSLContext) -> None:
        await self.writer.start_tls(context)

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError, ssl.SSLError, TimeoutError):
            await asyncio.wait_for(self.writer.wait_closed(), 5)


def message(
    sender: str,
    to: str,
    subject: str = "Hello",
    body: str = "Hi there.\r\n",
    *,
    message_id: str | None = None,
    extra: str = "",
) -> bytes:
    """A small RFC 5322 message with CRLF line ends (UTF-8 headers allowed: SMTPUTF8 tests)."""
    headers = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {subject}",
        "Date: Thu, 01 Jan 2026 08:00:00 +0000",
        f"Message-ID: {message_id or f'<{secrets.token_hex(8)}@sender.example>'}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    if extra:
        headers.append(extra)
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode("utf-8")


def status(code: int, text: str | bytes) -> tuple[int, str]:
    """(reply code, enhanced status code) of a reply: what tests assert on."""
    words = (text.decode("utf-8", "replace") if isinstance(text, bytes) else text).split()
    return code, words[0] if words else ""


async def command(client: aiosmtplib.SMTP, *words: str) -> tuple[int, str]:
    """Send one command through aiosmtplib without its checks; the reply's (code, enhanced)."""
    response = await client.execute_command(*(w.encode("utf-8") for w in words))
    return status(response.code, response.message)


async def connect(
    address: tuple[str, int], *, tls: ssl.SSLContext | None = None, implicit: bool = False
) -> aiosmtplib.SMTP:
    """An aiosmtplib client after EHLO (and STARTTLS when ``tls`` is given and not ``implicit``)."""
    client = aiosmtplib.SMTP(
        hostname=address[0],
        port=address[1],
        use_tls=implicit,
        start_tls=False,
        tls_context=tls,
        local_hostname="client.example",
        timeout=10,
    )
    await client.connect()
    await client.ehlo()
    if tls is not None and not implicit:
        await client.starttls(tls_context=tls)
        await client.ehlo()
    return client
