"""Mail domain rows: registration, lookup by A-label (global, for occupancy), check results, removal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import every, first, insert_or_none
from yunmail.storage.sql.schema import aliases, domains, groups, mailboxes


async def insert_domain(
    conn: AsyncConnection,
    *,
    enterprise_id: int,
    name: str,
    mode: str,
    state: str,
    ownership_token: str,
    created_at: dt.datetime,
    verified_at: dt.datetime | None,
    next_check_at: dt.datetime | None = None,
) -> int | None:
    """The new id, or None when any enterprise already has the name."""
    stmt = (
        insert(domains)
        .values(
            enterprise_id=enterprise_id,
            name=name,
            mode=mode,
            state=state,
            ownership_token=ownership_token,
            record_status={},
            created_at=created_at,
            verified_at=verified_at,
            next_check_at=next_check_at,
        )
        .returning(domains.c.id)
    )
    return await insert_or_none(conn, stmt)


async def get(conn: AsyncConnection, enterprise_id: int, domain_id: int) -> dict[str, Any] | None:
    stmt = select(domains).where(domains.c.enterprise_id == enterprise_id, domains.c.id == domain_id)
    return first(await conn.execute(stmt))


async def get_by_name(conn: AsyncConnection, name: str) -> dict[str, Any] | None:
    """Any enterprise's domain by A-label: occupancy is global, so this lookup is not tenant-scoped.

    Callers must not show another enterprise's row; they only learn that the name is occupied.
    """
    stmt = select(domains).where(domains.c.name == name)
    return first(await conn.execute(stmt))


async def list_domains(conn: AsyncConnection, enterprise_id: int) -> list[dict[str, Any]]:
    stmt = select(domains).where(domains.c.enterprise_id == enterprise_id).order_by(domains.c.name)
    return every(await conn.execute(stmt))


async def usage_counts(conn: AsyncConnection, enterprise_id: int, domain_id: int) -> tuple[int, int, int]:
    """(mailboxes incl. those in the recycle bin, aliases, groups) on the domain."""
    counts: list[int] = []
    for table in (mailboxes, aliases, groups):
        stmt = (
            select(func.count())
            .select_from(table)
            .where(table.c.enterprise_id == enterprise_id, table.c.domain_id == domain_id)
        )
        counts.append(int((await conn.execute(stmt)).scalar_one()))
    return counts[0], counts[1], counts[2]


async def delete_domain(conn: AsyncConnection, enterprise_id: int, domain_id: int) -> None:
    """Delete the row; its DKIM keys go with it (cascade)."""
    await conn.execute(
        delete(domains).where(domains.c.enterprise_id == enterprise_id, domains.c.id == domain_id)
    )


async def update_domain(conn: AsyncConnection, enterprise_id: int, domain_id: int, **values: Any) -> None:
    """Set columns (state, mode, record_status, checked_at, next_check_at, verified_at) of one domain."""
    await conn.execute(
        update(domains)
        .where(domains.c.enterprise_id == enterprise_id, domains.c.id == domain_id)
        .values(**values)
    )


async def claim_due(
    conn: AsyncConnection, now: dt.datetime, lease_until: dt.datetime, limit: int
) -> list[tuple[int, int]]:
    """``(enterprise_id, domain_id)`` of up to ``limit`` domains due for a recheck, leased to the caller.

    Platform-level (the background worker serves every tenant), so not tenant-scoped. Moving
    ``next_check_at`` to the lease end keeps another node from checking the same domain at the same
    time (PostgreSQL also skips rows another node is claiming); the check then sets the real next time.
    """
    stmt = (
        select(domains.c.enterprise_id, domains.c.id)
        .where(domains.c.next_check_at.is_not(None), domains.c.next_check_at <= now)
        .order_by(domains.c.next_check_at, domains.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = [(int(row.enterprise_id), int(row.id)) for row in await conn.execute(stmt)]
    if rows:
        await conn.execute(
            update(domains)
            .where(domains.c.id.in_([domain_id for _, domain_id in rows]))
            .values(next_check_at=lease_until)
        )
    return rows
