"""One IMAP session: the read-dispatch-respond loop, its state, and the catalogue-error -> response mapping.

The loop feeds socket bytes to the codec's `Framer`, answers ``+`` to synchronising literals,
parses each complete command once, checks it against the state table, runs its handler and writes
the tagged result preceded by whatever untagged updates the selected mailbox owes.

Implementation notes (invariants):

* **One error mapping.** Handlers raise catalogue errors; `error_outcome` is the only place that
  turns them into ``NO [code] text`` (DESIGN §3 rule 9). `WireError` becomes ``BAD`` (or the
  status it carries). Any other exception is a server bug: it is logged, counted in
  ``ImapStats.unhandled_errors`` (tests assert zero) and answered ``NO [SERVERBUG]``; the
  connection stays usable.
* **Untagged updates at the right moments.** After every command in the selected state the view
  is re-read if the change feed woke it, and pending updates are written before the tagged line;
  EXPUNGE is held back during FETCH, STORE and SEARCH (RFC 9051 §7.4.1) unless the UID form.
* **Literal budget by state.** Before login a literal may be at most
  ``imap_literal_bytes_unauthenticated`` octets; after login the message size limit applies.
* **Answers are not held back.** The output is flushed after every command (and within one when
  it grows past ``_FLUSH_BYTES``), so a pipelining client reads each answer while later commands
  still run; ``flush`` waits only when the transport says the client is not reading.
* **Idle timeout.** 30 minutes without a command (RFC 9051 §5.4) ends the session with BYE;
  before login the shorter ``login_timeout_seconds`` applies.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import ssl
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

from yunmail import errors, logging
from yunmail.auth import Channel, Principal
from yunmail.clock import Clock
from yunmail.mailstore import Change, MailStore, Resync
from yunmail.net import NetLimits, ServerTls
from yunmail.protocols.imap import capabilities as caps
from yunmail.protocols.imap import state
from yunmail.protocols.imap.commands import CloseConnection, Outcome, no
from yunmail.protocols.imap.commands import notify as notify_cmd
from yunmail.protocols.imap.commands.search_context import SearchContexts
from yunmail.protocols.imap.connection import Connection
from yunmail.protocols.imap.feeds import ChangeFeeds, FeedHandle
from yunmail.protocols.imap.selected import SelectedView
from yunmail.protocols.imap.wire import codes, commands, responses
from yunmail.protocols.imap.wire.command_parser import parse_command
from yunmail.protocols.imap.wire.errors import WireError
from yunmail.protocols.imap.wire.tokenizer import (
    CommandReceived,
    Framer,
    Limits,
    LineReceived,
    LiteralAnnounced,
)

_log = logging.get("imap.session")

# Charsets SEARCH accepts (RFC 9051 §6.4.4); Chinese clients still send GB* names.
SEARCH_CHARSETS = ("UTF-8", "US-ASCII", "GB2312", "GBK", "GB18030", "BIG5", "ISO-8859-1")
LOGIN_TIMEOUT_SECONDS = 180.0
MAX_FAILED_LOGINS = 3
MAX_SESSIONS_PER_MAILBOX = 50
_FLUSH_BYTES = 256 * 1024

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Authenticator(Protocol):
    """``yunmail.auth.Authenticator`` (a port, so tests may stand in): returns a ``Principal`` or
    raises catalogue errors (``LoginInvalid``, ``LoginLocked``, ``MailboxNotOpened``...)."""

    async def authenticate(
        self, login: str, secret: str, *, channel: Channel, remote_ip: str
    ) -> Principal: ...


@dataclass(frozen=True, slots=True)
class ImapConfig:
    hostname: str
    trusted_networks: tuple[Network, ...] = ()
    starttls: ServerTls | None = None
    limits: NetLimits = field(default_factory=NetLimits)
    login_timeout_seconds: float = LOGIN_TIMEOUT_SECONDS
    max_failed_logins: int = MAX_FAILED_LOGINS
    max_sessions_per_mailbox: int = MAX_SESSIONS_PER_MAILBOX


@dataclass(slots=True)
class ImapStats:
    """Per-server counters (one instance per server, never module-level)."""

    unhandled_errors: int = 0
    sessions: int = 0
    sessions_by_mailbox: Counter[int] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class ImapDeps:
    mailstore: MailStore
    authenticator: Authenticator
    clock: Clock
    config: ImapConfig
    stats: ImapStats
    feeds: ChangeFeeds


class Session:
    """State and I/O of one client connection; command modules act on it."""

    def __init__(self, deps: ImapDeps, conn: Connection) -> None:
        self.deps = deps
        self.store = deps.mailstore
        self.config = deps.config
        self.conn = conn
        self.state = state.State.NOT_AUTHENTICATED
        self.principal: Principal | None = None
        self.mailbox_id = 0
        self.view: SelectedView | None = None
        self.enabled: set[str] = set()
        self.compressed = False
        self.failed_logins = 0
        self.stopping = False
        self._out = bytearray()
        self._feed: FeedHandle | None = None
        self.search_contexts = SearchContexts()  # RFC 5267 RETURN (UPDATE)
        self.notifier: notify_cmd.Notifier | None = None  # NOTIFY SET is active (RFC 5465)
        self.framer = Framer(self._limits(authenticated=False))

    # --- properties handlers use -----------------------------------------------------------------

    @property
    def utf8(self) -> bool:
        return "UTF8=ACCEPT" in self.enabled or "IMAP4REV2" in self.enabled

    @property
    def rev2(self) -> bool:
        return "IMAP4REV2" in self.enabled

    @property
    def condstore(self) -> bool:
        return "CONDSTORE" in self.enabled or "QRESYNC" in self.enabled

    def enable_condstore(self) -> None:
        """A CONDSTORE-enabling command ran (RFC 7162 §3.1): with a mailbox selected, the first one
        announces ``OK [HIGHESTMODSEQ]`` at once; from then on FETCH responses carry MODSEQ."""
        if self.condstore:
            return
        self.enabled.add("CONDSTORE")
        view = self.view
        if view is not None:
            code = codes.ResponseCode.highestmodseq(max(view.modseq, 1))
            self.send(responses.Untagged("OK", "highest modseq", code))

    @property
    def qresync(self) -> bool:
        return "QRESYNC" in self.enabled

    @property
    def plaintext_login_allowed(self) -> bool:
        if self.conn.tls_active:
            return True
        try:
            ip = ipaddress.ip_address(self.conn.peer_ip)
        except ValueError:
            return False
        return any(ip in net for net in self.config.trusted_networks)

    def capabilities(self) -> tuple[str, ...]:
        return caps.capabilities(
            authenticated=self.state is not state.State.NOT_AUTHENTICATED,
            tls_active=self.conn.tls_active,
            starttls_available=self.config.starttls is not None,
            plaintext_login_allowed=self.plaintext_login_allowed,
            compressed=self.compressed,
            append_limit=self.config.limits.message_size_bytes,
        )

    def _limits(self, *, authenticated: bool) -> Limits:
        limits = self.config.limits
        literal = limits.imap_literal_bytes if authenticated else limits.imap_literal_bytes_unauthenticated
        return Limits(max_line=limits.imap_line_bytes, max_literal=literal, max_command=literal * 2)

    # --- output ----------------------------------------------------------------------------------

    def send(self, response: responses.Response) -> None:
        self._out += response.to_bytes(utf8=self.utf8)

    def send_raw(self, data: bytes) -> None:
        self._out += data

    async def flush(self) -> None:
        if self._out:
            data = bytes(self._out)
            self._out.clear()
            self.conn.write(data)
        await self.conn.drain()

    async def maybe_flush(self) -> None:
        """Flush when a lot is buffered (big FETCH answers stream out instead of piling up)."""
        if len(self._out) >= _FLUSH_BYTES:
            await self.flush()

    # --- input outside the command loop (SASL, IDLE) ---------------------------------------------

    async def read_line(self, seconds: float | None = None) -> bytes | None:
        """The client's next bare line (SASL response, IDLE ``DONE``); ``None`` at end of stream."""
        self.framer.expect_line()
        while True:
            event = self.framer.next_event()
            if isinstance(event, LineReceived):
                return event.data
            if event is not None:  # cannot happen while a line is expected
                continue
            async with asyncio.timeout(seconds):
                data = await self.conn.read()
            if not data:
                return None
            self.framer.feed(data)

    # --- authentication and selection state ------------------------------------------------------

    def login_succeeded(self, principal: Principal) -> None:
        mailbox_id = principal.mailbox_id
        if mailbox_id is None:
            raise errors.MailboxNotOpened()
        stats = self.deps.stats
        if stats.sessions_by_mailbox[mailbox_id] >= self.config.max_sessions_per_mailbox:
            raise errors.LimitExceeded()
        stats.sessions_by_mailbox[mailbox_id] += 1
        self.principal = principal
        self.mailbox_id = int(mailbox_id)
        self.state = state.State.AUTHENTICATED
        self.framer.limits = self._limits(authenticated=True)

    async def watch_mailbox(self) -> FeedHandle:
        """Listen to the mailbox's shared change feed (before reading the state SELECT shows)."""
        return await self.deps.feeds.attach(self.mailbox_id, self._on_change)

    async def select(self, view: SelectedView, feed: FeedHandle) -> None:
        await self.deselect()
        self.view = view
        self._feed = feed
        self.state = state.State.SELECTED

    async def deselect(self) -> None:
        self.view = None
        if self.state is state.State.SELECTED:
            self.state = state.State.AUTHENTICATED
        feed, self._feed = self._feed, None
        if feed is not None:
            await feed.close()

    def _on_change(self, change: Change) -> None:
        """Called by the mailbox feed: mark the view dirty and wake the connection (never blocks)."""
        view = self.view
        if view is None:
            return
        if isinstance(change, Resync) or not change.folder_ids or view.folder_id in change.folder_ids:
            view.dirty = True
            self.conn.notify()

    def on_notify_change(self, change: Change) -> None:
        """The NOTIFY listener on the whole mailbox's feed (never blocks)."""
        notifier = self.notifier
        if notifier is not None:
            notifier.on_change(change)
            self.conn.notify()

    async def refresh(self) -> None:
        """Read what changed in the selected folder since the view's MODSEQ."""
        view = self.view
        if view is None:
            return
        view.dirty = False
        try:
            changes = await self.store.changes_since(self.mailbox_id, view.folder_id, view.modseq)
            view.apply(changes)
            fresh = view.unexamined_recent()
            if fresh:
                await self.claim_recent(view, fresh)
        except errors.FolderNotFound:
            # Deleted by another session: RFC 9051 §6.3.4 lets the server end the session.
            self.send(responses.Untagged("BYE", "the selected mailbox was deleted"))
            raise CloseConnection() from None

    async def claim_recent(self, view: SelectedView, uids: list[int]) -> None:
        """Decide which of ``uids`` (new to the view) are ``\\Recent`` here (RFC 3501 §2.3.2): those
        no other session claimed first. EXAMINE looks without claiming."""
        upto = max(uids) + 1
        first = await self.store.claim_recent(self.mailbox_id, view.folder_id, upto, claim=not view.readonly)
        view.add_recent(uids, first, upto)

    async def send_updates(self, *, allow_expunge: bool = True, force: bool = False) -> None:
        view = self.view
        if view is None:
            return
        if force or view.dirty:
            await self.refresh()
        contexts = self.search_contexts
        if contexts.items:
            await contexts.update(self)  # REMOVEFROM while expunged messages still have numbers
        for response in view.take_updates(
            allow_expunge=allow_expunge, vanished=self.qresync, condstore=self.condstore
        ):
            self.send(response)
        if contexts.items:
            await contexts.update(self)  # ADDTO once new messages have numbers

    # --- the loop --------------------------------------------------------------------------------

    async def run(self) -> None:
        stats = self.deps.stats
        stats.sessions += 1
        try:
            self.send(
                responses.Untagged(
                    "OK",
                    f"{self.config.hostname} Yunmail IMAP ready",
                    codes.ResponseCode.capability(self.capabilities()),
                )
            )
            await self.flush()
            await self._loop()
        except CloseConnection:
            with contextlib.suppress(ConnectionError):
                await self.flush()
        except TimeoutError:
            self.send(responses.Untagged("BYE", "autologout; idle for too long"))
            with contextlib.suppress(ConnectionError):
                await self.flush()
        except (ConnectionError, ssl.SSLError):
            pass
        except Exception:
            stats.unhandled_errors += 1
            _log.exception("IMAP session failed", extra={"fields": {"ip": self.conn.peer_ip}})
        finally:
            stats.sessions -= 1
            if self.principal is not None:
                stats.sessions_by_mailbox[self.mailbox_id] -= 1
                if stats.sessions_by_mailbox[self.mailbox_id] <= 0:
                    del stats.sessions_by_mailbox[self.mailbox_id]
            await self.deselect()
            await notify_cmd.stop(self)
            self.conn.close()

    def _timeout(self) -> float:
        if self.state is state.State.NOT_AUTHENTICATED:
            return self.config.login_timeout_seconds
        return self.config.limits.imap_idle_seconds

    async def _loop(self) -> None:
        deadline: float | None = None
        while True:
            try:
                event = self.framer.next_event()
            except WireError as err:
                self.send_raw(responses.error_response(err, utf8=self.utf8))
                await self.flush()
                continue
            if event is None:
                self.check_stopping()
                if not self.conn.has_data():
                    # One deadline per wait: change-feed wake-ups must not extend the idle time.
                    if deadline is None:
                        deadline = asyncio.get_running_loop().time() + self._timeout()
                    async with asyncio.timeout_at(deadline):
                        await self.conn.wait()
                    if self.notifier is not None:
                        # RFC 5465 §4: notifications go out as they happen, not only with commands.
                        await notify_cmd.deliver(self, in_command=False)
                        await self.flush()
                    continue
                deadline = None
                data = await self.conn.read()
                if not data:
                    return
                self.framer.feed(data)
                continue
            if isinstance(event, LiteralAnnounced):
                self.send(responses.Continuation("Ready for literal data"))
                await self.flush()
            elif isinstance(event, CommandReceived):
                await self._command(event.data)
                # Each answer goes out as soon as its command is done, never held for the commands
                # pipelined behind it: mbsync sends a thousand UID FETCHes at once and gives up when
                # no answer comes for 20 s, and a client may hold back the rest of a half-sent
                # command until it has read the answers it is waiting for.
                await self.flush()
            # LineReceived only arrives through read_line.

    def request_stop(self) -> None:
        """Server shutdown: say BYE at the next command boundary (or at once when waiting)."""
        self.stopping = True
        self.conn.notify()

    def check_stopping(self) -> None:
        if self.stopping:
            self.send(responses.Untagged("BYE", "server shutting down"))
            raise CloseConnection()

    async def _command(self, data: bytes) -> None:
        try:
            command = parse_command(data, utf8=self.utf8, charsets=SEARCH_CHARSETS)
        except WireError as err:
            self.send_raw(responses.error_response(err, utf8=self.utf8))
            return
        outcome = await self._dispatch(command)
        if outcome is None:
            return
        if self.view is not None:
            no_expunge = isinstance(command, state.NO_EXPUNGE_DURING) and not getattr(command, "uid", False)
            await self.send_updates(allow_expunge=not no_expunge)
        if self.notifier is not None:
            await notify_cmd.deliver(self, in_command=True)
        self.send(responses.Tagged(command.tag, outcome.status, outcome.text, outcome.code))

    async def _dispatch(self, command: commands.Command) -> Outcome | None:
        problem = state.refusal(self.state, command)
        if problem is not None:
            return Outcome("BAD", problem)
        handler = state.handler_for(command)
        try:
            return await handler(self, command)
        except WireError as err:
            return Outcome(err.status, err.message, err.response_code)
        except errors.YunmailError as err:
            return error_outcome(err, command)
        except (CloseConnection, ConnectionError, TimeoutError, ssl.SSLError, asyncio.CancelledError):
            raise
        except Exception:
            self.deps.stats.unhandled_errors += 1
            _log.exception(
                "IMAP command failed", extra={"fields": {"command": command.name, "ip": self.conn.peer_ip}}
            )
            return no("internal server error", codes.SERVERBUG)


def error_outcome(err: errors.YunmailError, command: commands.Command) -> Outcome:
    """THE mapping from catalogue errors to tagged IMAP responses (RFC 5530 response codes)."""
    text = err.text("en")
    if isinstance(err, errors.FolderNotFound):
        # RFC 9051 §6.3.12/§6.4.7: a missing target of APPEND/COPY/MOVE invites the client to CREATE.
        target = isinstance(command, commands.Append | commands.Copy | commands.Move)
        return no(text, codes.TRYCREATE if target else codes.NONEXISTENT)
    if isinstance(err, errors.AuthenticationFailed):
        return no(text, codes.AUTHENTICATIONFAILED)
    if isinstance(err, errors.MailboxNotOpened | errors.MemberDisabled):
        return no(text, codes.CONTACTADMIN)
    if isinstance(err, errors.QuotaExceeded):
        return no(text, codes.OVERQUOTA)
    if isinstance(err, errors.MessageTooLarge):
        return no(text, codes.TOOBIG)
    if isinstance(err, errors.FolderExists):
        return no(text, codes.ALREADYEXISTS)
    if isinstance(err, errors.FolderHasChildren):
        return no(text, codes.HASCHILDREN)
    if isinstance(err, errors.MessageNotFound):
        return no(text, codes.EXPUNGEISSUED)
    if isinstance(err, errors.FolderNameInvalid | errors.FolderProtected | errors.Conflict):
        return no(text, codes.CANNOT)
    if isinstance(err, errors.InvalidInput):
        return Outcome("BAD", text, codes.CLIENTBUG)
    if isinstance(err, errors.Forbidden):
        return no(text, codes.NOPERM)
    if isinstance(err, errors.NotFound):
        return no(text, codes.NONEXISTENT)
    if isinstance(err, errors.TooLarge):
        return no(text, codes.LIMIT)
    if isinstance(err, errors.LimitExceeded):
        return no(text, codes.LIMIT)
    return no(text, codes.UNAVAILABLE)
