"""COPY and MOVE (and their UID forms) with COPYUID (RFC 9051 §6.4.7-8, RFC 6851, RFC 4315).

A missing target folder answers ``NO [TRYCREATE]`` (mapped in the session from ``FolderNotFound``).
MOVE sends ``* OK [COPYUID ...]`` first, then the EXPUNGE (or VANISHED) responses of the moved
messages, then the tagged OK (RFC 6851 §4.3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from yunmail.protocols.imap.commands import Outcome, no, ok
from yunmail.protocols.imap.wire import codes, commands, responses
from yunmail.protocols.imap.wire.sequence_set import SequenceSet

if TYPE_CHECKING:
    from yunmail.mailstore import CopyResult
    from yunmail.protocols.imap.session import Session


def _copyuid(result: CopyResult) -> codes.ResponseCode | None:
    if not result.uid_map:
        return None
    pairs = sorted(result.uid_map)
    return codes.ResponseCode.copyuid(
        result.uidvalidity, SequenceSet.of(s for s, _ in pairs), SequenceSet.of(d for _, d in pairs)
    )


async def copy(session: Session, command: commands.Copy) -> Outcome:
    view = session.view
    assert view is not None
    targets = view.resolve(command.sequence_set, uid=command.uid)
    target = await session.store.get_folder(session.mailbox_id, command.mailbox)
    if not targets:
        return ok("COPY completed (nothing to copy)")
    result = await session.store.copy_messages(
        session.mailbox_id, view.folder_id, [u for _, u in targets], target.id
    )
    if target.id == view.folder_id:
        view.dirty = True  # our own copies appear as new messages
    return ok("COPY completed", _copyuid(result))


async def move(session: Session, command: commands.Move) -> Outcome:
    view = session.view
    assert view is not None
    if view.readonly:
        return no("the mailbox is open read-only (EXAMINE)", codes.READ_ONLY)
    targets = view.resolve(command.sequence_set, uid=command.uid)
    target = await session.store.get_folder(session.mailbox_id, command.mailbox)
    if not targets:
        return ok("MOVE completed (nothing to move)")
    result = await session.store.move_messages(
        session.mailbox_id, view.folder_id, [u for _, u in targets], target.id
    )
    view.remember_own(result.modseq)
    code = _copyuid(result)
    if code is not None:
        session.send(responses.Untagged("OK", "moved", code))
    moved = [source for source, _ in result.uid_map]
    if session.qresync and moved:
        view.remove(moved)
        session.send(responses.Vanished(SequenceSet.of(moved)))
    else:
        for seq in view.remove(moved):
            session.send(responses.Expunge(seq))
    if target.id == view.folder_id:
        view.dirty = True
    return ok("MOVE completed")
