"""The address registry: every hosted address (mailbox, alias, group) reserved once, race-free.

The ``addresses`` primary key is the one place that decides whether an address is free, so two
concurrent "open mailbox" or "create alias" calls cannot both win. Addresses are stored in their
canonical form (lower-case local part, A-label domain); callers normalise first.

This module also holds the small helpers the directory repositories share: ``insert_or_none`` and
``execute_or_false`` turn a unique-constraint violation into a plain result inside a savepoint (so
the surrounding transaction stays usable on PostgreSQL and the service can raise the right
catalogue error), and ``first``/``every`` turn result rows into plain dicts for the services.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Result
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Delete, Insert, Update

from yunmail.storage.sql.schema import addresses, group_members, mailboxes


def first(result: Result[Any]) -> dict[str, Any] | None:
    """The first row as a dict (column name -> value), or None."""
    row = result.mappings().first()
    return None if row is None else dict(row)


def every(result: Result[Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in result.mappings()]


async def insert_or_none(conn: AsyncConnection, stmt: Insert) -> int | None:
    """Run an ``INSERT ... RETURNING id``; None when a unique (or foreign-key) constraint refuses it."""
    try:
        async with conn.begin_nested():
            return int((await conn.execute(stmt)).scalar_one())
    except IntegrityError:
        return None


async def execute_or_false(conn: AsyncConnection, stmt: Insert | Update | Delete) -> bool:
    """Run a write; False (and nothing changed) when a constraint refuses it."""
    try:
        async with conn.begin_nested():
            await conn.execute(stmt)
    except IntegrityError:
        return False
    return True


async def occupant(conn: AsyncConnection, address: str) -> Mapping[str, Any] | None:
    """Who holds ``address``: kind, enterprise, mailbox/group id and the mailbox status (if any)."""
    stmt = (
        select(
            addresses.c.address,
            addresses.c.enterprise_id,
            addresses.c.kind,
            addresses.c.mailbox_id,
            addresses.c.group_id,
            mailboxes.c.status.label("mailbox_status"),
            mailboxes.c.kind.label("mailbox_kind"),
        )
        .select_from(addresses.outerjoin(mailboxes, mailboxes.c.id == addresses.c.mailbox_id))
        .where(addresses.c.address == address)
    )
    return first(await conn.execute(stmt))


async def reserve(
    conn: AsyncConnection,
    *,
    address: str,
    enterprise_id: int,
    kind: str,
    mailbox_id: int | None = None,
    group_id: int | None = None,
) -> bool:
    """Reserve ``address``; False when someone already holds it (the primary key decides)."""
    stmt = insert(addresses).values(
        address=address, enterprise_id=enterprise_id, kind=kind, mailbox_id=mailbox_id, group_id=group_id
    )
    return await execute_or_false(conn, stmt)


async def release(conn: AsyncConnection, enterprise_id: int, address: str) -> None:
    await conn.execute(
        delete(addresses).where(addresses.c.enterprise_id == enterprise_id, addresses.c.address == address)
    )


async def taken(conn: AsyncConnection, candidates: Iterable[str]) -> set[str]:
    """Which of ``candidates`` are already reserved (by anyone)."""
    wanted = list(candidates)
    if not wanted:
        return set()
    rows = await conn.execute(select(addresses.c.address).where(addresses.c.address.in_(wanted)))
    return {str(value) for value in rows.scalars()}


async def group_targets(conn: AsyncConnection, group_id: int) -> tuple[list[int], list[str]]:
    """Open mailbox ids reached through a group, plus its outside addresses (two indexed queries).

    A member entry reaches the member's mailbox; an address entry reaches the hosted mailbox or alias
    target it names, or stays an outside address when nothing here holds it.
    """
    member_boxes = (
        select(mailboxes.c.id)
        .select_from(group_members.join(mailboxes, mailboxes.c.member_id == group_members.c.member_id))
        .where(group_members.c.group_id == group_id, mailboxes.c.status == "open")
    )
    address_rows = await conn.execute(
        select(group_members.c.address, addresses.c.kind, addresses.c.mailbox_id, mailboxes.c.status)
        .select_from(
            group_members.outerjoin(addresses, addresses.c.address == group_members.c.address).outerjoin(
                mailboxes, mailboxes.c.id == addresses.c.mailbox_id
            )
        )
        .where(group_members.c.group_id == group_id, group_members.c.address.is_not(None))
    )
    ids = [int(value) for value in (await conn.execute(member_boxes)).scalars()]
    external: list[str] = []
    for address, kind, mailbox_id, status in address_rows:
        if mailbox_id is not None:
            if status == "open":
                ids.append(int(mailbox_id))
        elif kind is None and address is not None:
            external.append(str(address))
        # else: another hosted group; groups are not nested (one level of expansion).
    return ids, external
