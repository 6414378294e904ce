"""Personal contacts of one member: list/search, insert (one or many), update, delete, count."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import every, first
from yunmail.storage.sql.schema import personal_contacts as contacts


def _of(enterprise_id: int, member_id: int) -> Any:
    return (contacts.c.enterprise_id == enterprise_id) & (contacts.c.member_id == member_id)


async def search(
    conn: AsyncConnection, enterprise_id: int, member_id: int, term: str | None, *, limit: int
) -> list[dict[str, Any]]:
    query = select(contacts).where(_of(enterprise_id, member_id))
    if term:
        pattern = f"%{term.lower()}%"
        query = query.where(
            or_(
                func.lower(contacts.c.name).like(pattern),
                func.lower(contacts.c.email).like(pattern),
                contacts.c.phone.like(pattern),
                func.lower(contacts.c.company).like(pattern),
            )
        )
    return every(await conn.execute(query.order_by(contacts.c.name, contacts.c.id).limit(limit)))


async def get(
    conn: AsyncConnection, enterprise_id: int, member_id: int, contact_id: int
) -> dict[str, Any] | None:
    query = select(contacts).where(_of(enterprise_id, member_id), contacts.c.id == contact_id)
    return first(await conn.execute(query))


async def count(conn: AsyncConnection, enterprise_id: int, member_id: int) -> int:
    query = select(func.count()).select_from(contacts).where(_of(enterprise_id, member_id))
    return int((await conn.execute(query)).scalar_one())


async def emails(conn: AsyncConnection, enterprise_id: int, member_id: int) -> set[str]:
    query = select(contacts.c.email).where(_of(enterprise_id, member_id), contacts.c.email.is_not(None))
    return {str(e).lower() for e in (await conn.execute(query)).scalars()}


async def insert_many(
    conn: AsyncConnection, enterprise_id: int, member_id: int, rows: Sequence[Mapping[str, Any]]
) -> None:
    if rows:
        values = [{**row, "enterprise_id": enterprise_id, "member_id": member_id} for row in rows]
        await conn.execute(insert(contacts), values)


async def update_one(
    conn: AsyncConnection, enterprise_id: int, member_id: int, contact_id: int, values: Mapping[str, Any]
) -> bool:
    stmt = update(contacts).where(_of(enterprise_id, member_id), contacts.c.id == contact_id).values(**values)
    return bool((await conn.execute(stmt)).rowcount)


async def delete_one(conn: AsyncConnection, enterprise_id: int, member_id: int, contact_id: int) -> bool:
    stmt = delete(contacts).where(_of(enterprise_id, member_id), contacts.c.id == contact_id)
    return bool((await conn.execute(stmt)).rowcount)
