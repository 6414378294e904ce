"""POP3 command handlers by state (RFC 1939 §4-§7, CAPA RFC 2449, STLS RFC 2595, AUTH RFC 5034).

Each handler writes its reply through the session and raises catalogue errors for refusals (the
session maps them); ``Quit`` ends the session after the queued reply.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable

from yunmail import errors
from yunmail.mailstore import SEEN, FlagMode
from yunmail.protocols.pop3 import wire
from yunmail.protocols.pop3.session import POP3_DELETED, Drop, Quit, Session, State

Handler = Callable[[Session, wire.Command], Awaitable[None]]
_PRIVACY = "plaintext authentication needs STLS (or port 995) first"


async def dispatch(session: Session, command: wire.Command) -> None:
    table = AUTHORIZATION if session.state is State.AUTHORIZATION else TRANSACTION
    handler = table.get(command.keyword)
    if handler is None:
        session.send(wire.err(f"{command.keyword} is not valid in the {session.state.value} state"))
        return
    await handler(session, command)


# --- any state ------------------------------------------------------------------------------------


async def capa(session: Session, command: wire.Command) -> None:
    lines = ["TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "IMPLEMENTATION Yunmail"]
    if session.state is State.AUTHORIZATION:
        if session.config.starttls is not None and not session.conn.tls_active:
            lines.append("STLS")
        if session.plaintext_login_allowed:
            lines += ["USER", "SASL PLAIN"]
    session.send(wire.lines_reply(wire.ok("capability list follows"), lines))


async def quit_(session: Session, command: wire.Command) -> None:
    if session.state is State.TRANSACTION:
        await _update(session)
    session.send(wire.ok(f"{session.config.hostname} signing off"))
    raise Quit()


# --- AUTHORIZATION ----------------------------------------------------------------------------------


async def stls(session: Session, command: wire.Command) -> None:
    tls = session.config.starttls
    if tls is None or session.conn.tls_active:
        session.send(wire.err("STLS is not available"))
        return
    session.lines.take_buffer()  # RFC 2595 §4: nothing sent before the handshake may count
    session.send(wire.ok("begin TLS negotiation"))
    await session.flush()
    await session.conn.start_tls(tls.context, session.config.limits.tls_handshake_seconds)


async def user(session: Session, command: wire.Command) -> None:
    if not session.plaintext_login_allowed:
        session.send(wire.err(_PRIVACY, "AUTH"))
        return
    if len(command.args) != 1:
        session.send(wire.err("USER needs one argument"))
        return
    session.user = command.args[0]
    session.send(wire.ok("send PASS"))


async def pass_(session: Session, command: wire.Command) -> None:
    if session.user is None:
        session.send(wire.err("USER first"))
        return
    name, session.user = session.user, None
    await _login(session, name, command.rest)


async def auth(session: Session, command: wire.Command) -> None:
    if not command.args:
        # RFC 5034 §4: AUTH without a mechanism lists the mechanisms.
        mechanisms = ["PLAIN"] if session.plaintext_login_allowed else []
        session.send(wire.lines_reply(wire.ok("mechanisms follow"), mechanisms))
        return
    if command.args[0].upper() != "PLAIN":
        session.send(wire.err("mechanism not supported"))
        return
    if not session.plaintext_login_allowed:
        session.send(wire.err(_PRIVACY, "AUTH"))
        return
    if len(command.args) > 1:
        encoded = command.args[1].encode("ascii", "replace")
    else:
        session.send(b"+ \r\n")
        await session.flush()
        line = await session.read_line()
        if line is None:
            raise ConnectionResetError("client went away during AUTH")
        encoded = line.strip()
    if encoded == b"*":
        session.send(wire.err("authentication cancelled"))
        return
    try:
        payload = b"" if encoded == b"=" else base64.b64decode(encoded, validate=True)
        authzid, authcid, secret = payload.split(b"\x00")
        name, password = authcid.decode("utf-8"), secret.decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        session.send(wire.err("malformed PLAIN response"))
        return
    if authzid and authzid != authcid:
        session.send(wire.err("acting as another user is not allowed", "AUTH"))
        return
    await _login(session, name, password)


async def _login(session: Session, name: str, secret: str) -> None:
    try:
        principal = await session.deps.authenticator.authenticate(
            name, secret, channel="pop3", remote_ip=session.conn.peer_ip
        )
        if principal.mailbox_id is None:
            raise errors.MailboxNotOpened()
    except errors.YunmailError:
        session.failed_logins += 1
        if session.failed_logins >= session.config.max_failed_logins:
            session.send(wire.err("authentication failed; too many attempts", "AUTH"))
            raise Quit() from None
        raise
    store = session.store
    mailbox_id = principal.mailbox_id
    folder = await store.get_folder(mailbox_id, "INBOX")
    summaries = await store.list_messages(mailbox_id, folder.id)
    hidden = POP3_DELETED.lower()
    session.principal = principal
    session.mailbox_id = mailbox_id
    session.folder_id = folder.id
    session.uidvalidity = folder.uidvalidity
    session.drop = [Drop(m.uid, m.size) for m in summaries if all(f.lower() != hidden for f in m.flags)]
    session.state = State.TRANSACTION
    session.send(wire.ok(f"{len(session.drop)} messages"))


# --- TRANSACTION ------------------------------------------------------------------------------------


def _live(session: Session) -> list[tuple[int, Drop]]:
    return [(n, d) for n, d in enumerate(session.drop, 1) if not d.deleted]


async def stat(session: Session, command: wire.Command) -> None:
    live = _live(session)
    session.send(wire.ok(f"{len(live)} {sum(d.size for _, d in live)}"))


async def list_(session: Session, command: wire.Command) -> None:
    if command.args:
        entry = session.message(command.args[0])
        session.send(wire.ok(f"{command.args[0]} {entry.size}"))
        return
    live = _live(session)
    session.send(wire.lines_reply(wire.ok(f"{len(live)} messages"), [f"{n} {d.size}" for n, d in live]))


async def uidl(session: Session, command: wire.Command) -> None:
    if command.args:
        entry = session.message(command.args[0])
        session.send(wire.ok(f"{command.args[0]} {session.unique_id(entry)}"))
        return
    lines = [f"{n} {session.unique_id(d)}" for n, d in _live(session)]
    session.send(wire.lines_reply(wire.ok("unique-id listing follows"), lines))


async def _content(session: Session, entry: Drop) -> bytes:
    return await session.store.read_message(session.mailbox_id, session.folder_id, entry.uid)


async def retr(session: Session, command: wire.Command) -> None:
    if len(command.args) != 1:
        session.send(wire.err("RETR needs a message number"))
        return
    entry = session.message(command.args[0])
    data = await _content(session, entry)
    entry.retrieved = True
    session.send(wire.multiline(wire.ok(f"{len(data)} octets"), data))
    await session.flush()


async def top(session: Session, command: wire.Command) -> None:
    if len(command.args) != 2 or not command.args[1].isdigit():
        session.send(wire.err("TOP needs a message number and a line count"))
        return
    entry = session.message(command.args[0])
    data = wire.top(await _content(session, entry), int(command.args[1]))
    session.send(wire.multiline(wire.ok("top of message follows"), data))


async def dele(session: Session, command: wire.Command) -> None:
    if len(command.args) != 1:
        session.send(wire.err("DELE needs a message number"))
        return
    entry = session.message(command.args[0])
    entry.deleted = True
    session.send(wire.ok(f"message {command.args[0]} deleted"))


async def rset(session: Session, command: wire.Command) -> None:
    for entry in session.drop:
        entry.deleted = False
    session.send(wire.ok(f"{len(session.drop)} messages"))


async def noop(session: Session, command: wire.Command) -> None:
    session.send(wire.ok())


async def _update(session: Session) -> None:
    """RFC 1939 §6 UPDATE: apply \\Seen for retrieved messages, then the deletions."""
    store, principal = session.store, session.principal
    assert principal is not None
    seen = [d.uid for d in session.drop if d.retrieved and not d.deleted]
    gone = [d.uid for d in session.drop if d.deleted]
    if seen:
        await store.set_flags(session.mailbox_id, session.folder_id, seen, [SEEN], mode=FlagMode.ADD)
    if not gone:
        return
    if await session.deps.deletes(principal):
        await store.expunge(session.mailbox_id, session.folder_id, gone, only_deleted=False)
    else:
        # The member keeps mail on the server: hide it from POP3, leave it for webmail and IMAP.
        await store.set_flags(
            session.mailbox_id, session.folder_id, gone, [POP3_DELETED, SEEN], mode=FlagMode.ADD
        )


AUTHORIZATION: dict[str, Handler] = {
    "CAPA": capa,
    "QUIT": quit_,
    "STLS": stls,
    "USER": user,
    "PASS": pass_,
    "AUTH": auth,
}
TRANSACTION: dict[str, Handler] = {
    "CAPA": capa,
    "QUIT": quit_,
    "STAT": stat,
    "LIST": list_,
    "UIDL": uidl,
    "RETR": retr,
    "TOP": top,
    "DELE": dele,
    "RSET": rset,
    "NOOP": noop,
}
