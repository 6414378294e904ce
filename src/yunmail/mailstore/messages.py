"""Messages already in the store: read (metadata, cached parse, bytes), flags, copy, move, expunge, purge.

Invariants this module keeps (``tests/support/invariants.py`` checks them after every test):

* Every write locks the mailbox row first and takes ONE new MODSEQ (mailbox counter + 1) for all
  messages it changes; each touched folder's HIGHESTMODSEQ becomes that value.
* UIDs come from the target folder's UIDNEXT and are never reused: an expunged or moved-away UID
  leaves a tombstone (``expunged``) with the MODSEQ of its removal (QRESYNC VANISHED).
* Folder counters and ``used_bytes`` change in the same transaction as the rows; blob reference
  counts too, and blob files at zero are deleted only after the commit.
* MOVE re-homes the row in place (RFC 6851 semantics: copy + expunge, atomically); the row id,
  its search text and dedupe key move along.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from yunmail.errors import MessageNotFound, QuotaExceeded
from yunmail.mailstore.context import StoreContext
from yunmail.mailstore.flags import SYSTEM_FLAGS, apply_flags, flags_of_row, parse_flags
from yunmail.mailstore.folders import lock_mailbox, resolve_folder
from yunmail.mailstore.model import (
    CopyResult,
    ExpungeResult,
    FlagMode,
    FlagUpdate,
    FolderRef,
    MessageFlags,
    MessageInfo,
    MessageSummary,
    UidSet,
)
from yunmail.mailstore.parse_cache import ParseCache, StoredParse
from yunmail.mailstore.quota import exceeds
from yunmail.storage.repos import blobrefs, mail_state
from yunmail.storage.repos import folders as folder_rows
from yunmail.storage.repos import messages as message_rows
from yunmail.storage.repos.folders import FolderAdvance, FolderRow
from yunmail.storage.repos.mail_state import MailboxAdvance
from yunmail.storage.repos.messages import CopySpec, MessageRow, StoredRef

if TYPE_CHECKING:
    from collections.abc import Iterable


def _summary(row: MessageRow) -> MessageSummary:
    return MessageSummary(
        message_id=row.id,
        uid=row.uid,
        modseq=row.modseq,
        flags=flags_of_row(row),
        internal_date=row.internal_date,
        size=row.size,
    )


def _info(row: MessageRow, parses: ParseCache) -> MessageInfo:
    return MessageInfo(
        message_id=row.id,
        uid=row.uid,
        modseq=row.modseq,
        flags=flags_of_row(row),
        internal_date=row.internal_date,
        size=row.size,
        parsed=StoredParse(row.id, row.parsed, parses),
        subject=row.subject,
        from_addr=row.from_addr,
        to_addr=row.to_addr,
        cc_addr=row.cc_addr,
        header_message_id=row.message_id,
        sent_date=row.sent_date,
        preview=row.preview,
        has_attachments=row.has_attachments,
        meta=row.meta,
    )


def _removal_advance(
    folder: FolderRow, refs: Iterable[StoredRef], modseq: int, *, uidnext: int | None = None
) -> FolderAdvance:
    items = list(refs)
    return FolderAdvance(
        folder.id,
        folder.uidnext if uidnext is None else uidnext,
        modseq,
        -len(items),
        -sum(1 for r in items if not r.seen),
        -sum(r.size for r in items),
    )


# --- reads -----------------------------------------------------------------------------------------


async def list_messages(
    ctx: StoreContext, mailbox_id: int, folder: FolderRef, uids: UidSet | None = None
) -> list[MessageSummary]:
    async with ctx.db.read() as conn:
        row = await resolve_folder(conn, mailbox_id, folder)
        rows = await message_rows.select_summaries(conn, row.id, uids)
    return [_summary(r) for r in rows]


async def fetch_messages(
    ctx: StoreContext, mailbox_id: int, folder: FolderRef, uids: UidSet
) -> list[MessageInfo]:
    async with ctx.db.read() as conn:
        row = await resolve_folder(conn, mailbox_id, folder)
        rows = await message_rows.select_summaries(conn, row.id, uids, detail=True)
    return [_info(r, ctx.parses) for r in rows]


async def read_message(
    ctx: StoreContext, mailbox_id: int, folder: FolderRef, uid: int, *, start: int = 0, end: int | None = None
) -> bytes:
    """The message bytes (delivery prefix + blob), or the slice ``[start:end)`` of them."""
    async with ctx.db.read() as conn:
        row = await resolve_folder(conn, mailbox_id, folder)
        content = await message_rows.select_content(conn, row.id, uid)
    if content is None:
        raise MessageNotFound()
    prefix: bytes = content.prefix or b""
    stop = content.size if end is None else max(start, min(end, content.size))
    start = max(0, min(start, stop))
    head = prefix[start:stop]
    body_start, body_stop = max(0, start - len(prefix)), stop - len(prefix)
    try:
        if body_stop <= 0:
            body = b""
        elif body_start == 0 and body_stop >= content.size - len(prefix):
            body = await ctx.blobs.get(content.blob_sha256)
        else:
            body = await ctx.blobs.get_range(content.blob_sha256, body_start, body_stop)
    except KeyError:
        raise MessageNotFound() from None  # expunged (and reclaimed) after our read
    return head + body


async def read_messages(
    ctx: StoreContext, mailbox_id: int, folder: FolderRef, uids: Sequence[int]
) -> dict[int, bytes]:
    """Whole messages (delivery prefix + blob) by UID: one query for all, blobs read concurrently.

    A UID that does not exist, or whose blob was reclaimed after an expunge, is simply absent.
    """
    async with ctx.db.read() as conn:
        row = await resolve_folder(conn, mailbox_id, folder)
        contents = await message_rows.select_contents(conn, row.id, uids)
    if not contents:
        return {}
    bodies = await asyncio.gather(*(ctx.blobs.get(c.blob_sha256) for c in contents), return_exceptions=True)
    out: dict[int, bytes] = {}
    for content, body in zip(contents, bodies, strict=True):
        if isinstance(body, KeyError):
            continue  # expunged (and reclaimed) after our read
        if isinstance(body, BaseException):
            raise body
        out[content.uid] = (content.prefix or b"") + body
    return out


# --- flags -----------------------------------------------------------------------------------------


async def set_flags(
    ctx: StoreContext,
    mailbox_id: int,
    folder: FolderRef,
    uids: UidSet,
    flags: Iterable[str],
    *,
    mode: FlagMode = FlagMode.ADD,
    unchanged_since: int | None = None,
) -> FlagUpdate:
    """STORE: change flags of the messages in ``uids``; with ``unchanged_since`` (RFC 7162 §3.1.3)
    messages whose MODSEQ is higher are left alone and reported in ``modified``."""
    change = parse_flags(flags)
    async with ctx.db.transaction() as conn:
        counters = await lock_mailbox(conn, mailbox_id)
        row = await resolve_folder(conn, mailbox_id, folder)
        rows = await message_rows.select_summaries(conn, row.id, uids)
        modseq = counters.modseq + 1
        updates: list[dict[str, object]] = []
        updated: list[MessageFlags] = []
        modified: list[int] = []
        unseen_delta = 0
        for msg in rows:
            if unchanged_since is not None and msg.modseq > unchanged_since:
                modified.append(msg.uid)
                continue
            current = {column: bool(getattr(msg, column)) for column in SYSTEM_FLAGS.values()}
            system, keywords = apply_flags(current, msg.keywords, change, mode)
            if system == current and keywords == list(msg.keywords):
                continue
            unseen_delta += int(current["seen"]) - int(system["seen"])
            updates.append(
                {
                    "b_id": msg.id,
                    "b_modseq": modseq,
                    "b_keywords": keywords,
                    **{f"b_{k}": v for k, v in system.items()},
                }
            )
            names = {name for name, column in SYSTEM_FLAGS.items() if system[column]} | set(keywords)
            updated.append(MessageFlags(msg.uid, modseq, frozenset(names)))
        if not updates:
            return FlagUpdate(counters.modseq, (), tuple(modified))
        await message_rows.update_flags(conn, updates)
        await folder_rows.advance_folders(
            conn, [FolderAdvance(row.id, row.uidnext, modseq, 0, unseen_delta, 0)]
        )
        await mail_state.advance_mailboxes(conn, [MailboxAdvance(mailbox_id, modseq)])
    await ctx.publish(mailbox_id, modseq, [row.id])
    return FlagUpdate(modseq, tuple(updated), tuple(modified))


# --- copy and move ---------------------------------------------------------------------------------


async def copy_messages(
    ctx: StoreContext, mailbox_id: int, folder: FolderRef, uids: UidSet, target: FolderRef
) -> CopyResult:
    """COPY: new UIDs in ``target``, same blobs (+1 reference), flags and dates kept; quota applies."""
    async with ctx.db.transaction() as conn:
        counters = await lock_mailbox(conn, mailbox_id)
        source = await resolve_folder(conn, mailbox_id, folder)
        dest = await resolve_folder(conn, mailbox_id, target)
        refs = await message_rows.select_refs(conn, source.id, uids, only_deleted=False)
        if not refs:
            return CopyResult(dest.uidvalidity, (), counters.modseq)
        size = sum(r.size for r in refs)
        if exceeds(counters.used_bytes, counters.quota_bytes, size):
            raise QuotaExceeded()
        modseq = counters.modseq + 1
        first = dest.uidnext
        copies = [CopySpec(r.id, first + i) for i, r in enumerate(refs)]
        await message_rows.copy_messages(
            conn, mailbox_id=mailbox_id, folder_id=dest.id, modseq=modseq, copies=copies
        )
        await blobrefs.add_existing_refs(conn, Counter(r.blob_sha256 for r in refs))
        unseen = sum(1 for r in refs if not r.seen)
        await folder_rows.advance_folders(
            conn, [FolderAdvance(dest.id, first + len(refs), modseq, len(refs), unseen, size)]
        )
        await mail_state.advance_mailboxes(conn, [MailboxAdvance(mailbox_id, modseq, size)])
    await ctx.publish(mailbox_id, modseq, [dest.id])
    return CopyResult(
        dest.uidvalidity, tuple((r.uid, c.uid) for r, c in zip(refs, copies, strict=True)), modseq
    )


async def move_messages(
    ctx: StoreContext, mailbox_id: int, folder: FolderRef, uids: UidSet, target: FolderRef
) -> CopyResult:
    """MOVE (RFC 6851): atomically new UIDs in ``target`` and tombstones in the source."""
    async with ctx.db.transaction() as conn:
        counters = await lock_mailbox(conn, mailbox_id)
        source = await resolve_folder(conn, mailbox_id, folder)
        dest = await resolve_folder(conn, mailbox_id, target)
        refs = await message_rows.select_refs(conn, source.id, uids, only_deleted=False)
        if not refs:
            return CopyResult(dest.uidvalidity, (), counters.modseq)
        modseq = counters.modseq + 1
        # Moving within one folder is allowed: the messages just get new UIDs.
        first = dest.uidnext
        moves = [(r.id, first + i) for i, r in enumerate(refs)]
        await message_rows.move_messages(conn, folder_id=dest.id, modseq=modseq, moves=moves)
        await message_rows.insert_tombstones(conn, source.id, [r.uid for r in refs], modseq)
        gone = _removal_advance(source, refs, modseq)
        came = FolderAdvance(
            dest.id, first + len(refs), modseq, -gone.messages, -gone.unseen, -gone.total_bytes
        )
        same = dest.id == source.id
        advances = [FolderAdvance(dest.id, came.uidnext, modseq)] if same else [gone, came]
        await folder_rows.advance_folders(conn, advances)
        await mail_state.advance_mailboxes(conn, [MailboxAdvance(mailbox_id, modseq)])
    await ctx.publish(mailbox_id, modseq, [source.id, dest.id])
    return CopyResult(
        dest.uidvalidity, tuple((r.uid, uid) for r, (_, uid) in zip(refs, moves, strict=True)), modseq
    )


# --- removal ---------------------------------------------------------------------------------------


async def expunge(
    ctx: StoreContext,
    mailbox_id: int,
    folder: FolderRef,
    uids: UidSet | None = None,
    *,
    only_deleted: bool = True,
) -> ExpungeResult:
    """EXPUNGE / UID EXPUNGE: remove messages flagged ``\\Deleted`` (in ``uids`` if given).

    ``only_deleted=False`` removes the given messages whatever their flags (webmail "delete forever").
    """
    async with ctx.db.transaction() as conn:
        counters = await lock_mailbox(conn, mailbox_id)
        row = await resolve_folder(conn, mailbox_id, folder)
        refs = await message_rows.select_refs(conn, row.id, uids, only_deleted=only_deleted)
        if not refs:
            return ExpungeResult(counters.modseq, ())
        modseq = counters.modseq + 1
        await message_rows.delete_messages(conn, [r.id for r in refs])
        await message_rows.insert_tombstones(conn, row.id, [r.uid for r in refs], modseq)
        zero = await blobrefs.release_refs(conn, Counter(r.blob_sha256 for r in refs))
        advance = _removal_advance(row, refs, modseq)
        await folder_rows.advance_folders(conn, [advance])
        await mail_state.advance_mailboxes(conn, [MailboxAdvance(mailbox_id, modseq, advance.total_bytes)])
    await ctx.reclaim_blobs(zero)
    await ctx.publish(mailbox_id, modseq, [row.id])
    return ExpungeResult(modseq, tuple(r.uid for r in refs))


async def purge_mailbox(ctx: StoreContext, mailbox_id: int) -> None:
    """Really delete every folder, message and tombstone of the mailbox (idempotent).

    The directory calls this BEFORE deleting the ``mailboxes`` row: a cascade delete would drop the
    messages without releasing their blob references.
    """
    async with ctx.db.transaction() as conn:
        counters = (await mail_state.lock_mailboxes(conn, [mailbox_id])).get(mailbox_id)
        if counters is None:
            return
        folder_ids = [r.id for r in await folder_rows.list_folders(conn, mailbox_id)]
        if not folder_ids and counters.used_bytes == 0:
            return
        counts = await message_rows.blob_counts_of_mailbox(conn, mailbox_id)
        await message_rows.delete_mailbox_messages(conn, mailbox_id)
        await folder_rows.delete_mailbox_folders(conn, mailbox_id)
        zero = await blobrefs.release_refs(conn, counts)
        modseq = counters.modseq + 1
        await mail_state.reset_usage(conn, mailbox_id, modseq=modseq)
    await ctx.reclaim_blobs(zero)
    await ctx.publish(mailbox_id, modseq, folder_ids)
