"""Outbound queue state changes for the delivery worker: claim under a lease, finish, reschedule.

Rows are inserted by ``repos.queue`` (enqueue side); this module moves them through delivery.

Invariants:

* A row is ``sending`` only inside a lease: ``claim_due`` sets ``status='sending'``, a fresh
  ``lease_token`` and ``next_attempt_at = lease expiry``. A ``sending`` row whose expiry has passed
  (its worker crashed or hung) is due again, so it is claimed like a queued one.
* Every later change (``finish``, ``reschedule``, ``mark_delay_notified``) matches the lease token,
  so a worker whose lease was taken over cannot overwrite the new holder's outcome.
* On PostgreSQL the claim locks rows with ``FOR UPDATE SKIP LOCKED`` so several nodes share the
  queue; SQLite serialises writers (``BEGIN IMMEDIATE``), which gives the same exclusion.
* A finished row is deleted together with its blob reference, in the caller's transaction; the
  keys left without references are returned for the caller to reclaim after commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos import blobrefs
from yunmail.storage.repos.addresses import every
from yunmail.storage.sql.schema import outbound_queue

QUEUED = "queued"
SENDING = "sending"

_q = outbound_queue.c


async def claim_due(
    conn: AsyncConnection, now: dt.datetime, lease_until: dt.datetime, lease_token: str, *, limit: int = 100
) -> list[dict[str, Any]]:
    """Lease up to ``limit`` due rows (queued and due, or sending with an expired lease), oldest first.

    Returns the claimed rows as they are after the claim (status ``sending``, attempts counted).
    """
    due = or_(
        and_(_q.status == QUEUED, _q.next_attempt_at <= now),
        and_(_q.status == SENDING, _q.next_attempt_at <= now),
    )
    pick = select(_q.id).where(due).order_by(_q.next_attempt_at, _q.id).limit(limit)
    if conn.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    ids = [int(value) for value in (await conn.execute(pick)).scalars()]
    if not ids:
        return []
    stmt = (
        update(outbound_queue)
        .where(_q.id.in_(ids), due)
        .values(
            status=SENDING,
            lease_token=lease_token,
            next_attempt_at=lease_until,
            last_attempt_at=now,
            attempts=_q.attempts + 1,
        )
    )
    await conn.execute(stmt)
    rows = select(outbound_queue).where(_q.id.in_(ids), _q.lease_token == lease_token).order_by(_q.id)
    return every(await conn.execute(rows))


async def finish(
    conn: AsyncConnection, enterprise_id: int, row_id: int, lease_token: str
) -> tuple[bool, list[str]]:
    """Delete a leased row (delivered, bounced or given up) and drop its blob reference.

    Returns ``(done, zero_keys)``: ``done`` is False when the lease was lost (nothing changed);
    ``zero_keys`` are blobs now without references, to reclaim after commit.
    """
    stmt = (
        delete(outbound_queue)
        .where(_q.id == row_id, _q.enterprise_id == enterprise_id, _q.lease_token == lease_token)
        .returning(_q.blob_sha256)
    )
    keys = list((await conn.execute(stmt)).scalars())
    if not keys:
        return False, []
    return True, await blobrefs.release_refs(conn, {str(keys[0]): 1})


async def reschedule(
    conn: AsyncConnection,
    enterprise_id: int,
    row_id: int,
    lease_token: str,
    next_attempt_at: dt.datetime,
    last_error: str,
) -> bool:
    """Back to ``queued`` for a later attempt, keeping the failure; False when the lease was lost."""
    stmt = (
        update(outbound_queue)
        .where(_q.id == row_id, _q.enterprise_id == enterprise_id, _q.lease_token == lease_token)
        .values(status=QUEUED, lease_token=None, next_attempt_at=next_attempt_at, last_error=last_error)
    )
    return (await conn.execute(stmt)).rowcount == 1


async def mark_delay_notified(
    conn: AsyncConnection, enterprise_id: int, row_id: int, lease_token: str, at: dt.datetime
) -> bool:
    """Record that the sender was told of the delay (sent once per row)."""
    stmt = (
        update(outbound_queue)
        .where(
            _q.id == row_id,
            _q.enterprise_id == enterprise_id,
            _q.lease_token == lease_token,
            _q.delay_notified_at.is_(None),
        )
        .values(delay_notified_at=at)
    )
    return (await conn.execute(stmt)).rowcount == 1


async def pending_counts(conn: AsyncConnection, enterprise_ids: Sequence[int] = ()) -> dict[str, int]:
    """Rows per status (all enterprises, or the ones given): monitoring and tests."""
    stmt = select(_q.status, func.count()).group_by(_q.status)
    if enterprise_ids:
        stmt = stmt.where(_q.enterprise_id.in_(list(enterprise_ids)))
    return {str(status): int(n) for status, n in (await conn.execute(stmt)).all()}
