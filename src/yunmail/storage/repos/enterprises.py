"""Enterprise rows: create, read, search, settings, and the full delete that dissolving performs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import every, first, insert_or_none
from yunmail.storage.sql.schema import (
    addresses,
    administrators,
    aliases,
    departments,
    domains,
    enterprises,
    groups,
    invitations,
    mailboxes,
    members,
)


def like_pattern(term: str) -> str:
    """A case-insensitive ``LIKE`` pattern for ``term`` with its wildcards escaped (escape char ``\\``)."""
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def insert_enterprise(
    conn: AsyncConnection,
    *,
    name: str,
    org_id: str,
    settings: Mapping[str, Any],
    trial_ends_at: dt.datetime | None,
    created_at: dt.datetime,
) -> int | None:
    """The new id, or None when the organisation identifier is already taken."""
    stmt = (
        insert(enterprises)
        .values(
            name=name,
            org_id=org_id,
            status="active",
            settings=dict(settings),
            trial_ends_at=trial_ends_at,
            created_at=created_at,
        )
        .returning(enterprises.c.id)
    )
    return await insert_or_none(conn, stmt)


async def get(
    conn: AsyncConnection, enterprise_id: int, *, for_update: bool = False
) -> dict[str, Any] | None:
    """The row; ``for_update`` locks it (PostgreSQL) so seat counts and dissolving serialise."""
    stmt = select(enterprises).where(enterprises.c.id == enterprise_id)
    if for_update:
        stmt = stmt.with_for_update()
    return first(await conn.execute(stmt))


async def get_by_org_id(conn: AsyncConnection, org_id: str) -> dict[str, Any] | None:
    stmt = select(enterprises).where(enterprises.c.org_id == org_id)
    return first(await conn.execute(stmt))


async def search(
    conn: AsyncConnection, *, term: str | None, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of enterprises (by id) whose name or org id contains ``term``, and the total count."""
    condition = enterprises.c.status != "dissolving"
    if term:
        pattern = like_pattern(term)
        condition = condition & or_(
            func.lower(enterprises.c.name).like(pattern, escape="\\"),
            enterprises.c.org_id.like(pattern, escape="\\"),
        )
    total = (await conn.execute(select(func.count()).select_from(enterprises).where(condition))).scalar_one()
    rows = await conn.execute(
        select(enterprises).where(condition).order_by(enterprises.c.id).offset(offset).limit(limit)
    )
    return every(rows), int(total)


async def update_values(conn: AsyncConnection, enterprise_id: int, values: Mapping[str, Any]) -> None:
    await conn.execute(update(enterprises).where(enterprises.c.id == enterprise_id).values(**values))


async def content_counts(conn: AsyncConnection, enterprise_id: int) -> tuple[int, int]:
    """(departments, members) of the enterprise."""
    dept = select(func.count()).select_from(departments).where(departments.c.enterprise_id == enterprise_id)
    memb = select(func.count()).select_from(members).where(members.c.enterprise_id == enterprise_id)
    return int((await conn.execute(dept)).scalar_one()), int((await conn.execute(memb)).scalar_one())


async def delete_everything(conn: AsyncConnection, enterprise_id: int) -> None:
    """Delete the enterprise and every row it owns (the caller has checked: no departments, no members).

    Tables that reference domains with ``RESTRICT`` go first, in dependency order; the rest (and
    tables other packages add later with the enterprise foreign key) follow the ``ON DELETE CASCADE``
    of the final delete.
    """
    for table in (addresses, aliases, groups, mailboxes, domains, invitations, administrators):
        await conn.execute(delete(table).where(table.c.enterprise_id == enterprise_id))
    await conn.execute(delete(enterprises).where(enterprises.c.id == enterprise_id))
