"""A small asyncio IMAP test client that returns parsed results, for mox-style assertions.

    c = await ImapTestClient.connect(host, port)
    await c.login("alice@example.test", "secret")
    await c.expect("NO", "COPY 1 nonexistent", code="TRYCREATE")
    result = await c.expect("OK", "FETCH 1 (FLAGS UID)")
    assert result.fetch()[1]["FLAGS"] == ["\\\\Seen"]

Responses are tokenised into Python values: atoms and flags are ``str``, quoted strings and
literals are ``bytes``, ``NIL`` is ``None``, lists are ``list``. FETCH keys keep their section text
(``BODY[HEADER.FIELDS (FROM)]``). Literals to send are `Lit` segments of a command; the client
waits for the ``+`` continuation unless ``plus=True`` (LITERAL+).

The second half runs a server for tests: `start_env` starts an `ImapServer` on loopback port 0
(STARTTLS and implicit TLS listeners, fresh certificate) over a fresh mailbox, with a
`FakeAuthenticator` (fast and controllable; ``test_imap_real_auth`` drives the real auth service);
`stop_env` drains it and checks that no session failed and the store's invariants hold.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import datetime as dt
import ssl
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from support.invariants import check_store_invariants
from support.mailstore import create_mailbox
from yunmail.clock import FakeClock
from yunmail.config import Settings, load_settings
from yunmail.errors import LoginInvalid, MailboxNotOpened
from yunmail.events import InProcessBus
from yunmail.mailstore import MailStore
from yunmail.net import Listeners, NetLimits, ServerTls, client_context, generate_self_signed
from yunmail.protocols.imap.server import ImapServer
from yunmail.storage import Database, FileBlobStore

Value = Any


@dataclass(frozen=True)
class Lit:
    """A literal segment of a command."""

    data: bytes
    plus: bool = False
    binary: bool = False


def tokenize(line: bytes) -> list[Value]:
    """Tokenise one response line (literals already inlined as ``{n}\\r\\n<data>``)."""
    pos = 0
    stack: list[list[Value]] = [[]]
    n = len(line)
    while pos < n:
        ch = line[pos : pos + 1]
        if ch == b" ":
            pos += 1
        elif ch == b"(":
            stack.append([])
            pos += 1
        elif ch == b")":
            done = stack.pop()
            stack[-1].append(done)
            pos += 1
        elif ch == b'"':
            pos += 1
            out = bytearray()
            while line[pos : pos + 1] != b'"':
                if line[pos : pos + 1] == b"\\":
                    pos += 1
                out += line[pos : pos + 1]
                pos += 1
            pos += 1
            stack[-1].append(bytes(out))
        elif ch == b"{" or line[pos : pos + 2] == b"~{":
            start = line.index(b"{", pos) + 1
            end = line.index(b"}", start)
            size = int(line[start:end].rstrip(b"+"))
            data_start = end + 3  # "}\r\n"
            stack[-1].append(line[data_start : data_start + size])
            pos = data_start + size
        else:
            start = pos
            depth = 0
            while pos < n:
                c = line[pos : pos + 1]
                if c == b"[":
                    depth += 1
                elif c == b"]":
                    depth -= 1
                elif depth == 0 and c in (b" ", b"(", b")"):
                    break
                pos += 1
            word = line[start:pos].decode("utf-8", "replace")
            stack[-1].append(None if word.upper() == "NIL" else word)
    return stack[0]


@dataclass
class Result:
    """A tagged completion with the untagged responses that came before it."""

    status: str
    code: str | None
    text: str
    untagged: list[bytes] = field(default_factory=list)

    @property
    def code_name(self) -> str | None:
        return None if self.code is None else self.code.split(" ", 1)[0].upper()

    def data(self, kind: str) -> list[list[Value]]:
        """Tokens after ``* KIND`` (or ``* n KIND``) for every such untagged response."""
        out = []
        for line in self.untagged:
            tokens = tokenize(line)[1:]
            if tokens and isinstance(tokens[0], str) and tokens[0].upper() == kind.upper():
                out.append(tokens[1:])
            elif len(tokens) > 1 and isinstance(tokens[1], str) and tokens[1].upper() == kind.upper():
                out.append([tokens[0], *tokens[2:]])
        return out

    def fetch(self) -> dict[int, dict[str, Value]]:
        """``{seq: {KEY: value}}`` of the untagged FETCH responses (later ones update earlier)."""
        out: dict[int, dict[str, Value]] = {}
        for seq, items in self.data("FETCH"):
            pairs = out.setdefault(int(seq), {})
            for i in range(0, len(items), 2):
                pairs[str(items[i]).upper()] = items[i + 1]
        return out

    def numbers(self, kind: str) -> list[int]:
        """Numbers of ``* EXISTS``/``* EXPUNGE``... responses, in order."""
        return [int(tokens[0]) for tokens in self.data(kind)]

    def search(self) -> list[int]:
        found = self.data("SEARCH")
        return [int(x) for x in found[0] if isinstance(x, str) and x.isdigit()] if found else []


def _status_parts(rest: bytes) -> tuple[str, str | None, str]:
    text = rest.decode("utf-8", "replace")
    status, _, tail = text.partition(" ")
    code = None
    if tail.startswith("["):
        end = tail.find("]")
        code, tail = tail[1:end], tail[end + 1 :].strip()
    return status.upper(), code, tail


class ImapTestClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.greeting = b""
        self._tag = 0
        self._inflate: Any = None
        self._deflate: Any = None
        self._pending = b""

    @classmethod
    async def connect(
        cls, host: str, port: int, *, tls: ssl.SSLContext | None = None, server_hostname: str | None = None
    ) -> ImapTestClient:
        reader, writer = await asyncio.open_connection(
            host, port, ssl=tls, server_hostname=server_hostname if tls else None
        )
        client = cls(reader, writer)
        client.greeting = await client.read_line()
        return client

    # --- raw I/O ---------------------------------------------------------------------------------

    async def _recv(self) -> bytes:
        data = await self.reader.read(65536)
        if not data:
            raise ConnectionResetError("server closed the connection")
        if self._inflate is not None:
            data = self._inflate.decompress(data)
        return data

    async def read_exactly(self, size: int) -> bytes:
        while len(self._pending) < size:
            self._pending += await self._recv()
        out, self._pending = self._pending[:size], self._pending[size:]
        return out

    async def read_raw_line(self) -> bytes:
        while b"\r\n" not in self._pending:
            self._pending += await self._recv()
        line, _, self._pending = self._pending.partition(b"\r\n")
        return line

    async def read_line(self) -> bytes:
        """One response with its literals inlined (``{n}\\r\\n<data>``), without the final CRLF."""
        line = await self.read_raw_line()
        while line.endswith(b"}") and b"{" in line:
            size = int(line[line.rindex(b"{") + 1 : -1].rstrip(b"+"))
            line += b"\r\n" + await self.read_exactly(size) + await self.read_raw_line()
        return line

    def send(self, data: bytes) -> None:
        if self._deflate is not None:
            data = self._deflate.compress(data) + self._deflate.flush(zlib.Z_SYNC_FLUSH)
        self.writer.write(data)

    async def at_eof(self) -> bool:
        """True once the server has closed the connection (waits for it)."""
        try:
            while True:
                if not await self.reader.read(65536):
                    return True
        except (ConnectionError, ssl.SSLError):
            return True

    # --- commands --------------------------------------------------------------------------------

    def next_tag(self) -> str:
        self._tag += 1
        return f"t{self._tag}"

    async def send_command(self, *segments: str | bytes | Lit, tag: str | None = None) -> str:
        """Send a command (waiting for ``+`` before synchronising literals); returns its tag."""
        tag = tag or self.next_tag()
        out = tag.encode() + b" "
        for segment in segments:
            if isinstance(segment, Lit):
                marker = b"~" if segment.binary else b""
                out += marker + b"{%d%s}\r\n" % (len(segment.data), b"+" if segment.plus else b"")
                if not segment.plus:
                    self.send(out)
                    await self.writer.drain()
                    out = b""
                    reply = await self.read_line()
                    if not reply.startswith(b"+"):
                        self._early = reply
                        raise LiteralRefused(reply)
                out += segment.data
            else:
                out += segment.encode() if isinstance(segment, str) else segment
        self.send(out + b"\r\n")
        await self.writer.drain()
        return tag

    async def result(self, tag: str) -> Result:
        untagged: list[bytes] = []
        while True:
            line = await self.read_line()
            if line.startswith(tag.encode() + b" "):
                status, code, text = _status_parts(line[len(tag) + 1 :])
                return Result(status, code, text, untagged)
            untagged.append(line)

    async def command(self, *segments: str | bytes | Lit) -> Result:
        return await self.result(await self.send_command(*segments))

    async def expect(self, status: str, *segments: str | bytes | Lit, code: str | None = None) -> Result:
        result = await self.command(*segments)
        assert result.status == status.upper(), (segments, result)
        if code is not None:
            assert result.code_name == code.upper(), (segments, result)
        return result

    # --- conveniences ----------------------------------------------------------------------------

    async def login(self, user: str, password: str) -> Result:
        return await self.expect("OK", "LOGIN", " ", _quote(user), " ", _quote(password))

    async def authenticate_plain(self, user: str, password: str) -> Result:
        token = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode()
        return await self.command(f"AUTHENTICATE PLAIN {token}")

    async def select(self, mailbox: str = "INBOX") -> Result:
        return await self.expect("OK", "SELECT ", _quote(mailbox))

    async def append(self, mailbox: str, message: bytes, flags: Sequence[str] = ()) -> Result:
        flag_text = f"({' '.join(flags)}) " if flags else ""
        return await self.expect("OK", f"APPEND {_quote(mailbox)} {flag_text}", Lit(message))

    async def starttls(self, context: ssl.SSLContext, server_hostname: str = "localhost") -> None:
        await self.expect("OK", "STARTTLS")
        await self.writer.start_tls(context, server_hostname=server_hostname)

    async def compress(self) -> None:
        await self.expect("OK", "COMPRESS DEFLATE")
        self._inflate = zlib.decompressobj(-15)
        self._deflate = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        if self._pending:
            self._pending = self._inflate.decompress(self._pending)

    async def idle_start(self) -> None:
        tag = await self.send_command("IDLE")
        self._idle_tag = tag
        line = await self.read_line()
        assert line.startswith(b"+"), line

    async def idle_done(self) -> Result:
        self.send(b"DONE\r\n")
        await self.writer.drain()
        return await self.result(self._idle_tag)

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            await self.writer.wait_closed()


class LiteralRefused(Exception):
    """The server answered a synchronising literal with something other than ``+``."""


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- a server for tests -------------------------------------------------------------------------


PASSWORD = "correct horse 9"


@dataclass(frozen=True, slots=True)
class FakePrincipal:
    """The fields of ``yunmail.auth.Principal`` the IMAP layer reads."""

    kind: str
    enterprise_id: int
    member_id: int
    login: str
    mailbox_id: int | None
    address: str
    via_client_password: bool = False


class FakeAuthenticator:
    """Stands in for ``yunmail.auth.Authenticator``: logins from a dict, the same catalogue errors."""

    def __init__(self) -> None:
        self.users: dict[str, tuple[str, FakePrincipal]] = {}
        self.calls: list[tuple[str, str, str]] = []

    def add(self, login: str, mailbox_id: int | None, password: str = PASSWORD) -> None:
        principal = FakePrincipal("member", 1, len(self.users) + 1, login, mailbox_id, login)
        self.users[login.lower()] = (password, principal)

    async def authenticate(self, login: str, secret: str, *, channel: str, remote_ip: str) -> FakePrincipal:
        self.calls.append((login, channel, remote_ip))
        found = self.users.get(login.lower())
        if found is None or found[0] != secret:
            raise LoginInvalid()
        if found[1].mailbox_id is None:
            raise MailboxNotOpened()
        return found[1]


@dataclass
class ImapEnv:
    server: ImapServer
    listeners: Listeners
    store: MailStore
    auth: FakeAuthenticator
    mailbox_id: int
    other_mailbox_id: int
    settings: Settings
    clock: FakeClock
    tls_client: ssl.SSLContext

    @property
    def address(self) -> tuple[str, int]:
        bound = self.listeners.addresses()["imap"][0]
        return bound.host, bound.port

    @property
    def tls_address(self) -> tuple[str, int]:
        bound = self.listeners.addresses()["imaps"][0]
        return bound.host, bound.port

    async def client(self, *, login: bool = True, user: str = "alice@example.test") -> ImapTestClient:
        client = await ImapTestClient.connect(*self.address)
        if login:
            await client.login(user, PASSWORD)
        return client

    async def deliver(self, message: bytes, *, folder: str = "INBOX", flags: tuple[str, ...] = ()) -> int:
        """Store a message as SMTP delivery would (through the one write path); returns its UID."""
        result = await self.store.ingest(self.mailbox_id, message, folder=folder, flags=flags)
        return result.uid


async def start_env(
    tmp_path: Path,
    db: Database,
    blobs: FileBlobStore,
    bus: InProcessBus,
    clock: FakeClock,
    overrides: Mapping[str, Any] | None = None,
    limits: NetLimits | None = None,
    max_sessions_per_mailbox: int = 50,
    authenticator: Any = None,
) -> ImapEnv:
    store = MailStore(db, blobs, bus, clock)
    mailbox_id = await create_mailbox(db)
    other_mailbox_id = await create_mailbox(db)
    await store.provision(mailbox_id)
    await store.provision(other_mailbox_id)
    auth = FakeAuthenticator()
    auth.add("alice@example.test", mailbox_id)
    auth.add("bob@example.test", other_mailbox_id)
    auth.add("nomailbox@example.test", None)
    values: dict[str, Any] = {
        "hostname": "mail.yunmail.test",
        "data_dir": str(tmp_path / "data"),
        "listen.imap": ["127.0.0.1:0"],
        "listen.imaps": ["127.0.0.1:0"],
        **dict(overrides or {}),
    }
    settings = load_settings(env={}, overrides=values)
    generate_self_signed(
        "localhost", settings.tls.cert_file, settings.tls.key_file, now=dt.datetime.now(dt.UTC)
    )
    tls = ServerTls.from_settings(settings)
    net_limits = limits or dataclasses.replace(NetLimits.from_settings(settings), drain_seconds=2.0)
    server = ImapServer(
        store,
        authenticator or auth,
        clock,
        settings=settings,
        limits=net_limits,
        tls=tls,
        max_sessions_per_mailbox=max_sessions_per_mailbox,
    )
    listeners = Listeners(net_limits)
    for spec in server.specs():
        await listeners.add(spec)
    env = ImapEnv(
        server,
        listeners,
        store,
        auth,
        mailbox_id,
        other_mailbox_id,
        settings,
        clock,
        client_context(settings.tls.cert_file),
    )
    return env


async def stop_env(env: ImapEnv, db: Database, blobs: FileBlobStore) -> None:
    await env.server.close(grace_seconds=2.0)
    await env.listeners.drain(grace_seconds=2.0)
    assert env.server.stats.unhandled_errors == 0, "an IMAP session hit an unhandled exception"
    await check_store_invariants(db, blobs)
