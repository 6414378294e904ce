"""Department rows of one enterprise: the tree's nodes, sibling-name uniqueness and emptiness counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import every, execute_or_false, first, insert_or_none
from yunmail.storage.sql.schema import departments, members


def _parent_key(parent_id: int | None) -> int:
    return 0 if parent_id is None else parent_id


async def insert_department(
    conn: AsyncConnection,
    *,
    enterprise_id: int,
    parent_id: int | None,
    name: str,
    name_key: str,
    created_at: dt.datetime,
) -> int | None:
    """The new id, or None when a sibling already has that name."""
    stmt = (
        insert(departments)
        .values(
            enterprise_id=enterprise_id,
            parent_id=parent_id,
            parent_key=_parent_key(parent_id),
            name=name,
            name_key=name_key,
            created_at=created_at,
        )
        .returning(departments.c.id)
    )
    return await insert_or_none(conn, stmt)


async def get(conn: AsyncConnection, enterprise_id: int, department_id: int) -> dict[str, Any] | None:
    stmt = select(departments).where(
        departments.c.enterprise_id == enterprise_id, departments.c.id == department_id
    )
    return first(await conn.execute(stmt))


async def find_child(
    conn: AsyncConnection, enterprise_id: int, parent_id: int | None, name_key: str
) -> dict[str, Any] | None:
    stmt = select(departments).where(
        departments.c.enterprise_id == enterprise_id,
        departments.c.parent_key == _parent_key(parent_id),
        departments.c.name_key == name_key,
    )
    return first(await conn.execute(stmt))


async def all_of(conn: AsyncConnection, enterprise_id: int) -> list[dict[str, Any]]:
    """Every department of the enterprise (trees are small: a few hundred nodes at most)."""
    stmt = (
        select(departments)
        .where(departments.c.enterprise_id == enterprise_id)
        .order_by(departments.c.name, departments.c.id)
    )
    return every(await conn.execute(stmt))


async def rename(
    conn: AsyncConnection, enterprise_id: int, department_id: int, *, name: str, name_key: str
) -> bool:
    """False when a sibling already has that name."""
    stmt = (
        update(departments)
        .where(departments.c.enterprise_id == enterprise_id, departments.c.id == department_id)
        .values(name=name, name_key=name_key)
    )
    return await execute_or_false(conn, stmt)


async def move(conn: AsyncConnection, enterprise_id: int, department_id: int, parent_id: int | None) -> bool:
    """False when the new parent already has a child of the same name."""
    stmt = (
        update(departments)
        .where(departments.c.enterprise_id == enterprise_id, departments.c.id == department_id)
        .values(parent_id=parent_id, parent_key=_parent_key(parent_id))
    )
    return await execute_or_false(conn, stmt)


async def content_counts(conn: AsyncConnection, enterprise_id: int, department_id: int) -> tuple[int, int]:
    """(sub-departments, members) directly in the department."""
    children = (
        select(func.count())
        .select_from(departments)
        .where(departments.c.enterprise_id == enterprise_id, departments.c.parent_id == department_id)
    )
    people = (
        select(func.count())
        .select_from(members)
        .where(members.c.enterprise_id == enterprise_id, members.c.department_id == department_id)
    )
    return int((await conn.execute(children)).scalar_one()), int((await conn.execute(people)).scalar_one())


async def delete_department(conn: AsyncConnection, enterprise_id: int, department_id: int) -> None:
    await conn.execute(
        delete(departments).where(
            departments.c.enterprise_id == enterprise_id, departments.c.id == department_id
        )
    )
