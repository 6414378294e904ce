"""Outbound queue crash safety: mail queued in a server killed with SIGKILL is delivered once after restart.

A real ``yunmail serve`` process (SQLite file) accepts submissions while the remote MX is down (its
port is bound but not listening, so every attempt is refused): every acknowledged message sits in
the queue and none is mid-SMTP when the process is killed. A runtime reopened on the same data dir
and database then delivers to a loopback sink, with its clock a day later so retry times and any
lease of the killed worker have passed. Each acknowledged message must arrive exactly once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import socket
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest
from aiosmtpd.smtp import SMTP as SmtpServer
from aiosmtpd.smtp import Envelope, Session

from support.databases import sqlite_copy
from support.dns_server import DnsTestServer
from support.server import running_server, server_settings
from yunmail.clock import FakeClock
from yunmail.config import LISTENER_NAMES
from yunmail.directory import Mailbox, NewMember
from yunmail.net import client_context, generate_self_signed
from yunmail.runtime import open_services

ACTOR = "test:restart"
PASSWORD = "Secret-pass-1"
HOSTNAME = "mx.a.test"
MESSAGES = 20
STARTUP_TIMEOUT_SECONDS = 60.0
PUMP_TIMEOUT_SECONDS = 60.0


class Sink:
    """The remote MX after the restart: records (recipient, Message-ID) per accepted transaction."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []

    async def handle_DATA(self, server: SmtpServer, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        message_id = _message_id(content)
        self.received.extend((rcpt, message_id) for rcpt in envelope.rcpt_tos)
        return "250 2.0.0 Ok"


def _message_id(data: bytes) -> str:
    for line in data.split(b"\r\n"):
        if line.lower().startswith(b"message-id:"):
            return line.split(b":", 1)[1].strip().decode()
    return ""


def _message(sender: str, n: int) -> tuple[str, bytes]:
    recipient = f"user{n}@remote.test"
    data = (
        f"From: {sender}\r\nTo: {recipient}\r\nSubject: queued {n}\r\n"
        f"Date: Thu, 01 Jan 2026 08:00:00 +0000\r\nMessage-ID: <queued-{n}@a.test>\r\n\r\nbody {n}\r\n"
    ).encode()
    return recipient, data


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A loopback port that is bound but not listening: connections to it are refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


@pytest.fixture
async def zone() -> AsyncIterator[DnsTestServer]:
    server = DnsTestServer()
    await server.start()
    server.add_zone("remote.test")
    server.add("remote.test", "MX", "10 mx.remote.test.")
    server.add("mx.remote.test", "A", "127.0.0.1")
    try:
        yield server
    finally:
        await server.stop()


async def _provision(data_dir: Path, database_url: str, nameserver: str) -> Mailbox:
    settings = server_settings(data_dir, database_url, hostname=HOSTNAME, **{"dns.nameservers": [nameserver]})
    generate_self_signed(
        settings.hostname, settings.tls.cert_file, settings.tls.key_file, now=dt.datetime.now(dt.UTC)
    )
    async with open_services(settings) as services:
        enterprise = await services.directory.enterprises.create("Org A", "orga", ACTOR)
        domain = await services.domains.add(enterprise.id, "a.test", ACTOR, trust=True)
        member = await services.directory.members.add(
            enterprise.id,
            NewMember(name="Amy", account="amy", phone="13900000001", password=PASSWORD),
            ACTOR,
            require_password_change=False,
        )
        return await services.directory.mailboxes.open(enterprise.id, member.id, domain.id, ACTOR)


def _serve_environment(data_dir: Path, database_url: str, nameserver: str, mx_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUNMAIL_")}
    env.update({f"YUNMAIL_LISTEN_{name.upper()}": "127.0.0.1:0" for name in LISTENER_NAMES})
    env.update(
        {
            "YUNMAIL_DATA_DIR": str(data_dir),
            "YUNMAIL_DATABASE_URL": database_url,
            "YUNMAIL_HOSTNAME": HOSTNAME,
            "YUNMAIL_DNS_NAMESERVERS": nameserver,
            "YUNMAIL_DELIVERY_MX_PORT": str(mx_port),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


async def _start_serve(cwd: Path, env: dict[str, str]) -> tuple[asyncio.subprocess.Process, dict[str, Any]]:
    """``yunmail serve --json``; returns once it printed its ``ready`` event (the listeners are bound)."""
    log = cwd / "serve.log"
    # serve wants a config file; everything that matters here comes from the environment.
    (cwd / "yunmail.toml").write_text("# see YUNMAIL_* in the environment\n", encoding="utf-8")
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "yunmail",
            "serve",
            "--json",
            cwd=cwd,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
        )
    assert process.stdout is not None
    said: list[bytes] = []
    async with asyncio.timeout(STARTUP_TIMEOUT_SECONDS):
        while line := await process.stdout.readline():
            said.append(line)
            event = json.loads(line)
            if event.get("event") == "ready":
                return process, event
    code = await process.wait()
    raise AssertionError(
        f"yunmail serve exited with {code} before it was ready: {said} {log.read_text()[-2000:]}"
    )


async def _submit_all(address: str, tls_cafile: str, mailbox: Mailbox) -> list[str]:
    """Submit MESSAGES messages over one authenticated session; the acknowledged Message-IDs."""
    host, _, port = address.rpartition(":")
    client = aiosmtplib.SMTP(
        hostname=host, port=int(port), start_tls=False, tls_context=client_context(tls_cafile), timeout=30
    )
    await client.connect()
    acknowledged = []
    try:
        await client.starttls()
        await client.login(mailbox.address, PASSWORD)
        for n in range(MESSAGES):
            recipient, data = _message(mailbox.address, n)
            await client.sendmail(mailbox.address, [recipient], data)
            acknowledged.append(_message_id(data))
    finally:
        await client.quit()
    return acknowledged


@pytest.mark.slow
async def test_queued_mail_survives_sigkill_and_is_delivered_exactly_once_after_restart(
    tmp_path: Path, sqlite_template: Path, zone: DnsTestServer, refused_port: int
) -> None:
    data_dir = tmp_path / "data"
    database_url = sqlite_copy(sqlite_template, tmp_path)
    mailbox = await _provision(data_dir, database_url, zone.nameserver)
    env = _serve_environment(data_dir, database_url, zone.nameserver, refused_port)
    process, ready = await _start_serve(tmp_path, env)
    try:
        (submission,) = ready["listeners"]["submission"]
        acknowledged = await _submit_all(submission, str(data_dir / "tls" / "cert.pem"), mailbox)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert process.returncode == -signal.SIGKILL

    sink = Sink()
    loop = asyncio.get_running_loop()
    remote = await loop.create_server(lambda: SmtpServer(sink, hostname="mx.remote.test"), "127.0.0.1", 0)
    later = FakeClock(dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    overrides = {
        "hostname": HOSTNAME,
        "dns.nameservers": [zone.nameserver],
        "delivery.mx_port": remote.sockets[0].getsockname()[1],
    }
    try:
        async with running_server(
            data_dir, database_url, clock=later, settings_overrides=overrides
        ) as server:
            queue = server.services.mailflow.queue
            pending_after_restart = len(await queue.list_queued(mailbox.enterprise_id))
            async with asyncio.timeout(PUMP_TIMEOUT_SECONDS):
                while await queue.list_queued(mailbox.enterprise_id):
                    await server.runtime.outbound.run_once()
    finally:
        remote.close()
        await remote.wait_closed()

    expected = {(f"user{n}@remote.test", f"<queued-{n}@a.test>") for n in range(MESSAGES)}
    assert (len(acknowledged), pending_after_restart) == (MESSAGES, MESSAGES)
    assert Counter(sink.received) == Counter(expected)
