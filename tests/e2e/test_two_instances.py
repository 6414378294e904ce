"""Journey (issue 5): two real Yunmail instances exchange mail over SMTP with DKIM, SPF and DMARC passing.

Instance A hosts ``a.test`` and instance B hosts ``b.test``; both run on 127.0.0.1, each with its own
database and data dir. A's outbound transport dials ``delivery.mx_port`` (B's SMTP port), and both
resolve through one in-process authoritative DNS server holding the MX, A, SPF, DKIM and DMARC
records. A's delivery worker is driven with ``run_once`` until the expected state is observed (the
runtime's own background worker may take a row first; leases make that harmless).
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import aiosmtplib
import pytest

from support.databases import sqlite_copy
from support.dns_server import DnsTestServer
from support.server import RunningServer, running_server
from yunmail.clock import FakeClock
from yunmail.directory import Mailbox, NewMember
from yunmail.mailstore import INBOX

ACTOR = "test:e2e"
PASSWORD = "Secret-pass-1"
PUMP_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Account:
    enterprise_id: int
    mailbox: Mailbox


async def _account(server: RunningServer, org: str, domain_name: str, account: str) -> Account:
    services = server.services
    enterprise = await services.directory.enterprises.create(org.upper(), org, ACTOR)
    domain = await services.domains.add(enterprise.id, domain_name, ACTOR, trust=True)
    member = await services.directory.members.add(
        enterprise.id,
        NewMember(name=account.title(), account=account, phone="13900000001", password=PASSWORD),
        ACTOR,
        require_password_change=False,
    )
    mailbox = await services.directory.mailboxes.open(enterprise.id, member.id, domain.id, ACTOR)
    return Account(enterprise.id, mailbox)


async def _publish_domain(zone: DnsTestServer, server: RunningServer, domain: str) -> None:
    """MX/A pointing at 127.0.0.1, SPF for 127.0.0.1, DMARC reject, and the domain's live DKIM keys."""
    zone.add_zone(domain)
    zone.add(domain, "MX", f"10 mx.{domain}.")
    zone.add(f"mx.{domain}", "A", "127.0.0.1")
    zone.add(domain, "TXT", "v=spf1 ip4:127.0.0.1 -all")
    zone.add(f"_dmarc.{domain}", "TXT", "v=DMARC1; p=reject")
    for active in await server.services.domains.keys.active_keys(domain):
        zone.add(f"{active.selector}._domainkey.{domain}", "TXT", active.key.txt_value())


def _message(sender: str, recipient: str, message_id: str) -> bytes:
    return (
        f"From: Amy <{sender}>\r\nTo: {recipient}\r\nSubject: Quarterly report\r\n"
        f"Date: Thu, 01 Jan 2026 08:00:00 +0000\r\nMessage-ID: <{message_id}>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "The figures are attached.\r\n"
    ).encode()


async def _submit(server: RunningServer, sender: Account, recipient: str, message_id: str) -> None:
    """Submission with STARTTLS and AUTH, as a mail client does it."""
    host, port = server.address("submission")
    client = aiosmtplib.SMTP(
        hostname=host, port=port, start_tls=False, tls_context=server.client_tls(), timeout=10
    )
    await client.connect()
    try:
        await client.starttls()
        await client.login(sender.mailbox.address, PASSWORD)
        address = sender.mailbox.address
        await client.sendmail(address, [recipient], _message(address, recipient, message_id))
    finally:
        await client.quit()


async def _pump(server: RunningServer, done: Callable[[], Awaitable[bool]]) -> None:
    """Run the delivery worker until ``done`` holds (bounded, no sleeping)."""
    async with asyncio.timeout(PUMP_TIMEOUT_SECONDS):
        while not await done():
            await server.runtime.outbound.run_once()


async def _inbox(server: RunningServer, account: Account) -> list[bytes]:
    store = server.services.mailstore
    summaries = await store.list_messages(account.mailbox.id, INBOX)
    return [await store.read_message(account.mailbox.id, INBOX, s.uid) for s in summaries]


def _auth_results(data: bytes) -> dict[str, str]:
    """``{method: result}`` from the message's Authentication-Results field (RFC 8601)."""
    parsed = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(data)
    value = " ".join(str(parsed["Authentication-Results"]).split())
    methods = {}
    for clause in value.split(";")[1:]:
        method, _, rest = clause.strip().partition("=")
        methods[method] = rest.split()[0] if rest else ""
    return methods


@dataclass(frozen=True, slots=True)
class Pair:
    a: RunningServer
    b: RunningServer
    amy: Account  # a member of a.test
    bob: Account  # a member of b.test


@pytest.fixture
async def zone() -> AsyncIterator[DnsTestServer]:
    server = DnsTestServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def _overrides(zone: DnsTestServer, hostname: str, **extra: object) -> dict[str, object]:
    return {"hostname": hostname, "dns.nameservers": [zone.nameserver], **extra}


@pytest.fixture
async def pair(
    tmp_path: Path, database_url: str, sqlite_template: Path, zone: DnsTestServer
) -> AsyncIterator[Pair]:
    # A runs on the parametrised backend; B always on its own SQLite file.
    (tmp_path / "b").mkdir()
    b_url = sqlite_copy(sqlite_template, tmp_path / "b")
    async with AsyncExitStack() as stack:
        b = await stack.enter_async_context(
            running_server(
                tmp_path / "b", b_url, clock=FakeClock(), settings_overrides=_overrides(zone, "mx.b.test")
            )
        )
        _, b_smtp_port = b.address("smtp")
        a = await stack.enter_async_context(
            running_server(
                tmp_path / "a",
                database_url,
                clock=FakeClock(),
                settings_overrides=_overrides(zone, "mx.a.test", **{"delivery.mx_port": b_smtp_port}),
            )
        )
        amy = await _account(a, "orga", "a.test", "amy")
        bob = await _account(b, "orgb", "b.test", "bob")
        await _publish_domain(zone, a, "a.test")
        await _publish_domain(zone, b, "b.test")
        yield Pair(a, b, amy, bob)


async def test_mail_from_a_arrives_at_b_with_dkim_spf_and_dmarc_passing(pair: Pair) -> None:
    await _submit(pair.a, pair.amy, pair.bob.mailbox.address, "report-1@a.test")

    async def arrived() -> bool:
        return len(await _inbox(pair.b, pair.bob)) == 1

    await _pump(pair.a, arrived)

    (stored,) = await _inbox(pair.b, pair.bob)
    results = _auth_results(stored)
    assert (results["dkim"], results["spf"], results["dmarc"]) == ("pass", "pass", "pass")


async def test_unknown_recipient_at_b_bounces_to_the_a_sender_as_recipient_unknown(pair: Pair) -> None:
    await _submit(pair.a, pair.amy, "nobody@b.test", "lost-1@a.test")

    async def bounced() -> bool:
        return len(await _inbox(pair.a, pair.amy)) == 1

    await _pump(pair.a, bounced)

    store = pair.a.services.mailstore
    (summary,) = await store.list_messages(pair.amy.mailbox.id, INBOX)
    (notice,) = await store.fetch_messages(pair.amy.mailbox.id, INBOX, [summary.uid])
    assert (notice.meta["bounce"]["cause"], notice.meta["bounce"]["reply_code"]) == ("recipient_unknown", 550)


async def test_mail_to_b_while_it_is_down_is_deferred_then_delivered_when_it_is_up(
    tmp_path: Path, database_url: str, sqlite_template: Path, zone: DnsTestServer
) -> None:
    (tmp_path / "b").mkdir()
    b_url = sqlite_copy(sqlite_template, tmp_path / "b")
    b_overrides = _overrides(zone, "mx.b.test")
    # Start B once to provision it and learn its SMTP port, then stop it: B is "down".
    async with running_server(tmp_path / "b", b_url, settings_overrides=b_overrides) as b:
        bob = await _account(b, "orgb", "b.test", "bob")
        await _publish_domain(zone, b, "b.test")
        b_host, b_port = b.address("smtp")
    a_clock = FakeClock()
    a_overrides = _overrides(zone, "mx.a.test", **{"delivery.mx_port": b_port})
    async with running_server(
        tmp_path / "a", database_url, clock=a_clock, settings_overrides=a_overrides
    ) as a:
        amy = await _account(a, "orga", "a.test", "amy")
        await _publish_domain(zone, a, "a.test")
        queue = a.services.mailflow.queue
        await _submit(a, amy, bob.mailbox.address, "later-1@a.test")

        async def deferred() -> bool:
            rows = await queue.list_queued(amy.enterprise_id)
            return [(r.status, r.attempts) for r in rows] == [("queued", 1)]

        await _pump(a, deferred)
        (row,) = await queue.list_queued(amy.enterprise_id)
        assert row.next_attempt_at > a_clock.now()

        up_overrides = {**b_overrides, "listen.smtp": [f"{b_host}:{b_port}"]}
        async with running_server(tmp_path / "b", b_url, settings_overrides=up_overrides) as b_again:
            a_clock.advance(seconds=(row.next_attempt_at - a_clock.now()).total_seconds() + 1)

            async def arrived() -> bool:
                return len(await _inbox(b_again, bob)) == 1

            await _pump(a, arrived)

            assert await queue.list_queued(amy.enterprise_id) == []
