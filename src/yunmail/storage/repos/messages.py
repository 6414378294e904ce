"""Message rows of the mail store: insert, read by UID set, flags, copy, move, delete, tombstones, changes.

Rows are addressed by ``folder_id`` + UID sets (the IMAP view) or by row ids. Callers hold the
mailbox row lock for every write. Long UID and id lists are split into chunks so no statement
exceeds the bind-parameter limits of SQLite or asyncpg.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Row,
    Text,
    bindparam,
    delete,
    false,
    insert,
    literal,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.sql.schema import expunged, folders, message_texts, messages

MessageRow: TypeAlias = Row[*tuple[Any, ...]]

_CHUNK = 500
FLAG_COLUMNS = ("seen", "answered", "flagged", "deleted", "draft")

SUMMARY_COLUMNS = (
    messages.c.id,
    messages.c.uid,
    messages.c.modseq,
    messages.c.seen,
    messages.c.answered,
    messages.c.flagged,
    messages.c.deleted,
    messages.c.draft,
    messages.c.keywords,
    messages.c.internal_date,
    messages.c.size,
)

DETAIL_COLUMNS = (
    *SUMMARY_COLUMNS,
    # The JSON text as stored: the mail store decodes it only when a reader needs it.
    type_coerce(messages.c.parsed, Text()).label("parsed"),
    messages.c.subject,
    messages.c.from_addr,
    messages.c.to_addr,
    messages.c.cc_addr,
    messages.c.message_id,
    messages.c.sent_date,
    messages.c.preview,
    messages.c.has_attachments,
    messages.c.meta,
)

# Columns a copy takes over unchanged from its source row (everything but identity and sync state).
_COPIED_COLUMNS = (
    "seen",
    "answered",
    "flagged",
    "deleted",
    "draft",
    "keywords",
    "internal_date",
    "size",
    "blob_sha256",
    "prefix",
    "parsed",
    "subject",
    "from_addr",
    "to_addr",
    "cc_addr",
    "message_id",
    "sent_date",
    "preview",
    "has_attachments",
    "meta",
)


class DedupeConflict(Exception):
    """A concurrent transaction committed the same ``(mailbox_id, dedupe_key)`` first; retry."""


@dataclass(frozen=True, slots=True)
class StoredRef:
    """What releasing a message needs: its row id, UID, size, \\Seen and blob."""

    id: int
    uid: int
    size: int
    seen: bool
    blob_sha256: str


@dataclass(frozen=True, slots=True)
class CopySpec:
    source_id: int
    uid: int


def uid_ranges(uids: Sequence[int]) -> list[tuple[int, int]]:
    """Inclusive ``(first, last)`` runs of the UIDs, sorted; a ``range`` stays one run."""
    if isinstance(uids, range) and uids.step == 1:
        return [(uids.start, uids.stop - 1)] if len(uids) else []
    runs: list[tuple[int, int]] = []
    for uid in sorted(set(uids)):
        if runs and uid == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], uid)
        else:
            runs.append((uid, uid))
    return runs


def uid_conditions(column: Any, uids: Sequence[int] | None) -> Iterator[ColumnElement[bool]]:
    """Conditions that together select ``uids`` (None: all), each small enough for one statement."""
    if uids is None:
        yield column.isnot(None)
        return
    runs = uid_ranges(uids)
    if not runs:
        yield false()
        return
    for start in range(0, len(runs), _CHUNK):
        chunk = runs[start : start + _CHUNK]
        singles = [a for a, b in chunk if a == b]
        parts: list[ColumnElement[bool]] = [column.between(a, b) for a, b in chunk if a != b]
        if singles:
            parts.append(column.in_(singles))
        yield or_(*parts)


def _id_chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


class _UidSelect:
    """One SELECT over a folder's messages by UID set, prebuilt for the shapes clients send most.

    Building a statement costs far more than running it (see ``storage/sql``), so the whole folder
    (``1:*``), one UID range and a short UID list each have a statement built once; any other set
    is built per call, chunked by ``uid_conditions``.
    """

    def __init__(self, *columns: Any, only_deleted: bool = False) -> None:
        self._columns = columns
        self._only_deleted = only_deleted
        self.all = self.build(messages.c.uid.isnot(None))
        self.range = self.build(messages.c.uid.between(bindparam("lo"), bindparam("hi")))
        self.listed = self.build(messages.c.uid.in_(bindparam("uids", expanding=True)))

    def build(self, condition: ColumnElement[bool]) -> Any:
        stmt = select(*self._columns).where(messages.c.folder_id == bindparam("folder_id"), condition)
        if self._only_deleted:
            stmt = stmt.where(messages.c.deleted.is_(True))
        return stmt.order_by(messages.c.uid)

    async def rows(
        self, conn: AsyncConnection, folder_id: int, uids: Sequence[int] | None
    ) -> list[MessageRow]:
        """The rows in ``uids`` (None: all), ordered by UID."""
        if uids is None:
            return list((await conn.execute(self.all, {"folder_id": folder_id})).all())
        runs = uid_ranges(uids)
        if not runs:
            return []
        if len(runs) == 1:
            params = {"folder_id": folder_id, "lo": runs[0][0], "hi": runs[0][1]}
            return list((await conn.execute(self.range, params)).all())
        if len(runs) <= _CHUNK and all(a == b for a, b in runs):
            listed: dict[str, object] = {"folder_id": folder_id, "uids": [a for a, _ in runs]}
            return list((await conn.execute(self.listed, listed)).all())
        result: list[MessageRow] = []
        for condition in uid_conditions(messages.c.uid, uids):
            result.extend((await conn.execute(self.build(condition), {"folder_id": folder_id})).all())
        result.sort(key=lambda row: row.uid)
        return result


# --- insert ----------------------------------------------------------------------------------------


async def insert_messages(conn: AsyncConnection, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert message rows (all columns given); their ids in the order given."""
    if not rows:
        return []
    stmt = insert(messages).returning(messages.c.id, sort_by_parameter_order=True)
    try:
        result = await conn.execute(stmt, list(rows))
    except IntegrityError as exc:
        if "dedupe_key" in str(exc.orig):
            raise DedupeConflict() from exc
        raise
    return [row[0] for row in result.all()]


async def insert_texts(conn: AsyncConnection, texts: Sequence[tuple[int, str]]) -> None:
    if texts:
        await conn.execute(insert(message_texts), [{"message_id": mid, "body": body} for mid, body in texts])


async def find_dedupe_keys(
    conn: AsyncConnection, mailbox_id: int, keys: Sequence[str]
) -> dict[str, MessageRow]:
    """Messages of the mailbox carrying one of ``keys``, by key (with their folder's UIDVALIDITY)."""
    found: dict[str, MessageRow] = {}
    unique = sorted(set(keys))
    for start in range(0, len(unique), _CHUNK):
        stmt = (
            select(
                messages.c.dedupe_key,
                messages.c.id,
                messages.c.uid,
                messages.c.modseq,
                messages.c.size,
                messages.c.folder_id,
                folders.c.uidvalidity,
            )
            .join(folders, folders.c.id == messages.c.folder_id)
            .where(
                messages.c.mailbox_id == mailbox_id, messages.c.dedupe_key.in_(unique[start : start + _CHUNK])
            )
        )
        for row in (await conn.execute(stmt)).all():
            found[row.dedupe_key] = row
    return found


# --- read ------------------------------------------------------------------------------------------


_SUMMARIES = _UidSelect(*SUMMARY_COLUMNS)
_DETAILS = _UidSelect(*DETAIL_COLUMNS)
_CONTENTS = _UidSelect(messages.c.uid, messages.c.blob_sha256, messages.c.prefix, messages.c.size)
_REF_COLUMNS = (messages.c.id, messages.c.uid, messages.c.size, messages.c.seen, messages.c.blob_sha256)
_REFS = _UidSelect(*_REF_COLUMNS)
_DELETED_REFS = _UidSelect(*_REF_COLUMNS, only_deleted=True)
_CHANGED_SINCE = (
    select(*SUMMARY_COLUMNS)
    .where(messages.c.folder_id == bindparam("folder_id"), messages.c.modseq > bindparam("modseq"))
    .order_by(messages.c.uid)
)
_VANISHED_SINCE = (
    select(expunged.c.uid)
    .where(expunged.c.folder_id == bindparam("folder_id"), expunged.c.modseq > bindparam("modseq"))
    .order_by(expunged.c.uid)
)
_CONTENT = select(messages.c.blob_sha256, messages.c.prefix, messages.c.size).where(
    messages.c.folder_id == bindparam("folder_id"), messages.c.uid == bindparam("uid")
)


async def select_summaries(
    conn: AsyncConnection, folder_id: int, uids: Sequence[int] | None, *, detail: bool = False
) -> list[MessageRow]:
    """Rows of the folder in ``uids`` (None: all), ordered by UID."""
    return await (_DETAILS if detail else _SUMMARIES).rows(conn, folder_id, uids)


async def select_changed_since(conn: AsyncConnection, folder_id: int, modseq: int) -> list[MessageRow]:
    return list((await conn.execute(_CHANGED_SINCE, {"folder_id": folder_id, "modseq": modseq})).all())


async def select_vanished_since(conn: AsyncConnection, folder_id: int, modseq: int) -> list[int]:
    return list((await conn.execute(_VANISHED_SINCE, {"folder_id": folder_id, "modseq": modseq})).scalars())


async def select_content(conn: AsyncConnection, folder_id: int, uid: int) -> MessageRow | None:
    """``(blob_sha256, prefix, size)`` of one message."""
    return (await conn.execute(_CONTENT, {"folder_id": folder_id, "uid": uid})).first()


async def select_contents(conn: AsyncConnection, folder_id: int, uids: Sequence[int]) -> list[MessageRow]:
    """``(uid, blob_sha256, prefix, size)`` of the messages in ``uids``: one query, not one per UID."""
    return await _CONTENTS.rows(conn, folder_id, uids)


async def select_refs(
    conn: AsyncConnection, folder_id: int, uids: Sequence[int] | None, *, only_deleted: bool
) -> list[StoredRef]:
    """What releasing (expunge) or moving the messages needs, ordered by UID."""
    rows = await (_DELETED_REFS if only_deleted else _REFS).rows(conn, folder_id, uids)
    return [StoredRef(*row) for row in rows]


async def blob_counts_of_folder(conn: AsyncConnection, folder_id: int) -> dict[str, int]:
    stmt = select(messages.c.blob_sha256).where(messages.c.folder_id == folder_id)
    return dict(Counter((await conn.execute(stmt)).scalars()))


async def blob_counts_of_mailbox(conn: AsyncConnection, mailbox_id: int) -> dict[str, int]:
    stmt = select(messages.c.blob_sha256).where(messages.c.mailbox_id == mailbox_id)
    return dict(Counter((await conn.execute(stmt)).scalars()))


# --- flags -----------------------------------------------------------------------------------------

_UPDATE_FLAGS = (
    update(messages)
    .where(messages.c.id == bindparam("b_id"))
    .values(
        modseq=bindparam("b_modseq"),
        keywords=bindparam("b_keywords", type_=messages.c.keywords.type),
        **{name: bindparam(f"b_{name}") for name in FLAG_COLUMNS},
    )
)


async def update_flags(conn: AsyncConnection, updates: Sequence[Mapping[str, Any]]) -> None:
    """Each update: ``b_id``, ``b_modseq``, ``b_keywords`` and one ``b_<flag>`` per system flag."""
    if not updates:
        return
    await conn.execute(_UPDATE_FLAGS, list(updates))


# --- copy, move, delete ----------------------------------------------------------------------------


async def copy_messages(
    conn: AsyncConnection,
    *,
    mailbox_id: int,
    folder_id: int,
    modseq: int,
    copies: Sequence[CopySpec],
) -> list[int]:
    """Copy rows (and their search text) into ``folder_id`` under new UIDs; new ids in the order given.

    The bulky columns (parsed structure, text) are copied inside the database, never through Python.
    """
    if not copies:
        return []
    src = messages.alias("src")
    source = select(
        literal(mailbox_id, BigInteger).label("mailbox_id"),
        literal(folder_id, BigInteger).label("folder_id"),
        bindparam("b_uid", type_=BigInteger).label("uid"),
        literal(modseq, BigInteger).label("modseq"),
        *(src.c[name] for name in _COPIED_COLUMNS),
    ).where(src.c.id == bindparam("b_source"))
    stmt = insert(messages).from_select(
        ["mailbox_id", "folder_id", "uid", "modseq", *_COPIED_COLUMNS], source
    )
    await conn.execute(stmt, [{"b_uid": c.uid, "b_source": c.source_id} for c in copies])
    new_uids = [c.uid for c in copies]
    by_uid: dict[int, int] = {}
    for condition in uid_conditions(messages.c.uid, new_uids):
        query = select(messages.c.uid, messages.c.id).where(messages.c.folder_id == folder_id, condition)
        by_uid.update({uid: mid for uid, mid in (await conn.execute(query)).all()})
    new_ids = [by_uid[uid] for uid in new_uids]
    text_stmt = insert(message_texts).from_select(
        ["message_id", "body"],
        select(bindparam("b_new", type_=BigInteger).label("message_id"), message_texts.c.body).where(
            message_texts.c.message_id == bindparam("b_old")
        ),
    )
    await conn.execute(
        text_stmt, [{"b_new": n, "b_old": c.source_id} for n, c in zip(new_ids, copies, strict=True)]
    )
    return new_ids


async def move_messages(
    conn: AsyncConnection, *, folder_id: int, modseq: int, moves: Sequence[tuple[int, int]]
) -> None:
    """Re-home rows ``(id, new_uid)`` in ``folder_id``: the row, its text and dedupe key move along."""
    if not moves:
        return
    stmt = (
        update(messages)
        .where(messages.c.id == bindparam("b_id"))
        .values(folder_id=folder_id, uid=bindparam("b_uid"), modseq=modseq)
    )
    await conn.execute(stmt, [{"b_id": mid, "b_uid": uid} for mid, uid in moves])


_DELETE_TEXTS = delete(message_texts).where(message_texts.c.message_id.in_(bindparam("ids", expanding=True)))
_DELETE_ROWS = delete(messages).where(messages.c.id.in_(bindparam("ids", expanding=True)))
_INSERT_TOMBSTONES = insert(expunged)


async def delete_messages(conn: AsyncConnection, ids: Sequence[int]) -> None:
    ordered = sorted(ids)
    for chunk in _id_chunks(ordered):
        await conn.execute(_DELETE_TEXTS, {"ids": list(chunk)})
        await conn.execute(_DELETE_ROWS, {"ids": list(chunk)})


async def delete_folder_messages(conn: AsyncConnection, folder_id: int) -> None:
    ids = select(messages.c.id).where(messages.c.folder_id == folder_id).scalar_subquery()
    await conn.execute(delete(message_texts).where(message_texts.c.message_id.in_(ids)))
    await conn.execute(delete(messages).where(messages.c.folder_id == folder_id))
    await conn.execute(delete(expunged).where(expunged.c.folder_id == folder_id))


async def delete_mailbox_messages(conn: AsyncConnection, mailbox_id: int) -> None:
    ids = select(messages.c.id).where(messages.c.mailbox_id == mailbox_id).scalar_subquery()
    folder_ids = select(folders.c.id).where(folders.c.mailbox_id == mailbox_id).scalar_subquery()
    await conn.execute(delete(message_texts).where(message_texts.c.message_id.in_(ids)))
    await conn.execute(delete(messages).where(messages.c.mailbox_id == mailbox_id))
    await conn.execute(delete(expunged).where(expunged.c.folder_id.in_(folder_ids)))


async def insert_tombstones(conn: AsyncConnection, folder_id: int, uids: Sequence[int], modseq: int) -> None:
    """Remember expunged UIDs for QRESYNC VANISHED (RFC 7162 §3.2.10)."""
    if uids:
        await conn.execute(
            _INSERT_TOMBSTONES, [{"folder_id": folder_id, "uid": uid, "modseq": modseq} for uid in uids]
        )
