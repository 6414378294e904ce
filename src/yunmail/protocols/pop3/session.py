"""One POP3 session: the line loop, its states (AUTHORIZATION, TRANSACTION, UPDATE) and the one error mapping.

The maildrop is the INBOX as it was at login (RFC 1939 §8: message numbers never change within
a session). Deletions are only marks until QUIT, when the UPDATE state applies them together with
the ``\\Seen`` flag of every retrieved message; a dropped connection applies nothing.

Implementation notes (invariants):

* **One error mapping.** Handlers raise catalogue errors; `error_reply` is the only place that
  turns them into ``-ERR [code] text`` (RFC 2449 §8 / RFC 3206 codes). Any other exception is a
  server bug: logged, counted in ``Pop3Stats.unhandled_errors``, answered ``-ERR [SYS/TEMP]``.
* **Plaintext credentials need TLS** unless the peer is on a trusted network (RFC 2595 §4):
  before STLS, CAPA lists neither USER nor SASL and USER/PASS/AUTH answer ``-ERR [AUTH]``.
* **Idle timeout**: 10 minutes without a command (RFC 1939 §3) closes the session.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import ipaddress
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from yunmail import errors, logging
from yunmail.auth import Principal
from yunmail.clock import Clock
from yunmail.mailstore import MailStore
from yunmail.net import NetLimits, ServerTls
from yunmail.protocols.imap.connection import Connection
from yunmail.protocols.imap.session import Authenticator
from yunmail.protocols.pop3 import wire

_log = logging.get("pop3.session")

LOGIN_TIMEOUT_SECONDS = 120.0
MAX_FAILED_LOGINS = 3
# Keyword that hides a message from POP3 once a client deleted it while the member keeps mail.
POP3_DELETED = "$POP3Deleted"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
DeletePolicy = Callable[[Principal], Awaitable[bool]]


async def keep_mail(principal: Principal) -> bool:
    """Default policy: POP3 deletions hide messages from POP3 but keep them in the mailbox."""
    return False


class State(enum.Enum):
    AUTHORIZATION = "authorization"
    TRANSACTION = "transaction"


@dataclass(frozen=True, slots=True)
class Pop3Config:
    hostname: str
    trusted_networks: tuple[Network, ...] = ()
    starttls: ServerTls | None = None
    limits: NetLimits = field(default_factory=NetLimits)
    login_timeout_seconds: float = LOGIN_TIMEOUT_SECONDS
    max_failed_logins: int = MAX_FAILED_LOGINS


@dataclass(slots=True)
class Pop3Stats:
    unhandled_errors: int = 0
    sessions: int = 0


@dataclass(frozen=True, slots=True)
class Pop3Deps:
    mailstore: MailStore
    authenticator: Authenticator
    clock: Clock
    config: Pop3Config
    stats: Pop3Stats
    deletes: DeletePolicy = keep_mail


@dataclass(slots=True)
class Drop:
    """One maildrop message: number = index + 1."""

    uid: int
    size: int
    deleted: bool = False
    retrieved: bool = False


class Quit(Exception):
    """End the session after the reply that was already queued."""


class Session:
    def __init__(self, deps: Pop3Deps, conn: Connection) -> None:
        self.deps = deps
        self.store = deps.mailstore
        self.config = deps.config
        self.conn = conn
        self.state = State.AUTHORIZATION
        self.user: str | None = None
        self.principal: Principal | None = None
        self.mailbox_id = 0
        self.folder_id = 0
        self.uidvalidity = 0
        self.drop: list[Drop] = []
        self.failed_logins = 0
        self.stopping = False
        self.lines = wire.LineReader()
        self._out = bytearray()

    # --- facts the handlers use ------------------------------------------------------------------

    @property
    def plaintext_login_allowed(self) -> bool:
        if self.conn.tls_active:
            return True
        try:
            ip = ipaddress.ip_address(self.conn.peer_ip)
        except ValueError:
            return False
        return any(ip in net for net in self.config.trusted_networks)

    def send(self, data: bytes) -> None:
        self._out += data

    async def flush(self) -> None:
        if self._out:
            data = bytes(self._out)
            self._out.clear()
            self.conn.write(data)
        await self.conn.drain()

    async def read_line(self) -> bytes | None:
        """The next client line (SASL continuation); None at end of stream."""
        while True:
            line = self.lines.next_line()
            if line is not None:
                return line
            async with asyncio.timeout(self.config.login_timeout_seconds):
                data = await self.conn.read()
            if not data:
                return None
            self.lines.feed(data)

    def message(self, number: str) -> Drop:
        """The maildrop entry ``number`` names; catalogue errors for bad or deleted numbers."""
        if not number.isdigit() or not 1 <= int(number) <= len(self.drop):
            raise errors.MessageNotFound()
        entry = self.drop[int(number) - 1]
        if entry.deleted:
            raise errors.MessageNotFound()
        return entry

    def unique_id(self, entry: Drop) -> str:
        # RFC 1939 §7: 1-70 printable characters, stable across sessions.
        return f"{self.uidvalidity}.{entry.uid}"

    def request_stop(self) -> None:
        self.stopping = True
        self.conn.notify()

    # --- the loop --------------------------------------------------------------------------------

    async def run(self) -> None:
        from yunmail.protocols.pop3 import commands

        stats = self.deps.stats
        stats.sessions += 1
        try:
            self.send(wire.ok(f"{self.config.hostname} Yunmail POP3 ready"))
            await self.flush()
            await self._loop(commands.dispatch)
        except Quit:
            with contextlib.suppress(ConnectionError):
                await self.flush()
        except TimeoutError:
            self.send(wire.err("disconnected for inactivity"))
            with contextlib.suppress(ConnectionError):
                await self.flush()
        except (ConnectionError, ssl.SSLError):
            pass
        except Exception:
            stats.unhandled_errors += 1
            _log.exception("POP3 session failed", extra={"fields": {"ip": self.conn.peer_ip}})
        finally:
            stats.sessions -= 1
            self.conn.close()

    async def _loop(self, dispatch: Callable[[Session, wire.Command], Awaitable[None]]) -> None:
        deadline: float | None = None
        while True:
            try:
                line = self.lines.next_line()
            except wire.Pop3WireError as exc:
                self.send(wire.err(exc.text("en")))
                await self.flush()
                continue
            if line is None:
                if self.stopping:
                    self.send(wire.err("server shutting down", "SYS/TEMP"))
                    raise Quit()
                if not self.conn.has_data():
                    if deadline is None:
                        timeout = (
                            self.config.login_timeout_seconds
                            if self.state is State.AUTHORIZATION
                            else self.config.limits.pop3_idle_seconds
                        )
                        deadline = asyncio.get_running_loop().time() + timeout
                    async with asyncio.timeout_at(deadline):
                        await self.conn.wait()
                    continue
                deadline = None
                data = await self.conn.read()
                if not data:
                    return
                self.lines.feed(data)
                continue
            try:
                command = wire.parse_command(line)
            except wire.Pop3WireError as exc:
                self.send(wire.err(exc.text("en")))
            else:
                await self._run(dispatch, command)
            # Each answer goes out as soon as its command is done: holding answers until a pipelined
            # batch (RFC 2449) is finished would leave a client reading nothing for as long as the
            # whole batch takes (the same lesson as IMAP with mbsync's thousand UID FETCHes).
            await self.flush()

    async def _run(
        self, dispatch: Callable[[Session, wire.Command], Awaitable[None]], command: wire.Command
    ) -> None:
        try:
            await dispatch(self, command)
        except errors.YunmailError as exc:
            self.send(error_reply(exc))
        except (Quit, ConnectionError, TimeoutError, ssl.SSLError, asyncio.CancelledError):
            raise
        except Exception:
            self.deps.stats.unhandled_errors += 1
            _log.exception(
                "POP3 command failed", extra={"fields": {"command": command.keyword, "ip": self.conn.peer_ip}}
            )
            self.send(wire.err("internal server error", "SYS/TEMP"))


def error_reply(exc: errors.YunmailError) -> bytes:
    """THE mapping from catalogue errors to POP3 replies (RFC 2449 §8, RFC 3206)."""
    text = exc.text("en")
    if isinstance(exc, errors.AuthenticationFailed | errors.MailboxNotOpened | errors.MemberDisabled):
        return wire.err(text, "AUTH")
    if isinstance(exc, errors.MessageNotFound):
        return wire.err("no such message")
    if isinstance(exc, errors.InvalidInput):
        return wire.err(text)
    if isinstance(exc, errors.Unavailable | errors.LimitExceeded):
        return wire.err(text, "SYS/TEMP")
    return wire.err(text, "SYS/PERM")
