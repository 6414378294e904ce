"""What sign-in and sessions need to know about an administrator: its status and its enterprise's.

Read-only; the administrator rows themselves belong to ``administrators`` (the directory).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import first
from yunmail.storage.sql.schema import administrators, enterprises


async def admin_state(conn: AsyncConnection, admin_id: int) -> dict[str, Any] | None:
    """id, enterprise_id, login, status and enterprise_status of an administrator (any enterprise)."""
    stmt = (
        select(
            administrators.c.id,
            administrators.c.enterprise_id,
            administrators.c.login,
            administrators.c.status,
            enterprises.c.status.label("enterprise_status"),
        )
        .join(enterprises, enterprises.c.id == administrators.c.enterprise_id)
        .where(administrators.c.id == admin_id)
    )
    return first(await conn.execute(stmt))
