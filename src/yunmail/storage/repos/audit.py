"""The audit log: one row per directory or domain write, recorded in the same transaction as the write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import every
from yunmail.storage.sql.schema import audit_log


async def record(
    conn: AsyncConnection,
    *,
    enterprise_id: int | None,
    actor: str,
    action: str,
    target: str,
    at: dt.datetime,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Append one entry; ``enterprise_id`` None marks a platform-level action (e.g. a dissolution)."""
    await conn.execute(
        insert(audit_log).values(
            enterprise_id=enterprise_id,
            actor=actor,
            action=action,
            target=target,
            detail=dict(detail or {}),
            created_at=at,
        )
    )


async def entries(
    conn: AsyncConnection, enterprise_id: int | None, *, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """Newest first, skipping ``offset``; ``enterprise_id`` None lists platform-level entries."""
    condition = (
        audit_log.c.enterprise_id.is_(None)
        if enterprise_id is None
        else audit_log.c.enterprise_id == enterprise_id
    )
    stmt = select(audit_log).where(condition).order_by(audit_log.c.id.desc()).offset(offset).limit(limit)
    return every(await conn.execute(stmt))


async def delete_for_enterprise(conn: AsyncConnection, enterprise_id: int) -> None:
    await conn.execute(delete(audit_log).where(audit_log.c.enterprise_id == enterprise_id))
