"""Session housekeeping: CAPABILITY, NOOP/CHECK, LOGOUT, ID, ENABLE, NAMESPACE and COMPRESS."""

from __future__ import annotations

from typing import TYPE_CHECKING

import yunmail
from yunmail.protocols.imap.capabilities import ENABLEABLE
from yunmail.protocols.imap.commands import CloseConnection, Outcome, bad, no, ok
from yunmail.protocols.imap.wire import codes, commands, responses

if TYPE_CHECKING:
    from yunmail.protocols.imap.session import Session

_CANONICAL = {"IMAP4REV2": "IMAP4rev2"}


async def capability(session: Session, command: commands.Capability) -> Outcome:
    session.send(responses.CapabilityData(session.capabilities()))
    return ok()


async def noop(session: Session, command: commands.Noop | commands.Check) -> Outcome:
    # RFC 9051 §6.1.2: NOOP is how a client polls; read the store even without a wake-up.
    if session.view is not None:
        await session.send_updates(force=True)
    return ok()


async def logout(session: Session, command: commands.Logout) -> None:
    session.send(responses.Untagged("BYE", "logging out"))
    session.send(responses.Tagged(command.tag, "OK", "LOGOUT completed"))
    raise CloseConnection()


async def id_(session: Session, command: commands.Id) -> Outcome:
    # RFC 2971 §3.3: say who we are; the client's values are only for logs.
    session.send(responses.IdData((("name", "Yunmail"), ("version", yunmail.__version__))))
    return ok()


async def enable(session: Session, command: commands.Enable) -> Outcome:
    """RFC 5161: switch on extensions; ``* ENABLED`` lists those newly enabled."""
    newly: list[str] = []
    for name in command.capabilities:
        upper = name.upper()
        if upper not in ENABLEABLE or upper in session.enabled:
            continue
        if upper == "QRESYNC" and "CONDSTORE" not in session.enabled:
            session.enabled.add("CONDSTORE")
        session.enabled.add(upper)
        newly.append(_CANONICAL.get(upper, upper))
    session.send(responses.Enabled(tuple(newly)))
    return ok()


async def namespace(session: Session, command: commands.Namespace) -> Outcome:
    session.send(responses.NamespaceData(personal=(("", "/"),)))
    return ok()


async def compress(session: Session, command: commands.Compress) -> Outcome | None:
    """RFC 4978: from the tagged OK on, both directions are raw DEFLATE."""
    if command.mechanism.upper() != "DEFLATE":
        return bad(f"unknown compression mechanism {command.mechanism[:20]}")
    if session.compressed:
        return no("compression is already active", codes.COMPRESSIONACTIVE)
    session.send(responses.Tagged(command.tag, "OK", "DEFLATE active"))
    await session.flush()
    session.conn.start_compress(session.framer.take_buffer())
    session.compressed = True
    return None
