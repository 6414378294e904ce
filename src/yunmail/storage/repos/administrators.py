"""Administrator rows of an enterprise: logins (globally unique), password hashes and status.

Tenant functions take ``enterprise_id``; ``get_by_login`` is the one global lookup (a login names
one administrator on the whole platform, like a domain name), used by the admin console sign-in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import every, first, insert_or_none
from yunmail.storage.sql.schema import administrators


async def insert_administrator(
    conn: AsyncConnection, *, enterprise_id: int, values: Mapping[str, Any]
) -> int | None:
    """The new id, or None when the login is already used (by any enterprise)."""
    stmt = insert(administrators).values(enterprise_id=enterprise_id, **values).returning(administrators.c.id)
    return await insert_or_none(conn, stmt)


async def get(conn: AsyncConnection, enterprise_id: int, administrator_id: int) -> dict[str, Any] | None:
    stmt = select(administrators).where(
        administrators.c.enterprise_id == enterprise_id, administrators.c.id == administrator_id
    )
    return first(await conn.execute(stmt))


async def get_by_login(conn: AsyncConnection, login: str) -> dict[str, Any] | None:
    """Any enterprise's administrator by (lower-cased) login: sign-in does not know the tenant yet."""
    stmt = select(administrators).where(administrators.c.login == login)
    return first(await conn.execute(stmt))


async def list_for_enterprise(conn: AsyncConnection, enterprise_id: int) -> list[dict[str, Any]]:
    stmt = (
        select(administrators)
        .where(administrators.c.enterprise_id == enterprise_id)
        .order_by(administrators.c.id)
    )
    return every(await conn.execute(stmt))


async def count_active(conn: AsyncConnection, enterprise_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(administrators)
        .where(administrators.c.enterprise_id == enterprise_id, administrators.c.status == "active")
    )
    return int((await conn.execute(stmt)).scalar_one())


async def update_values(
    conn: AsyncConnection, enterprise_id: int, administrator_id: int, values: Mapping[str, Any]
) -> None:
    await conn.execute(
        update(administrators)
        .where(administrators.c.enterprise_id == enterprise_id, administrators.c.id == administrator_id)
        .values(**values)
    )


async def delete_administrator(conn: AsyncConnection, enterprise_id: int, administrator_id: int) -> None:
    """Delete the row; its console sessions go with it (``web_sessions`` cascade)."""
    await conn.execute(
        delete(administrators).where(
            administrators.c.enterprise_id == enterprise_id, administrators.c.id == administrator_id
        )
    )
