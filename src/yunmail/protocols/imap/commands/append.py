"""APPEND (MULTIAPPEND RFC 3502, CATENATE RFC 4469) through the store's one write path, with APPENDUID.

Messages are stored with CRLF line ends (``mime.canonicalize_line_endings``) so sizes and
BODYSTRUCTURE offsets are what clients expect. A missing folder answers ``NO [TRYCREATE]``, a
full mailbox ``NO [OVERQUOTA]``, an oversized message ``NO [TOOBIG]`` (session error mapping).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from yunmail.errors import YunmailError
from yunmail.mailstore import INBOX, FolderRef, IngestItem, IngestResult
from yunmail.mime import canonicalize_line_endings
from yunmail.protocols.imap.commands import Outcome, catenate, no, ok
from yunmail.protocols.imap.wire import codes, commands
from yunmail.protocols.imap.wire.sequence_set import SequenceSet

if TYPE_CHECKING:
    from yunmail.protocols.imap.session import Session


def _target(session: Session, name: str) -> FolderRef:
    """The selected folder's id when ``name`` is exactly its name (saves a lookup per APPEND)."""
    view = session.view
    if view is not None and (name == view.name or (view.name == INBOX and name.upper() == INBOX)):
        return view.folder_id
    return name


async def append(session: Session, command: commands.Append) -> Outcome:
    store = session.store
    target = _target(session, command.mailbox)
    folder_id = target if isinstance(target, int) else (await store.get_folder(session.mailbox_id, target)).id
    contents: list[bytes] = []
    for m in command.messages:
        if m.catenate is None:
            contents.append(m.data)
            continue
        try:
            contents.append(await catenate.assemble(session, m.catenate))
        except catenate.BadUrl as err:
            return no("a CATENATE URL cannot be resolved", codes.ResponseCode.badurl(err.url))
    if any(not data for data in contents):
        return no("an empty message cannot be stored", codes.CANNOT)
    items = [
        IngestItem(
            mailbox_id=session.mailbox_id,
            data=canonicalize_line_endings(data),
            folder=folder_id,
            flags=[f for f in m.flags if f.lower() != "\\recent"],
            internal_date=m.internal_date,
        )
        for m, data in zip(command.messages, contents, strict=True)
    ]
    results: list[IngestResult]
    if len(items) == 1:
        only = items[0]
        results = [
            await store.ingest(
                only.mailbox_id,
                only.data,
                folder=only.folder,
                flags=only.flags,
                internal_date=only.internal_date,
            )
        ]
    else:
        outcomes = await store.ingest_many(items)
        for outcome in outcomes:
            if isinstance(outcome, YunmailError):
                raise outcome
        results = [o for o in outcomes if isinstance(o, IngestResult)]
    view = session.view
    if view is not None and view.folder_id == folder_id:
        view.dirty = True  # RFC 9051 §6.3.12: the new message shows up as EXISTS before the OK
    uids = [r.uid for r in results]
    code = codes.ResponseCode.appenduid(
        results[0].uidvalidity, uids[0] if len(uids) == 1 else SequenceSet.of(uids)
    )
    return ok("APPEND completed", code)
