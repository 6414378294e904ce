"""Member rows of one enterprise: login accounts, contacts, password hashes, status and search."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import delete, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import every, execute_or_false, first, insert_or_none
from yunmail.storage.repos.enterprises import like_pattern
from yunmail.storage.sql.schema import mailboxes, members


async def insert_member(
    conn: AsyncConnection, *, enterprise_id: int, values: Mapping[str, Any]
) -> int | None:
    """The new id, or None when the account or the phone is already used in the enterprise."""
    stmt = insert(members).values(enterprise_id=enterprise_id, **values).returning(members.c.id)
    return await insert_or_none(conn, stmt)


async def get(conn: AsyncConnection, enterprise_id: int, member_id: int) -> dict[str, Any] | None:
    stmt = select(members).where(members.c.enterprise_id == enterprise_id, members.c.id == member_id)
    return first(await conn.execute(stmt))


async def get_by_account_key(
    conn: AsyncConnection, enterprise_id: int, account_key: str
) -> dict[str, Any] | None:
    stmt = select(members).where(
        members.c.enterprise_id == enterprise_id, members.c.account_key == account_key
    )
    return first(await conn.execute(stmt))


async def get_by_phone(conn: AsyncConnection, enterprise_id: int, phone: str) -> dict[str, Any] | None:
    stmt = select(members).where(members.c.enterprise_id == enterprise_id, members.c.phone == phone)
    return first(await conn.execute(stmt))


async def update_values(
    conn: AsyncConnection, enterprise_id: int, member_id: int, values: Mapping[str, Any]
) -> bool:
    """False when a unique constraint (the phone) refuses the change."""
    stmt = (
        update(members)
        .where(members.c.enterprise_id == enterprise_id, members.c.id == member_id)
        .values(**values)
    )
    return await execute_or_false(conn, stmt)


async def delete_member(conn: AsyncConnection, enterprise_id: int, member_id: int) -> None:
    await conn.execute(
        delete(members).where(members.c.enterprise_id == enterprise_id, members.c.id == member_id)
    )


async def search(
    conn: AsyncConnection,
    enterprise_id: int,
    *,
    term: str | None,
    department_ids: Collection[int] | None,
    status: str | None,
    has_mailbox: bool | None,
    offset: int,
    limit: int,
) -> tuple[list[dict[str, Any]], int]:
    """A page of members (by id) matching every given filter, and the total count.

    ``term`` matches name, account, phone or contact e-mail (substring, case-insensitive);
    ``has_mailbox`` means "has an open mailbox".
    """
    condition = members.c.enterprise_id == enterprise_id
    if term:
        pattern = like_pattern(term)
        condition = condition & or_(
            func.lower(members.c.name).like(pattern, escape="\\"),
            members.c.account_key.like(pattern, escape="\\"),
            members.c.phone.like(pattern, escape="\\"),
            func.lower(members.c.contact_email).like(pattern, escape="\\"),
        )
    if department_ids is not None:
        condition = condition & members.c.department_id.in_(list(department_ids))
    if status is not None:
        condition = condition & (members.c.status == status)
    if has_mailbox is not None:
        open_box = exists().where(
            mailboxes.c.enterprise_id == enterprise_id,
            mailboxes.c.member_id == members.c.id,
            mailboxes.c.status == "open",
        )
        condition = condition & (open_box if has_mailbox else ~open_box)
    total = (await conn.execute(select(func.count()).select_from(members).where(condition))).scalar_one()
    rows = await conn.execute(
        select(members).where(condition).order_by(members.c.id).offset(offset).limit(limit)
    )
    return every(rows), int(total)
