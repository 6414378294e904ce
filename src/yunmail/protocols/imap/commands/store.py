"""STORE and UID STORE: flag changes with CONDSTORE UNCHANGEDSINCE (RFC 9051 §6.4.6, RFC 7162 §3.1.3).

``\\Recent`` cannot be stored (it is a session flag) and is ignored as RFC 3501 §2.3.2 says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from yunmail.mailstore import FlagMode
from yunmail.protocols.imap.commands import Outcome, no, ok
from yunmail.protocols.imap.selected import fetch_flags
from yunmail.protocols.imap.wire import codes, commands, responses
from yunmail.protocols.imap.wire.sequence_set import SequenceSet

if TYPE_CHECKING:
    from yunmail.protocols.imap.session import Session

_MODES = {"add": FlagMode.ADD, "remove": FlagMode.REMOVE, "replace": FlagMode.REPLACE}


async def store(session: Session, command: commands.Store) -> Outcome:
    view = session.view
    assert view is not None
    if view.readonly:
        return no("the mailbox is open read-only (EXAMINE)", codes.READ_ONLY)
    if command.unchangedsince is not None:
        session.enable_condstore()  # RFC 7162 §3.1
    targets = view.resolve(command.sequence_set, uid=command.uid)
    if not targets:
        return ok("STORE completed")
    flags = [f for f in command.flags if f.lower() != "\\recent"]
    seq_of = {u: s for s, u in targets}
    update = await session.store.set_flags(
        session.mailbox_id,
        view.folder_id,
        sorted(seq_of),
        flags,
        mode=_MODES[command.action],
        unchanged_since=command.unchangedsince,
    )
    if update.updated:
        view.remember_own(update.modseq)
    condstore = session.condstore
    changed = {m.uid: m for m in update.updated}
    if not command.silent:
        # RFC 9051 §6.4.6: the new flags of every message in the set, changed or not.
        unchanged = [u for u in seq_of if u not in changed and u not in update.modified]
        current = (
            {
                m.uid: m
                for m in await session.store.list_messages(session.mailbox_id, view.folder_id, unchanged)
            }
            if unchanged
            else {}
        )
        for uid in sorted(seq_of):
            state = changed.get(uid) or current.get(uid)
            if state is not None:
                for response in view.announce(state.flags):
                    session.send(response)
                modseq = state.modseq if condstore else None
                session.send(fetch_flags(seq_of[uid], uid, view.flags_of(uid, state.flags), modseq))
    elif condstore:
        # RFC 7162 §3.1.3: even with .SILENT, changed messages get FETCH with their new MODSEQ.
        for uid in sorted(changed):
            session.send(responses.Fetch(seq_of[uid], (("UID", uid), ("MODSEQ", (changed[uid].modseq,)))))
    if update.modified:
        numbers = update.modified if command.uid else [seq_of[u] for u in update.modified]
        return ok(
            "some messages were modified meanwhile", codes.ResponseCode.modified(SequenceSet.of(numbers))
        )
    return ok("STORE completed")
