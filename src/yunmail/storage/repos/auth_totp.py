"""Confirmed TOTP secrets of members, administrators and operators: find, add, use a step, delete.

An owner is ``(kind, id)`` with kind ``member`` / ``admin`` / ``operator``; the id is the member's,
administrator's or operator's own id (each has its own column, so deleting the account cascades).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import first, insert_or_none
from yunmail.storage.sql.schema import totp_secrets

_COLUMN = {"member": "member_id", "admin": "admin_id", "operator": "operator_id"}


def _owner(kind: str, owner_id: int) -> Any:
    return totp_secrets.c[_COLUMN[kind]] == owner_id


async def get(conn: AsyncConnection, kind: str, owner_id: int) -> dict[str, Any] | None:
    return first(await conn.execute(select(totp_secrets).where(_owner(kind, owner_id))))


async def insert_secret(
    conn: AsyncConnection,
    *,
    kind: str,
    owner_id: int,
    enterprise_id: int | None,
    secret: str,
    last_step: int,
    created_at: dt.datetime,
) -> bool:
    """False when the owner already has one (or no longer exists)."""
    stmt = (
        insert(totp_secrets)
        .values(
            kind=kind,
            enterprise_id=enterprise_id,
            secret=secret,
            last_step=last_step,
            created_at=created_at,
            **{_COLUMN[kind]: owner_id},
        )
        .returning(totp_secrets.c.id)
    )
    return await insert_or_none(conn, stmt) is not None


async def use_step(conn: AsyncConnection, row_id: int, step: int) -> bool:
    """Record ``step`` as used unless it (or a later one) already was: True when this call won."""
    result = await conn.execute(
        update(totp_secrets)
        .where(
            totp_secrets.c.id == row_id,
            or_(totp_secrets.c.last_step.is_(None), totp_secrets.c.last_step < step),
        )
        .values(last_step=step)
    )
    return bool(result.rowcount)


async def delete_secret(conn: AsyncConnection, kind: str, owner_id: int) -> bool:
    result = await conn.execute(delete(totp_secrets).where(_owner(kind, owner_id)))
    return bool(result.rowcount)
