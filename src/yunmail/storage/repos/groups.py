"""Group (distribution list) rows of one enterprise and their entries: members and addresses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import every, execute_or_false, first, insert_or_none
from yunmail.storage.sql.schema import group_members, groups


async def insert_group(
    conn: AsyncConnection,
    *,
    enterprise_id: int,
    domain_id: int,
    address: str,
    name: str,
    created_at: dt.datetime,
) -> int | None:
    """The new id, or None when the address is taken."""
    stmt = (
        insert(groups)
        .values(
            enterprise_id=enterprise_id,
            domain_id=domain_id,
            address=address,
            name=name,
            created_at=created_at,
        )
        .returning(groups.c.id)
    )
    return await insert_or_none(conn, stmt)


async def get(conn: AsyncConnection, enterprise_id: int, group_id: int) -> dict[str, Any] | None:
    stmt = select(groups).where(groups.c.enterprise_id == enterprise_id, groups.c.id == group_id)
    return first(await conn.execute(stmt))


async def list_groups(conn: AsyncConnection, enterprise_id: int) -> list[dict[str, Any]]:
    stmt = select(groups).where(groups.c.enterprise_id == enterprise_id).order_by(groups.c.address)
    return every(await conn.execute(stmt))


async def delete_group(conn: AsyncConnection, enterprise_id: int, group_id: int) -> None:
    """Delete the group; its entries and address reservation go with it (cascade)."""
    await conn.execute(delete(groups).where(groups.c.enterprise_id == enterprise_id, groups.c.id == group_id))


async def add_entry(
    conn: AsyncConnection, group_id: int, *, member_id: int | None, address: str | None
) -> bool:
    """Add a member or an address; False when it is already there. Callers check tenancy first."""
    stmt = insert(group_members).values(group_id=group_id, member_id=member_id, address=address)
    return await execute_or_false(conn, stmt)


async def remove_entry(
    conn: AsyncConnection, group_id: int, *, member_id: int | None, address: str | None
) -> bool:
    """Remove a member or an address; False when it was not there."""
    condition = group_members.c.group_id == group_id
    if member_id is not None:
        condition = condition & (group_members.c.member_id == member_id)
    else:
        condition = condition & (group_members.c.address == address)
    result = await conn.execute(delete(group_members).where(condition))
    return bool(result.rowcount)


async def entries(conn: AsyncConnection, group_id: int) -> tuple[list[int], list[str]]:
    """(member ids, addresses) of the group, each sorted."""
    rows = await conn.execute(
        select(group_members.c.member_id, group_members.c.address).where(group_members.c.group_id == group_id)
    )
    member_ids: list[int] = []
    addresses: list[str] = []
    for member_id, address in rows:
        if member_id is not None:
            member_ids.append(int(member_id))
        elif address is not None:
            addresses.append(str(address))
    return sorted(member_ids), sorted(addresses)
