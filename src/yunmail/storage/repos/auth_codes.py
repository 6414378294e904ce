"""One-time code rows (login / reset by SMS or e-mail): issue, the latest for a target, attempts, use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import first
from yunmail.storage.sql.schema import login_codes


async def insert_code(
    conn: AsyncConnection,
    *,
    purpose: str,
    channel: str,
    target: str,
    code_hash: str,
    created_at: dt.datetime,
    expires_at: dt.datetime,
) -> int:
    stmt = (
        insert(login_codes)
        .values(
            purpose=purpose,
            channel=channel,
            target=target,
            code_hash=code_hash,
            created_at=created_at,
            expires_at=expires_at,
            attempts=0,
        )
        .returning(login_codes.c.id)
    )
    return int((await conn.execute(stmt)).scalar_one())


async def latest(
    conn: AsyncConnection, purpose: str, targets: Sequence[str], *, for_update: bool = False
) -> dict[str, Any] | None:
    """The newest code issued for ``purpose`` to any of ``targets`` (used or not)."""
    stmt = (
        select(login_codes)
        .where(login_codes.c.purpose == purpose, login_codes.c.target.in_(list(targets)))
        .order_by(login_codes.c.created_at.desc(), login_codes.c.id.desc())
        .limit(1)
    )
    if for_update:
        stmt = stmt.with_for_update()
    return first(await conn.execute(stmt))


async def count_since(conn: AsyncConnection, target: str, since: dt.datetime) -> int:
    stmt = (
        select(func.count())
        .select_from(login_codes)
        .where(login_codes.c.target == target, login_codes.c.created_at >= since)
    )
    return int((await conn.execute(stmt)).scalar_one())


async def add_attempt(conn: AsyncConnection, code_id: int) -> None:
    await conn.execute(
        update(login_codes).where(login_codes.c.id == code_id).values(attempts=login_codes.c.attempts + 1)
    )


async def mark_used(conn: AsyncConnection, code_id: int, at: dt.datetime) -> None:
    await conn.execute(update(login_codes).where(login_codes.c.id == code_id).values(used_at=at))


async def delete_code(conn: AsyncConnection, code_id: int) -> None:
    await conn.execute(delete(login_codes).where(login_codes.c.id == code_id))


async def delete_expired(conn: AsyncConnection, *, expired_before: dt.datetime) -> int:
    result = await conn.execute(delete(login_codes).where(login_codes.c.expires_at < expired_before))
    return int(result.rowcount or 0)
