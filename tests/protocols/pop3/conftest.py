"""POP3 server fixtures: a real `Pop3Server` on loopback port 0, a fake authenticator, a tiny asyncio client.

``pop3`` runs the STLS (``pop3``) and implicit TLS (``pop3s``) listeners over the test's backend;
at teardown it asserts that no session hit an unhandled exception and that the store's
invariants hold. ``pop3_deleting`` is the same server for a member whose POP3 deletions really
delete; ``pop3_untrusted`` refuses plaintext login from loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import ssl
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from support.imap import PASSWORD, FakeAuthenticator
from support.invariants import check_store_invariants
from support.mailstore import create_mailbox
from yunmail.clock import FakeClock
from yunmail.config import load_settings
from yunmail.events import InProcessBus
from yunmail.mailstore import MailStore
from yunmail.net import Listeners, NetLimits, ServerTls, client_context, generate_self_signed
from yunmail.protocols.pop3.server import Pop3Server
from yunmail.storage import Database, FileBlobStore


class Pop3TestClient:
    """Line-level POP3 client: ``command`` returns the status line, ``multi`` the lines of a listing."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.greeting = b""

    @classmethod
    async def connect(cls, host: str, port: int, *, tls: ssl.SSLContext | None = None) -> Pop3TestClient:
        reader, writer = await asyncio.open_connection(
            host, port, ssl=tls, server_hostname="localhost" if tls else None
        )
        client = cls(reader, writer)
        client.greeting = await client.line()
        return client

    async def line(self) -> bytes:
        data = await asyncio.wait_for(self.reader.readline(), 30)
        if not data:
            raise ConnectionResetError("server closed the connection")
        return data.rstrip(b"\r\n")

    async def command(self, text: str) -> bytes:
        self.writer.write(text.encode() + b"\r\n")
        await self.writer.drain()
        return await self.line()

    async def body(self) -> list[bytes]:
        """The lines of a multi-line reply after its status line, dot-unstuffed."""
        out = []
        while True:
            line = await self.line()
            if line == b".":
                return out
            out.append(line[1:] if line.startswith(b"..") else line)

    async def multi(self, text: str) -> tuple[bytes, list[bytes]]:
        status = await self.command(text)
        return status, (await self.body() if status.startswith(b"+OK") else [])

    async def login(self, user: str = "alice@example.test", password: str = PASSWORD) -> None:
        assert (await self.command(f"USER {user}")).startswith(b"+OK")
        status = await self.command(f"PASS {password}")
        assert status.startswith(b"+OK"), status

    async def starttls(self, context: ssl.SSLContext) -> None:
        assert (await self.command("STLS")).startswith(b"+OK")
        await self.writer.start_tls(context, server_hostname="localhost")

    async def at_eof(self) -> bool:
        return await asyncio.wait_for(self.reader.read(), 30) == b""

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            await self.writer.wait_closed()


@dataclass
class Pop3Env:
    server: Pop3Server
    listeners: Listeners
    store: MailStore
    auth: FakeAuthenticator
    mailbox_id: int
    tls_client: ssl.SSLContext

    def address(self, name: str = "pop3") -> tuple[str, int]:
        bound = self.listeners.addresses()[name][0]
        return bound.host, bound.port

    async def client(self, *, login: bool = True, implicit_tls: bool = False) -> Pop3TestClient:
        if implicit_tls:
            client = await Pop3TestClient.connect(*self.address("pop3s"), tls=self.tls_client)
        else:
            client = await Pop3TestClient.connect(*self.address())
        if login:
            await client.login()
        return client

    async def deliver(self, message: bytes, flags: tuple[str, ...] = ()) -> int:
        return (await self.store.ingest(self.mailbox_id, message, flags=flags)).uid


async def _start(
    tmp_path: Path,
    db: Database,
    blobs: FileBlobStore,
    bus: InProcessBus,
    clock: FakeClock,
    *,
    overrides: Mapping[str, Any] | None = None,
    deletes: bool = False,
) -> Pop3Env:
    store = MailStore(db, blobs, bus, clock)
    mailbox_id = await create_mailbox(db)
    await store.provision(mailbox_id)
    auth = FakeAuthenticator()
    auth.add("alice@example.test", mailbox_id)
    auth.add("nomailbox@example.test", None)
    settings = load_settings(
        env={},
        overrides={
            "hostname": "mail.yunmail.test",
            "data_dir": str(tmp_path / "data"),
            "listen.pop3": ["127.0.0.1:0"],
            "listen.pop3s": ["127.0.0.1:0"],
            **dict(overrides or {}),
        },
    )
    now = dt.datetime.now(dt.UTC)
    generate_self_signed("localhost", settings.tls.cert_file, settings.tls.key_file, now=now)
    tls = ServerTls.from_settings(settings)
    limits = dataclasses.replace(NetLimits.from_settings(settings), drain_seconds=2.0)

    async def policy(principal: Any) -> bool:
        return deletes

    server = Pop3Server(store, auth, clock, settings=settings, limits=limits, tls=tls, deletes=policy)
    listeners = Listeners(limits)
    for spec in server.specs():
        await listeners.add(spec)
    return Pop3Env(server, listeners, store, auth, mailbox_id, client_context(settings.tls.cert_file))


async def _stop(env: Pop3Env, db: Database, blobs: FileBlobStore) -> None:
    await env.server.close(grace_seconds=2.0)
    await env.listeners.drain(grace_seconds=2.0)
    assert env.server.stats.unhandled_errors == 0, "a POP3 session hit an unhandled exception"
    await check_store_invariants(db, blobs)


@pytest.fixture
async def pop3(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> AsyncIterator[Pop3Env]:
    env = await _start(tmp_path, db, blobs, bus, clock)
    try:
        yield env
    finally:
        await _stop(env, db, blobs)


@pytest.fixture
async def pop3_deleting(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> AsyncIterator[Pop3Env]:
    env = await _start(tmp_path, db, blobs, bus, clock, deletes=True)
    try:
        yield env
    finally:
        await _stop(env, db, blobs)


@pytest.fixture
async def pop3_untrusted(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> AsyncIterator[Pop3Env]:
    env = await _start(tmp_path, db, blobs, bus, clock, overrides={"trusted_networks": []})
    try:
        yield env
    finally:
        await _stop(env, db, blobs)
