"""Outbound queue rows: one per remote recipient of an accepted message, each holding one blob reference.

Enqueueing runs inside the caller's transaction together with ``blobrefs.add_refs`` (see
``delivery.queue``), so a row never exists without its reference. Repeats are answered by the unique
``(enterprise_id, dedupe_key, recipient)`` index: ``insert_rows`` skips a row whose key is already
queued and reports which recipients were new. Reads for the delivery worker and for admin views are
here too; the worker's state changes (attempts, backoff, finish) come with the worker issue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import every
from yunmail.storage.sql.schema import outbound_queue

QUEUED = "queued"


async def queued_recipients(
    conn: AsyncConnection, enterprise_id: int, dedupe_key: str, recipients: Sequence[str]
) -> set[str]:
    """Which of ``recipients`` already have a row for this message key (a client's retry)."""
    if not recipients:
        return set()
    stmt = select(outbound_queue.c.recipient).where(
        outbound_queue.c.enterprise_id == enterprise_id,
        outbound_queue.c.dedupe_key == dedupe_key,
        outbound_queue.c.recipient.in_(list(recipients)),
    )
    return {str(value) for value in (await conn.execute(stmt)).scalars()}


async def insert_rows(conn: AsyncConnection, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert queue rows (``status`` queued); rows whose dedupe key is already there are skipped.

    Returns the ids of the rows inserted, in order. Every row must carry the same columns.
    """
    if not rows:
        return []
    values = [{**row, "status": QUEUED, "attempts": 0} for row in rows]
    insert = sqlite_insert if conn.dialect.name == "sqlite" else pg_insert
    stmt = (
        insert(outbound_queue)
        .values(values)
        .on_conflict_do_nothing(index_elements=["enterprise_id", "dedupe_key", "recipient"])
        .returning(outbound_queue.c.id)
    )
    return [int(value) for value in (await conn.execute(stmt)).scalars()]


async def list_for_enterprise(
    conn: AsyncConnection, enterprise_id: int, *, status: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """The enterprise's rows, newest first (admin message trace)."""
    stmt = select(outbound_queue).where(outbound_queue.c.enterprise_id == enterprise_id)
    if status is not None:
        stmt = stmt.where(outbound_queue.c.status == status)
    stmt = stmt.order_by(outbound_queue.c.id.desc()).limit(limit)
    return every(await conn.execute(stmt))


async def due(conn: AsyncConnection, now: dt.datetime, *, limit: int = 100) -> list[dict[str, Any]]:
    """Queued rows whose next attempt is due, oldest first (the delivery worker's scan)."""
    stmt = (
        select(outbound_queue)
        .where(and_(outbound_queue.c.status == QUEUED, outbound_queue.c.next_attempt_at <= now))
        .order_by(outbound_queue.c.next_attempt_at, outbound_queue.c.id)
        .limit(limit)
    )
    return every(await conn.execute(stmt))


async def by_ids(conn: AsyncConnection, enterprise_id: int, ids: Sequence[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    stmt = (
        select(outbound_queue)
        .where(outbound_queue.c.enterprise_id == enterprise_id, outbound_queue.c.id.in_(list(ids)))
        .order_by(outbound_queue.c.id)
    )
    return every(await conn.execute(stmt))
