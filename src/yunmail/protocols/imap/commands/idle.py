"""IDLE (RFC 2177, RFC 9051 §6.3.13): push untagged updates as the change feed reports them until ``DONE``.

The mailbox feed (`feeds.ChangeFeeds`) marks the view dirty and wakes the connection's `wait`, so an
IDLE session costs no polling and no extra task: one waiter on the socket serves both.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from yunmail.protocols.imap.commands import Outcome, bad, notify, ok
from yunmail.protocols.imap.wire import commands, responses
from yunmail.protocols.imap.wire.arguments import parse_idle_done
from yunmail.protocols.imap.wire.errors import WireError
from yunmail.protocols.imap.wire.tokenizer import LineReceived

if TYPE_CHECKING:
    from yunmail.protocols.imap.session import Session


async def idle(session: Session, command: commands.Idle) -> Outcome:
    session.send(responses.Continuation("idling"))
    await session.send_updates(force=True)
    await session.flush()
    conn, framer = session.conn, session.framer
    timeout = session.config.limits.imap_idle_seconds
    framer.expect_line()
    while True:
        try:
            event = framer.next_event()
        except WireError as err:
            return bad(err.message)
        if isinstance(event, LineReceived):
            try:
                parse_idle_done(event.data)
            except WireError as err:
                return bad(err.message)
            return ok("IDLE terminated")
        if event is not None:
            continue
        if conn.has_data():
            data = await conn.read()
            if not data:
                raise ConnectionResetError("client went away during IDLE")
            framer.feed(data)
            continue
        async with asyncio.timeout(timeout):
            await conn.wait()
        session.check_stopping()
        view = session.view
        if view is not None and view.dirty:
            await session.send_updates()
            await session.flush()
        if session.notifier is not None:
            await notify.deliver(session, in_command=False)
            await session.flush()
