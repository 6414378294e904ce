"""SELECT / EXAMINE (with CONDSTORE and QRESYNC parameters), CLOSE and UNSELECT (RFC 9051 §6.3.2, §6.4.1-2).

Order matters on SELECT: subscribe to the change feed first, then read the folder and its
messages, so nothing committed in between is missed (``mailstore.changes``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from yunmail.mailstore import SEEN
from yunmail.protocols.imap.commands import Outcome, ok
from yunmail.protocols.imap.selected import SelectedView, fetch_flags
from yunmail.protocols.imap.wire import codes, commands, responses
from yunmail.protocols.imap.wire.sequence_set import SequenceSet

if TYPE_CHECKING:
    from yunmail.protocols.imap.session import Session


async def select(session: Session, command: commands.Select | commands.Examine) -> Outcome:
    store = session.store
    had_selection = session.view is not None
    # RFC 9051 §6.3.2: a failed SELECT leaves no mailbox selected, so deselect first.
    await session.deselect()
    if had_selection:
        # RFC 7162 §3.2.11: tell the client where the old mailbox's updates end.
        session.send(responses.Untagged("OK", "previous mailbox closed", codes.CLOSED))
    if command.condstore:
        session.enabled.add("CONDSTORE")
    qresync = command.qresync
    if qresync is not None and not session.qresync:
        return Outcome("BAD", "QRESYNC must be enabled first")
    subscription = await session.watch_mailbox()
    try:
        folder = await store.get_folder(session.mailbox_id, command.mailbox)
        summaries = await store.list_messages(session.mailbox_id, folder.id)
    except BaseException:
        await subscription.close()
        raise
    view = SelectedView(
        folder_id=folder.id,
        name=folder.name,
        readonly=command.readonly,
        uidvalidity=folder.uidvalidity,
        modseq=folder.highestmodseq,
        uids=[m.uid for m in summaries],
    )
    view.rev1 = not session.rev2
    view.recent_next = folder.recent_uid
    fresh = view.unexamined_recent()
    if fresh:
        try:
            await session.claim_recent(view, fresh)
        except BaseException:
            await subscription.close()
            raise
    for m in summaries:
        for flag in m.flags:
            if not flag.startswith("\\"):
                view.keywords.setdefault(flag.lower(), flag)
    for response in view.flag_responses():
        session.send(response)
    session.send(responses.Exists(len(summaries)))
    if not session.rev2:
        session.send(responses.Recent(len(view.recent)))
        first_unseen = next((i for i, m in enumerate(summaries, 1) if SEEN not in m.flags), None)
        if first_unseen is not None:
            session.send(responses.Untagged("OK", "first unseen", codes.ResponseCode.unseen(first_unseen)))
    session.send(responses.Untagged("OK", "UIDs valid", codes.ResponseCode.uidvalidity(folder.uidvalidity)))
    session.send(responses.Untagged("OK", "predicted next UID", codes.ResponseCode.uidnext(folder.uidnext)))
    session.send(
        responses.Untagged(
            "OK", "highest modseq", codes.ResponseCode.highestmodseq(max(folder.highestmodseq, 1))
        )
    )
    await session.select(view, subscription)
    if qresync is not None and qresync.uidvalidity == folder.uidvalidity:
        await _resync(session, view, qresync)
    code = codes.READ_ONLY if command.readonly else codes.READ_WRITE
    return ok(f"{command.name} completed", code)


async def _resync(session: Session, view: SelectedView, qresync: commands.QResync) -> None:
    """RFC 7162 §3.2.5.2: VANISHED (EARLIER) and FETCH for what changed since the client's MODSEQ."""
    changes = await session.store.changes_since(session.mailbox_id, view.folder_id, qresync.modseq)
    known = qresync.known_uids
    gone = [u for u in changes.vanished if known is None or known.contains(u, 0xFFFFFFFF)]
    if gone:
        session.send(responses.Vanished(SequenceSet.of(gone), earlier=True))
    for item in changes.changed:
        seq = view.seq_of(item.uid)
        if seq is not None:
            for response in view.announce(item.flags):
                session.send(response)
            session.send(fetch_flags(seq, item.uid, view.flags_of(item.uid, item.flags), item.modseq))


async def close(session: Session, command: commands.Close) -> Outcome:
    """RFC 9051 §6.4.1: expunge silently (unless read-only), then leave the selected state."""
    view = session.view
    if view is not None and not view.readonly:
        await session.store.expunge(session.mailbox_id, view.folder_id)
    await session.deselect()
    return ok("CLOSE completed")


async def unselect(session: Session, command: commands.Unselect) -> Outcome:
    await session.deselect()
    return ok("UNSELECT completed")
