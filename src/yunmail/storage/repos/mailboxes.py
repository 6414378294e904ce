"""Mailbox rows of one enterprise (personal and shared), their lifecycle status, aliases and shared members.

``used_bytes`` and ``modseq`` belong to the mail store and are never written here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import every, execute_or_false, first, insert_or_none
from yunmail.storage.sql.schema import aliases, mailboxes, members, shared_mailbox_members


async def insert_mailbox(
    conn: AsyncConnection,
    *,
    enterprise_id: int,
    member_id: int | None,
    domain_id: int,
    address: str,
    kind: str,
    display_name: str,
    created_at: dt.datetime,
) -> int | None:
    """The new id, or None when the address or the member's single mailbox slot is taken."""
    stmt = (
        insert(mailboxes)
        .values(
            enterprise_id=enterprise_id,
            member_id=member_id,
            domain_id=domain_id,
            address=address,
            kind=kind,
            display_name=display_name,
            status="open",
            created_at=created_at,
        )
        .returning(mailboxes.c.id)
    )
    return await insert_or_none(conn, stmt)


async def get(conn: AsyncConnection, enterprise_id: int, mailbox_id: int) -> dict[str, Any] | None:
    stmt = select(mailboxes).where(mailboxes.c.enterprise_id == enterprise_id, mailboxes.c.id == mailbox_id)
    return first(await conn.execute(stmt))


async def get_by_address(conn: AsyncConnection, enterprise_id: int, address: str) -> dict[str, Any] | None:
    stmt = select(mailboxes).where(mailboxes.c.enterprise_id == enterprise_id, mailboxes.c.address == address)
    return first(await conn.execute(stmt))


async def get_for_member(conn: AsyncConnection, enterprise_id: int, member_id: int) -> dict[str, Any] | None:
    stmt = select(mailboxes).where(
        mailboxes.c.enterprise_id == enterprise_id, mailboxes.c.member_id == member_id
    )
    return first(await conn.execute(stmt))


async def list_mailboxes(
    conn: AsyncConnection,
    enterprise_id: int,
    *,
    status: str | None = None,
    kind: str | None = None,
) -> list[dict[str, Any]]:
    condition = mailboxes.c.enterprise_id == enterprise_id
    if status is not None:
        condition = condition & (mailboxes.c.status == status)
    if kind is not None:
        condition = condition & (mailboxes.c.kind == kind)
    rows = await conn.execute(select(mailboxes).where(condition).order_by(mailboxes.c.address))
    return every(rows)


async def recycled_with_owner(conn: AsyncConnection, enterprise_id: int) -> list[dict[str, Any]]:
    """Mailboxes in the recycle bin (oldest first), with the owner's name when the member still exists."""
    stmt = (
        select(mailboxes, members.c.name.label("member_name"))
        .select_from(mailboxes.outerjoin(members, members.c.id == mailboxes.c.member_id))
        .where(mailboxes.c.enterprise_id == enterprise_id, mailboxes.c.status.in_(("recycled", "purging")))
        .order_by(mailboxes.c.recycled_at, mailboxes.c.id)
    )
    return every(await conn.execute(stmt))


async def count_open(conn: AsyncConnection, enterprise_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(mailboxes)
        .where(mailboxes.c.enterprise_id == enterprise_id, mailboxes.c.status == "open")
    )
    return int((await conn.execute(stmt)).scalar_one())


async def ids_of_enterprise(conn: AsyncConnection, enterprise_id: int) -> list[int]:
    stmt = select(mailboxes.c.id).where(mailboxes.c.enterprise_id == enterprise_id).order_by(mailboxes.c.id)
    return [int(value) for value in (await conn.execute(stmt)).scalars()]


async def update_values(
    conn: AsyncConnection, enterprise_id: int, mailbox_id: int, values: Mapping[str, Any]
) -> bool:
    """False when a unique constraint (the member's single mailbox) refuses the change."""
    stmt = (
        update(mailboxes)
        .where(mailboxes.c.enterprise_id == enterprise_id, mailboxes.c.id == mailbox_id)
        .values(**values)
    )
    return await execute_or_false(conn, stmt)


async def delete_mailbox(conn: AsyncConnection, enterprise_id: int, mailbox_id: int) -> None:
    """Delete the row; its address reservation, aliases and shared members go with it (cascade)."""
    await conn.execute(
        delete(mailboxes).where(mailboxes.c.enterprise_id == enterprise_id, mailboxes.c.id == mailbox_id)
    )


async def expired(
    conn: AsyncConnection, *, recycled_before: dt.datetime, limit: int
) -> list[tuple[int, int]]:
    """(enterprise_id, mailbox_id) of recycle-bin mailboxes recycled at or before the cutoff (all tenants)."""
    stmt = (
        select(mailboxes.c.enterprise_id, mailboxes.c.id)
        .where(mailboxes.c.status.in_(("recycled", "purging")), mailboxes.c.recycled_at <= recycled_before)
        .order_by(mailboxes.c.recycled_at, mailboxes.c.id)
        .limit(limit)
    )
    return [(int(e), int(m)) for e, m in await conn.execute(stmt)]


# --- shared mailbox members ----------------------------------------------------------------------


async def add_shared_member(conn: AsyncConnection, mailbox_id: int, member_id: int) -> bool:
    """False when the member is already on the list (callers scope both ids to one enterprise first)."""
    stmt = insert(shared_mailbox_members).values(mailbox_id=mailbox_id, member_id=member_id)
    return await execute_or_false(conn, stmt)


async def remove_shared_member(conn: AsyncConnection, mailbox_id: int, member_id: int) -> None:
    await conn.execute(
        delete(shared_mailbox_members).where(
            shared_mailbox_members.c.mailbox_id == mailbox_id, shared_mailbox_members.c.member_id == member_id
        )
    )


async def shared_member_ids(conn: AsyncConnection, mailbox_id: int) -> list[int]:
    stmt = (
        select(shared_mailbox_members.c.member_id)
        .where(shared_mailbox_members.c.mailbox_id == mailbox_id)
        .order_by(shared_mailbox_members.c.member_id)
    )
    return [int(value) for value in (await conn.execute(stmt)).scalars()]


# --- aliases ---------------------------------------------------------------------------------------


async def insert_alias(
    conn: AsyncConnection,
    *,
    enterprise_id: int,
    domain_id: int,
    mailbox_id: int,
    address: str,
    created_at: dt.datetime,
) -> int | None:
    stmt = (
        insert(aliases)
        .values(
            enterprise_id=enterprise_id,
            domain_id=domain_id,
            mailbox_id=mailbox_id,
            address=address,
            created_at=created_at,
        )
        .returning(aliases.c.id)
    )
    return await insert_or_none(conn, stmt)


async def get_alias(conn: AsyncConnection, enterprise_id: int, alias_id: int) -> dict[str, Any] | None:
    stmt = select(aliases).where(aliases.c.enterprise_id == enterprise_id, aliases.c.id == alias_id)
    return first(await conn.execute(stmt))


async def list_aliases(
    conn: AsyncConnection, enterprise_id: int, *, mailbox_id: int | None = None
) -> list[dict[str, Any]]:
    condition = aliases.c.enterprise_id == enterprise_id
    if mailbox_id is not None:
        condition = condition & (aliases.c.mailbox_id == mailbox_id)
    rows = await conn.execute(select(aliases).where(condition).order_by(aliases.c.address))
    return every(rows)


async def delete_alias(conn: AsyncConnection, enterprise_id: int, alias_id: int) -> None:
    await conn.execute(
        delete(aliases).where(aliases.c.enterprise_id == enterprise_id, aliases.c.id == alias_id)
    )
