"""Folder rows of one mailbox: read, insert, rename, delete, and counters (UIDNEXT, HIGHESTMODSEQ, counts).

Callers hold the mailbox row lock (``mail_state.lock_mailboxes``) for every write, so counter
updates here are plain assignments computed from rows read in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from sqlalchemy import Row, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.sql.schema import folders

FolderRow: TypeAlias = Row[*tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class NewFolder:
    name: str
    special_use: str | None
    uidvalidity: int
    highestmodseq: int


@dataclass(frozen=True, slots=True)
class FolderAdvance:
    """Counter changes for one folder: new UIDNEXT / HIGHESTMODSEQ (absolute) and count deltas."""

    folder_id: int
    uidnext: int
    highestmodseq: int
    messages: int = 0
    unseen: int = 0
    total_bytes: int = 0


# Hot statements are built once: building one costs far more than running it (see storage/sql).
_LIST = select(folders).where(folders.c.mailbox_id == bindparam("mailbox_id")).order_by(folders.c.name)
_BY_ID = select(folders).where(
    folders.c.mailbox_id == bindparam("mailbox_id"), folders.c.id == bindparam("folder_id")
)
_BY_NAME = select(folders).where(
    folders.c.mailbox_id == bindparam("mailbox_id"), folders.c.name == bindparam("name")
)
_ADVANCE = (
    update(folders)
    .where(folders.c.id == bindparam("b_id"))
    .values(
        uidnext=bindparam("b_uidnext"),
        highestmodseq=bindparam("b_hms"),
        message_count=folders.c.message_count + bindparam("b_messages"),
        unseen_count=folders.c.unseen_count + bindparam("b_unseen"),
        total_bytes=folders.c.total_bytes + bindparam("b_bytes"),
    )
)


async def list_folders(conn: AsyncConnection, mailbox_id: int) -> Sequence[FolderRow]:
    return (await conn.execute(_LIST, {"mailbox_id": mailbox_id})).all()


async def list_for_mailboxes(conn: AsyncConnection, mailbox_ids: Sequence[int]) -> Sequence[FolderRow]:
    stmt = select(folders).where(folders.c.mailbox_id.in_(sorted(set(mailbox_ids))))
    return (await conn.execute(stmt)).all()


async def get_by_id(conn: AsyncConnection, mailbox_id: int, folder_id: int) -> FolderRow | None:
    return (await conn.execute(_BY_ID, {"mailbox_id": mailbox_id, "folder_id": folder_id})).first()


async def get_by_name(conn: AsyncConnection, mailbox_id: int, name: str) -> FolderRow | None:
    return (await conn.execute(_BY_NAME, {"mailbox_id": mailbox_id, "name": name})).first()


async def insert_folders(
    conn: AsyncConnection, mailbox_id: int, new: Sequence[NewFolder], *, created_at: dt.datetime
) -> list[int]:
    """Insert the folders (empty, UIDNEXT 1); their ids in the order given."""
    if not new:
        return []
    params = [
        {
            "mailbox_id": mailbox_id,
            "name": f.name,
            "special_use": f.special_use,
            "uidvalidity": f.uidvalidity,
            "uidnext": 1,
            "highestmodseq": f.highestmodseq,
            "subscribed": True,
            "message_count": 0,
            "unseen_count": 0,
            "total_bytes": 0,
            "created_at": created_at,
        }
        for f in new
    ]
    stmt = insert(folders).returning(folders.c.id, sort_by_parameter_order=True)
    return [row[0] for row in (await conn.execute(stmt, params)).all()]


async def rename_folders(conn: AsyncConnection, renames: Sequence[tuple[int, str]]) -> None:
    if not renames:
        return
    stmt = update(folders).where(folders.c.id == bindparam("b_id")).values(name=bindparam("b_name"))
    await conn.execute(stmt, [{"b_id": fid, "b_name": name} for fid, name in renames])


async def set_subscribed(conn: AsyncConnection, folder_id: int, subscribed: bool) -> None:
    await conn.execute(update(folders).where(folders.c.id == folder_id).values(subscribed=subscribed))


async def set_special_use(conn: AsyncConnection, folder_id: int, special_use: str | None) -> None:
    await conn.execute(update(folders).where(folders.c.id == folder_id).values(special_use=special_use))


async def delete_folder(conn: AsyncConnection, folder_id: int) -> None:
    await conn.execute(delete(folders).where(folders.c.id == folder_id))


async def delete_mailbox_folders(conn: AsyncConnection, mailbox_id: int) -> None:
    await conn.execute(delete(folders).where(folders.c.mailbox_id == mailbox_id))


async def advance_folders(conn: AsyncConnection, advances: Sequence[FolderAdvance]) -> None:
    """Write new UIDNEXT/HIGHESTMODSEQ and add the count deltas (one statement, many rows)."""
    if not advances:
        return
    params = [
        {
            "b_id": a.folder_id,
            "b_uidnext": a.uidnext,
            "b_hms": a.highestmodseq,
            "b_messages": a.messages,
            "b_unseen": a.unseen,
            "b_bytes": a.total_bytes,
        }
        for a in advances
    ]
    await conn.execute(_ADVANCE, params)
