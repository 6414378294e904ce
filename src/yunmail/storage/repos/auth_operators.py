"""Platform operator rows: create (login unique), find by login or id, list, change status."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import every, first, insert_or_none
from yunmail.storage.sql.schema import operators


async def insert_operator(
    conn: AsyncConnection, *, login: str, password_hash: str, created_at: dt.datetime
) -> int | None:
    """The new id, or None when the login is already used."""
    stmt = (
        insert(operators)
        .values(login=login, password_hash=password_hash, status="active", created_at=created_at)
        .returning(operators.c.id)
    )
    return await insert_or_none(conn, stmt)


async def get(conn: AsyncConnection, operator_id: int) -> dict[str, Any] | None:
    return first(await conn.execute(select(operators).where(operators.c.id == operator_id)))


async def get_by_login(conn: AsyncConnection, login: str) -> dict[str, Any] | None:
    return first(await conn.execute(select(operators).where(operators.c.login == login)))


async def list_all(conn: AsyncConnection) -> list[dict[str, Any]]:
    return every(await conn.execute(select(operators).order_by(operators.c.id)))


async def set_status(conn: AsyncConnection, operator_id: int, status: str) -> bool:
    result = await conn.execute(update(operators).where(operators.c.id == operator_id).values(status=status))
    return bool(result.rowcount)


async def set_password_hash(conn: AsyncConnection, operator_id: int, password_hash: str) -> bool:
    result = await conn.execute(
        update(operators).where(operators.c.id == operator_id).values(password_hash=password_hash)
    )
    return bool(result.rowcount)
