"""Folders of one mailbox: name rules, default special-use folders, create/rename/delete, UIDVALIDITY.

Rules:

* Hierarchy separator ``/``; names are UTF-8 (the IMAP layer converts modified UTF-7), NFC
  normalised, without empty levels, control characters or the LIST wildcards ``*`` and ``%``.
* ``INBOX`` is case-insensitive, also as the first level of a path (``inbox/x`` is ``INBOX/x``).
* Creating ``a/b/c`` creates missing ``a`` and ``a/b`` (RFC 9051 §6.3.4 SHOULD).
* Every new folder gets a UIDVALIDITY larger than any the mailbox handed out before (time-based,
  then +1), so a folder deleted and re-created under the same name never repeats one.
* Special-use folders cannot be deleted or renamed, except that renaming INBOX follows RFC 3501
  §6.3.5: its messages move to the new folder and INBOX stays, empty.
* A folder with sub-folders cannot be deleted (delete the children first).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from yunmail.errors import (
    FolderExists,
    FolderHasChildren,
    FolderNameInvalid,
    FolderNotFound,
    FolderProtected,
    MailboxNotFound,
)
from yunmail.mailstore.context import StoreContext
from yunmail.mailstore.model import INBOX, SEPARATOR, Folder, FolderRef, FolderStatus, SpecialUse
from yunmail.storage.repos import blobrefs, mail_state
from yunmail.storage.repos import folders as folder_rows
from yunmail.storage.repos import messages as message_rows
from yunmail.storage.repos.folders import FolderAdvance, FolderRow, NewFolder
from yunmail.storage.repos.mail_state import MailboxAdvance, MailboxCounters

if TYPE_CHECKING:  # annotations only: SQL stays in yunmail.storage
    from sqlalchemy.ext.asyncio import AsyncConnection

MAX_NAME_LENGTH = 512
MAX_LEVEL_LENGTH = 255
MAX_DEPTH = 32

DEFAULT_FOLDERS: tuple[tuple[str, SpecialUse], ...] = (
    (INBOX, SpecialUse.INBOX),
    ("Drafts", SpecialUse.DRAFTS),
    ("Sent", SpecialUse.SENT),
    ("Junk", SpecialUse.JUNK),
    ("Trash", SpecialUse.TRASH),
    ("Virus", SpecialUse.VIRUS),
)


def normalise_name(name: str) -> str:
    """The canonical form of a folder name; ``FolderNameInvalid`` when it breaks the rules above."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise FolderNameInvalid(name=repr(name)) from None
    canonical = unicodedata.normalize("NFC", name)
    levels = canonical.split(SEPARATOR)
    if (
        not canonical
        or len(canonical) > MAX_NAME_LENGTH
        or len(levels) > MAX_DEPTH
        or any(not level.strip() or len(level) > MAX_LEVEL_LENGTH for level in levels)
        or any(ch in "*%" or unicodedata.category(ch) == "Cc" for ch in canonical)
    ):
        raise FolderNameInvalid(name=name)
    if levels[0].upper() == INBOX:
        levels[0] = INBOX
    return SEPARATOR.join(levels)


def parents_of(name: str) -> list[str]:
    """``a/b/c`` -> ``["a", "a/b"]``."""
    levels = name.split(SEPARATOR)
    return [SEPARATOR.join(levels[:i]) for i in range(1, len(levels))]


def folder_from_row(row: FolderRow) -> Folder:
    return Folder(
        id=row.id,
        mailbox_id=row.mailbox_id,
        name=row.name,
        special_use=SpecialUse(row.special_use) if row.special_use else None,
        uidvalidity=row.uidvalidity,
        uidnext=row.uidnext,
        highestmodseq=row.highestmodseq,
        subscribed=row.subscribed,
        messages=row.message_count,
        unseen=row.unseen_count,
        size=row.total_bytes,
        recent_uid=row.recent_uid,
    )


def find_folder(rows: Sequence[FolderRow], ref: FolderRef) -> FolderRow:
    """The row ``ref`` names among ``rows`` (one mailbox's folders); ``FolderNotFound`` otherwise."""
    for row in rows:
        if _matches(row, ref):
            return row
    raise FolderNotFound(name=str(ref))


def _matches(row: FolderRow, ref: FolderRef) -> bool:
    if isinstance(ref, SpecialUse):
        return bool(row.special_use == ref.value)
    if isinstance(ref, int):
        return bool(row.id == ref)
    return bool(row.name == _lookup_name(ref))


def _lookup_name(name: str) -> str:
    try:
        return normalise_name(name)
    except FolderNameInvalid:
        return name  # matches nothing stored: every stored name is canonical


async def resolve_folder(conn: AsyncConnection, mailbox_id: int, ref: FolderRef) -> FolderRow:
    """One folder of the mailbox by id, role or name; ``FolderNotFound`` otherwise."""
    if isinstance(ref, SpecialUse):
        return find_folder(await folder_rows.list_folders(conn, mailbox_id), ref)
    if isinstance(ref, int):
        row = await folder_rows.get_by_id(conn, mailbox_id, ref)
    else:
        row = await folder_rows.get_by_name(conn, mailbox_id, _lookup_name(ref))
    if row is None:
        raise FolderNotFound(name=str(ref))
    return row


async def lock_mailbox(conn: AsyncConnection, mailbox_id: int) -> MailboxCounters:
    """Lock the mailbox row (first statement of every write); ``MailboxNotFound`` when absent."""
    counters = (await mail_state.lock_mailboxes(conn, [mailbox_id])).get(mailbox_id)
    if counters is None:
        raise MailboxNotFound()
    return counters


async def _insert_new(
    ctx: StoreContext,
    conn: AsyncConnection,
    mailbox_id: int,
    names: Sequence[tuple[str, SpecialUse | None]],
    modseq: int,
    *,
    subscribed: bool = True,
) -> list[int]:
    floor = int(ctx.now().timestamp())
    first = await mail_state.allocate_uidvalidity(conn, mailbox_id, floor=floor, count=len(names))
    new = [
        NewFolder(name, role.value if role else None, first + i, modseq, subscribed)
        for i, (name, role) in enumerate(names)
    ]
    # A name subscribed before its folder existed: the subscription now lives on the folder.
    await folder_rows.remove_orphan_subscriptions(conn, mailbox_id, [name for name, _ in names])
    return await folder_rows.insert_folders(conn, mailbox_id, new, created_at=ctx.now())


# --- reads -----------------------------------------------------------------------------------------


async def list_folders(ctx: StoreContext, mailbox_id: int, *, subscribed_only: bool = False) -> list[Folder]:
    async with ctx.db.read() as conn:
        rows = await folder_rows.list_folders(conn, mailbox_id)
    return [folder_from_row(r) for r in rows if r.subscribed or not subscribed_only]


async def get_folder(ctx: StoreContext, mailbox_id: int, ref: FolderRef) -> Folder:
    async with ctx.db.read() as conn:
        return folder_from_row(await resolve_folder(conn, mailbox_id, ref))


async def list_subscriptions(ctx: StoreContext, mailbox_id: int) -> list[str]:
    """Subscribed names: those of subscribed folders and those whose folder does not exist."""
    async with ctx.db.read() as conn:
        rows = await folder_rows.list_folders(conn, mailbox_id)
        orphans = await folder_rows.list_orphan_subscriptions(conn, mailbox_id)
    return sorted({r.name for r in rows if r.subscribed} | set(orphans))


async def status(ctx: StoreContext, mailbox_id: int, ref: FolderRef, *, recent: bool = False) -> FolderStatus:
    """Counts of a folder; with ``recent``, also how many messages no session claimed as recent."""
    async with ctx.db.read() as conn:
        row = await resolve_folder(conn, mailbox_id, ref)
        unclaimed = 0
        if recent and row.recent_uid < row.uidnext:
            fresh = range(row.recent_uid, row.uidnext)
            unclaimed = len(await message_rows.select_summaries(conn, row.id, fresh))
    folder = folder_from_row(row)
    return FolderStatus(
        folder_id=folder.id,
        name=folder.name,
        messages=folder.messages,
        unseen=folder.unseen,
        uidnext=folder.uidnext,
        uidvalidity=folder.uidvalidity,
        highestmodseq=folder.highestmodseq,
        size=folder.size,
        recent=unclaimed,
    )


# --- writes ----------------------------------------------------------------------------------------


async def provision(ctx: StoreContext, mailbox_id: int) -> None:
    """Create the missing default folders (idempotent); a same-named plain folder just gets the role."""
    async with ctx.db.transaction() as conn:
        counters = await lock_mailbox(conn, mailbox_id)
        rows = await folder_rows.list_folders(conn, mailbox_id)
        roles = {r.special_use for r in rows}
        by_name = {r.name: r for r in rows}
        missing: list[tuple[str, SpecialUse | None]] = []
        for name, role in DEFAULT_FOLDERS:
            if role.value in roles:
                continue
            existing = by_name.get(name)
            if existing is None:
                missing.append((name, role))
            elif existing.special_use is None:
                await folder_rows.set_special_use(conn, existing.id, role.value)
        if not missing:
            return
        modseq = counters.modseq + 1
        ids = await _insert_new(ctx, conn, mailbox_id, missing, modseq)
        await mail_state.advance_mailboxes(conn, [MailboxAdvance(mailbox_id, modseq)])
    await ctx.publish(mailbox_id, modseq, ids)


async def create_folder(ctx: StoreContext, mailbox_id: int, name: str, *, subscribe: bool = True) -> Folder:
    """Create ``name`` and any missing parents; ``FolderExists`` if it is already there.

    ``subscribe=False`` (IMAP CREATE, RFC 3501 §6.3.3) leaves new folders unsubscribed, except a name
    that was subscribed before it existed."""
    canonical = normalise_name(name)
    async with ctx.db.transaction() as conn:
        counters = await lock_mailbox(conn, mailbox_id)
        existing = {r.name for r in await folder_rows.list_folders(conn, mailbox_id)}
        if canonical in existing:
            raise FolderExists(name=canonical)
        wanted = [p for p in parents_of(canonical) if p not in existing] + [canonical]
        modseq = counters.modseq + 1
        orphans = set(await folder_rows.list_orphan_subscriptions(conn, mailbox_id))
        ids: list[int] = []
        for wanted_name in wanted:
            keep = subscribe or wanted_name in orphans
            ids += await _insert_new(ctx, conn, mailbox_id, [(wanted_name, None)], modseq, subscribed=keep)
        await mail_state.advance_mailboxes(conn, [MailboxAdvance(mailbox_id, modseq)])
        created = await resolve_folder(conn, mailbox_id, ids[-1])
    await ctx.publish(mailbox_id, modseq, ids)
    return folder_from_row(created)


async def rename_folder(ctx: StoreContext, mailbox_id: int, ref: FolderRef, new_name: str) -> Folder:
    """Rename a folder and its sub-folders (INBOX: move its messages to a new folder instead)."""
    target = normalise_name(new_name)
    async with ctx.db.transaction() as conn:
        counters = await lock_mailbox(conn, mailbox_id)
        rows = await folder_rows.list_folders(conn, mailbox_id)
        source = find_folder(rows, ref)
        names = {r.name for r in rows}
        if target in names:
            raise FolderExists(name=target)
        if target.startswith(source.name + SEPARATOR):
            raise FolderNameInvalid(name=target)  # a folder cannot move under itself
        modseq = counters.modseq + 1
        if source.special_use == SpecialUse.INBOX.value:
            touched = await _rename_inbox(ctx, conn, mailbox_id, source, target, names, modseq)
        else:
            if source.special_use is not None:
                raise FolderProtected(name=source.name)
            touched = await _rename_tree(ctx, conn, mailbox_id, rows, source, target, modseq)
        await mail_state.advance_mailboxes(conn, [MailboxAdvance(mailbox_id, modseq)])
        renamed = await resolve_folder(conn, mailbox_id, target)
    await ctx.publish(mailbox_id, modseq, touched)
    return folder_from_row(renamed)


async def _rename_tree(
    ctx: StoreContext,
    conn: AsyncConnection,
    mailbox_id: int,
    rows: Sequence[FolderRow],
    source: FolderRow,
    target: str,
    modseq: int,
) -> list[int]:
    prefix = source.name + SEPARATOR
    moving = [source, *(r for r in rows if r.name.startswith(prefix))]
    renames = [(r.id, target + r.name[len(source.name) :]) for r in moving]
    staying = {r.name for r in rows} - {r.name for r in moving}
    for _, new in renames:
        if new in staying:
            raise FolderExists(name=new)
    missing = [p for p in parents_of(target) if p not in staying]
    created = await _insert_new(ctx, conn, mailbox_id, [(p, None) for p in missing], modseq)
    await folder_rows.rename_folders(conn, renames)
    return [fid for fid, _ in renames] + created


async def _rename_inbox(
    ctx: StoreContext,
    conn: AsyncConnection,
    mailbox_id: int,
    inbox: FolderRow,
    target: str,
    names: set[str],
    modseq: int,
) -> list[int]:
    # RFC 3501 §6.3.5: renaming INBOX moves all its messages to a new folder with the given name,
    # leaving INBOX empty; INBOX's inferior names are not renamed.
    wanted = [p for p in parents_of(target) if p not in names] + [target]
    ids = await _insert_new(ctx, conn, mailbox_id, [(n, None) for n in wanted], modseq)
    new_id = ids[-1]
    refs = await message_rows.select_refs(conn, inbox.id, None, only_deleted=False)
    moves = [(ref.id, i) for i, ref in enumerate(refs, start=1)]
    await message_rows.move_messages(conn, folder_id=new_id, modseq=modseq, moves=moves)
    await message_rows.insert_tombstones(conn, inbox.id, [ref.uid for ref in refs], modseq)
    size = sum(ref.size for ref in refs)
    unseen = sum(1 for ref in refs if not ref.seen)
    await folder_rows.advance_folders(
        conn,
        [
            FolderAdvance(inbox.id, inbox.uidnext, modseq, -len(refs), -unseen, -size),
            FolderAdvance(new_id, len(refs) + 1, modseq, len(refs), unseen, size),
        ],
    )
    return [inbox.id, *ids]


async def delete_folder(ctx: StoreContext, mailbox_id: int, ref: FolderRef) -> None:
    """Delete a folder and its messages (blob references released); tombstones go with it."""
    async with ctx.db.transaction() as conn:
        counters = await lock_mailbox(conn, mailbox_id)
        rows = await folder_rows.list_folders(conn, mailbox_id)
        folder = find_folder(rows, ref)
        if folder.special_use is not None:
            raise FolderProtected(name=folder.name)
        if any(r.name.startswith(folder.name + SEPARATOR) for r in rows):
            raise FolderHasChildren(name=folder.name)
        if folder.subscribed:
            # RFC 3501 §6.3.4: deleting a folder does not unsubscribe its name.
            await folder_rows.add_orphan_subscription(conn, mailbox_id, folder.name)
        counts = await message_rows.blob_counts_of_folder(conn, folder.id)
        await message_rows.delete_folder_messages(conn, folder.id)
        await folder_rows.delete_folder(conn, folder.id)
        zero = await blobrefs.release_refs(conn, counts)
        modseq = counters.modseq + 1
        await mail_state.advance_mailboxes(conn, [MailboxAdvance(mailbox_id, modseq, -folder.total_bytes)])
    await ctx.reclaim_blobs(zero)
    await ctx.publish(mailbox_id, modseq, [folder.id])


async def set_subscribed(ctx: StoreContext, mailbox_id: int, ref: FolderRef, subscribed: bool) -> None:
    """(Un)subscribe a folder, or a name without a folder (RFC 3501 §6.3.6 allows both); unsubscribing
    a name that is neither a folder nor subscribed is ``FolderNotFound``."""
    async with ctx.db.transaction() as conn:
        try:
            folder = await resolve_folder(conn, mailbox_id, ref)
        except FolderNotFound:
            if isinstance(ref, int | SpecialUse):
                raise
            name = normalise_name(ref)
            orphans = await folder_rows.list_orphan_subscriptions(conn, mailbox_id)
            if subscribed:
                await folder_rows.add_orphan_subscription(conn, mailbox_id, name)
            elif name in orphans:
                await folder_rows.remove_orphan_subscriptions(conn, mailbox_id, [name])
            else:
                raise
        else:
            await folder_rows.set_subscribed(conn, folder.id, subscribed)
        counters = (await mail_state.read_mailboxes(conn, [mailbox_id])).get(mailbox_id)
    # A wake-up for listeners that show subscriptions (IMAP NOTIFY SubscriptionChange); no folder moved.
    await ctx.publish(mailbox_id, counters.modseq if counters is not None else 0, [])


async def claim_recent(
    ctx: StoreContext, mailbox_id: int, folder_id: int, upto: int, *, claim: bool = True
) -> int:
    """IMAP4rev1 ``\\Recent`` (RFC 3501 §2.3.2): the folder's first recent UID ``r``; messages with
    UIDs in ``[r, upto)`` are recent for the caller. With ``claim`` they stop being recent for every
    other session (at most one session sees a message as recent)."""
    while True:
        async with ctx.db.read() as conn:
            row = await resolve_folder(conn, mailbox_id, folder_id)
        first = int(row.recent_uid)
        if not claim or first >= upto:
            return first
        async with ctx.db.transaction() as conn:
            if await folder_rows.claim_recent(conn, row.id, first, upto):
                return first
