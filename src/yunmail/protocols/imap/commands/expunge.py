"""EXPUNGE and UID EXPUNGE (RFC 9051 §6.4.3, RFC 4315 §2.1): remove ``\\Deleted`` messages, report each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from yunmail.protocols.imap.commands import Outcome, no, ok
from yunmail.protocols.imap.wire import codes, commands, responses
from yunmail.protocols.imap.wire.sequence_set import SequenceSet

if TYPE_CHECKING:
    from yunmail.protocols.imap.session import Session


async def expunge(session: Session, command: commands.Expunge) -> Outcome:
    view = session.view
    assert view is not None
    if view.readonly:
        return no("the mailbox is open read-only (EXAMINE)", codes.READ_ONLY)
    uids: list[int] | None = None
    if command.uids is not None:
        uids = [u for _, u in view.resolve(command.uids, uid=True)]
        if not uids:
            return ok("EXPUNGE completed")
    result = await session.store.expunge(session.mailbox_id, view.folder_id, uids)
    view.remember_own(result.modseq)
    if session.search_contexts.items:
        # RFC 5267 §4.3: REMOVEFROM names the messages while they still have their numbers.
        await session.search_contexts.update(session, force=True)
    if session.qresync and result.uids:
        gone = [u for u in result.uids if view.seq_of(u) is not None]
        view.remove(gone)
        if gone:
            session.send(responses.Vanished(SequenceSet.of(gone)))
    else:
        for seq in view.remove(result.uids):
            session.send(responses.Expunge(seq))
    return ok("EXPUNGE completed")
