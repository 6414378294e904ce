"""Getting in: STARTTLS, LOGIN and AUTHENTICATE PLAIN with SASL-IR (RFC 9051 §6.2, RFC 4616, RFC 4959).

Plaintext credentials are refused before TLS unless the peer is on a trusted network
(``[PRIVACYREQUIRED]``, RFC 9051 §6.2.3, with LOGINDISABLED in the capability list). After
``max_failed_logins`` failures on one connection the server says BYE; the lockout across
connections and protocols is the auth service's business.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from yunmail import errors
from yunmail.protocols.imap.commands import CloseConnection, Outcome, bad, no
from yunmail.protocols.imap.wire import codes, commands, responses
from yunmail.protocols.imap.wire.arguments import parse_sasl_response
from yunmail.protocols.imap.wire.errors import WireError

if TYPE_CHECKING:
    from yunmail.protocols.imap.session import Session

_LOGIN = commands.Login("*", "", "")  # error mapping context for failures ending the connection
_PRIVACY = "plaintext login is not allowed on this connection; use STARTTLS or port 993"


async def starttls(session: Session, command: commands.StartTLS) -> Outcome | None:
    tls = session.config.starttls
    if tls is None:
        return bad("STARTTLS is not available")
    if session.conn.tls_active:
        return bad("TLS is already active")
    # Plaintext pipelined after STARTTLS is discarded (framer here, connection buffer in start_tls).
    session.framer.take_buffer()
    session.send(responses.Tagged(command.tag, "OK", "begin TLS negotiation now"))
    await session.flush()
    await session.conn.start_tls(tls.context, session.config.limits.tls_handshake_seconds)
    return None


async def login(session: Session, command: commands.Login) -> Outcome | None:
    if not session.plaintext_login_allowed:
        return no(_PRIVACY, codes.PRIVACYREQUIRED)
    return await _authenticate(session, command.tag, command.userid, command.password)


async def authenticate(session: Session, command: commands.Authenticate) -> Outcome | None:
    if command.mechanism.upper() != "PLAIN":
        return no(f"mechanism {command.mechanism[:20]} is not supported", codes.CANNOT)
    if not session.plaintext_login_allowed:
        return no(_PRIVACY, codes.PRIVACYREQUIRED)
    payload = command.initial_response
    if payload is None:
        # RFC 9051 §6.2.2: an empty challenge, then one line of base64 (or "*" to cancel).
        session.send(responses.Continuation(challenge=b""))
        await session.flush()
        line = await session.read_line(session.config.login_timeout_seconds)
        if line is None:
            raise ConnectionResetError("client went away during AUTHENTICATE")
        try:
            payload = parse_sasl_response(line)
        except WireError as err:
            return bad(err.message)
        if payload is None:
            return bad("authentication cancelled")
    parts = payload.split(b"\x00")
    if len(parts) != 3:
        return bad("malformed PLAIN response")
    authzid, authcid, secret = parts
    if authzid and authzid != authcid:
        return no("acting as another user is not allowed", codes.AUTHORIZATIONFAILED)
    try:
        user, password = authcid.decode("utf-8"), secret.decode("utf-8")
    except UnicodeDecodeError:
        return bad("credentials are not valid UTF-8")
    return await _authenticate(session, command.tag, user, password)


async def _authenticate(session: Session, tag: str, user: str, secret: str) -> Outcome | None:
    from yunmail.protocols.imap.session import error_outcome  # the one mapping; imports us

    try:
        principal = await session.deps.authenticator.authenticate(
            user, secret, channel="imap", remote_ip=session.conn.peer_ip
        )
        session.login_succeeded(principal)
    except errors.YunmailError as err:
        session.failed_logins += 1
        if session.failed_logins >= session.config.max_failed_logins:
            outcome = error_outcome(err, _LOGIN)
            session.send(responses.Tagged(tag, outcome.status, outcome.text, outcome.code))
            session.send(responses.Untagged("BYE", "too many failed login attempts"))
            raise CloseConnection() from None
        raise
    # RFC 9051 §6.2.3: the capability list changes after login; send it with the OK.
    session.send(
        responses.Tagged(tag, "OK", "logged in", codes.ResponseCode.capability(session.capabilities()))
    )
    return None
