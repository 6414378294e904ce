"""The mail store's per-mailbox counters: MODSEQ, used bytes and quota on ``mailboxes`` rows, and UIDVALIDITY.

The directory creates ``mailboxes`` rows; the mail store owns their ``modseq`` and ``used_bytes``
columns and reads ``quota_bytes``. Locking a mailbox row is the first statement of every mail-store
write transaction, so all writes to one mailbox serialise on it (PostgreSQL row lock; SQLite
serialises every writer anyway) and rows of several mailboxes are always locked in id order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.sql.schema import folder_uidvalidity, mailboxes

# RFC 9051 §2.3.1.1: UIDVALIDITY is a non-zero 32-bit number.
MAX_UIDVALIDITY = 2**32 - 1


@dataclass(frozen=True, slots=True)
class MailboxCounters:
    mailbox_id: int
    modseq: int
    used_bytes: int
    quota_bytes: int | None


@dataclass(frozen=True, slots=True)
class MailboxAdvance:
    """New MODSEQ of a mailbox and the change of its used bytes, written by ``advance_mailboxes``."""

    mailbox_id: int
    modseq: int
    used_delta: int = 0


_COUNTER_COLUMNS = (mailboxes.c.id, mailboxes.c.modseq, mailboxes.c.used_bytes, mailboxes.c.quota_bytes)
# Hot statements are built once: building one costs far more than running it (see storage/sql).
_LOCK_ONE = select(*_COUNTER_COLUMNS).where(mailboxes.c.id == bindparam("id")).with_for_update()
_ADVANCE = (
    update(mailboxes)
    .where(mailboxes.c.id == bindparam("b_id"))
    .values(modseq=bindparam("b_modseq"), used_bytes=mailboxes.c.used_bytes + bindparam("b_delta"))
)


async def lock_mailboxes(conn: AsyncConnection, mailbox_ids: Iterable[int]) -> dict[int, MailboxCounters]:
    """Lock the rows in id order (batches never deadlock) and read their counters; missing ids are absent."""
    ids = sorted(set(mailbox_ids))
    if not ids:
        return {}
    if len(ids) == 1:
        rows = (await conn.execute(_LOCK_ONE, {"id": ids[0]})).all()
    else:
        stmt = (
            select(*_COUNTER_COLUMNS)
            .where(mailboxes.c.id.in_(ids))
            .order_by(mailboxes.c.id)
            .with_for_update()
        )
        rows = (await conn.execute(stmt)).all()
    return {row[0]: MailboxCounters(row[0], row[1], row[2], row[3]) for row in rows}


async def read_mailboxes(conn: AsyncConnection, mailbox_ids: Iterable[int]) -> dict[int, MailboxCounters]:
    """Counters without locking (snapshot reads and pre-checks); missing ids are absent."""
    ids = sorted(set(mailbox_ids))
    if not ids:
        return {}
    rows = (await conn.execute(select(*_COUNTER_COLUMNS).where(mailboxes.c.id.in_(ids)))).all()
    return {row[0]: MailboxCounters(row[0], row[1], row[2], row[3]) for row in rows}


async def advance_mailboxes(conn: AsyncConnection, advances: Sequence[MailboxAdvance]) -> None:
    """Set each mailbox's new MODSEQ and add to its used bytes (rows are already locked)."""
    if not advances:
        return
    params = [{"b_id": a.mailbox_id, "b_modseq": a.modseq, "b_delta": a.used_delta} for a in advances]
    await conn.execute(_ADVANCE, params)


async def reset_usage(conn: AsyncConnection, mailbox_id: int, *, modseq: int) -> None:
    await conn.execute(
        update(mailboxes).where(mailboxes.c.id == mailbox_id).values(modseq=modseq, used_bytes=0)
    )


async def allocate_uidvalidity(conn: AsyncConnection, mailbox_id: int, *, floor: int, count: int) -> int:
    """First of ``count`` consecutive UIDVALIDITY values, each larger than any handed out before.

    ``floor`` is the current time in seconds, so values also grow across mailboxes that are purged
    and re-created. The caller holds the mailbox row lock, so read-then-write is race-free.
    """
    table = folder_uidvalidity
    last = (
        await conn.execute(select(table.c.last_uidvalidity).where(table.c.mailbox_id == mailbox_id))
    ).scalar()
    first = max(floor, 1) if last is None else max(floor, last + 1)
    final = first + count - 1
    if final > MAX_UIDVALIDITY:
        raise OverflowError("UIDVALIDITY space exhausted")
    if last is None:
        await conn.execute(insert(table).values(mailbox_id=mailbox_id, last_uidvalidity=final))
    else:
        await conn.execute(
            update(table).where(table.c.mailbox_id == mailbox_id).values(last_uidvalidity=final)
        )
    return first
