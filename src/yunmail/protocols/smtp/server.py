"""The SMTP listeners on aiosmtpd: the only module that imports it (DESIGN §3 rule 5).

``smtp_listener_specs`` gives the runtime three ``net.ListenerSpec`` values (MX ``listen.smtp``,
submission with STARTTLS ``listen.submission``, implicit TLS ``listen.smtps``); ``start_smtp``
binds them on the running loop for callers without a runtime (tests, the benchmark). Connections
come through ``net.Listeners`` (per-IP and total caps, overload handling, drain), which hands each
accepted socket to a fresh ``YunmailSMTP`` protocol: never aiosmtpd's threaded ``Controller``.

What this adapter changes in aiosmtpd 1.4.6, and why:

* **MAIL/RCPT/EHLO/HELO** are our own (``session.py`` parses paths and parameters): aiosmtpd knows
  no DSN parameters, accepts control characters in addresses and cannot refuse a bad EHLO name.
* **Replies** all carry enhanced status codes and never echo client bytes (``replies.translate``).
* **Command line limits** are fixed per instance: aiosmtpd keeps them in a class attribute and
  raises them on every EHLO, so one long session would loosen the limit for every later one.
* **AUTH** uses async ``auth_PLAIN``/``auth_LOGIN`` on the handler (aiosmtpd awaits those, while
  its ``authenticator`` callback would run argon2 on the event loop). On 465 the transport is TLS
  from the start, which aiosmtpd cannot see, so ``auth_require_tls`` is off there and the
  session's own TLS state decides what EHLO offers.
* **STARTTLS**: aiosmtpd (>= 1.4.6) discards plaintext buffered behind STARTTLS and recreates its
  session; we drop our per-connection state with it (HELO name, login).
* **Exceptions** become ``451 4.3.0`` with a trace id (never the exception text) and are counted
  in ``SmtpStats.unhandled`` (tests assert it stays zero).

Per-connection state lives on the ``_Adapter`` (one per connection), keyed to aiosmtpd's
``Envelope`` object: when aiosmtpd replaces the envelope (RSET, EHLO, after DATA, STARTTLS) our
transaction is replaced too, so the two can never disagree.
"""

from __future__ import annotations

import asyncio
import binascii
import contextlib
import logging as std_logging
import ssl
import warnings
from base64 import b64decode
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, AnyStr

from aiosmtpd.smtp import MISSING, SMTP, AuthResult, TLSSetupException

from yunmail import logging
from yunmail.config import ListenSettings
from yunmail.delivery import InboundDelivery, Submission
from yunmail.errors import AuthNotOffered, CommandSyntax, TooManyConnections
from yunmail.net import BoundAddress, Listeners, ListenerSpec, NetLimits, ServerTls
from yunmail.protocols.smtp.mx import MxSession
from yunmail.protocols.smtp.replies import Reply, internal_error, reply_for, translate
from yunmail.protocols.smtp.session import Connection, SmtpSession, SmtpSettings, Transaction
from yunmail.protocols.smtp.submission import SmtpAuthenticator, SubmissionSession
from yunmail.security import new_token

_log = logging.get("smtp.server")

# RFC 5321 §4.5.3.1.4: 512 octets per command line; MAIL and RCPT grow with SIZE, SMTPUTF8, DSN
# (RFC 3461 §5) and AUTH= (RFC 4954 §5), capped by the 1001-octet line reader of aiosmtpd.
COMMAND_LINE_LIMITS: Mapping[str, int] = MappingProxyType({"MAIL": 1000, "RCPT": 1000, "AUTH": 1000})
DEFAULT_COMMAND_LINE = 512
# Per-connection budgets (aiosmtpd answers 421 and closes past them). AUTH is low: the auth
# service's lockout counts across connections; this stops one connection from hammering.
COMMAND_CALL_LIMITS: Mapping[str, int] = MappingProxyType(
    {"MAIL": 10_000, "RCPT": 100_000, "DATA": 10_000, "RSET": 10_000, "NOOP": 1_000, "AUTH": 5, "*": 50}
)
REFUSAL = f"{reply_for(TooManyConnections())}\r\n".encode("ascii")


@dataclass(slots=True)
class SmtpStats:
    """Process-wide SMTP counters (tests and metrics)."""

    connections: int = 0
    unhandled: int = 0


@dataclass(frozen=True, slots=True)
class SmtpContext:
    """Everything the SMTP listeners need, built once by the runtime."""

    settings: SmtpSettings
    inbound: InboundDelivery
    submission: Submission
    authenticator: SmtpAuthenticator
    idle_seconds: float = 300.0
    call_limits: Mapping[str, int] = field(default_factory=lambda: COMMAND_CALL_LIMITS)
    stats: SmtpStats = field(default_factory=SmtpStats)


class _CommandLineLimits(dict[str, int]):
    """A read-only stand-in for aiosmtpd's class-level ``command_size_limits``."""

    def __getitem__(self, command: str) -> int:
        return COMMAND_LINE_LIMITS.get(command, DEFAULT_COMMAND_LINE)

    def __setitem__(self, command: str, value: int) -> None:
        pass  # aiosmtpd adds to it on every EHLO; our limits do not drift


def _tls_description(transport: asyncio.BaseTransport | None) -> str | None:
    ssl_object = transport.get_extra_info("ssl_object") if transport is not None else None
    if ssl_object is None:
        return None
    cipher = ssl_object.cipher()
    return f"{ssl_object.version()} {cipher[0]}" if cipher else str(ssl_object.version())


class YunmailSMTP(SMTP):
    """aiosmtpd's protocol with our command parsing and reply rules (see the module docstring)."""

    def __init__(self, adapter: _Adapter, **options: Any) -> None:
        self.command_size_limits = _CommandLineLimits()
        super().__init__(adapter, **options)
        self.adapter = adapter

    async def push(self, status: AnyStr) -> None:
        if isinstance(status, str):
            await super().push(translate(status))
        else:
            await super().push(status)

    async def _push_all(self, lines: list[str]) -> None:
        for i, line in enumerate(lines):
            await super().push(("250 " if i == len(lines) - 1 else "250-") + line)

    async def smtp_EHLO(self, hostname: str | None) -> None:
        await self._greet(hostname, extended=True)

    async def smtp_HELO(self, hostname: str | None) -> None:
        await self._greet(hostname, extended=False)

    async def _greet(self, hostname: str | None, *, extended: bool) -> None:
        verb = "EHLO" if extended else "HELO"
        self.adapter.sync_tls(self)
        refusal = self.adapter.session.greet(hostname or "")
        if refusal is not None:
            await self.push(str(refusal) if hostname else f"501 5.5.4 Syntax: {verb} hostname")
            return
        self._set_rset_state()  # type: ignore[no-untyped-call]
        assert self.session is not None
        self.session.extended_smtp = extended
        self.session.host_name = hostname
        if extended:
            await self._push_all([self.hostname, *self.adapter.session.capabilities(), "HELP"])
        else:
            await super().push(f"250 {self.hostname}")

    async def smtp_MAIL(self, arg: str | None) -> None:
        if await self.check_helo_needed() or await self.check_auth_needed("MAIL"):
            return
        reply = await self.adapter.mail(self, arg)
        if reply.ok:
            assert self.envelope is not None
            self.envelope.mail_from = self.adapter.txn(self).mail_from
        await self.push(str(reply))

    async def smtp_RCPT(self, arg: str | None) -> None:
        if await self.check_helo_needed() or await self.check_auth_needed("RCPT"):
            return
        reply = await self.adapter.rcpt(self, arg)
        if reply.ok:
            assert self.envelope is not None
            self.envelope.rcpt_tos.append(arg or "")
        await self.push(str(reply))

    async def smtp_VRFY(self, arg: str | None) -> None:
        # RFC 5321 §3.5.3: 252 when we will not confirm addresses (no directory harvesting).
        await self.push("252 2.5.0 Cannot VRFY; send the message and it will be delivered if it can be")


class _Adapter:
    """aiosmtpd's handler for one connection: hooks -> ``SmtpSession`` calls -> reply strings."""

    def __init__(self, ctx: SmtpContext, session: SmtpSession[Any]) -> None:
        self.ctx = ctx
        self.session = session
        self._txn: Transaction | None = None
        self._envelope: object = None

    def txn(self, server: YunmailSMTP) -> Any:
        if self._txn is None or self._envelope is not server.envelope:
            self._txn = self.session.new_transaction()
            self._envelope = server.envelope
        return self._txn

    def sync_tls(self, server: YunmailSMTP) -> None:
        if self.session.tls is None:
            self.session.tls = _tls_description(server.transport)

    async def mail(self, server: YunmailSMTP, arg: str | None) -> Reply:
        self.sync_tls(server)
        return await self.session.mail(self.txn(server), arg)

    async def rcpt(self, server: YunmailSMTP, arg: str | None) -> Reply:
        return await self.session.rcpt(self.txn(server), arg)

    # --- aiosmtpd hooks ----------------------------------------------------------------------

    async def handle_DATA(self, server: YunmailSMTP, session: Any, envelope: Any) -> str:
        content: bytes = envelope.original_content or b""
        return str(await self.session.data(self.txn(server), content))

    async def handle_RSET(self, server: YunmailSMTP, session: Any, envelope: Any) -> str:
        return "250 2.0.0 OK"

    async def handle_NOOP(self, server: YunmailSMTP, session: Any, envelope: Any, arg: str | None) -> str:
        return "250 2.0.0 OK"

    async def handle_QUIT(self, server: YunmailSMTP, session: Any, envelope: Any) -> str:
        return "221 2.0.0 Bye"

    def handle_STARTTLS(self, server: YunmailSMTP, session: Any, envelope: Any) -> bool:
        # RFC 3207 §4.2: forget everything learnt before TLS (aiosmtpd discarded the buffered bytes).
        self.session.helo = None
        self.session.tls = _tls_description(server.transport) or "TLS"
        if isinstance(self.session, SubmissionSession):
            self.session.submitter = None
        return True

    async def handle_AUTH(self, server: YunmailSMTP, session: Any, envelope: Any, args: list[str]) -> Any:
        self.sync_tls(server)
        if not self.session.offers_auth or not self.session.secure:
            return str(reply_for(AuthNotOffered()))
        return MISSING

    async def handle_exception(self, error: Exception) -> str:
        trace = self._txn.trace_id if self._txn is not None else new_token(9)
        if isinstance(error, TLSSetupException):
            # A client that fails the STARTTLS handshake: routine; aiosmtpd closes the connection.
            _log.info("TLS handshake failed", extra={"fields": {"error": repr(error.__cause__)}})
            return str(internal_error(trace))
        self.ctx.stats.unhandled += 1
        _log.error("SMTP command failed", exc_info=error, extra={"fields": {"trace": trace}})
        return str(internal_error(trace))

    # --- AUTH mechanisms (awaited by aiosmtpd, unlike its authenticator callback) ------------

    async def auth_PLAIN(self, server: YunmailSMTP, args: list[str]) -> AuthResult:
        # RFC 4616: [authzid] NUL authcid NUL passwd; "=" is an empty initial response (RFC 4954 §4).
        blob = await _response(server, args, "")
        if blob is None:
            return AuthResult(success=False, handled=True)
        parts = blob.split(b"\x00")
        if len(parts) != 3:
            refusal = CommandSyntax(detail="AUTH PLAIN needs authzid NUL login NUL password")
            await server.push(str(reply_for(refusal)))
            return AuthResult(success=False, handled=True)
        texts = await _utf8(server, parts)
        if texts is None:
            return AuthResult(success=False, handled=True)
        authzid, login, secret = texts
        if authzid and authzid != login:
            await server.push("535 5.7.8 Acting for another user (authorization identity) is not allowed")
            return AuthResult(success=False, handled=True)
        return await self._finish(server, login, secret)

    async def auth_LOGIN(self, server: YunmailSMTP, args: list[str]) -> AuthResult:
        user = await _response(server, args, "Username:")
        if user is None:
            return AuthResult(success=False, handled=True)
        secret = await _response(server, [], "Password:")
        if secret is None:
            return AuthResult(success=False, handled=True)
        texts = await _utf8(server, [user, secret])
        if texts is None:
            return AuthResult(success=False, handled=True)
        return await self._finish(server, texts[0], texts[1])

    async def _finish(self, server: YunmailSMTP, login: str, secret: str) -> AuthResult:
        reply, principal = await self.session.authenticate(login, secret)
        if principal is not None:
            return AuthResult(success=True, auth_data=principal, message=str(reply))
        await server.push(str(reply))
        return AuthResult(success=False, handled=True)


async def _response(server: YunmailSMTP, args: list[str], challenge: str) -> bytes | None:
    """The client's (initial or challenged) response, decoded; None when refused (already answered)."""
    if len(args) < 2:
        answer = await server.challenge_auth(challenge)
        return None if answer is MISSING else bytes(answer)  # MISSING: aborted, 501 already sent
    return await _decode(server, args[1])


async def _decode(server: YunmailSMTP, text: str) -> bytes | None:
    if text == "=":
        return b""
    try:
        return b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        await server.push("501 5.5.2 Cannot decode the base64 response")
        return None


async def _utf8(server: YunmailSMTP, parts: list[bytes]) -> list[str] | None:
    try:
        return [part.decode("utf-8") for part in parts]
    except UnicodeDecodeError:
        await server.push("501 5.5.2 Credentials must be UTF-8")
        return None


# --- listeners ---------------------------------------------------------------------------------------


def _factory(
    ctx: SmtpContext, port: str, tls: ServerTls | None, *, implicit_tls: bool = False
) -> YunmailSMTP:
    """One protocol object for one accepted connection (called by ``net.Listeners``)."""
    ctx.stats.connections += 1
    # The peer is known only once the transport exists: ``connection_made`` fills it in.
    connection = Connection(peer_ip="", implicit_tls=implicit_tls, starttls_offered=tls is not None)
    session: SmtpSession[Any]
    if port == "mx":
        session = MxSession(ctx.settings, connection, ctx.inbound)
    else:
        session = SubmissionSession(ctx.settings, connection, ctx.submission, ctx.authenticator)
    adapter = _Adapter(ctx, session)
    starttls = tls.context if tls is not None and not implicit_tls else None
    with warnings.catch_warnings():
        # On 465 the whole connection is TLS, which aiosmtpd cannot see: its "AUTH without TLS"
        # warning does not apply (the session offers AUTH only when encrypted).
        warnings.simplefilter("ignore", UserWarning)
        return _new_protocol(adapter, ctx, port, starttls, implicit_tls)


def _new_protocol(
    adapter: _Adapter, ctx: SmtpContext, port: str, starttls: ssl.SSLContext | None, implicit_tls: bool
) -> YunmailSMTP:
    return _PeerAwareSMTP(
        adapter,
        hostname=ctx.settings.hostname,
        ident="Yunmail ESMTP",
        data_size_limit=ctx.settings.message_size_bytes,
        enable_SMTPUTF8=True,
        decode_data=False,
        tls_context=starttls,
        require_starttls=port == "submission",
        timeout=ctx.idle_seconds,
        auth_required=port != "mx",
        auth_require_tls=not implicit_tls,
        command_call_limit=dict(ctx.call_limits),
        loop=asyncio.get_running_loop(),
    )


class _PeerAwareSMTP(YunmailSMTP):
    """Fills in the session's peer address when the transport arrives (aiosmtpd's ``connection_made``)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        session = self.adapter.session
        if not session.connection.peer_ip:
            peer = transport.get_extra_info("peername")
            ip = str(peer[0]) if isinstance(peer, tuple) else str(peer or "")
            session.connection = Connection(
                ip, session.connection.implicit_tls, session.connection.starttls_offered
            )
            session.tls = _tls_description(transport)


def smtp_listener_specs(
    ctx: SmtpContext, listen: ListenSettings, tls: ServerTls | None
) -> list[ListenerSpec]:
    """The SMTP front doors for ``Listeners.add``; submission ports need a certificate (AUTH under TLS)."""
    _quiet_aiosmtpd()
    specs: list[ListenerSpec] = []
    if listen.smtp:
        specs.append(
            ListenerSpec(
                "smtp", listen.smtp, protocol_factory=lambda: _factory(ctx, "mx", tls), refusal=REFUSAL
            )
        )
    if tls is None:
        if listen.submission or listen.smtps:
            _log.warning("no TLS certificate: the submission listeners (587/465) stay off")
        return specs
    if listen.submission:
        specs.append(
            ListenerSpec(
                "submission",
                listen.submission,
                protocol_factory=lambda: _factory(ctx, "submission", tls),
                refusal=REFUSAL,
            )
        )
    if listen.smtps:
        specs.append(
            ListenerSpec(
                "smtps",
                listen.smtps,
                protocol_factory=lambda: _factory(ctx, "smtps", tls, implicit_tls=True),
                tls=tls,
            )
        )
    return specs


def _quiet_aiosmtpd() -> None:
    # aiosmtpd logs every command at INFO and a deprecation warning on every AUTH; our adapter
    # logs what matters with trace ids.
    std_logging.getLogger("mail.log").setLevel(std_logging.ERROR)


@dataclass(slots=True)
class SmtpListeners:
    """Handle on listeners started by ``start_smtp``: bound addresses, close, wait_closed."""

    listeners: Listeners
    addresses: dict[str, tuple[BoundAddress, ...]]

    def address(self, name: str) -> tuple[str, int]:
        first = self.addresses[name][0]
        return first.host, first.port

    def close(self) -> None:
        self.listeners.stopping.set()

    async def wait_closed(self, grace_seconds: float | None = None) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            await self.listeners.drain(grace_seconds)


async def start_smtp(
    ctx: SmtpContext,
    listen: ListenSettings,
    tls: ServerTls | None,
    *,
    limits: NetLimits | None = None,
    listeners: Listeners | None = None,
) -> SmtpListeners:
    """Bind the SMTP listeners on the running loop (runtime-less callers: tests, the benchmark)."""
    listeners = listeners or Listeners(limits or NetLimits())
    for spec in smtp_listener_specs(ctx, listen, tls):
        await listeners.add(spec)
    return SmtpListeners(listeners, listeners.addresses())
